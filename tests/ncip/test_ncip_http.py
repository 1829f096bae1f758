"""NCIP over HTTP: the ASGI responder with the item-event handler (one message in, one out, Problems for the
rest), the httpx clients, and `ncip.serve` on loopback."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree

import ncip

AGENCY = "01CUNY_BC"


def _accept(request_value: str, *, namespaced: bool = True) -> bytes:
    body = (f"<AcceptItem><InitiationHeader><FromAgencyId><AgencyId>{AGENCY}</AgencyId></FromAgencyId>"
            f"<ToAgencyId><AgencyId>{AGENCY}</AgencyId></ToAgencyId><ApplicationProfileType>ILLiad"
            f"</ApplicationProfileType></InitiationHeader><RequestId><AgencyId>{AGENCY}</AgencyId>"
            f"<RequestIdentifierValue>{request_value}</RequestIdentifierValue></RequestId>"
            f"<RequestedActionType>Hold For Pickup And Notify</RequestedActionType><UserId><UserIdentifierValue>"
            f"23456789</UserIdentifierValue></UserId><ItemId><ItemIdentifierValue>{request_value}"
            f"</ItemIdentifierValue></ItemId><DateForReturn>2026-02-01T00:00:00Z</DateForReturn></AcceptItem>")
    # As the ILLiad addons post it: the version attribute unqualified.
    ns = f' xmlns="{ncip.NS}"' if namespaced else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><NCIPMessage{ns} '
            f'version="http://www.niso.org/schemas/ncip/v2_02/ncip_v2_02.xsd">{body}</NCIPMessage>').encode()


class Recorder:
    """resolve/on_event for the handler: TransactionNumber 1000 is our request BC-1."""

    def __init__(self) -> None:
        self.events: list[ncip.ItemEvent] = []

    def resolve(self, ids: tuple[str, ...]) -> str | None:
        return "BC-1" if "1000" in ids else None

    async def on_event(self, event: ncip.ItemEvent) -> None:
        self.events.append(event)


def _app(rec: Recorder, **kw: Any) -> ncip.NCIPApp:
    handler = ncip.ItemEventHandler(resolve=rec.resolve, on_event=rec.on_event,
                                    user_exists=lambda user: user == "23456789")
    return ncip.NCIPApp(handler, **kw)


def _post(app: Any, data: bytes, method: str = "POST") -> httpx.Response:
    async def run() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://alma") as client:
            return await client.request(method, "/view/NCIPServlet", content=data)
    return asyncio.run(run())


def _answer(response: httpx.Response) -> Any:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    return ncip.parse(response.content)


def test_accept_item_for_an_exported_request(official_ncip: Any) -> None:
    rec = Recorder()
    response = _post(_app(rec), _accept("1000"))
    assert official_ncip.validate(etree.fromstring(response.content))
    reply = _answer(response)
    assert isinstance(reply, ncip.AcceptItemResponse) and not reply.problem
    assert reply.request_id.request_identifier_value == "1000"
    assert reply.response_header.to_agency_id.agency_id.value == AGENCY
    [event] = rec.events
    assert (event.service, event.meaning, event.request_id, event.user_id) == ("AcceptItem", "received", "BC-1",
                                                                              "23456789")
    assert event.identifiers == ("1000", "1000") and event.date_due is not None


def test_unknown_request_gets_a_problem_and_no_event() -> None:
    rec = Recorder()
    reply = _answer(_post(_app(rec), _accept("999")))
    assert isinstance(reply, ncip.AcceptItemResponse)
    assert [p.problem_type.value for p in reply.problem] == ["Unknown Request"]
    assert reply.problem[0].problem_value == "999" and rec.events == []


def test_check_out_check_in_and_lookup_user(official_ncip: Any) -> None:
    rec = Recorder()
    app = _app(rec)
    item = "<ItemId><ItemIdentifierValue>1000</ItemIdentifierValue></ItemId>"
    user = "<UserId><UserIdentifierValue>23456789</UserIdentifierValue></UserId>"
    wrap = f'<NCIPMessage xmlns="{ncip.NS}" xmlns:n="{ncip.NS}" n:version="{ncip.VERSION_URI}">{{}}</NCIPMessage>'
    for body, cls in [(f"<CheckOutItem>{user}{item}</CheckOutItem>", ncip.CheckOutItemResponse),
                      (f"<CheckInItem>{item}</CheckInItem>", ncip.CheckInItemResponse),
                      (f"<LookupUser>{user}</LookupUser>", ncip.LookupUserResponse)]:
        response = _post(app, wrap.format(body).encode())
        assert official_ncip.validate(etree.fromstring(response.content)), response.content
        reply = _answer(response)
        assert isinstance(reply, cls) and not reply.problem
    assert [e.meaning for e in rec.events] == ["checked-out", "returned", "user-lookup"]
    unknown = _answer(_post(app, wrap.format("<LookupUser><UserId><UserIdentifierValue>x</UserIdentifierValue>"
                                             "</UserId></LookupUser>").encode()))
    assert unknown.problem[0].problem_type.value == "Unknown User"


def test_what_the_responder_cannot_do_is_a_problem() -> None:
    rec = Recorder()
    app = _app(rec, strict=True)
    bare = _answer(_post(app, b"not xml"))
    assert isinstance(bare, ncip.ProblemResponse)
    assert bare.problem[0].problem_type.value == "Invalid Message Syntax Error"
    strict = _answer(_post(app, _accept("1000")))  # unqualified version, refused in strict mode
    assert isinstance(strict, ncip.ProblemResponse) and strict.problem[0].problem_type.value == "Missing Version"
    renew = ncip.serialize(ncip.RenewItem(user_id=ncip.UserId(user_identifier_value="u"),
                                          item_id=ncip.ItemId(item_identifier_value="i")))
    unsupported = _answer(_post(app, renew))
    assert isinstance(unsupported, ncip.RenewItemResponse)
    assert unsupported.problem[0].problem_type.value == "Unsupported Service"
    v1 = _answer(_post(app, b'<NCIPMessage version="http://www.niso.org/ncip/v1_0/imp1/dtd/ncip_v1_0.dtd">'
                            b"<LookupVersion/></NCIPMessage>"))
    assert "NCIP version 1" in (v1.problem[0].problem_detail or "")
    assert _post(app, b"", method="GET").status_code == 405
    assert _post(ncip.NCIPApp(lambda m: None, max_body=10), _accept("1000")).status_code == 413


def test_a_failing_handler_answers_temporary_failure() -> None:
    def broken(message: Any) -> Any:
        raise RuntimeError("bug")
    reply = _answer(_post(ncip.NCIPApp(broken), _accept("1000")))
    assert reply.problem[0].problem_type.value == "Temporary Processing Failure"


def test_lenient_responder_reads_messages_without_namespace() -> None:
    rec = Recorder()
    reply = _answer(_post(_app(rec), _accept("1000", namespaced=False)))
    assert isinstance(reply, ncip.AcceptItemResponse) and not reply.problem and rec.events


@pytest.fixture
def served() -> Iterator[tuple[str, Recorder]]:
    rec = Recorder()
    started = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        box["loop"] = asyncio.get_running_loop()
        box["stop"] = stop = asyncio.Event()

        def ready(port: int) -> None:
            box["port"] = port
            started.set()
        await ncip.serve(_app(rec), port=0, ready=ready, shutdown=stop)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield f"http://127.0.0.1:{box['port']}/", rec
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(10)


def test_clients_against_serve(served: tuple[str, Recorder]) -> None:
    url, rec = served
    with ncip.NCIPClient(url, timeout=5) as client:
        reply = client.send(ncip.read(_accept("1000"), strict=False).message)
    assert isinstance(reply, ncip.AcceptItemResponse) and rec.events[-1].request_id == "BC-1"

    async def run() -> Any:
        async with ncip.AsyncNCIPClient(url, timeout=5) as client:
            return await client.send(ncip.CheckInItem(item_id=ncip.ItemId(item_identifier_value="1000")))
    assert isinstance(asyncio.run(run()), ncip.CheckInItemResponse)


def test_client_errors_are_typed() -> None:
    with ncip.NCIPClient("http://127.0.0.1:9/", timeout=2,
                         transport=httpx.MockTransport(lambda r: httpx.Response(500))) as client:
        with pytest.raises(ncip.NCIPTransportError) as caught:
            client.send(ncip.CheckInItem(item_id=ncip.ItemId(item_identifier_value="1")))
    assert caught.value.status == 500
    with ncip.NCIPClient("http://127.0.0.1:9/", timeout=2,
                         transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"<html/>"))) as client:
        with pytest.raises(ncip.ValidationError):
            client.send(ncip.CheckInItem(item_id=ncip.ItemId(item_identifier_value="1")))


def test_request_item_and_fee(official_ncip: Any) -> None:
    rec = Recorder()
    app = _app(rec)
    user = ncip.UserId(user_identifier_value="23456789")
    request = ncip.RequestItem(user_id=user, bibliographic_id=[ncip.BibliographicId(
        bibliographic_record_id=ncip.BibliographicRecordId(bibliographic_record_identifier="1234",
                                                           bibliographic_record_identifier_code="OCLC"))],
        request_id=ncip.RequestId(request_identifier_value="1000"), request_type="Loan", request_scope_type="Bibliographic Item")
    response = _post(app, ncip.serialize(request))
    assert official_ncip.validate(etree.fromstring(response.content)), response.content
    reply = _answer(response)
    assert isinstance(reply, ncip.RequestItemResponse) and not reply.problem
    assert reply.request_id.request_identifier_value == "1000" and reply.user_id == user
    fee = ncip.CreateUserFiscalTransaction(user_id=user, fiscal_transaction_information=ncip.FiscalTransactionInformation(
        fiscal_action_type="Assess", fiscal_transaction_type="Service Charge",
        amount=ncip.Amount(currency_code="USD", monetary_value=500),
        request_id=ncip.RequestId(request_identifier_value="1000")))
    response = _post(app, ncip.serialize(fee))
    assert official_ncip.validate(etree.fromstring(response.content)), response.content
    reply = _answer(response)
    assert isinstance(reply, ncip.CreateUserFiscalTransactionResponse)
    assert reply.fiscal_transaction_reference_id.fiscal_transaction_identifier_value == "23456789-500-USD"
    assert [(e.meaning, e.request_id) for e in rec.events] == [("requested", "BC-1"), ("fee", "BC-1")]


def test_writer_refuses_a_required_choice_left_empty() -> None:
    with pytest.raises(ncip.SerializeError, match="needs one of ItemId, RequestId"):
        ncip.serialize(ncip.CancelRequestItemResponse(user_id=ncip.UserId(user_identifier_value="u")))


def test_body_limits_and_timeout() -> None:
    app = ncip.NCIPApp(lambda m: None, max_body=100, body_timeout=0.2)
    sent: list[dict[str, Any]] = []

    async def send(event: dict[str, Any]) -> None:
        sent.append(event)

    async def never() -> dict[str, Any]:
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"50")]}
    asyncio.run(app(scope, never, send))
    assert sent[0]["status"] == 408
    sent.clear()
    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"5000")]}
    asyncio.run(app(scope, never, send))  # refused on the declared length, without reading
    assert sent[0]["status"] == 413
