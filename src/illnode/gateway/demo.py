"""`make demo` (second part): the set-up guides' scenario through the gateway on this machine, with the partner
simulators: an ILLiad-like requester, an Alma supplier that answers unfilled, a ReShare supplier that lends, the
loan's whole lifecycle; then a request that falls through to the ILLiad lender of last resort. Prints a timeline.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import sys
from collections.abc import Callable
from typing import Any

import isoill
from illnode import profiles
from illnode.gateway.memstore import MemoryStore
from illnode.gateway.node import Node, parse_config
from illnode.simulators import Simulator10161, Simulator18626
from iso18626 import http
from isoill import net
from isoill.extensions.delivery_info import delivery_info, with_delivery_info
from isoill.render import apdu_name

__all__ = ["main", "run"]

WAIT = 20.0


def _sid(symbol: str) -> isoill.SystemId:
    return isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol(symbol))


def _stamp() -> isoill.ServiceDateTime:
    now = _dt.datetime.now(_dt.timezone.utc)
    return isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=now.strftime("%Y%m%d"),
                                                                  time=now.strftime("%H%M%S")))


class _Requester:
    """ILLiad-like: it sends from its own listener's address and checks what comes back with its machine."""

    def __init__(self, out: Callable[[str], None]) -> None:
        self.out = out
        self.store = net.MemoryStore()
        self.got: asyncio.Queue[isoill.APDU] = asyncio.Queue()
        self.server = net.ILLServer(self._handle, port=0, store=self.store, strict=False)

    async def _handle(self, incoming: net.Incoming) -> None:
        apdu = incoming.apdu
        state = incoming.transaction.state if incoming.transaction is not None else None
        note = getattr(apdu, "note", None) or getattr(apdu, "responder_note", None)
        if isinstance(apdu, isoill.ILLAnswer):
            note = f"({apdu.transaction_results.name.lower().replace('_', '-')}) {note or ''}"
        self.out(f"  ILLiad  <- {apdu_name(apdu):<12} state {state.name if state else '?':<13}"
                 f"{' ' + str(note)[:90] if note else ''}")
        await self.got.put(apdu)

    async def send(self, apdu: isoill.APDU, port: int) -> None:
        key = net.transaction_key(apdu)
        txn = self.store.get(key) or net.new_transaction(responder=False)
        txn.send(apdu)
        self.store.put(key, txn)
        self.out(f"  ILLiad  -> {apdu_name(apdu)}")
        await net.send_apdus("127.0.0.1", port, [apdu], wait=0)

    async def until(self, kind: type) -> isoill.APDU:
        while True:
            apdu = await asyncio.wait_for(self.got.get(), WAIT)
            if isinstance(apdu, kind):
                return apdu


def _request(symbol: str, qualifier: str, title: str, reply_port: int, gateway_port: int) -> isoill.ILLRequest:
    apdu = isoill.ILLRequest(
        transaction_id=isoill.TransactionId(initial_requester_id=_sid(symbol), transaction_group_qualifier=symbol,
                                       transaction_qualifier=qualifier),
        service_date_time=_stamp(), requester_id=_sid(symbol), responder_id=_sid("GW"),
        ill_service_type=(isoill.ILLServiceType.LOAN,),
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.REQUIRES),
        delivery_address=isoill.DeliveryAddress(postal_address=isoill.PostalAddress(
            name_of_person_or_institution=isoill.NameOfInstitution("CNO Library"), street_and_number="1 Main St",
            city="Northridge")),
        item_id=isoill.ItemId(item_type=isoill.ItemType.MONOGRAPH, title=title, author="Alexander, Christopher"))
    return with_delivery_info(apdu, delivery_info(f"127.0.0.1:{reply_port}", f"127.0.0.1:{gateway_port}"))


async def _serve(app: Any, stop: asyncio.Event) -> tuple[int, asyncio.Task[Any]]:
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=app, ready=ready.set_result, shutdown=stop))
    return await asyncio.wait_for(ready, WAIT), task


async def run(out: Callable[[str], None] = print) -> Node:
    """Play both requests; returns the (closed) node, whose store keeps the transactions."""
    requester = _Requester(out)
    await requester.server.start()
    alma = Simulator10161(profiles.get("alma").iso10161, "unfilled", symbol="01CALS_XYZ")
    await alma.start()
    stop = asyncio.Event()
    sims = {"RESHARE1": Simulator18626(profiles.get("reshare").iso18626, "loaned"),
            "RESHARE2": Simulator18626(profiles.get("reshare").iso18626, "unfilled"),
            "ILLIAD": Simulator18626(profiles.get("illiad").iso18626, "loaned")}
    served = {name: await _serve(sim.app, stop) for name, sim in sims.items()}
    node = Node(parse_config({
        "node": {"symbol": "GW", "store": "memory:", "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0"},
        "partner": [{"symbol": "CNO", "protocol": "iso10161"},
                    {"symbol": "01CALS_XYZ", "protocol": "iso10161", "address": alma.address},
                    *({"symbol": name, "protocol": "iso18626", "address": f"http://127.0.0.1:{port}/"}
                      for name, (port, _) in served.items())],
        "rota": [{"name": "iso-pod", "members": ["01CALS_XYZ", "RESHARE1"]},
                 {"name": "to-last-resort", "members": ["01CALS_XYZ", "RESHARE2"], "last_resort": "ILLIAD"}],
        "rule": [{"rota": "to-last-resort", "medium": "Book", "requester": "CNO-B*"}, {"rota": "iso-pod"}],
    }), store=MemoryStore(), poll=0.05)
    await node.start()
    for sim in sims.values():
        sim.reply_to = f"http://127.0.0.1:{node.ports['iso18626']}/iso18626"
    gw = node.ports["iso10161"]
    out(f"gateway GW: ISO 10161 on 127.0.0.1:{gw}, ISO 18626 on 127.0.0.1:{node.ports['iso18626']}; "
        f"Alma (ISO 10161) at {alma.address}, ReShare and ILLiad (ISO 18626) on loopback\n")
    try:
        out("1. A loan: Alma answers unfilled, ReShare lends")
        first = _request("CNO", "ILL-1", "A Pattern Language", requester.server.port, gw)
        await requester.send(first, gw)
        await requester.until(isoill.Shipped)
        ids: dict[str, Any] = {"transaction_id": first.transaction_id, "requester_id": first.requester_id,
                               "responder_id": first.responder_id}
        today = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d")
        await requester.send(isoill.Received(**ids, service_date_time=_stamp(), date_received=today,
                                             shipped_service_type=isoill.ILLServiceType.LOAN), gw)
        await requester.send(isoill.Returned(**ids, service_date_time=_stamp(), date_returned=today), gw)
        await requester.until(isoill.CheckedIn)
        out("\n2. A request nobody in the pod fills goes to the lender of last resort")
        second = _request("CNO-B", "ILL-2", "The Timeless Way of Building", requester.server.port, gw)
        await requester.send(second, gw)
        await requester.until(isoill.Shipped)
        for sim in sims.values():
            await sim.idle()
        await alma.idle()
    finally:
        await node.close()
        for sim18 in sims.values():
            await sim18.close()
        stop.set()
        await asyncio.gather(*(task for _, task in served.values()), return_exceptions=True)
        await alma.close()
        await requester.server.close()
    for txn in sorted(node.service.transactions(), key=lambda t: t.history[0]):
        out(f"\nthe gateway's timeline of {txn.key} ({txn.request.title}):")
        for line in txn.history:
            out(f"  {line}")
    return node


def main(argv: list[str] | None = None) -> int:
    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
