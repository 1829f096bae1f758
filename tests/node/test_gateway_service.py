"""The gateway on the store contract: what one event writes, a restart (a new service on the same store, link
documents lost in a crash), timers fired by two processes, and `isoill gateway` as a command."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from test_gateway_core import CONFIG, T0, ill_request, sdt

import isoill
from illnode.gateway.core import Gateway, link_key
from illnode.gateway.memstore import MemoryStore
from illnode.gateway.service import LINKS, TIMERS, GatewayService
from isoill._model import enums as E
from isoill._model import types as T

ROOT = Path(__file__).resolve().parents[2]


def _stores(tmp: Path) -> list[object]:
    """The in-memory stand-in, and SQLite through illcore.store once it is installed (issue 14)."""
    from illnode.gateway import _store

    return [MemoryStore(), *([_store.open_store(f"sqlite:///{tmp / 'gw.db'}")] if _store.DURABLE else [])]


def _service(store: Any) -> GatewayService:
    counter = iter(range(1, 1000))
    return GatewayService(Gateway(CONFIG), store, new_key=lambda: f"GW-{next(counter)}")


def test_one_event_journals_stores_and_queues_together(tmp_path: Path) -> None:
    for store in _stores(tmp_path):
        _one_event(store)


def _one_event(store: Any) -> None:
    service = _service(store)
    request = ill_request(T0)
    data = isoill.encode(request)
    handled = service.arrived("iso10161", isoill.decode(data), data, peer="127.0.0.1:7001", at=T0,
                              address="127.0.0.1:7001")
    assert handled.transaction == "GW-1" and handled.problem is None
    (entry_in, entry_out) = store.journal("GW-1")
    assert (entry_in.direction, entry_in.message_type, entry_in.data) == ("in", "ILL-Request", data)
    assert (entry_out.direction, entry_out.peer, entry_out.message_type) == ("out", "ALMA1", "ILL-Request")
    (item,) = store.outbox()
    assert item.address == "127.0.0.1:9001" and item.data == entry_out.data
    assert isoill.decode(item.data).item_id.title == "Gödel, Escher, Bach"
    assert store.get_doc(TIMERS, "GW-1") == {"at": (T0 + dt.timedelta(days=4)).isoformat()}
    assert store.get("gateway", "GW-1").state == "requested"


def test_a_restart_continues_the_rota_after_restoring_lost_links(tmp_path: Path) -> None:
    for store in _stores(tmp_path):
        _restart(store)


def _restart(store: Any) -> None:
    _service(store).arrived("iso10161", ill_request(T0), b"", peer="p", at=T0, address="127.0.0.1:7001")
    ask = isoill.decode(store.outbox()[0].data)
    for key, _ in store.docs(LINKS):  # a crash after the transaction's commit, before its link documents
        store.delete_doc(LINKS, key)
    restarted = _service(store)
    assert restarted.lookup(link_key("iso10161", ask)) is None  # not found on the message path: no scan there
    assert restarted.relink() == 2  # the node's start: the requester's and the supplier's leg
    answer = isoill.ILLAnswer(transaction_id=ask.transaction_id, service_date_time=sdt(T0),
                              transaction_results=E.TransactionResults.UNFILLED)
    t1 = T0 + dt.timedelta(hours=1)
    handled = restarted.arrived("iso10161", answer, isoill.encode(answer), peer="p", at=t1)
    assert handled.transaction == "GW-1" and handled.problem is None
    txn = restarted.transaction("GW-1")
    assert txn.supplier.symbol == "RESHARE1" and [leg.symbol for leg in txn.passed] == ["ALMA1"]
    queued = [(i.address, i.message_type) for i in store.outbox()]
    assert ("http://127.0.0.1:9002/iso18626", "Request") in queued
    assert any(t == "Message" for _, t in queued)
    assert store.get_doc(LINKS, txn.supplier.key) == {"transaction": "GW-1"}


def test_a_timer_fired_by_two_processes_moves_the_request_once(tmp_path: Path) -> None:
    for store in _stores(tmp_path):
        _timer(store)


def _timer(store: Any) -> None:
    a, b = _service(store), _service(store)
    a.arrived("iso10161", ill_request(T0, requester="QUIET1"), b"", peer="p", at=T0)
    deadline = T0 + dt.timedelta(days=2)
    assert a.fire_timers(deadline - dt.timedelta(seconds=1)) == 0
    assert a.fire_timers(deadline) + b.fire_timers(deadline) == 1
    assert a.transaction("GW-1").supplier.symbol == "RESHARE1"


def test_an_unknown_message_is_journalled_for_staff() -> None:
    store = MemoryStore()
    stray = isoill.Received(transaction_id=T.TransactionId(transaction_group_qualifier="X", transaction_qualifier="1"),
                            service_date_time=sdt(T0), date_received="20260302",
                            shipped_service_type=E.ILLServiceType.LOAN)
    handled = _service(store).arrived("iso10161", stray, b"x", peer="p", at=T0)
    assert handled.transaction is None and "no known transaction" in (handled.problem or "")
    (entry,) = store.journal()
    assert entry.outcome.startswith("accepted: unknown transaction")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_command_runs_a_node_and_asks_it(tmp_path: Path) -> None:
    api = _free_port()
    config = tmp_path / "gateway.toml"
    config.write_text(f"""
