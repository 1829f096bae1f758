"""The store as the importer sees it: the transactions and documents of the `illcore.store` contract.

One place to switch: the interim implementation until `illcore.store` is in main, then that.
"""

from __future__ import annotations

from typing import Any, Protocol

from ._interim_store import ConflictError, StoreError, StoreUnavailable, TransactionRecord, open_store

__all__ = ["ConflictError", "ImportStore", "StoreError", "StoreUnavailable", "TransactionRecord", "open_store"]


class ImportStore(Protocol):
    """What the import job uses of a store."""

    def get(self, protocol: str, key: str) -> TransactionRecord | None: ...

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord: ...

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None: ...

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None: ...
