"""The store's records, errors and interface: what every backend (memory, SQLite, PostgreSQL) keeps and how
it is asked; protocol-free (messages are octets plus a few extracted keys, machines are JSON snapshots).
"""

from __future__ import annotations

import abc
import asyncio
import concurrent.futures
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import attrs

from illcore.errors import IsoIllError

_log = logging.getLogger("illcore.store")

__all__ = [
    "Change", "ConflictError", "CorruptRecord", "JournalEntry", "OutboxItem", "SchemaError", "Store", "StoreError",
    "StoreUnavailable", "TransactionRecord", "utc",
]


class StoreError(IsoIllError):
    """Base of the store's errors: something about the stored data or the database itself."""


class StoreUnavailable(StoreError):
    """A temporary failure: the database is down, locked, full or unreachable. Nothing was written; a peer is
    told to retry later (never acknowledged)."""


class ConflictError(StoreError):
    """`put(record, expected_version=n)` found another version: someone else updated the transaction."""

    def __init__(self, message: str, *, protocol: str, key: str, expected: int | None, found: int | None) -> None:
        super().__init__(message)
        self.protocol, self.key, self.expected, self.found = protocol, key, expected, found


class CorruptRecord(StoreError):
    """A stored row cannot be read back (bad JSON, a snapshot a machine cannot restore). Names the row."""

    def __init__(self, message: str, *, table: str, row: str) -> None:
        super().__init__(f"{table} row {row}: {message}")
        self.table, self.row = table, row


class SchemaError(StoreError):
    """The database was written by a newer schema version than this code knows (no downgrade)."""


def utc(when: datetime) -> datetime:
    """`when` as an aware UTC datetime (naive times are taken as UTC)."""
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


@attrs.frozen(kw_only=True)
class JournalEntry:
    """One message received ("in") or sent ("out"), verbatim, with what became of it.

    `outcome`: "accepted", "refused: <why>" (with the reply sent), "sent", "failed: <why>". `count` is how many
    identical copies this entry stands for (a store may count repeats instead of storing them again; the
    SQL backends store each one). `id` is given by the store.
    """

    protocol: str
    direction: str
    peer: str
    transaction: str
    message_type: str
    data: bytes
    outcome: str
    at: datetime
    id: int | None = None

    @property
    def digest(self) -> str:
        """SHA-256 of the octets: a re-sent message (the outbox sends stored octets again) has the same one."""
        return hashlib.sha256(self.data).hexdigest()


@attrs.frozen(kw_only=True)
class TransactionRecord:
    """One transaction as stored: who we are in it, its state, the machine's snapshot and free JSON `data`
    for whoever owns it (a gateway's rota position, external ids). `version` counts updates (0 = never stored);
    `finished` lets a bounded store drop ended transactions first."""

    protocol: str
    role: str
    key: str
    state: str
    partner: str
    snapshot: dict[str, Any]
    data: dict[str, Any] = attrs.field(factory=dict)
    created: datetime
    updated: datetime
    version: int = 0
    finished: bool = False


@attrs.frozen(kw_only=True)
class OutboxItem:
    """A message to send to a partner (`address`: host:port or URL), kept until sent: `attempts` so far,
    `errors` one line per failed attempt (time and reason), `next_at` the next try, `done` once sent.
    `next_at` None with done False: given up (kept for staff to look at)."""

    protocol: str
    address: str
    transaction: str
    message_type: str
    data: bytes
    created: datetime
    next_at: datetime | None
    attempts: int = 0
    errors: tuple[str, ...] = ()
    done: bool = False
    id: int | None = None


@attrs.frozen(kw_only=True)
class Change:
    """What `Store.update`'s function decided, written in one database transaction: the transaction's new
    record (None: unchanged), journal entries, outbox items, and a `result` handed back to the caller."""

    record: TransactionRecord | None = None
    journal: tuple[JournalEntry, ...] = ()
    outbox: tuple[OutboxItem, ...] = ()
    result: Any = None


UpdateFn = Callable[["TransactionRecord | None"], Change]


