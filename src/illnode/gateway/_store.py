"""Which store the gateway runs on: `illcore.store` (issue 14) when it is installed, else the in-memory stand-in
`illnode.gateway.memstore` with the same records and methods (only `memory:` URLs).

One place to change at the merge: afterwards this module imports `illcore.store` directly.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DURABLE", "Change", "JournalEntry", "OutboxItem", "StoreError", "TransactionRecord", "open_store"]

_impl: Any
try:
    _impl = importlib.import_module("illcore.store")
    DURABLE = True
except ImportError:  # the store is built in parallel; see docs/gateway.md "Status"
    from illnode.gateway import memstore as _impl

    DURABLE = False

Change: Any = _impl.Change
JournalEntry: Any = _impl.JournalEntry
OutboxItem: Any = _impl.OutboxItem
TransactionRecord: Any = _impl.TransactionRecord
StoreError: Any = _impl.StoreError


def open_store(url: str) -> Any:
    """The store a URL names (memory:, sqlite:///path, postgresql://... with illcore.store)."""
    return _impl.open_store(url)
