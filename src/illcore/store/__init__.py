"""illcore.store: the durable journal, transaction store, outbox and documents of a node, behind one
interface with three backends chosen by URL: `memory:`, `sqlite:///path`, `postgresql://user@host/db`.

Protocol-free: messages are octets plus a few keys, machines are JSON snapshots. See docs/node.md.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ._base import (
    Change,
    ConflictError,
    CorruptRecord,
    JournalEntry,
    OutboxItem,
    SchemaError,
    Store,
    StoreError,
    StoreUnavailable,
    TransactionRecord,
    utc,
)
from ._sql import SCHEMA_VERSION
from .memory import MemoryStore
from .outbox import Backoff, OutboxWorker, PermanentFailure

__all__ = [
    "SCHEMA_VERSION", "Backoff", "Change", "ConflictError", "CorruptRecord", "JournalEntry", "MemoryStore",
    "OutboxItem", "OutboxWorker", "PermanentFailure", "SchemaError", "Store", "StoreError", "StoreUnavailable",
    "TransactionRecord", "open_store", "utc",
]


def _options(query: str, allowed: dict[str, type], url: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name not in allowed:
            raise ValueError(f"store URL {url!r}: unknown option {name!r} (known: {', '.join(sorted(allowed))})")
        try:
            out[name] = allowed[name](value)
        except ValueError:
            raise ValueError(f"store URL {url!r}: {name}={value!r} is not a {allowed[name].__name__}") from None
    return out


def open_store(url: str) -> Store:
    """Open (creating or upgrading the schema) the store a URL names.

    - `memory:` (options `max_transactions`, `max_journal`, `max_outbox`: see `MemoryStore`);
    - `sqlite:///relative/path.db`, `sqlite:////absolute/path.db` (options `synchronous=normal|full|off`,
      `timeout` seconds to wait for a lock, `batch` writes per commit, `linger`: see
      `illcore.store.sqlite`);
    - `postgresql://user:password@host:port/db` (options `pool_min`, `pool_max`, `timeout`; any other option
      goes to libpq). Needs `pip install 'isoill[postgres]'`.

    Raises ValueError for a URL it does not understand, StoreUnavailable when the database cannot be reached
    or is locked, SchemaError when it was written by a newer isoill.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        opts = _options(parts.query, {"max_transactions": int, "max_journal": int, "max_outbox": int}, url)
        return MemoryStore(**opts)  # type: ignore[arg-type]
    if scheme == "sqlite":
        if parts.netloc:
            raise ValueError(f"store URL {url!r}: sqlite takes no host (sqlite:///relative.db or "
                             "sqlite:////absolute/path.db)")
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ValueError(f"store URL {url!r}: no file path")
        from .sqlite import SQLiteStore

        opts = _options(parts.query, {"synchronous": str, "timeout": float, "batch": int, "linger": float},
                        url)
        return SQLiteStore(path, **opts)  # type: ignore[arg-type]
    if scheme in ("postgresql", "postgres"):
        pool: dict[str, object] = {}
        rest = []
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            if name in ("pool_min", "pool_max", "timeout"):
                pool.update(_options(f"{name}={value}", {"pool_min": int, "pool_max": int, "timeout": float}, url))
            else:
                rest.append(f"{name}={value}")
        from .postgres import PostgresStore

        conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, "&".join(rest), ""))
        return PostgresStore(conninfo, min_size=int(pool.get("pool_min", 1)),  # type: ignore[call-overload]
                             max_size=int(pool.get("pool_max", 10)),  # type: ignore[call-overload]
                             timeout=float(pool.get("timeout", 5.0)))  # type: ignore[arg-type]
    raise ValueError(f"store URL {url!r}: unknown scheme (memory:, sqlite:///path, postgresql://user@host/db)")
