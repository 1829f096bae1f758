"""A stand-in for `illcore.store` (issue 14, built in parallel) until it lands in main: the same record classes
and method names, in memory only, for the gateway's service layer and tests.

At merge: the gateway imports `illcore.store` instead and this module goes (see docs/gateway.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from illcore.errors import IsoIllError

__all__ = ["Change", "ConflictError", "JournalEntry", "MemoryStore", "OutboxItem", "StoreError",
           "StoreUnavailable", "TransactionRecord", "open_store"]


class StoreError(IsoIllError):
    """Base of the store's errors."""


class StoreUnavailable(StoreError):
    """A temporary failure: nothing was written."""


class ConflictError(StoreError):
    """`put(record, expected_version=n)` found another version."""


@attrs.frozen(kw_only=True)
class JournalEntry:
    protocol: str
    direction: str
    peer: str
    transaction: str
    message_type: str
    data: bytes
    outcome: str
    at: datetime
    id: int | None = None


@attrs.frozen(kw_only=True)
class TransactionRecord:
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
    record: TransactionRecord | None = None
    journal: tuple[JournalEntry, ...] = ()
    outbox: tuple[OutboxItem, ...] = ()
    result: Any = None


class MemoryStore:
    """The store contract in memory (thread-safe through one lock)."""

    url = "memory:"

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._journal: list[JournalEntry] = []
        self._txns: dict[tuple[str, str], TransactionRecord] = {}
        self._outbox: list[OutboxItem] = []
        self._docs: dict[tuple[str, str], dict[str, Any]] = {}

    def append(self, entry: JournalEntry) -> int:
        with self._lock:
            entry = attrs.evolve(entry, id=len(self._journal) + 1)
            self._journal.append(entry)
            return entry.id or 0

    def journal(self, transaction: str | None = None, **_: Any) -> list[JournalEntry]:
        with self._lock:
            return [e for e in self._journal if transaction is None or e.transaction == transaction]

    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        with self._lock:
            return self._txns.get((protocol, key))

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        with self._lock:
            old = self._txns.get((record.protocol, record.key))
            found = old.version if old else 0
            if expected_version is not None and expected_version != found:
                raise ConflictError(f"{record.protocol} {record.key}: version {found}, expected {expected_version}")
            stored = attrs.evolve(record, version=found + 1)
            self._txns[(record.protocol, record.key)] = stored
            return stored

    def find(self, **filters: Any) -> list[TransactionRecord]:
        limit = filters.pop("limit", None)
        with self._lock:
            out = sorted((r for r in self._txns.values()
                          if all(getattr(r, k) == v for k, v in filters.items())), key=lambda r: r.updated)
        return out[:limit] if limit is not None else out

    def update(self, protocol: str, key: str, fn: Callable[[TransactionRecord | None], Change]) -> Any:
        with self._lock:
            change = fn(self._txns.get((protocol, key)))
            if change.record is not None:
                self.put(change.record)
            for entry in change.journal:
                self.append(entry)
            for item in change.outbox:
                self.enqueue(item)
            return change.result

    def enqueue(self, item: OutboxItem) -> int:
        with self._lock:
            item = attrs.evolve(item, id=len(self._outbox) + 1)
            self._outbox.append(item)
            return item.id or 0

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        with self._lock:
            return [i for i in self._outbox if not i.done and i.next_at is not None and i.next_at <= now][:limit]

    def done(self, item_id: int) -> None:
        with self._lock:
            self._outbox[item_id - 1] = attrs.evolve(self._outbox[item_id - 1], done=True)

    def failed(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        with self._lock:
            item = self._outbox[item_id - 1]
            self._outbox[item_id - 1] = attrs.evolve(item, attempts=item.attempts + 1, next_at=retry_at,
                                                     errors=(*item.errors, error))

    def outbox(self, *, include_done: bool = False) -> list[OutboxItem]:
        with self._lock:
            return [i for i in self._outbox if include_done or not i.done]

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._docs[(kind, key)] = dict(value)

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self._docs.get((kind, key))

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return sorted((k, v) for (t, k), v in self._docs.items() if t == kind)

    def delete_doc(self, kind: str, key: str) -> None:
        with self._lock:
            self._docs.pop((kind, key), None)

    def close(self) -> None:
        pass


def open_store(url: str) -> MemoryStore:
    """`memory:` only: the durable backends come with `illcore.store` (issue 14)."""
    if url.split("?", 1)[0] == "memory:":
        return MemoryStore()
    raise StoreUnavailable(f"store URL {url!r}: this build of the gateway has only the memory: store; "
                           "SQLite and PostgreSQL come with illcore.store (issue 14)")
