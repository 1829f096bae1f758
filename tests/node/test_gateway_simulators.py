"""The gateway against the partner simulators (issue "Partners as data"), each playing its system's profile, which
checks what the gateway sends: an Alma supplier that answers unfilled, a ReShare supplier that lends, and a rota
that falls through every supplier to the lender of last resort."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from test_gateway_core import ill_request, sdt

import isoill
from illnode import profiles
from illnode.gateway.memstore import MemoryStore
from illnode.gateway.node import Node, parse_config
from illnode.simulators import Simulator10161, Simulator18626
from iso18626 import http
from isoill import net
from isoill._model import enums as E

WAIT = 15.0


class Requester:
    """An ISO 10161 requester's listener (its return address) keeping what arrives, and its machine."""

    def __init__(self) -> None:
        self.got: asyncio.Queue[isoill.APDU] = asyncio.Queue()
        self.store = net.MemoryStore()
        self.refused: list[str] = []
        self.seen: list[isoill.APDU] = []
        self.server = net.ILLServer(self._handle, port=0, store=self.store, strict=False)

    async def _handle(self, incoming: net.Incoming) -> None:
        if incoming.refusal is not None:
            self.refused.append(type(incoming.apdu).__name__)
        await self.got.put(incoming.apdu)

    async def send(self, apdu: isoill.APDU, port: int) -> None:
        key = net.transaction_key(apdu)
        txn = self.store.get(key) or net.new_transaction(responder=False)
        txn.send(apdu)
        self.store.put(key, txn)
        await net.send_apdus("127.0.0.1", port, [apdu], wait=0)

    async def next(self, *kinds: type) -> isoill.APDU:
        """The next APDU of one of `kinds`; Messages about the rota and will-supply answers in between are kept
        in `seen`."""
        while True:
            apdu = await asyncio.wait_for(self.got.get(), WAIT)
            self.seen.append(apdu)
            if isinstance(apdu, isoill.ILLAnswer) and apdu.transaction_results is E.TransactionResults.WILL_SUPPLY:
                continue
            if isinstance(apdu, kinds):
                return apdu


async def _serve18626(sim: Simulator18626, stop: asyncio.Event) -> tuple[int, asyncio.Task[Any]]:
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=sim.app, ready=ready.set_result,
                                          shutdown=stop))
    return await asyncio.wait_for(ready, WAIT), task


async def _run(scenario_reshare: str, last_resort: bool) -> tuple[Requester, list[isoill.APDU], Node]:
    requester = Requester()
    await requester.server.start()
    lines: list[str] = []
    alma = Simulator10161(profiles.get("alma").iso10161, "unfilled", symbol="01CALS_XYZ", out=lines.append)
    await alma.start()
    stop = asyncio.Event()
    reshare = Simulator18626(profiles.get("reshare").iso18626, scenario_reshare, out=lines.append)
    reshare_port, reshare_task = await _serve18626(reshare, stop)
    illiad = Simulator18626(profiles.get("illiad").iso18626, "loaned", out=lines.append)
    illiad_port, illiad_task = await _serve18626(illiad, stop)
    node = Node(parse_config({
        "node": {"symbol": "GW", "store": "memory:", "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0"},
        "partner": [{"symbol": "ILLIAD1", "protocol": "iso10161"},
                    {"symbol": "01CALS_XYZ", "protocol": "iso10161", "address": alma.address},
                    {"symbol": "RESHARE1", "protocol": "iso18626", "address": f"http://127.0.0.1:{reshare_port}/"},
                    {"symbol": "ILLIAD", "protocol": "iso18626", "address": f"http://127.0.0.1:{illiad_port}/"}],
        "rota": [{"name": "iso-pod", "members": ["01CALS_XYZ", "RESHARE1"],
                  **({"last_resort": "ILLIAD"} if last_resort else {})}]}), store=MemoryStore(), poll=0.05)
    await node.start()
    gateway_url = f"http://127.0.0.1:{node.ports['iso18626']}/iso18626"
    reshare.reply_to = illiad.reply_to = gateway_url
    got: list[isoill.APDU] = []
    try:
        now = dt.datetime.now(dt.timezone.utc)
        request = ill_request(now, reply=f"127.0.0.1:{requester.server.port}")
        await requester.send(request, node.ports["iso10161"])
        first = await requester.next(isoill.Shipped, isoill.ILLAnswer)
        got.append(first)
        if isinstance(first, isoill.Shipped):
            today = now.strftime("%Y%m%d")
            ids = {"transaction_id": request.transaction_id, "requester_id": request.requester_id,
                   "responder_id": request.responder_id}
            await requester.send(isoill.Received(**ids, service_date_time=sdt(now), date_received=today,
                                                 shipped_service_type=E.ILLServiceType.LOAN), node.ports["iso10161"])
            await requester.send(isoill.Returned(**ids, service_date_time=sdt(now), date_returned=today),
                                 node.ports["iso10161"])
            got.append(await requester.next(isoill.CheckedIn))
        assert alma.received and isinstance(alma.received[0], isoill.ILLRequest)
        # what the gateway sent met each simulator's profile (Alma: APDU-Delivery-Info, delivery address, ...)
        assert not [line for line in lines if "profile" in line], lines
        return requester, got, node
    finally:
        await node.close()
        for sim in (reshare, illiad):
            await sim.close()
        stop.set()
        await asyncio.gather(reshare_task, illiad_task, return_exceptions=True)
        await alma.close()
        await requester.server.close()


def test_alma_unfilled_then_reshare_lends_the_loan_through() -> None:
    requester, got, node = asyncio.run(asyncio.wait_for(_run("loaned", last_resort=False), 60))
    assert [type(a) for a in got] == [isoill.Shipped, isoill.CheckedIn]
    assert requester.refused == []
    (txn,) = node.service.transactions()
    assert txn.ended and [leg.symbol for leg in txn.passed] == ["01CALS_XYZ"]


def test_everyone_unfilled_falls_through_to_the_lender_of_last_resort() -> None:
    requester, got, node = asyncio.run(asyncio.wait_for(_run("unfilled", last_resort=True), 60))
    assert [type(a) for a in got] == [isoill.Shipped, isoill.CheckedIn]
    (txn,) = node.service.transactions()
    assert [leg.symbol for leg in txn.passed] == ["01CALS_XYZ", "RESHARE1"] and txn.supplier.symbol == "ILLIAD"
    assert requester.refused == []
