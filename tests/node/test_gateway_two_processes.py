"""Two `isoill gateway` processes on one PostgreSQL database serve one node (issue 16, "More than one machine"):
the requester talks to one process, the suppliers' answers arrive at the other. A silent supplier's expiry timer,
seen by both processes, fires once (one Cancel to it, one request to the next); every message is sent once.

Uses the store tests' PostgreSQL fixture (tests/store/conftest.py: skips without PostgreSQL, required in CI)."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import signal
import socket
from pathlib import Path
from typing import Any

import pytest
from test_gateway_core import sdt
from test_gateway_crash import Listener, _gateway
from test_gateway_e2e import ReShareLender

import iso18626
import isoill
from illcore.store import open_store
from isoill import net
from isoill._model import enums as E
from isoill._model import types as T
from isoill.extensions.delivery_info import delivery_info, with_delivery_info

ROOT = Path(__file__).resolve().parents[2]
WAIT = 20.0
_FIXTURES = ROOT / "tests" / "store" / "conftest.py"

if _FIXTURES.is_file():  # the store engineer's fixture, under a module name of its own
    _spec = importlib.util.spec_from_file_location("store_fixtures_for_gateway", _FIXTURES)
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    pg = _module.pg
else:
    @pytest.fixture(scope="session")
    def pg() -> Any:
        pytest.skip("needs the durable store's PostgreSQL fixture (tests/store, issue 14)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _config(path: Path, url: str, iso10161: int, iso18626: int, peers: dict[str, str]) -> Path:
    path.write_text(f"""
[node]
symbol = "GW"
store = "{url}"
iso10161 = "127.0.0.1:{iso10161}"
iso18626 = "127.0.0.1:{iso18626}"
api = "127.0.0.1:0"

[[partner]]
symbol = "ILLIAD1"
protocol = "iso10161"

[[partner]]
symbol = "SILENT"
protocol = "iso10161"
address = "{peers['SILENT']}"
expiry_days = {3 / 86400}

[[partner]]
symbol = "ALMA1"
protocol = "iso10161"
address = "{peers['ALMA1']}"

[[partner]]
symbol = "RESHARE1"
protocol = "iso18626"
address = "{peers['RESHARE1']}"

