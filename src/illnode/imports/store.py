"""The store as the importer sees it: the transactions and documents of `illcore.store` (issue 14).

`ImportStore` names the few methods the import job uses, so a test can wrap a store (to crash it, say).
"""

from __future__ import annotations

from typing import Any, Protocol

from illcore.store import ConflictError, StoreError, StoreUnavailable, TransactionRecord, open_store

__all__ = ["ConflictError", "ImportStore", "StoreError", "StoreUnavailable", "TransactionRecord", "open_store"]


class ImportStore(Protocol):
    """What the import job uses of a store."""

    def get(self, protocol: str, key: str) -> TransactionRecord | None: ...

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord: ...

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None: ...

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None: ...
