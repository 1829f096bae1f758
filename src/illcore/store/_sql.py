"""What the SQLite and PostgreSQL backends share: the schema (every version's DDL and the forward migrations)
and each operation as SQL over a DB-API connection, written once with `?` placeholders.

Times are stored as ISO 8601 UTC text (sortable), snapshots and data as JSON text, octets as BLOB / BYTEA.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ._base import (
    ConflictError,
    CorruptRecord,
    JournalEntry,
    OutboxItem,
    SchemaError,
    TransactionRecord,
    UpdateFn,
    utc,
)

Conn = Any  # sqlite3.Connection or psycopg.Connection: both have .execute(sql, params) -> cursor
Notes = list[tuple[str, str]]

#: The schema this code writes. Version 1 is the first release's; `MIGRATIONS[n]` takes n-1 to n.
SCHEMA_VERSION = 2


class Dialect:
    """The few differences between SQLite and PostgreSQL SQL."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.postgres = name == "postgresql"
        self.serial = "BIGSERIAL PRIMARY KEY" if self.postgres else "INTEGER PRIMARY KEY AUTOINCREMENT"
        self.blob = "BYTEA" if self.postgres else "BLOB"
        self.for_update = " FOR UPDATE" if self.postgres else ""  # SQLite: the write transaction locks all

    def q(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql


SQLITE, POSTGRES = Dialect("sqlite"), Dialect("postgresql")


def ddl_v1(d: Dialect) -> list[str]:
    """Schema version 1, kept verbatim: a database written by it is upgraded by MIGRATIONS[2]."""
    return [
        "CREATE TABLE isoill_schema (version INTEGER NOT NULL)",
        f"CREATE TABLE journal (id {d.serial}, protocol TEXT NOT NULL, direction TEXT NOT NULL, "
        f"peer TEXT NOT NULL, txn TEXT NOT NULL, message_type TEXT NOT NULL, data {d.blob} NOT NULL, "
        "outcome TEXT NOT NULL, at TEXT NOT NULL)",
        "CREATE TABLE transactions (protocol TEXT NOT NULL, key TEXT NOT NULL, role TEXT NOT NULL, "
        "state TEXT NOT NULL, partner TEXT NOT NULL, snapshot TEXT NOT NULL, data TEXT NOT NULL, "
        "created TEXT NOT NULL, updated TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (protocol, key))",
        f"CREATE TABLE outbox (id {d.serial}, protocol TEXT NOT NULL, address TEXT NOT NULL, txn TEXT NOT NULL, "
        f"message_type TEXT NOT NULL, data {d.blob} NOT NULL, created TEXT NOT NULL, next_at TEXT, "
        "attempts INTEGER NOT NULL, errors TEXT NOT NULL, done INTEGER NOT NULL)",
        "INSERT INTO isoill_schema (version) VALUES (1)",
    ]


def _migrate_2(d: Dialect) -> list[str]:
    # digests make a re-sent message recognisable; `finished` lets operators (and eviction) find ended ones
    digest = "encode(sha256(data), 'hex')" if d.postgres else "isoill_sha256(data)"
    return [
        "ALTER TABLE journal ADD COLUMN digest TEXT",
        f"UPDATE journal SET digest = {digest}",
        "CREATE INDEX journal_txn ON journal (txn, id)",
        "ALTER TABLE transactions ADD COLUMN finished INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX transactions_updated ON transactions (updated)",
        "CREATE INDEX outbox_due ON outbox (done, next_at)",
        "CREATE TABLE documents (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (kind, key))",
    ]


MIGRATIONS: dict[int, Callable[[Dialect], list[str]]] = {2: _migrate_2}


def has_schema(conn: Conn, d: Dialect) -> bool:
    if d.postgres:
        row = conn.execute("SELECT to_regclass('isoill_schema')").fetchone()
        return row[0] is not None
    row = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'isoill_schema'").fetchone()
    return row is not None


def read_version(conn: Conn) -> int:
    row = conn.execute("SELECT version FROM isoill_schema").fetchone()
    return int(row[0])


def migrate(conn: Conn, d: Dialect) -> int:
    """Create or upgrade the schema, inside the caller's transaction; returns the version found at open."""
    if not has_schema(conn, d):
        for sql in ddl_v1(d):
            conn.execute(sql)
        found = 0
    else:
        found = read_version(conn)
    current = max(found, 1)
    if current > SCHEMA_VERSION:
        raise SchemaError(f"the database has schema version {current}; this isoill knows up to "
                          f"{SCHEMA_VERSION}: upgrade isoill (databases are never downgraded)")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        for sql in MIGRATIONS[version](d):
            conn.execute(sql)
        conn.execute(d.q("UPDATE isoill_schema SET version = ?"), (version,))
    return found


# --- rows ----------------------------------------------------------------------------------------------------

def ts(when: datetime) -> str:
    return utc(when).isoformat(timespec="microseconds")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


_TXN_COLUMNS = "protocol, key, role, state, partner, snapshot, data, created, updated, version, finished"


def _json(text: str, table: str, row: str, column: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CorruptRecord(f"{column} is not JSON ({exc})", table=table, row=row) from None
    if not isinstance(value, dict):
        raise CorruptRecord(f"{column} is a JSON {type(value).__name__}, not an object", table=table, row=row)
    return value


def record_of(row: Sequence[Any]) -> TransactionRecord:
    where = f"{row[0]} {row[1]}"
    try:
        return TransactionRecord(
            protocol=row[0], key=row[1], role=row[2], state=row[3], partner=row[4],
            snapshot=_json(row[5], "transactions", where, "snapshot"),
            data=_json(row[6], "transactions", where, "data"),
            created=_time(row[7]), updated=_time(row[8]), version=int(row[9]), finished=bool(row[10]))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, CorruptRecord):
            raise
        raise CorruptRecord(str(exc), table="transactions", row=where) from None


def _entry_of(row: Sequence[Any]) -> JournalEntry:
    return JournalEntry(id=int(row[0]), protocol=row[1], direction=row[2], peer=row[3], transaction=row[4],
                        message_type=row[5], data=bytes(row[6]), outcome=row[7], at=_time(row[8]))


def _item_of(row: Sequence[Any]) -> OutboxItem:
    try:
        errors = tuple(json.loads(row[9]))
    except ValueError as exc:
        raise CorruptRecord(f"errors is not JSON ({exc})", table="outbox", row=str(row[0])) from None
    return OutboxItem(id=int(row[0]), protocol=row[1], address=row[2], transaction=row[3], message_type=row[4],
                      data=bytes(row[5]), created=_time(row[6]), next_at=_time(row[7]) if row[7] else None,
                      attempts=int(row[8]), errors=errors, done=bool(row[10]))


# --- operations (run inside the backend's transaction) -------------------------------------------------------

def append(conn: Conn, d: Dialect, e: JournalEntry) -> int:
    row = conn.execute(d.q(
        "INSERT INTO journal (protocol, direction, peer, txn, message_type, data, outcome, at, digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        (e.protocol, e.direction, e.peer, e.transaction, e.message_type, e.data, e.outcome, ts(e.at),
         e.digest)).fetchone()
    return int(row[0])


def journal(conn: Conn, d: Dialect, transaction: str | None, protocol: str | None, after: int,
            limit: int | None) -> list[JournalEntry]:
    sql = "SELECT id, protocol, direction, peer, txn, message_type, data, outcome, at FROM journal WHERE id > ?"
    params: list[Any] = [after]
    if transaction is not None:
        sql += " AND txn = ?"
        params.append(transaction)
    if protocol is not None:
        sql += " AND protocol = ?"
        params.append(protocol)
    sql += " ORDER BY id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry_of(r) for r in conn.execute(d.q(sql), params).fetchall()]


def duplicates(conn: Conn, d: Dialect, e: JournalEntry) -> int:
    row = conn.execute(d.q("SELECT count(*) FROM journal WHERE txn = ? AND protocol = ? AND direction = ? "
                           "AND digest = ?"), (e.transaction, e.protocol, e.direction, e.digest)).fetchone()
    return int(row[0])


def get(conn: Conn, d: Dialect, protocol: str, key: str, *, lock: bool = False) -> TransactionRecord | None:
    row = conn.execute(d.q(f"SELECT {_TXN_COLUMNS} FROM transactions WHERE protocol = ? AND key = ?"
                           + (d.for_update if lock else "")), (protocol, key)).fetchone()
    return record_of(row) if row is not None else None


def put(conn: Conn, d: Dialect, r: TransactionRecord, expected: int | None, notes: Notes) -> TransactionRecord:
    values = (r.protocol, r.key, r.role, r.state, r.partner, json.dumps(r.snapshot, separators=(",", ":")),
              json.dumps(r.data, separators=(",", ":")), ts(r.created), ts(r.updated), int(r.finished))
    insert = ("INSERT INTO transactions (protocol, key, role, state, partner, snapshot, data, created, updated, "
              "finished, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
    if expected is None:
        row = conn.execute(d.q(
            insert + " ON CONFLICT (protocol, key) DO UPDATE SET role = excluded.role, state = excluded.state, "
            "partner = excluded.partner, snapshot = excluded.snapshot, data = excluded.data, "
            "updated = excluded.updated, finished = excluded.finished, version = transactions.version + 1 "
            "RETURNING version, created"), values).fetchone()
    elif expected == 0:
        row = conn.execute(d.q(insert + " ON CONFLICT (protocol, key) DO NOTHING RETURNING version, created"),
                           values).fetchone()
    else:
        row = conn.execute(d.q(
            "UPDATE transactions SET role = ?, state = ?, partner = ?, snapshot = ?, data = ?, updated = ?, "
            "finished = ?, version = version + 1 WHERE protocol = ? AND key = ? AND version = ? "
            "RETURNING version, created"),
            (*values[2:7], values[8], values[9], r.protocol, r.key, expected)).fetchone()
    if row is None:
        found = conn.execute(d.q("SELECT version FROM transactions WHERE protocol = ? AND key = ?"),
                             (r.protocol, r.key)).fetchone()
        raise ConflictError(f"transaction {r.protocol} {r.key}: version {found[0] if found else 0}, expected "
                            f"{expected}", protocol=r.protocol, key=r.key, expected=expected,
                            found=int(found[0]) if found else 0)
    version = int(row[0])
    notes.append(("transaction", f"{r.protocol} {r.key} {version}"))
    if d.postgres:
        conn.execute("SELECT pg_notify('isoill', %s)", (f"transaction {r.protocol} {r.key} {version}",))
    return TransactionRecord(protocol=r.protocol, role=r.role, key=r.key, state=r.state, partner=r.partner,
                             snapshot=r.snapshot, data=r.data, created=_time(row[1]), updated=r.updated,
                             version=version, finished=r.finished)


def find(conn: Conn, d: Dialect, filters: dict[str, Any]) -> list[TransactionRecord]:
    limit = filters.pop("limit", None)
    unknown = set(filters) - {"protocol", "role", "key", "state", "partner", "finished"}
    if unknown:
        raise TypeError(f"find: unknown filter {sorted(unknown)[0]!r} (protocol, role, key, state, partner, "
                        "finished)")
    sql = f"SELECT {_TXN_COLUMNS} FROM transactions"
    params = [int(v) if k == "finished" else v for k, v in filters.items()]
    if filters:
        sql += " WHERE " + " AND ".join(f"{k} = ?" for k in filters)
    sql += " ORDER BY updated, protocol, key"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [record_of(r) for r in conn.execute(d.q(sql), params).fetchall()]


def update(conn: Conn, d: Dialect, protocol: str, key: str, fn: UpdateFn, notes: Notes) -> Any:
    record = get(conn, d, protocol, key, lock=True)
    change = fn(record)
    if change.record is not None:
        put(conn, d, change.record, record.version if record is not None else 0, notes)
    for entry in change.journal:
        append(conn, d, entry)
    for item in change.outbox:
        enqueue(conn, d, item, notes)
    return change.result


def enqueue(conn: Conn, d: Dialect, i: OutboxItem, notes: Notes) -> int:
    row = conn.execute(d.q(
        "INSERT INTO outbox (protocol, address, txn, message_type, data, created, next_at, attempts, errors, "
        "done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
        (i.protocol, i.address, i.transaction, i.message_type, i.data, ts(i.created),
         ts(i.next_at) if i.next_at else None, i.attempts, json.dumps(list(i.errors)), int(i.done))).fetchone()
    item_id = int(row[0])
    notes.append(("outbox", str(item_id)))
    if d.postgres:
        conn.execute("SELECT pg_notify('isoill', %s)", (f"outbox {item_id}",))
    return item_id


_OUTBOX = "SELECT id, protocol, address, txn, message_type, data, created, next_at, attempts, errors, done FROM outbox"


def due(conn: Conn, d: Dialect, now: datetime, limit: int) -> list[OutboxItem]:
    rows = conn.execute(d.q(_OUTBOX + " WHERE done = 0 AND next_at IS NOT NULL AND next_at <= ? "
                                      "ORDER BY next_at, id LIMIT ?"), (ts(now), limit)).fetchall()
    return [_item_of(r) for r in rows]


def mark_done(conn: Conn, d: Dialect, item_id: int) -> None:
    conn.execute(d.q("UPDATE outbox SET done = 1, attempts = attempts + 1, next_at = NULL WHERE id = ?"),
                 (item_id,))


def mark_failed(conn: Conn, d: Dialect, item_id: int, error: str, retry_at: datetime | None) -> None:
    row = conn.execute(d.q("SELECT errors FROM outbox WHERE id = ?" + d.for_update), (item_id,)).fetchone()
    if row is None:
        raise KeyError(item_id)
    errors = [*json.loads(row[0]), error]
    conn.execute(d.q("UPDATE outbox SET attempts = attempts + 1, errors = ?, next_at = ? WHERE id = ?"),
                 (json.dumps(errors), ts(retry_at) if retry_at else None, item_id))


def outbox(conn: Conn, d: Dialect, include_done: bool) -> list[OutboxItem]:
    sql = _OUTBOX + ("" if include_done else " WHERE done = 0") + " ORDER BY id"
    return [_item_of(r) for r in conn.execute(sql).fetchall()]


def put_doc(conn: Conn, d: Dialect, kind: str, key: str, value: dict[str, Any]) -> None:
    conn.execute(d.q("INSERT INTO documents (kind, key, value) VALUES (?, ?, ?) ON CONFLICT (kind, key) "
                     "DO UPDATE SET value = excluded.value"), (kind, key, json.dumps(value)))


def get_doc(conn: Conn, d: Dialect, kind: str, key: str) -> dict[str, Any] | None:
    row = conn.execute(d.q("SELECT value FROM documents WHERE kind = ? AND key = ?"), (kind, key)).fetchone()
    return _json(row[0], "documents", f"{kind} {key}", "value") if row else None


def docs(conn: Conn, d: Dialect, kind: str) -> list[tuple[str, dict[str, Any]]]:
    rows = conn.execute(d.q("SELECT key, value FROM documents WHERE kind = ? ORDER BY key"), (kind,)).fetchall()
    return [(r[0], _json(r[1], "documents", f"{kind} {r[0]}", "value")) for r in rows]


def delete_doc(conn: Conn, d: Dialect, kind: str, key: str) -> None:
    conn.execute(d.q("DELETE FROM documents WHERE kind = ? AND key = ?"), (kind, key))
