"""`make demo`: one interlibrary loan's lifecycle between two local peers, every message printed readably:
ISO 10161 APDUs over real TCP (two listeners on 127.0.0.1), then ISO 18626 messages over real HTTP/1.1 and HTTP/2.

Each side runs the protocol machine; `--offline` only encodes, decodes and prints the APDUs.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import isoill
from isoill.render import apdu_name, render

REQUESTER = "DEMO:REQ"
RESPONDER = "DEMO:RESP"


def _sid(symbol: str, name: str) -> isoill.SystemId:
    return isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol(symbol),
                      name_of_person_or_institution=isoill.NameOfInstitution(name))


def loan_apdus(qualifier: str = "DEMO-0001") -> list[tuple[str, isoill.APDU]]:
    """(sender role, APDU) for one loan, in order: requester and responder alternate as in real life."""
    tid = isoill.TransactionId(initial_requester_id=_sid(REQUESTER, "Requesting Library"),
                          transaction_group_qualifier=REQUESTER, transaction_qualifier=qualifier)
    req_id = _sid(REQUESTER, "Requesting Library")
    resp_id = _sid(RESPONDER, "Supplying Library")

    def common(date: str, time: str) -> dict[str, object]:
        return {
            "transaction_id": tid,
            "service_date_time": isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=date, time=time)),
            "requester_id": req_id,
            "responder_id": resp_id,
        }

    request = isoill.ILLRequest(
        **common("20240301", "093000"),  # type: ignore[arg-type]
        ill_service_type=(isoill.ILLServiceType.LOAN,),
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True,
            requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.REQUIRES),
        search_type=isoill.SearchType(need_before_date="20240401"),
        item_id=isoill.ItemId(item_type=isoill.ItemType.MONOGRAPH, author="Knuth, Donald E.",
                         title="The Art of Computer Programming, Volume 1"),
        requester_note="Demo request: loan preferred.",
    )
    answer = isoill.ILLAnswer(
        **common("20240302", "101500"),  # type: ignore[arg-type]
        transaction_results=isoill.TransactionResults.WILL_SUPPLY,
        results_explanation=isoill.WillSupplyResults(reason_will_supply=isoill.ReasonWillSupply.BEING_PROCESSED_FOR_SUPPLY,
                                                supply_date="20240304"),
        responder_note="We will send it on Monday.",
    )
    shipped = isoill.Shipped(
        **common("20240304", "140000"),  # type: ignore[arg-type]
        shipped_service_type=isoill.ILLServiceType.LOAN,
        supply_details=isoill.SupplyDetails(date_shipped="20240304",
                                       date_due=isoill.DateDue(date_due_field="20240404", renewable=True)),
    )
    received = isoill.Received(**common("20240306", "111000"),  # type: ignore[arg-type]
                               date_received="20240306", shipped_service_type=isoill.ILLServiceType.LOAN)
    returned = isoill.Returned(**common("20240401", "160000"),  # type: ignore[arg-type]
                               date_returned="20240401", returned_via="Post")
    checked_in = isoill.CheckedIn(**common("20240403", "090000"),  # type: ignore[arg-type]
                                  date_checked_in="20240403")
    return [("requester", request), ("responder", answer), ("responder", shipped),
            ("requester", received), ("requester", returned), ("responder", checked_in)]


def offline(out: Callable[[str], None] = print) -> None:
    """Encode, decode and print each APDU of the loan (no network)."""
    for who, apdu in loan_apdus():
        data = isoill.encode(apdu)
        back = isoill.decode(data)
        if back != apdu:
            raise SystemExit(f"demo: {apdu_name(apdu)} did not survive encode/decode")
        out(f"--- {who} sends {apdu_name(apdu)} ({len(data)} octets: {data[:8].hex(' ')} ...)")
        out(render(back))


async def live_10161(out: Callable[[str], None] = print) -> None:
    """Requester and responder each listen on a loopback port and send each APDU on a new connection to the
    other's listener, as ISO ILL peers do; both sides check every APDU against their protocol machine."""
    from isoill import net

    stores = {"requester": net.MemoryStore(), "responder": net.MemoryStore()}
    arrived: asyncio.Queue[str] = asyncio.Queue()

    def handler(name: str) -> net.Handler:
        async def handle(incoming: net.Incoming) -> None:
            state = incoming.transaction.state if incoming.transaction is not None else None
            out(f"<-- {name} received {apdu_name(incoming.apdu)} from {incoming.peer[0]}:{incoming.peer[1]} "
                f"({len(incoming.data)} octets); its state is now {state.name if state else 'IDLE'}")
            out(render(incoming.apdu))
            await arrived.put(name)
        return handle

    servers = {name: net.ILLServer(handler(name), port=0, store=stores[name]) for name in stores}
    for server in servers.values():
        await server.start()
    out(f"ISO 10161: requester listens on 127.0.0.1:{servers['requester'].port}, "
        f"responder on 127.0.0.1:{servers['responder'].port}\n")
    try:
        for who, apdu in loan_apdus():
            other = "responder" if who == "requester" else "requester"
            key = net.transaction_key(apdu)
            txn = stores[who].get(key)
            if txn is None:
                txn = net.new_transaction(responder=who == "responder")
            txn.send(apdu)  # the sender's machine checks the APDU before it goes out
            stores[who].put(key, txn)
            port = servers[other].port
            out(f"--> {who} sends {apdu_name(apdu)} to 127.0.0.1:{port}")
            await net.send_apdus("127.0.0.1", port, [apdu], wait=0)
            got = await asyncio.wait_for(arrived.get(), 10)
            if got != other:
                raise SystemExit(f"demo: {apdu_name(apdu)} went to the {got}")
            out("")
    finally:
        for server in servers.values():
            await server.close()
    for name, store in stores.items():
        txn = store.get(net.transaction_key(loan_apdus()[0][1]))
        state = txn.state if txn is not None else None
        out(f"{name}'s transaction ends in state {state.name if state else '?'}")


