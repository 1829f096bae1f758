"""Both servers on a store that fails: locked (SQLite), down (PostgreSQL) or holding a corrupted snapshot. The
peer gets the protocol's temporary failure, never an acknowledgement, nothing is journalled, service resumes
when the store does; a corrupted row fails its own transaction only. In process, on loopback."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))

import test_machine_10161 as m10161  # noqa: E402
import test_machine_18626 as m18626  # noqa: E402

import iso18626  # noqa: E402
import isoill  # noqa: E402
from illcore.store import Store, open_store  # noqa: E402
from iso18626.http import ISO18626App, TransactionHandler  # noqa: E402
from isoill import net  # noqa: E402

A = isoill.ILLAPDUType


def _apdu(kind: A, q: str) -> bytes:
    tid = isoill.TransactionId(transaction_group_qualifier="g", transaction_qualifier=q)
    return isoill.encode(m10161.make(kind, tid=tid))


async def _status_reply(inc: net.Incoming) -> None:
    await inc.reply(inc.refusal or net.status_report(inc.apdu, inc.transaction))


def _ask_10161(store: Store, *datas: bytes) -> list[Any]:
    async def go() -> list[Any]:
        async with net.ILLServer(_status_reply, port=0, store=store, strict=False) as server:
            out = []
            for data in datas:
                replies = await net.send_apdus("127.0.0.1", server.port, [data], max_replies=1, wait=10)
                out.append(isoill.decode(replies[0]))
            return out
    return asyncio.run(go())


def _ask_18626(store: Store, *messages: Any) -> list[httpx.Response]:
    app = ISO18626App(TransactionHandler(store=store), store=store)

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://node") as client:
            return [await client.post("/", content=iso18626.serialize(m),
                                      headers={"content-type": "application/xml"}) for m in messages]
    return asyncio.run(go())


def _journal(store: Store, n: int, transaction: str | None = None) -> list[Any]:
    """The journal once it holds n entries: what a server sends is journalled without waiting."""
    for _ in range(100):
        entries = store.journal(transaction)
        if len(entries) >= n:
            return entries
        time.sleep(0.02)
    return entries


def _lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_10161_locked_store_gets_a_temporary_failure_then_recovers(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/n.db?timeout=0.2") as store:
        request = _apdu(A.ILL_REQUEST, "L-1")
        holder = _lock(tmp_path / "n.db")
        try:
            (refused,) = _ask_10161(store, request)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert refused.status_report is None
        assert refused.error_report.user_error_report is isoill.UnableToPerform.RESOURCE_LIMITATION
        assert "temporarily unable to record" in refused.error_report.correlation_information
        assert [e for e in store.journal() if e.direction == "in"] == []
        assert store.get("iso10161", "g/L-1/") is None
        (accepted,) = _ask_10161(store, request)  # the peer sends it again once the store is back
        assert accepted.status_report.provider_status_report is isoill.CurrentState.IN_PROCESS
        assert [e.data for e in store.journal() if e.direction == "in"] == [request]


def test_18626_locked_store_gets_503_then_recovers(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/n.db?timeout=0.2") as store:
        request = m18626.request(rid="L-1")
        holder = _lock(tmp_path / "n.db")
        try:
            (refused,) = _ask_18626(store, request)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        assert b"confirmation" not in refused.content.lower() and b"<" not in refused.content
        assert store.journal() == []
        (ok,) = _ask_18626(store, request)
        assert ok.status_code == 200
        assert iso18626.parse(ok.content).confirmation_header.message_status is iso18626.MessageStatus.OK
        assert [e.direction for e in _journal(store, 2)] == ["in", "out"]
        assert store.get("iso18626", "ISIL:REQ/L-1").state == "Requested"  # type: ignore[union-attr]


def test_18626_postgres_down_gets_503_then_recovers(pg: Any) -> None:
    if pg.cluster is None:
        pytest.skip("the server was given by ISOILL_PG_URL: the test cannot stop it")
    with open_store(pg.new_url() + "?timeout=1") as store:
        pg.cluster.stop()
        try:
            (refused,) = _ask_18626(store, m18626.request(rid="P-1"))
        finally:
            pg.cluster.start()
        assert refused.status_code == 503
        for _ in range(50):  # the pool reconnects
            (ok,) = _ask_18626(store, m18626.request(rid="P-1"))
            if ok.status_code == 200:
                break
        assert ok.status_code == 200
        assert store.get("iso18626", "ISIL:REQ/P-1") is not None


def _corrupt(url: str, tmp_path: Path, key: str) -> None:
    bad = json.dumps({"format": "isoill.Transaction", "version": 1, "role": "responder", "state": "FLYING"})
    if url.startswith("sqlite"):
        conn = sqlite3.connect(tmp_path / "isoill.db")
        conn.execute("UPDATE transactions SET snapshot = ? WHERE key = ?", (bad, key))
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as c:
            c.execute("UPDATE transactions SET snapshot = %s WHERE key = %s", (bad, key))


def test_a_corrupted_transaction_fails_alone(durable_url: str, tmp_path: Path) -> None:
    with open_store(durable_url) as store:
        _ask_10161(store, _apdu(A.ILL_REQUEST, "ok"), _apdu(A.ILL_REQUEST, "bad"))
        _ask_18626(store, m18626.request(rid="ok"), m18626.request(rid="bad"))
    _corrupt(durable_url, tmp_path, "g/bad/")
    _corrupt(durable_url, tmp_path, "ISIL:REQ/bad")
    with open_store(durable_url) as store:
        bad, ok = _ask_10161(store, _apdu(A.CANCEL, "bad"), _apdu(A.CANCEL, "ok"))
        assert bad.error_report.provider_error_report is isoill.GeneralProblem.OTHER
        assert "transactions row iso10161 g/bad/" in bad.error_report.correlation_information
        assert ok.status_report.provider_status_report is isoill.CurrentState.CANCEL_PENDING
        bad18, ok18 = _ask_18626(store, m18626.ram(iso18626.Action.CANCEL, rid="bad"),
                                 m18626.ram(iso18626.Action.CANCEL, rid="ok"))
        conf = iso18626.parse(bad18.content)
        assert conf.confirmation_header.message_status is iso18626.MessageStatus.ERROR
        assert "transactions row iso18626 ISIL:REQ/bad" in conf.error_data[0].error_value
        assert iso18626.parse(ok18.content).confirmation_header.message_status is iso18626.MessageStatus.OK
        assert store.get("iso18626", "ISIL:REQ/ok").state == "CancelPending"  # type: ignore[union-attr]
        # the refused messages are journalled with why they were refused
        outcomes = [e.outcome for e in store.journal("ISIL:REQ/bad") if e.direction == "in"]
        assert outcomes[0] == "accepted" and "transactions row" in outcomes[-1]


def test_a_restarted_server_continues_and_repeats_are_journalled(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/n.db"
    request = _apdu(A.ILL_REQUEST, "R-1")
    with open_store(url) as store:
        first, again = _ask_10161(store, request, request)  # a retransmitted ILL-Request: accepted both times
    with open_store(url) as store:  # a new server process would do the same: nothing in memory
        (cancel,) = _ask_10161(store, _apdu(A.CANCEL, "R-1"))
        assert cancel.status_report.provider_status_report is isoill.CurrentState.CANCEL_PENDING
        assert store.duplicates(store.journal("g/R-1/")[0]) == 2  # recognisable as the same octets
        assert [e.message_type for e in _journal(store, 6, "g/R-1/")] == [
            "ILLRequest", "StatusOrErrorReport", "ILLRequest", "StatusOrErrorReport", "Cancel",
            "StatusOrErrorReport"]
        record = store.get("iso10161", "g/R-1/")
        assert record is not None and record.version == 3 and record.role == "responder"
        assert record.partner == "REQ"
