"""The SQLite store (`sqlite:///path`): the embedded default. WAL journal; every write goes to one writer
thread that commits whatever has queued up as one transaction (group commit), so the event loop never waits
on the disk and 50 clients cost about as many commits as one. Journal entries a server writes for messages
it has sent (`submit_append`, nobody waits) ride along with the next commit, or wait at most `linger` (0.05 s).

Durability (`?synchronous=` in the URL, SQLite's PRAGMA synchronous in WAL mode):
- `normal` (default): a commit is in the WAL file (the OS has it) before the caller is answered. Survives a
  crash of the process (kill -9) with nothing acknowledged lost; after a power loss or OS crash the last
  commits may be lost (the database stays consistent).
- `full`: the WAL is fsync'ed at every commit (one fsync per group). Also survives power loss.
- `off`: no fsync ever; a power loss can corrupt the database. For throwaway test data only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from . import _sql as Q
from ._base import JournalEntry, OutboxItem, Store, StoreError, StoreUnavailable, TransactionRecord, UpdateFn

__all__ = ["SQLiteStore"]

R = TypeVar("R")
_Op = Callable[[sqlite3.Connection, Q.Notes], Any]
_SYNCHRONOUS = ("off", "normal", "full")


def _error(exc: sqlite3.Error, path: str) -> StoreError:
    # OperationalError is SQLite's "cannot now": locked, busy, full disk, I/O error, cannot open
    if isinstance(exc, sqlite3.OperationalError):
        return StoreUnavailable(f"SQLite {path}: {exc}")
    return StoreError(f"SQLite {path}: {exc}")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SQLiteStore(Store):
    """A `Store` in one SQLite file (see the module docstring for durability). `timeout`: seconds a write
    waits for another process's lock before StoreUnavailable; `batch`: most writes per commit; `linger`:
    seconds a journal entry submitted without waiting may wait to share a commit."""

    def __init__(self, path: str | Path, *, synchronous: str = "normal", timeout: float = 5.0,
                 batch: int = 512, linger: float = 0.05) -> None:
        if synchronous not in _SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {', '.join(_SYNCHRONOUS)}, not {synchronous!r}")
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        self.synchronous = synchronous
        self.timeout = timeout
        self.batch = batch
        self.linger = linger
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[_Op, concurrent.futures.Future[Any], bool] | None] = \
            queue.SimpleQueue()
        self._closed = False
        try:
            self._writer_conn = self._connect()
            self._writer_conn.create_function("isoill_sha256", 1, _sha256, deterministic=True)
            self._writer_conn.execute("PRAGMA journal_mode = WAL")
            self.opened_at_version = self._open_schema(self._writer_conn)
        except sqlite3.Error as exc:
            raise _error(exc, self.path) from None
        self._writer = threading.Thread(target=self._run, name=f"isoill-sqlite-writer {self.path}", daemon=True)
        self._writer.start()

    @staticmethod
    def _open_schema(conn: sqlite3.Connection) -> int:
        # a current schema needs no write lock: a reader (`isoill journal`) opens beside a busy server
        if Q.has_schema(conn, Q.SQLITE):
            found = Q.read_version(conn)
            if found == Q.SCHEMA_VERSION:
                return found
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = Q.migrate(conn, Q.SQLITE)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return found

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        return conn

    # --- the writer thread -------------------------------------------------------------------------------
    def _run(self) -> None:
        # `held`: writes taken from the queue, in order, not yet committed. A write someone waits for commits
        # them all at once; journal entries submitted without waiting (`submit_append`) may wait up to
        # `linger` seconds for company, so that a reply's journal entry shares the next message's commit.
        conn = self._writer_conn
        held: list[tuple[_Op, concurrent.futures.Future[Any], bool]] = []
        stop = False
        while not stop:
            try:
                item = self._queue.get(timeout=self.linger if held else None)
            except queue.Empty:
                self._commit(conn, held)
                held = []
                continue
            eager = False
            while item is not None:
                held.append(item)
                eager = eager or not item[2]
                if len(held) >= self.batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            else:
                stop = True
            if eager or stop or len(held) >= self.batch:
                self._commit(conn, held)
                held = []
        conn.close()

    def _commit(self, conn: sqlite3.Connection,
                batch: list[tuple[_Op, concurrent.futures.Future[Any], bool]]) -> None:
        live = [(op, fut) for op, fut, _ in batch if fut.set_running_or_notify_cancel()]
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            for _, fut in live:
                fut.set_exception(_error(exc, self.path))
            return
        outcomes: list[tuple[concurrent.futures.Future[Any], Any, BaseException | None]] = []
        notes: Q.Notes = []
        alone = len(live) == 1  # one write: the transaction itself undoes it, no savepoint needed
        try:
            for op, fut in live:
                mine: Q.Notes = []
                if not alone:
                    conn.execute("SAVEPOINT op")
                try:
                    result = op(conn, mine)
                except sqlite3.OperationalError:
                    raise  # the database itself failed: the whole group fails below
                except Exception as exc:  # the op's own refusal (ConflictError, CorruptRecord, fn's error)
                    if alone:
                        conn.execute("ROLLBACK")
                        fut.set_exception(exc)
                        return
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                    outcomes.append((fut, None, exc))
                    continue
                if not alone:
                    conn.execute("RELEASE op")
                outcomes.append((fut, result, None))
                notes += mine
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            failure = _error(exc, self.path)
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            for _, fut in live:
                if not fut.done():
                    fut.set_exception(failure)
            return
        # answered only now, after the commit: what the caller acknowledges is in the database
        for fut, result, error in outcomes:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)
        for kind, payload in notes:
            self._notify(kind, payload)

    def _submit(self, op: _Op, *, lazy: bool = False) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self._closed:
            fut.set_exception(StoreUnavailable(f"SQLite {self.path}: the store is closed"))
            return fut
        self._queue.put((op, fut, lazy))
        return fut

    def _write(self, op: _Op) -> Any:
        return self._submit(op).result()

    async def _awrite(self, op: _Op) -> Any:
        return await asyncio.wrap_future(self._submit(op))

    # --- reads: one connection per thread (WAL readers do not block the writer) ---------------------------
    def _read(self, fn: Callable[[sqlite3.Connection], R]) -> R:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        try:
            if conn is None:
                conn = self._local.conn = self._connect()
                conn.execute("PRAGMA query_only = 1")
                with self._readers_lock:
                    self._readers.append(conn)
            return fn(conn)
        except sqlite3.Error as exc:
            raise _error(exc, self.path) from None

    # --- the interface -----------------------------------------------------------------------------------
    def append(self, entry: JournalEntry) -> int:
        result: int = self._write(lambda c, n: Q.append(c, Q.SQLITE, entry))
        return result

    def submit_append(self, entry: JournalEntry) -> concurrent.futures.Future[int]:
        """Queue a journal entry without waiting (what a server does for messages it sends): it is committed
        with the next write anyone waits for, or within `linger` seconds."""
        return self._submit(lambda c, n: Q.append(c, Q.SQLITE, entry), lazy=True)

    def journal(self, transaction: str | None = None, *, protocol: str | None = None,
                after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return self._read(lambda c: Q.journal(c, Q.SQLITE, transaction, protocol, after, limit))

    def duplicates(self, entry: JournalEntry) -> int:
        return self._read(lambda c: Q.duplicates(c, Q.SQLITE, entry))

    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        return self._read(lambda c: Q.get(c, Q.SQLITE, protocol, key))

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        result: TransactionRecord = self._write(lambda c, n: Q.put(c, Q.SQLITE, record, expected_version, n))
        return result

    def find(self, **filters: Any) -> list[TransactionRecord]:
        return self._read(lambda c: Q.find(c, Q.SQLITE, dict(filters)))

    def update(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        return self._write(lambda c, n: Q.update(c, Q.SQLITE, protocol, key, fn, n))

    async def aappend(self, entry: JournalEntry) -> int:
        result: int = await self._awrite(lambda c, n: Q.append(c, Q.SQLITE, entry))
        return result

    async def aupdate(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        return await self._awrite(lambda c, n: Q.update(c, Q.SQLITE, protocol, key, fn, n))

    def enqueue(self, item: OutboxItem) -> int:
        result: int = self._write(lambda c, n: Q.enqueue(c, Q.SQLITE, item, n))
        return result

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        return self._read(lambda c: Q.due(c, Q.SQLITE, now, limit))

    def done(self, item_id: int) -> None:
        self._write(lambda c, n: Q.mark_done(c, Q.SQLITE, item_id))

    def failed(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        self._write(lambda c, n: Q.mark_failed(c, Q.SQLITE, item_id, error, retry_at))

    def outbox(self, *, include_done: bool = False) -> list[OutboxItem]:
        return self._read(lambda c: Q.outbox(c, Q.SQLITE, include_done))

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self._write(lambda c, n: Q.put_doc(c, Q.SQLITE, kind, key, value))

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        return self._read(lambda c: Q.get_doc(c, Q.SQLITE, kind, key))

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return self._read(lambda c: Q.docs(c, Q.SQLITE, kind))

    def delete_doc(self, kind: str, key: str) -> None:
        self._write(lambda c, n: Q.delete_doc(c, Q.SQLITE, kind, key))

    def schema_version(self) -> int:
        return self._read(Q.read_version)

    def close(self) -> None:
        """Finish the writes already queued, then close every connection."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        self._writer.join()
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()
