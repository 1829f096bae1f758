"""The store contract on every backend (memory, SQLite, PostgreSQL): journal, transactions with versions,
atomic update under concurrency, outbox, documents, reopening, schema migration and the typed faults."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from illcore.errors import IsoIllError
from illcore.store import (
    SCHEMA_VERSION,
    Change,
    ConflictError,
    CorruptRecord,
    JournalEntry,
    MemoryStore,
    OutboxItem,
    SchemaError,
    StoreError,
    StoreUnavailable,
    TransactionRecord,
    open_store,
)
from illcore.store import _sql as Q

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def entry(txn: str = "t1", data: bytes = b"\x01\x02", direction: str = "in", **kw: Any) -> JournalEntry:
    return JournalEntry(protocol=kw.get("protocol", "iso10161"), direction=direction, peer="127.0.0.1:5",
                        transaction=txn, message_type=kw.get("message_type", "ILLRequest"), data=data,
                        outcome=kw.get("outcome", "accepted"), at=kw.get("at", T0))


def record(key: str = "k1", state: str = "IN_PROCESS", **kw: Any) -> TransactionRecord:
    return TransactionRecord(protocol=kw.get("protocol", "iso10161"), role="responder", key=key, state=state,
                             partner=kw.get("partner", "LIB-A"), snapshot=kw.get("snapshot", {"n": 0}),
                             data=kw.get("data", {}), created=T0, updated=kw.get("updated", T0),
                             finished=kw.get("finished", False))


def test_journal_keeps_order_octets_and_filters(store_url: str) -> None:
    with open_store(store_url) as store:
        ids = [store.append(entry("t1", b"a")), store.append(entry("t2", b"b", direction="out")),
               store.append(entry("t1", b"\x00\xffc", outcome="refused: not allowed"))]
        assert ids == sorted(ids) and len(set(ids)) == 3
        all_ = store.journal()
        assert [e.data for e in all_] == [b"a", b"b", b"\x00\xffc"]
        assert [e.id for e in all_] == ids
        assert [e.data for e in store.journal("t1")] == [b"a", b"\x00\xffc"]
        assert store.journal("t1")[1].outcome == "refused: not allowed"
        assert store.journal("t1")[0].at == T0
        assert [e.data for e in store.journal(after=ids[0], limit=1)] == [b"b"]
        # a re-sent message (same octets) is recognisable
        assert store.duplicates(entry("t1", b"a")) == 1
        store.append(entry("t1", b"a"))
        assert store.duplicates(entry("t1", b"a")) == 2
        assert store.duplicates(entry("t1", b"zz")) == 0


def test_put_counts_versions_and_refuses_stale_ones(store_url: str) -> None:
    with open_store(store_url) as store:
        assert store.get("iso10161", "k1") is None
        first = store.put(record(), expected_version=0)
        assert first.version == 1
        with pytest.raises(ConflictError) as info:
            store.put(record(), expected_version=0)  # exists already
        assert info.value.found == 1
        second = store.put(record(state="SHIPPED", snapshot={"n": 1}), expected_version=1)
        assert second.version == 2
        with pytest.raises(ConflictError):
            store.put(record(state="LOST"), expected_version=1)  # stale
        got = store.get("iso10161", "k1")
        assert got is not None and got.state == "SHIPPED" and got.snapshot == {"n": 1} and got.version == 2
        assert store.put(record(state="RETURNED")).version == 3  # unconditional
        assert isinstance(info.value, StoreError) and isinstance(info.value, IsoIllError)


def test_find_filters_and_orders_by_update(store_url: str) -> None:
    with open_store(store_url) as store:
        store.put(record("a", "IN_PROCESS", updated=T0 + timedelta(seconds=3)))
        store.put(record("b", "SHIPPED", updated=T0 + timedelta(seconds=1), partner="LIB-B"))
        store.put(record("c", "IN_PROCESS", updated=T0 + timedelta(seconds=2), finished=True))
        store.put(record("x", "IN_PROCESS", protocol="iso18626"))
        assert [r.key for r in store.find(protocol="iso10161")] == ["b", "c", "a"]
        assert [r.key for r in store.find(protocol="iso10161", state="IN_PROCESS")] == ["c", "a"]
        assert [r.key for r in store.find(partner="LIB-B")] == ["b"]
        assert [r.key for r in store.find(protocol="iso10161", finished=True)] == ["c"]
        assert len(store.find(limit=2)) == 2


def test_update_is_atomic_under_concurrent_writers(store_url: str) -> None:
    """16 threads x 10 read-modify-writes of one transaction: none lost (a row lock / the write transaction
    serialises them), and each wrote its journal entry in the same transaction."""
    with open_store(store_url) as store:
        def bump(rec: TransactionRecord | None) -> Change:
            n = rec.snapshot["n"] if rec else 0
            return Change(record=record(snapshot={"n": n + 1}), journal=(entry(data=str(n).encode()),), result=n)

        seen: list[int] = []
        lock = threading.Lock()

        def worker() -> None:
            for _ in range(10):
                got = store.update("iso10161", "k1", bump)
                with lock:
                    seen.append(got)

        threads = [threading.Thread(target=worker) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        final = store.get("iso10161", "k1")
        assert final is not None and final.snapshot["n"] == 160 and final.version == 160
        assert sorted(seen) == list(range(160))
        assert sorted(int(e.data) for e in store.journal("t1")) == list(range(160))


def test_update_rolls_back_when_fn_fails(store_url: str) -> None:
    with open_store(store_url) as store:
        store.put(record(snapshot={"n": 5}))

        def broken(rec: TransactionRecord | None) -> Change:
            raise RuntimeError("machine refused")

        with pytest.raises(RuntimeError):
            store.update("iso10161", "k1", broken)
        assert store.get("iso10161", "k1").snapshot == {"n": 5}  # type: ignore[union-attr]
        assert store.update("iso10161", "k1", lambda r: Change(journal=(entry(),), result="ok")) == "ok"
        assert len(store.journal()) == 1


def test_outbox_retries_with_history_and_done(store_url: str) -> None:
    with open_store(store_url) as store:
        item = OutboxItem(protocol="iso18626", address="http://127.0.0.1:9/", transaction="t1",
                          message_type="SupplyingAgencyMessage", data=b"<x/>", created=T0, next_at=T0)
        a = store.enqueue(item)
        b = store.enqueue(OutboxItem(protocol="iso10161", address="127.0.0.1:1611", transaction="t2",
                                     message_type="Shipped", data=b"\x30", created=T0,
                                     next_at=T0 + timedelta(minutes=5)))
        assert [i.id for i in store.due(T0)] == [a]
        assert [i.id for i in store.due(T0 + timedelta(minutes=5))] == [a, b]
        store.failed(a, "connection refused", T0 + timedelta(minutes=1))
        store.failed(a, "timed out", T0 + timedelta(minutes=3))
        assert store.due(T0 + timedelta(minutes=2)) == []
        (again,) = store.due(T0 + timedelta(minutes=3))
        assert again.attempts == 2 and again.errors == ("connection refused", "timed out")
        assert again.data == b"<x/>"
        store.done(a)
        store.failed(b, "refused for good", None)  # given up: kept, never due
        assert store.due(T0 + timedelta(days=1)) == []
        assert {i.id for i in store.outbox()} == {b}
        assert {i.id: i.done for i in store.outbox(include_done=True)} == {a: True, b: False}


def test_documents(store_url: str) -> None:
    with open_store(store_url) as store:
        store.put_doc("partner", "LIB-B", {"address": "127.0.0.1:1611", "charset": "utf-8"})
        store.put_doc("partner", "LIB-A", {"address": "x"})
        store.put_doc("cursor", "libris", {"after": 3})
        store.put_doc("partner", "LIB-A", {"address": "y"})
        assert store.docs("partner") == [("LIB-A", {"address": "y"}),
                                         ("LIB-B", {"address": "127.0.0.1:1611", "charset": "utf-8"})]
        assert store.get_doc("cursor", "libris") == {"after": 3}
        assert store.get_doc("cursor", "nope") is None
        store.delete_doc("partner", "LIB-A")
        assert [k for k, _ in store.docs("partner")] == ["LIB-B"]


def test_reopened_store_has_everything(durable_url: str) -> None:
    for url in [durable_url]:
        with open_store(url) as store:
            store.append(entry())
            store.put(record(snapshot={"n": 7}))
            store.put_doc("k", "v", {"a": [1, 2]})
        with open_store(url) as store:
            assert [e.data for e in store.journal()] == [b"\x01\x02"]
            assert store.get("iso10161", "k1").snapshot == {"n": 7}  # type: ignore[union-attr]
            assert store.get_doc("k", "v") == {"a": [1, 2]}
            assert store.schema_version() == SCHEMA_VERSION


def test_postgres_reopened_and_notified_across_stores(pg: Any) -> None:
    url = pg.new_url()
    events: list[tuple[str, str]] = []
    got = threading.Event()
    with open_store(url) as one, open_store(url) as two:
        def seen(kind: str, payload: str) -> None:
            events.append((kind, payload))
            got.set()

        two.subscribe(seen)
        one.put(record("n1"))  # committed by another pool: arrives through LISTEN/NOTIFY
        assert got.wait(5.0)
        assert ("transaction", "iso10161 n1 1") in events
    with open_store(url) as again:
        assert again.get("iso10161", "n1") is not None


def _v1_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    for sql in Q.ddl_v1(Q.SQLITE):
        conn.execute(sql)
    conn.execute("INSERT INTO journal (protocol, direction, peer, txn, message_type, data, outcome, at) "
                 "VALUES ('iso10161', 'in', 'p', 't1', 'ILLRequest', x'0102', 'accepted', ?)", (Q.ts(T0),))
    conn.execute("INSERT INTO transactions VALUES ('iso10161', 'k1', 'responder', 'IN_PROCESS', 'LIB-A', "
                 "'{\"n\": 3}', '{}', ?, ?, 4)", (Q.ts(T0), Q.ts(T0)))
    conn.commit()
    conn.close()


def test_a_version_1_database_is_upgraded_at_open(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    _v1_sqlite(path)
    with open_store(f"sqlite:///{path}") as store:
        assert store.opened_at_version == 1  # type: ignore[attr-defined]
        assert store.schema_version() == SCHEMA_VERSION == 2
        rec = store.get("iso10161", "k1")
        assert rec is not None and rec.snapshot == {"n": 3} and rec.version == 4 and rec.finished is False
        (old,) = store.journal()
        assert old.data == b"\x01\x02"
        assert store.duplicates(entry("t1", b"\x01\x02")) == 1  # the digest was filled in for old rows
        store.put_doc("a", "b", {})  # a table version 2 added
        assert store.put(record(), expected_version=4).version == 5


def test_a_version_1_postgres_database_is_upgraded(pg: Any) -> None:
    import psycopg

    url = pg.new_url()
    with psycopg.connect(url, autocommit=True) as conn:
        for sql in Q.ddl_v1(Q.POSTGRES):
            conn.execute(sql)
        conn.execute("INSERT INTO journal (protocol, direction, peer, txn, message_type, data, outcome, at) "
                     "VALUES ('iso10161', 'in', 'p', 't1', 'ILLRequest', '\\x0102'::bytea, 'accepted', %s)",
                     (Q.ts(T0),))
    with open_store(url) as store:
        assert store.opened_at_version == 1  # type: ignore[attr-defined]
        assert store.schema_version() == 2
        assert store.duplicates(entry("t1", b"\x01\x02")) == 1


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    open_store(url).close()
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute("UPDATE isoill_schema SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaError, match="schema version 99"):
        open_store(url)


def test_a_corrupt_snapshot_row_is_named_and_the_others_still_read(durable_url: str, tmp_path: Path) -> None:
    store_url = durable_url
    with open_store(store_url) as store:
        store.put(record("good"))
        store.put(record("bad"))
    if store_url.startswith("sqlite"):
        conn = sqlite3.connect(tmp_path / "isoill.db")
        conn.execute("UPDATE transactions SET snapshot = '{\"n\": 1' WHERE key = 'bad'")
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(store_url, autocommit=True) as c:
            c.execute("UPDATE transactions SET snapshot = '[1, 2]' WHERE key = 'bad'")
    with open_store(store_url) as store:
        with pytest.raises(CorruptRecord) as info:
            store.get("iso10161", "bad")
        assert info.value.table == "transactions" and info.value.row == "iso10161 bad"
        assert "iso10161 bad" in str(info.value) and "snapshot" in str(info.value)
        with pytest.raises(CorruptRecord):
            store.update("iso10161", "bad", lambda r: Change())
        assert store.get("iso10161", "good") is not None
        store.update("iso10161", "good", lambda r: Change(record=record("good", "SHIPPED")))


def test_sqlite_locked_then_free_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/l.db?timeout=0.2"
    with open_store(url) as store:
        other = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreUnavailable, match="locked"):
            store.append(entry())
        other.execute("ROLLBACK")
        other.close()
        assert store.append(entry()) > 0
        assert len(store.journal()) == 1


def test_sqlite_locked_at_open(tmp_path: Path) -> None:
    """A database another process holds locked: a current one opens (readers need no lock) and its writes
    fail as StoreUnavailable until the lock goes; one that needs its schema upgraded cannot open (typed)."""
    open_store(f"sqlite:///{tmp_path}/l.db").close()
    _v1_sqlite(tmp_path / "old.db")
    holders = [sqlite3.connect(tmp_path / name, isolation_level=None) for name in ("l.db", "old.db")]
    for h in holders:
        h.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            open_store(f"sqlite:///{tmp_path}/old.db?timeout=0.2")
        store = open_store(f"sqlite:///{tmp_path}/l.db?timeout=0.2")
        with pytest.raises(StoreUnavailable, match="locked"):
            store.append(entry())
    finally:
        for h in holders:
            h.execute("ROLLBACK")
            h.close()
    assert store.append(entry()) > 0
    store.close()
    with open_store(f"sqlite:///{tmp_path}/old.db") as old:
        assert old.schema_version() == SCHEMA_VERSION


def test_sqlite_disk_full_fails_the_write_and_recovers(tmp_path: Path) -> None:
    """A full disk, simulated with SQLite's max_page_count: the write fails as StoreUnavailable (nothing
    acknowledged), earlier data stays, and writes work again once there is room."""
    with open_store(f"sqlite:///{tmp_path}/f.db") as store:
        store.append(entry(data=b"before"))
        pages = store._write(lambda c, n: c.execute("PRAGMA page_count").fetchone()[0])  # type: ignore[attr-defined]
        store._write(lambda c, n: c.execute(f"PRAGMA max_page_count = {pages + 2}"))  # type: ignore[attr-defined]
        with pytest.raises(StoreUnavailable, match="full"):
            for _ in range(50):
                store.append(entry(data=b"x" * 8192))
        store._write(lambda c, n: c.execute("PRAGMA max_page_count = 1073741823"))  # type: ignore[attr-defined]
        store.append(entry(data=b"after"))
        datas = [e.data for e in store.journal()]
        assert datas[0] == b"before" and datas[-1] == b"after"


def test_postgres_down_mid_run_then_back(pg: Any) -> None:
    if pg.cluster is None:
        pytest.skip("the server was given by ISOILL_PG_URL: the test cannot stop it")
    url = pg.new_url() + "?timeout=1"
    with open_store(url) as store:
        store.append(entry(data=b"before"))
        pg.cluster.stop()
        try:
            with pytest.raises(StoreUnavailable):
                store.append(entry(data=b"lost"))
        finally:
            pg.cluster.start()
        deadline = time.monotonic() + 10
        while True:
            try:
                store.append(entry(data=b"after"))
                break
            except StoreUnavailable:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert [e.data for e in store.journal()] == [b"before", b"after"]


def test_postgres_down_at_open_is_a_typed_error(pg: Any) -> None:
    with pytest.raises(StoreUnavailable, match="cannot connect"):
        open_store("postgresql://postgres@127.0.0.1:1/none?timeout=0.5")


def test_memory_store_evicts_finished_transactions_first() -> None:
    store = MemoryStore(max_transactions=3, max_journal=4)
    store.put(record("open-old", updated=T0))
    store.put(record("done-1", finished=True))
    store.put(record("open-2"))
    store.put(record("open-3"))  # over the bound: the finished one leaves, not the oldest open one
    assert store.get("iso10161", "done-1") is None
    assert {r.key for r in store.find()} == {"open-old", "open-2", "open-3"}
    store.put(record("open-4"))  # no finished one left: the least recently updated leaves
    assert {r.key for r in store.find()} == {"open-2", "open-3", "open-4"}
    assert store.evicted["transactions"] == 2
    for i in range(6):
        store.append(entry(data=bytes([i])))
    assert [e.data for e in store.journal()] == [bytes([i]) for i in range(2, 6)]


def test_urls() -> None:
    with pytest.raises(ValueError, match="unknown scheme"):
        open_store("mysql://x/y")
    with pytest.raises(ValueError, match="unknown option 'nope'"):
        open_store("memory:?nope=1")
    with pytest.raises(ValueError, match="synchronous"):
        open_store("sqlite:///x.db?synchronous=sometimes")
    assert isinstance(open_store("memory:?max_transactions=5"), MemoryStore)
