"""The in-memory store (`memory:`), for tests and embedding: everything in dicts, lost with the process, and
bounded, so that a long-running server using it stays small (issue 13).

Eviction policy, applied after each write that takes a table over its bound:
- transactions (`max_transactions`, default 100,000): finished ones leave first, least recently updated
  first; only when none is finished do unfinished ones leave, least recently updated first;
- journal (`max_journal`, default 1,000,000 entries): the oldest entries leave (ids keep counting);
- outbox (`max_outbox`, default 100,000): done items first, oldest first; then the oldest given-up ones.
Documents are not evicted (they are small and few). `evicted` counts what left, per table.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs

from ._base import Change, ConflictError, JournalEntry, OutboxItem, Store, TransactionRecord, UpdateFn, utc

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """A bounded in-memory `Store` (see the module docstring for the eviction policy). Thread-safe."""

    def __init__(self, *, max_transactions: int = 100_000, max_journal: int = 1_000_000,
                 max_outbox: int = 100_000) -> None:
        self.url = "memory:"
        self.max_transactions = max_transactions
        self.max_journal = max_journal
        self.max_outbox = max_outbox
        self.evicted = {"transactions": 0, "journal": 0, "outbox": 0}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._journal: deque[JournalEntry] = deque()
        # least recently updated first; finished ones also indexed apart so eviction finds them at once
        self._txns: OrderedDict[tuple[str, str], TransactionRecord] = OrderedDict()
        self._finished: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._outbox: dict[int, OutboxItem] = {}
        self._docs: dict[str, dict[str, dict[str, Any]]] = {}
        self._closed = False

    # --- journal ---------------------------------------------------------------------------------------------
    def append(self, entry: JournalEntry) -> int:
        with self._lock:
            return self._append(entry)

    def _append(self, entry: JournalEntry) -> int:
        entry_id = next(self._ids)
        self._journal.append(attrs.evolve(entry, id=entry_id))
        while len(self._journal) > self.max_journal:
            self._journal.popleft()
            self.evicted["journal"] += 1
        return entry_id

    def journal(self, transaction: str | None = None, *, protocol: str | None = None,
                after: int = 0, limit: int | None = None) -> list[JournalEntry]:
        with self._lock:
            out = [e for e in self._journal if (e.id or 0) > after
                   and (transaction is None or e.transaction == transaction)
                   and (protocol is None or e.protocol == protocol)]
        return out[:limit] if limit is not None else out

    def duplicates(self, entry: JournalEntry) -> int:
        with self._lock:
            return sum(1 for e in self._journal if e.transaction == entry.transaction and e.protocol == entry.protocol
                       and e.direction == entry.direction and e.data == entry.data)

    # --- transactions ----------------------------------------------------------------------------------------
    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        return self._txns.get((protocol, key))

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        with self._lock:
            stored = self._put(record, expected_version)
        self._notify("transaction", f"{stored.protocol} {stored.key} {stored.version}")
        return stored

    def _put(self, record: TransactionRecord, expected_version: int | None) -> TransactionRecord:
        k = (record.protocol, record.key)
        old = self._txns.get(k)
        found = old.version if old is not None else 0
        if expected_version is not None and expected_version != found:
            raise ConflictError(f"transaction {record.protocol} {record.key}: version {found}, expected "
                                f"{expected_version}", protocol=record.protocol, key=record.key,
                                expected=expected_version, found=found)
        stored = attrs.evolve(record, version=found + 1, created=old.created if old else record.created)
        self._txns[k] = stored
        self._txns.move_to_end(k)
        if stored.finished:
            self._finished[k] = None
            self._finished.move_to_end(k)
        else:
            self._finished.pop(k, None)
        while len(self._txns) > self.max_transactions:
            victim = next(iter(self._finished)) if self._finished else next(iter(self._txns))
            del self._txns[victim]
            self._finished.pop(victim, None)
            self.evicted["transactions"] += 1
        return stored

    def find(self, **filters: Any) -> list[TransactionRecord]:
        limit = filters.pop("limit", None)
        with self._lock:
            rows = [r for r in self._txns.values() if all(getattr(r, f) == v for f, v in filters.items())]
        rows.sort(key=lambda r: r.updated)
        return rows[:limit] if limit is not None else rows

    def update(self, protocol: str, key: str, fn: UpdateFn) -> Any:
        with self._lock:
            record = self._txns.get((protocol, key))
            change: Change = fn(record)
            stored = None
            if change.record is not None:
                stored = self._put(change.record, record.version if record is not None else 0)
            for entry in change.journal:
                self._append(entry)
            for item in change.outbox:
                self._enqueue(item)
        if stored is not None:
            self._notify("transaction", f"{stored.protocol} {stored.key} {stored.version}")
        return change.result

    # --- outbox ----------------------------------------------------------------------------------------------
    def enqueue(self, item: OutboxItem) -> int:
        with self._lock:
            item_id = self._enqueue(item)
        self._notify("outbox", str(item_id))
        return item_id

    def _enqueue(self, item: OutboxItem) -> int:
        item_id = next(self._ids)
        self._outbox[item_id] = attrs.evolve(item, id=item_id)
        while len(self._outbox) > self.max_outbox:
            done = [i for i in self._outbox.values() if i.done] or \
                [i for i in self._outbox.values() if i.next_at is None]
            if not done:
                break  # never drop what still has to be sent
            del self._outbox[min(done, key=lambda i: i.id or 0).id or 0]
            self.evicted["outbox"] += 1
        return item_id

    def due(self, now: datetime, limit: int = 100) -> list[OutboxItem]:
        now = utc(now)
        with self._lock:
            items = [i for i in self._outbox.values()
                     if not i.done and i.next_at is not None and utc(i.next_at) <= now]
        items.sort(key=lambda i: (utc(i.next_at or now), i.id or 0))
        return items[:limit]

    def done(self, item_id: int) -> None:
        with self._lock:
            item = self._outbox[item_id]
            self._outbox[item_id] = attrs.evolve(item, done=True, attempts=item.attempts + 1, next_at=None)

    def failed(self, item_id: int, error: str, retry_at: datetime | None) -> None:
        with self._lock:
            item = self._outbox[item_id]
            self._outbox[item_id] = attrs.evolve(item, attempts=item.attempts + 1, next_at=retry_at,
                                                 errors=(*item.errors, error))

    def outbox(self, *, include_done: bool = False) -> list[OutboxItem]:
        with self._lock:
            return [i for i in self._outbox.values() if include_done or not i.done]

    # --- documents -------------------------------------------------------------------------------------------
    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._docs.setdefault(kind, {})[key] = dict(value)

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        value = self._docs.get(kind, {}).get(key)
        return dict(value) if value is not None else None

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return sorted((k, dict(v)) for k, v in self._docs.get(kind, {}).items())

    def delete_doc(self, kind: str, key: str) -> None:
        with self._lock:
            self._docs.get(kind, {}).pop(key, None)

    # --- life ------------------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        return 0  # nothing is stored: no schema

    def close(self) -> None:
        self._closed = True

    # an in-memory write takes microseconds: no thread hop for the event loop
    async def aappend(self, entry: JournalEntry) -> int:
        return self.append(entry)

    async def aupdate(self, protocol: str, key: str, fn: Callable[[TransactionRecord | None], Change]) -> Any:
        return self.update(protocol, key, fn)

    async def aget(self, protocol: str, key: str) -> TransactionRecord | None:
        return self.get(protocol, key)