_NS = 'xmlns:ill="http://illtransactions.org/2013/iso18626" ill:version="1.2"'
_HEADER = ("<ill:header><ill:supplyingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType>"
           "<ill:agencyIdValue>DEMO-RESP</ill:agencyIdValue></ill:supplyingAgencyId><ill:requestingAgencyId>"
           "<ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>DEMO-REQ</ill:agencyIdValue>"
           "</ill:requestingAgencyId><ill:multipleItemRequestId></ill:multipleItemRequestId>"
           "<ill:timestamp>{ts}</ill:timestamp><ill:requestingAgencyRequestId>DEMO-0001</ill:requestingAgencyRequestId>"
           "{supplier_id}</ill:header>")
_SID = "<ill:supplyingAgencyRequestId>S-77</ill:supplyingAgencyRequestId>"


def _sam(ts: str, reason: str, status: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><ill:ISO18626Message {_NS}><ill:supplyingAgencyMessage>'
            f"{_HEADER.format(ts=ts, supplier_id=_SID)}<ill:messageInfo><ill:reasonForMessage>{reason}"
            f"</ill:reasonForMessage></ill:messageInfo><ill:statusInfo><ill:status>{status}</ill:status>"
            f"<ill:lastChange>{ts}</ill:lastChange></ill:statusInfo></ill:supplyingAgencyMessage>"
            f"</ill:ISO18626Message>").encode()


def _ram(ts: str, action: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><ill:ISO18626Message {_NS}><ill:requestingAgencyMessage>'
            f"{_HEADER.format(ts=ts, supplier_id=_SID)}<ill:action>{action}</ill:action>"
            f"</ill:requestingAgencyMessage></ill:ISO18626Message>").encode()