class Store(abc.ABC):
    """The store interface (sync and thread-safe; the `a*` methods are for event loops and never block one).

    Backends: `illcore.store.memory.MemoryStore`, `.sqlite.SQLiteStore`, `.postgres.PostgresStore`; choose by
    URL with `open_store`. Subclasses implement the abstract methods; the async ones default to a thread.
    """

    url: str = ""

    # --- journal ---------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def append(self, entry: JournalEntry) -> int:
        """Write one journal entry; returns its id once it is durable (as the backend's setting defines)."""

    def submit_append(self, entry: JournalEntry) -> concurrent.futures.Future[int]:
        """Write a journal entry without waiting for it (a server journalling what it has sent already);
        the future has the id or the error. Entries submitted from one thread are written in order."""
        fut: concurrent.futures.Future[int] = concurrent.futures.Future()
        try:
            fut.set_result(self.append(entry))
        except Exception as exc:
            fut.set_exception(exc)
        return fut

    @abc.abstractmethod
    def journal(self, transaction: str | None = None, *, protocol: str | None = None,
                after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """Journal entries in the order written, optionally of one transaction key, after id `after`."""

    @abc.abstractmethod
    def duplicates(self, entry: JournalEntry) -> int:
        """How many journal entries have the same protocol, direction, transaction and octets as `entry`."""

    # --- transactions ----------------------------------------------------------------------------------------
    @abc.abstractmethod
    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        ...

    @abc.abstractmethod
    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        """Store `record` with version + 1; with `expected_version` (0 = must not exist yet) raise
        `ConflictError` when the stored version differs. Returns the record as stored."""

    @abc.abstractmethod
    def find(self, **filters: Any) -> list[TransactionRecord]:
        """Transactions whose columns equal the filters (protocol, role, state, partner, finished), oldest
        update first; `limit=N` keeps the first N."""

    @abc.abstractmethod
    def update(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        """Read-modify-write one transaction atomically: `fn(record or None)` runs with the transaction locked
        (PostgreSQL: a row lock; SQLite: the write transaction; memory: a lock) and returns a Change, which is
        written in the same database transaction. Returns `change.result`. `fn` may run more than once (a
        retry after two processes created the same new transaction); it must not have side effects."""

    # --- outbox ----------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def enqueue(self, item: OutboxItem) -> int:
        ...

    @abc.abstractmethod
    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        """Items not done whose next_at has come, oldest first."""

    @abc.abstractmethod
    def done(self, item_id: int) -> None:
        ...

    @abc.abstractmethod
    def failed(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt (appended to the error history); retry at `retry_at`, or never if None."""

    @abc.abstractmethod
    def outbox(self, *, include_done: bool = False) -> list[OutboxItem]:
        ...

    # --- documents -------------------------------------------------------------------------------------------
    @abc.abstractmethod
    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        ...

    @abc.abstractmethod
    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        ...

    @abc.abstractmethod
    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """Every document of `kind` as (key, value), by key."""

    @abc.abstractmethod
    def delete_doc(self, kind: str, key: str) -> None:
        ...

    # --- events and life -------------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[str, str], None]) -> Callable[[], None]:
        """Call `callback(kind, payload)` after every committed change ("transaction" "protocol key version",
        "outbox" "id"), from this process and, on PostgreSQL, from every process (LISTEN/NOTIFY). Returns a
        function that unsubscribes. Callbacks run on a store thread: keep them short."""
        subscribers = self.__dict__.setdefault("_subscribers", [])
        subscribers.append(callback)
        return lambda: subscribers.remove(callback) if callback in subscribers else None

    def _notify(self, kind: str, payload: str) -> None:
        for callback in list(self.__dict__.get("_subscribers", ())):
            try:
                callback(kind, payload)
            except Exception:  # a subscriber's bug must not fail the write that already committed
                _log.exception("store subscriber failed on %s %s", kind, payload)

    @abc.abstractmethod
    def schema_version(self) -> int:
        ...

    @abc.abstractmethod
    def close(self) -> None:
        ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- for event loops -------------------------------------------------------------------------------------
    async def aappend(self, entry: JournalEntry) -> int:
        return await asyncio.to_thread(self.append, entry)

    async def aupdate(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        return await asyncio.to_thread(self.update, protocol, key, fn)

    async def aget(self, protocol: str, key: str) -> TransactionRecord | None:
        return await asyncio.to_thread(self.get, protocol, key)
