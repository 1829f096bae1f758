"""The last-resort loop on its own: a request exported to the FAKE ILLiad, then ILLiad's NCIP AcceptItem and
CheckInItem for it (posted as the ILLiad addons post them) come back as events carrying our request id."""

from __future__ import annotations

import asyncio

import httpx

import illiad
import ncip
from illcore.request import BorrowingRequest, Patron
from illnode.lastresort import DOC_KIND, LastResort
from illnode.testing.fake_illiad import FakeILLiad


def _ncip(service: str, tn: str) -> bytes:
    # What the ILLiad Alma addons send: default namespace, unqualified version, TN as request and item id.
    ids = (f"<RequestId><RequestIdentifierValue>{tn}</RequestIdentifierValue></RequestId>"
           "<RequestedActionType>Hold For Pickup And Notify</RequestedActionType>" if service == "AcceptItem"
           else "")
    body = (f"<{service}><InitiationHeader><FromAgencyId><AgencyId>01CUNY_BC</AgencyId></FromAgencyId>"
            f"<ToAgencyId><AgencyId>01CUNY_BC</AgencyId></ToAgencyId></InitiationHeader>{ids}"
            f"<ItemId><ItemIdentifierValue>{tn}</ItemIdentifierValue></ItemId></{service}>")
    return (f'<NCIPMessage xmlns="{ncip.NS}" version="http://www.niso.org/schemas/ncip/v2_02/ncip_v2_02.xsd">'
            f"{body}</NCIPMessage>").encode()


def test_export_then_accept_and_check_in() -> None:
    fake = FakeILLiad("K")
    fake.add_user("jdoe")
    events: list[ncip.ItemEvent] = []

    async def run() -> tuple[illiad.ExportResult, list[object]]:
        async with illiad.AsyncILLiadClient("https://x.illiad.example/ILLiadWebPlatform", "K",
                                            transport=fake.transport()) as client:
            loop = LastResort(client, illiad.ExportSettings(status="Created via Alma"))
            result = await loop.export(BorrowingRequest(request_id="GW-42", requester="BC", title="Dune",
                                                         patron=Patron(id="jdoe")))
            app = ncip.NCIPApp(loop.handler(events.append))
            replies = []
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http:
                tn = str(result.transaction.transaction_number)
                for service in ("AcceptItem", "CheckInItem"):
                    replies.append(ncip.parse((await http.post("/ncip", content=_ncip(service, tn))).content))
                replies.append(ncip.parse((await http.post("/ncip", content=_ncip("CheckInItem", "77"))).content))
            assert loop.documents.get_doc(DOC_KIND, "GW-42") is not None
            return result, replies

    result, replies = asyncio.run(run())
    assert result.transaction.cited_in == "GW-42"
    assert fake.transactions[1000]["TransactionStatus"] == "Created via Alma"
    assert [(e.service, e.meaning, e.request_id) for e in events] == [
        ("AcceptItem", "received", "GW-42"), ("CheckInItem", "returned", "GW-42")]
    accept, check_in, unknown = replies
    assert isinstance(accept, ncip.AcceptItemResponse) and not accept.problem
    assert isinstance(check_in, ncip.CheckInItemResponse) and not check_in.problem
    assert isinstance(unknown, ncip.CheckInItemResponse)
    assert unknown.problem[0].problem_type.value == "Unknown Item"