def loan_messages_18626() -> list[tuple[str, bytes]]:
    """(sender, XML) for one ISO 18626 loan: request, loaned, received, shipped back, loan complete."""
    request = (f'<?xml version="1.0" encoding="UTF-8"?><ill:ISO18626Message {_NS}><ill:request>'
               f"{_HEADER.format(ts='2024-03-01T09:30:00Z', supplier_id='')}<ill:bibliographicInfo>"
               "<ill:title>The Art of Computer Programming, Volume 1</ill:title><ill:author>Knuth, Donald E."
               "</ill:author></ill:bibliographicInfo><ill:serviceInfo><ill:serviceType>Loan</ill:serviceType>"
               "</ill:serviceInfo></ill:request></ill:ISO18626Message>").encode()
    return [
        ("requester", request),
        ("supplier", _sam("2024-03-04T14:00:00Z", "RequestResponse", "Loaned")),
        ("requester", _ram("2024-03-06T11:10:00Z", "Received")),
        ("requester", _ram("2024-04-01T16:00:00Z", "ShippedReturn")),
        ("supplier", _sam("2024-04-03T09:00:00Z", "StatusChange", "LoanCompleted")),
    ]


def _pretty(xml: bytes) -> str:
    from lxml import etree

    return etree.tostring(etree.fromstring(xml), pretty_print=True, encoding="unicode").rstrip()


async def live_18626(out: Callable[[str], None] = print) -> None:
    """Requester and supplier each run an ISO 18626 endpoint (hypercorn on loopback) and POST to each other."""
    import iso18626
    from iso18626 import Role, Transaction, http

    # Each agency runs the ISO 18626 machine: the supplier's endpoint keeps one per request, the requester
    # has its single loan. Both check what they send as well as what arrives.
    supplier = http.TransactionHandler()
    requester = Transaction(Role.REQUESTING)

    async def requester_inbox(message: Any) -> http.HandlerResult:
        requester.receive(message)
        return None

    machines: dict[str, Callable[[Any], Any]] = {
        "requester": requester.send,
        "supplier": lambda message: supplier.transactions[supplier.key(message)].send(message),
    }
    apps = {"requester": http.ISO18626App(requester_inbox), "supplier": http.ISO18626App(supplier)}
    ports: dict[str, int] = {}
    stop = asyncio.Event()
    tasks = []
    for name, app in apps.items():
        started = asyncio.Event()

        def ready(port: int, name: str = name, started: asyncio.Event = started) -> None:
            ports[name] = port
            started.set()

        tasks.append(asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=app, ready=ready, shutdown=stop)))
        await asyncio.wait_for(started.wait(), 10)
    out(f"ISO 18626: requester endpoint http://127.0.0.1:{ports['requester']}/, "
        f"supplier endpoint http://127.0.0.1:{ports['supplier']}/\n")
    try:
        for i, (who, xml) in enumerate(loan_messages_18626()):
            other = "supplier" if who == "requester" else "requester"
            url = f"http://127.0.0.1:{ports[other]}/"
            message = iso18626.parse(xml)
            machines[who](message)
            http2 = i % 2 == 1  # alternate HTTP/1.1 and HTTP/2 to show both
            out(f"--> {who} POSTs {type(message).__name__} to {url}")
            out(_pretty(xml))
            result = await http.post_message(url, xml, http2=http2, timeout=10)
            header = result.confirmation.confirmation_header
            out(f"<-- {other} confirms over {result.http_version}: {type(result.confirmation).__name__} "
                f"{header.message_status.value} for requestingAgencyRequestId {header.requesting_agency_request_id}\n")
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    theirs = next(iter(supplier.transactions.values()))
    out(f"requester's transaction ends at stage {requester.stage.name}, supplier's at {theirs.stage.name} "
        f"(status {theirs.status.value if theirs.status else '-'})")


def main(argv: list[str] | None = None) -> int:
    if argv and "--offline" in argv:
        offline()
        return 0

    async def both() -> None:
        await live_10161()
        print()
        await live_18626()

    asyncio.run(both())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