[node]
symbol = "GW"
store = "memory:"
iso10161 = "127.0.0.1:0"
iso18626 = "127.0.0.1:0"
api = "127.0.0.1:{api}"
api_key = "k"

[[partner]]
symbol = "01CALS_XYZ"
protocol = "iso10161"
address = "127.0.0.1:9001"

[[rota]]
name = "iso-pod"
members = ["01CALS_XYZ"]
""")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-m", "illnode.cli", "gateway", "--config", str(config)]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "staff API on port" in line, line
        listed = subprocess.run([*cmd, "--list", "--json"], env=env, capture_output=True, text=True, timeout=30)
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == []
        missing = subprocess.run([*cmd, "--show", "nope"], env=env, capture_output=True, text=True, timeout=30)
        assert missing.returncode == 4 and "no transaction nope" in missing.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=20) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
    bad = tmp_path / "bad.toml"
    bad.write_text("[node]\nstore = 'memory:'\n")
    out = subprocess.run([sys.executable, "-m", "illnode.cli", "gateway", "--config", str(bad)], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "`symbol` is required" in out.stderr


def test_the_documented_configuration_is_accepted() -> None:
    import re

    from illnode.gateway.node import parse_config, tomllib  # tomllib, or tomli on Python 3.10

    text = (ROOT / "docs" / "gateway.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", text, re.S)
    config = parse_config(tomllib.loads(block))
    assert config.gateway.rotas["iso-pod"].last_resort == "ILLIAD"
    assert [r.rota for r in config.gateway.rules] == ["iso-pod", "iso-pod"]
    assert config.gateway.peers["01CALS_XYZ"].expiry_days == 4
    assert config.gateway.lending == "auto" and config.gateway.peers["ILLIAD"].local
    assert [r.answer for r in config.gateway.lending_rules] == ["unfilled", "will-supply"]


def test_partner_tables_are_directory_records() -> None:
    import pytest

    from illnode.gateway.node import ConfigError, parse_config

    base = {"node": {"symbol": "GW", "store": "memory:"}, "rota": [{"name": "r", "members": ["A"]}]}
    ok = parse_config({**base, "partner": [{"symbol": "A", "protocol": "iso18626", "address": "http://a/",
                                            "profile": "reshare", "protocol_version": "2021", "local": True}]})
    assert ok.gateway.peers["A"].version == "2021" and ok.gateway.peers["A"].profile == "reshare"
    for table, message in (({"symbol": "A", "protocol": "iso10161", "adress": "h:1"}, "unknown field 'adress'"),
                           ({"symbol": "A", "protocol": "iso10161", "address": "http://a/"}, "HOST:PORT"),
                           ({"symbol": "A", "protocol": "illiad", "address": "https://x/"}, "not one the gateway"),
                           ({"symbol": "A", "protocol": "iso10161", "expiry_days": "soon"}, "soon")):
        with pytest.raises(ConfigError, match=message):
            parse_config({**base, "partner": [table]})