[[rota]]
name = "pod"
members = ["SILENT", "ALMA1", "RESHARE1"]
""")
    return path


def _request(reply_port: int, gateway_port: int) -> isoill.ILLRequest:
    sid = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("ILLIAD1"))
    apdu = isoill.ILLRequest(
        transaction_id=T.TransactionId(initial_requester_id=sid, transaction_group_qualifier="ILLIAD1",
                                       transaction_qualifier="PG-1"),
        service_date_time=sdt(_now()), requester_id=sid,
        responder_id=T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("GW")),
        ill_service_type=(E.ILLServiceType.LOAN,),
        requester_optional_messages=T.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=E.MessageRequirement.REQUIRES,
            requester_checked_in=E.MessageRequirement.REQUIRES),
        delivery_address=T.DeliveryAddress(postal_address=T.PostalAddress(city="Springfield")),
        item_id=T.ItemId(item_type=E.ItemType.MONOGRAPH, title="Notes on the Synthesis of Form"))
    return with_delivery_info(apdu, delivery_info(f"127.0.0.1:{reply_port}", f"127.0.0.1:{gateway_port}"))


async def _next(peer: Listener) -> isoill.APDU:
    return await asyncio.wait_for(peer.got.get(), WAIT)


def _drain(peer: Listener) -> list[str]:
    out = []
    while not peer.got.empty():
        out.append(type(peer.got.get_nowait()).__name__)
    return out


async def _flow(tmp: Path, url: str, xsd: Any) -> None:
    requester, silent, alma = Listener(), Listener(), Listener()
    for peer in (requester, silent, alma):
        await peer.server.start()
    reshare = ReShareLender(xsd)
    stop, started = asyncio.Event(), asyncio.Event()
    ports: dict[str, int] = {}

    def ready(port: int) -> None:
        ports["reshare"] = port
        started.set()

    from iso18626 import http

    reshare_task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=reshare.app, ready=ready,
                                                  shutdown=stop))
    await asyncio.wait_for(started.wait(), WAIT)
    peers = {"SILENT": f"127.0.0.1:{silent.server.port}", "ALMA1": f"127.0.0.1:{alma.server.port}",
             "RESHARE1": f"http://127.0.0.1:{ports['reshare']}/iso18626"}
    one10161, two10161, one18626, two18626 = (_free_port() for _ in range(4))
    one = await _gateway(_config(tmp / "one.toml", url, one10161, one18626, peers))
    two = await _gateway(_config(tmp / "two.toml", url, two10161, two18626, peers))
    reshare.gateway_url = f"http://127.0.0.1:{two18626}/iso18626"  # the suppliers answer to process two
    try:
        request = _request(requester.server.port, one10161)
        await net.send_apdus("127.0.0.1", one10161, [request], wait=0)  # the requester talks to process one
        assert isinstance(await _next(silent), isoill.ILLRequest)
        # SILENT never answers: its 3-second expiry, seen by both processes, moves the request once
        assert isinstance(await _next(silent), isoill.Cancel)
        asked = await _next(alma)
        assert isinstance(asked, isoill.ILLRequest) and asked.item_id.title == "Notes on the Synthesis of Form"
        assert isinstance(await _next(requester), isoill.Message)
        unfilled = isoill.ILLAnswer(transaction_id=asked.transaction_id, service_date_time=sdt(_now()),
                                    requester_id=asked.requester_id, responder_id=asked.responder_id,
                                    transaction_results=E.TransactionResults.UNFILLED,
                                    results_explanation=T.UnfilledResults(reason_unfilled=E.ReasonUnfilled.NOT_OWNED))
        await net.send_apdus("127.0.0.1", two10161, [unfilled], wait=0)  # ... answers at process two
        assert isinstance(await _next(requester), isoill.Message)
        first = await asyncio.wait_for(reshare.got.get(), WAIT)
        assert isinstance(first, iso18626.Request)
        shipped = await _next(requester)
        assert isinstance(shipped, isoill.Shipped)
        ids = {"transaction_id": request.transaction_id, "requester_id": request.requester_id,
               "responder_id": request.responder_id}
        today = _now().strftime("%Y%m%d")
        for apdu in (isoill.Received(**ids, service_date_time=sdt(_now()), date_received=today,
                                     shipped_service_type=E.ILLServiceType.LOAN),
                     isoill.Returned(**ids, service_date_time=sdt(_now()), date_returned=today)):
            await net.send_apdus("127.0.0.1", one10161, [apdu], wait=0)
            got = await asyncio.wait_for(reshare.got.get(), WAIT)
            assert isinstance(got, iso18626.RequestingAgencyMessage)
        assert isinstance(await _next(requester), isoill.CheckedIn)
        await asyncio.sleep(2.5)  # two poll intervals of both processes: a duplicate would have been sent by now
        assert _drain(silent) == [] and _drain(alma) == [] and _drain(requester) == [] and reshare.got.empty()
        assert reshare.problems == [] and reshare.machine.status is iso18626.Status.LOAN_COMPLETED
    finally:
        for proc in (one, two):
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), WAIT)
        stop.set()
        for task in reshare.tasks:
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.gather(reshare_task, return_exceptions=True)
        for peer in (requester, silent, alma):
            await peer.server.close()
    store = open_store(url)
    try:
        (record,) = store.find(protocol="gateway")
        assert record.finished and record.state == "completed"
        sent = [e.message_type for e in store.journal(record.key) if e.direction == "out"]
        assert sent.count("Cancel") == 1 and sent.count("ILL-Request") == 2  # SILENT's and ALMA1's, once each
        assert all(item.done for item in store.outbox(include_done=True))
    finally:
        store.close()


def test_two_processes_on_postgresql_serve_one_node(pg: Any, tmp_path: Path, official_xsd: dict[str, Any]) -> None:
    url = pg.new_url()
    open_store(url).close()  # the schema once, before two processes race to create it
    asyncio.run(asyncio.wait_for(_flow(tmp_path, url, official_xsd["1.2"]), 120))


def test_two_nodes_seeing_the_same_due_item_send_it_once(tmp_path: Path) -> None:
    """Both processes' workers read the same due outbox items (the store's `due` only reads): the claim lets one
    of them send each item. Deterministic: both deliver the same item at once."""
    from illnode.gateway.node import Node, parse_config

    async def run(store: Any) -> list[str]:
        peer = Listener()
        await peer.server.start()
        config = parse_config({"node": {"symbol": "GW"}, "partner": [
            {"symbol": "ALMA1", "protocol": "iso10161", "address": f"127.0.0.1:{peer.server.port}"}],
            "rota": [{"name": "pod", "members": ["ALMA1"]}]})
        one, two = Node(config, store=store), Node(config, store=store)
        request = _request(1, 2)
        one.service.arrived("iso10161", request, isoill.encode(request), peer="r", at=_now())
        (item,) = store.due(_now(), 10)
        await asyncio.gather(one._deliver(item), two._deliver(item))
        await asyncio.sleep(0.3)
        got = _drain(peer)
        await peer.server.close()
        return got

    stores = [open_store("memory:"), open_store(f"sqlite:///{tmp_path / 'gw.db'}")]
    for store in stores:
        assert asyncio.run(asyncio.wait_for(run(store), 30)) == ["ILLRequest"]
