"""A stand-in for `illcore.store` (issue 14) until it lands: the transactions and documents part of its
contract (same names), in memory and in SQLite, so the importer and `isoill import` work and are tested today.
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
import threading
from typing import Any

import attrs

from illcore.errors import IsoIllError

__all__ = ["ConflictError", "MemoryStore", "SQLiteStore", "StoreError", "StoreUnavailable", "TransactionRecord",
           "open_store"]


class StoreError(IsoIllError):
    """The store failed (as `illcore.store.StoreError`)."""


class StoreUnavailable(StoreError):
    """The store cannot be used now (locked, disk full, server down): a temporary failure."""


class ConflictError(StoreError):
    """`put` with an `expected_version` (0 = must not exist yet) that is no longer the stored one."""


@attrs.frozen(kw_only=True)
class TransactionRecord:
    protocol: str
    role: str
    key: str
    state: str
    partner: str
    snapshot: dict[str, Any]
    data: dict[str, Any] = attrs.field(factory=dict)
    created: _dt.datetime
    updated: _dt.datetime
    version: int = 0
    finished: bool = False


class MemoryStore:
    """Transactions and documents in dicts (thread-safe)."""

    def __init__(self) -> None:
        self._tx: dict[tuple[str, str], TransactionRecord] = {}
        self._docs: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        pass

    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        with self._lock:
            return self._tx.get((protocol, key))

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        with self._lock:
            old = self._tx.get((record.protocol, record.key))
            current = 0 if old is None else old.version
            if expected_version is not None and expected_version != current:
                raise ConflictError(f"{record.protocol} {record.key}: version {current}, expected {expected_version}")
            new = attrs.evolve(record, version=current + 1,
                               created=record.created if old is None else old.created)
            self._tx[(record.protocol, record.key)] = new
            return new

    def find(self, **filters: Any) -> list[TransactionRecord]:
        with self._lock:
            return [r for r in self._tx.values() if all(getattr(r, k) == v for k, v in filters.items())]

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._docs[(kind, key)] = json.loads(json.dumps(value))

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            value = self._docs.get((kind, key))
            return None if value is None else json.loads(json.dumps(value))

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return [(key, json.loads(json.dumps(v))) for (k, key), v in sorted(self._docs.items()) if k == kind]


_SCHEMA = """
create table if not exists transactions (protocol text, key text, role text, state text, partner text,
    snapshot text, data text, created text, updated text, version integer, finished integer,
    primary key (protocol, key));
create table if not exists documents (kind text, key text, value text, primary key (kind, key));
"""


class SQLiteStore:
    """Transactions and documents in one SQLite file (WAL; each write is its own committed transaction)."""

    def __init__(self, path: str) -> None:
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("pragma journal_mode=wal")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the SQLite store {path}: {exc}") from None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    @staticmethod
    def _record(row: tuple[Any, ...]) -> TransactionRecord:
        protocol, key, role, state, partner, snapshot, data, created, updated, version, finished = row
        return TransactionRecord(protocol=protocol, key=key, role=role, state=state, partner=partner,
                                 snapshot=json.loads(snapshot), data=json.loads(data),
                                 created=_dt.datetime.fromisoformat(created),
                                 updated=_dt.datetime.fromisoformat(updated), version=version,
                                 finished=bool(finished))

    def get(self, protocol: str, key: str) -> TransactionRecord | None:
        with self._lock:
            row = self._db.execute("select * from transactions where protocol=? and key=?",
                                   (protocol, key)).fetchone()
        return None if row is None else self._record(row)

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        with self._lock:
            self._db.execute("begin immediate")
            try:
                row = self._db.execute("select version, created from transactions where protocol=? and key=?",
                                       (record.protocol, record.key)).fetchone()
                current = 0 if row is None else row[0]
                if expected_version is not None and expected_version != current:
                    raise ConflictError(f"{record.protocol} {record.key}: version {current}, "
                                        f"expected {expected_version}")
                created = record.created if row is None else _dt.datetime.fromisoformat(row[1])
                new = attrs.evolve(record, version=current + 1, created=created)
                self._db.execute("insert or replace into transactions values (?,?,?,?,?,?,?,?,?,?,?)",
                                 (new.protocol, new.key, new.role, new.state, new.partner,
                                  json.dumps(new.snapshot), json.dumps(new.data), new.created.isoformat(),
                                  new.updated.isoformat(), new.version, int(new.finished)))
                self._db.execute("commit")
            except BaseException:
                self._db.execute("rollback")
                raise
        return new

    def find(self, **filters: Any) -> list[TransactionRecord]:
        allowed = {"protocol", "role", "key", "state", "partner", "finished"}
        if not set(filters) <= allowed:
            raise StoreError(f"cannot filter on {sorted(set(filters) - allowed)}")
        where = " and ".join(f"{k}=?" for k in filters) or "1=1"
        with self._lock:
            rows = self._db.execute(f"select * from transactions where {where} order by protocol, key",
                                    tuple(filters.values())).fetchall()
        return [self._record(r) for r in rows]

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("insert or replace into documents values (?,?,?)", (kind, key, json.dumps(value)))

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("select value from documents where kind=? and key=?", (kind, key)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def docs(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute("select key, value from documents where kind=? order by key",
                                    (kind,)).fetchall()
        return [(r[0], dict(json.loads(r[1]))) for r in rows]


def open_store(url: str) -> MemoryStore | SQLiteStore:
    """``memory:``, ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` (PostgreSQL comes with illcore.store);
    ValueError for any other URL, as illcore.store does."""
    if url == "memory:":
        return MemoryStore()
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return SQLiteStore(url[len("sqlite:///"):])
    raise ValueError(f"store URL {url!r}: memory: or sqlite:///path until illcore.store is in main")
