"""The PostgreSQL store (`postgresql://user@host/db`), for several server processes or machines sharing one
node: psycopg 3 with a connection pool (`pip install isoill[postgres]`).

One transaction's updates are serialised by a row lock (`SELECT ... FOR UPDATE` in `update`) and checked by
the version column (`put(expected_version=)`); two processes creating the same transaction at once are told
apart by the primary key (the loser re-reads and runs again). Events between processes use PostgreSQL's own
LISTEN/NOTIFY on channel `isoill`. Durability is PostgreSQL's: a commit is acknowledged after its WAL is
flushed (synchronous_commit=on, the default), which survives a crash of the server process and power loss.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from . import _sql as Q
from ._base import (
    ConflictError,
    JournalEntry,
    OutboxItem,
    Store,
    StoreError,
    StoreUnavailable,
    TransactionRecord,
    UpdateFn,
)

__all__ = ["PostgresStore"]

log = logging.getLogger("illcore.store")
R = TypeVar("R")
_PG = Q.POSTGRES
# serialises schema migration between processes opening the same database at once
_MIGRATION_LOCK = 0x150111


class PostgresStore(Store):
    """A `Store` in a PostgreSQL database. `min_size`/`max_size`: the pool; `timeout`: seconds to wait for a
    connection (then StoreUnavailable)."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10, timeout: float = 5.0) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:  # pragma: no cover - depends on the installation
            raise StoreError("the PostgreSQL store needs psycopg 3: pip install 'isoill[postgres]'") from None
        self._psycopg = psycopg
        self.url = url
        self.timeout = timeout
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, timeout=timeout,
                                    kwargs={"autocommit": True}, name="isoill")
        self._executor = concurrent.futures.ThreadPoolExecutor(max_size, thread_name_prefix="isoill-pg")
        self._listener: threading.Thread | None = None
        self._closed = False
        try:
            self._pool.open(wait=True, timeout=timeout)
        except Exception as exc:
            self._pool.close()
            self._executor.shutdown()
            raise StoreUnavailable(f"PostgreSQL {self._where()}: cannot connect ({exc})") from None
        self.opened_at_version = self._tx(self._migrate)

    def _where(self) -> str:
        return self.url.split("@", 1)[-1]  # no password in messages

    @staticmethod
    def _migrate(conn: Any) -> int:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        return Q.migrate(conn, _PG)

    def _tx(self, fn: Callable[[Any], R]) -> R:
        """Run fn(connection) in one database transaction; database failures become StoreUnavailable."""
        pg = self._psycopg
        if self._closed:
            raise StoreUnavailable(f"PostgreSQL {self._where()}: the store is closed")
        try:
            with self._pool.connection() as conn, conn.transaction():
                return fn(conn)
        # A connection broken by a server restart fails its first use here (the pool then drops it, not
        # checking every connection on every use: that would cost a round trip per write)
        except (pg.OperationalError, pg.errors.AdminShutdown, pg.errors.CannotConnectNow) as exc:
            raise StoreUnavailable(f"PostgreSQL {self._where()}: {exc}") from None
        except pg.errors.DiskFull as exc:
            raise StoreUnavailable(f"PostgreSQL {self._where()}: {exc}") from None
        except pg.Error as exc:
            raise StoreError(f"PostgreSQL {self._where()}: {exc}") from None
        except Exception as exc:
            if type(exc).__name__ == "PoolTimeout":
                raise StoreUnavailable(f"PostgreSQL {self._where()}: no connection within {self.timeout} s "
                                       f"({exc})") from None
            raise

    def _w(self, op: Callable[[Any, Q.Notes], R]) -> R:
        return self._tx(lambda c: op(c, []))

    # --- the interface -----------------------------------------------------------------------------------
    def append(self, entry: JournalEntry) -> int:
        return self._w(lambda c, n: Q.append(c, _PG, entry))

    def submit_append(self, entry: JournalEntry) -> concurrent.futures.Future[int]:
        return self._executor.submit(self.append, entry)

    def journal(self, transaction: str | None = None, *, protocol: str | None = None,
                after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        return self._tx(lambda c: Q.journal(c, _PG, transaction, protocol, after, limit))

    def duplicates(self, entry: JournalEntry) -> int:
        return self._tx(lambda c: Q.duplicates(c, _PG, entry))

    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        return self._tx(lambda c: Q.get(c, _PG, protocol, key))

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        return self._w(lambda c, n: Q.put(c, _PG, record, expected_version, n))

    def find(self, **filters: Any) -> list[TransactionRecord]:
        return self._tx(lambda c: Q.find(c, _PG, dict(filters)))

    def update(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        for attempt in range(3):
            try:
                return self._w(lambda c, n: Q.update(c, _PG, protocol, key, fn, n))
            except ConflictError as exc:
                # another process created the transaction between our read and our insert: read it again
                # (now it exists, so FOR UPDATE waits for that process instead)
                if exc.expected != 0 or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def aappend(self, entry: JournalEntry) -> int:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.append, entry)

    async def aupdate(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.update, protocol, key, fn)

    async def aget(self, protocol: str, key: str) -> TransactionRecord | None:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.get, protocol, key)

    def enqueue(self, item: OutboxItem) -> int:
        return self._w(lambda c, n: Q.enqueue(c, _PG, item, n))

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        return self._tx(lambda c: Q.due(c, _PG, now, limit))

    def done(self, item_id: int) -> None:
        self._tx(lambda c: Q.mark_done(c, _PG, item_id))

    def failed(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        self._tx(lambda c: Q.mark_failed(c, _PG, item_id, error, retry_at))

    def outbox(self, *, include_done: bool = False) -> list[OutboxItem]:
        return self._tx(lambda c: Q.outbox(c, _PG, include_done))

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self._tx(lambda c: Q.put_doc(c, _PG, kind, key, value))

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        return self._tx(lambda c: Q.get_doc(c, _PG, kind, key))

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return self._tx(lambda c: Q.docs(c, _PG, kind))

    def delete_doc(self, kind: str, key: str) -> None:
        self._tx(lambda c: Q.delete_doc(c, _PG, kind, key))

    def schema_version(self) -> int:
        return self._tx(Q.read_version)

    # --- LISTEN/NOTIFY -----------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[str, str], None]) -> Callable[[], None]:
        """See `Store.subscribe`: here every process's committed changes arrive, through LISTEN isoill."""
        unsubscribe = super().subscribe(callback)
        if self._listener is None:
            ready = threading.Event()
            self._listener = threading.Thread(target=self._listen, args=(ready,), name="isoill-pg-listen",
                                              daemon=True)
            self._listener.start()
            ready.wait(self.timeout)
        return unsubscribe

    def _listen(self, ready: threading.Event) -> None:
        pg = self._psycopg
        while not self._closed:
            try:
                with pg.connect(self.url, autocommit=True) as conn:
                    conn.execute("LISTEN isoill")
                    ready.set()
                    while not self._closed:
                        for note in conn.notifies(timeout=0.5):
                            kind, _, payload = note.payload.partition(" ")
                            self._notify(kind, payload)
            except pg.Error as exc:
                if self._closed:
                    return
                log.warning("PostgreSQL %s: LISTEN connection lost (%s); reconnecting", self._where(), exc)
                threading.Event().wait(1.0)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._listener is not None:
            self._listener.join(2.0)
        self._executor.shutdown(wait=True)
        self._pool.close()
