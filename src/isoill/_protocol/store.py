"""The transaction store interface an ISO 10161 session tracks transactions through, and its in-memory default.

A durable store (`illcore.store`) plugs in by offering `get(key)` / `put(key, transaction)` with these types.
"""

from __future__ import annotations

from typing import Any, Protocol

from isoill._model import enums as E
from isoill._protocol.ids import TransactionKey
from isoill._protocol.machine import Role, Transaction

__all__ = ["MemoryStore", "TransactionLike", "TransactionStore", "new_transaction"]


class TransactionLike(Protocol):
    """What a session needs from a transaction (`isoill.Transaction` of the protocol machine satisfies it).

    `receive` raises `isoill.ProtocolError` (or another ValueError) for an APDU the state does not allow.
    """

    @property
    def state(self) -> E.CurrentState | None: ...

    def receive(self, apdu: Any) -> Any: ...

    def send(self, apdu: Any) -> Any: ...


class TransactionStore(Protocol):
    """Where a server keeps its transactions between APDUs and connections (a database in a real gateway)."""

    def get(self, key: TransactionKey) -> TransactionLike | None: ...

    def put(self, key: TransactionKey, transaction: TransactionLike) -> None: ...


class MemoryStore:
    """The default `TransactionStore`: a dict, lost when the process ends."""

    def __init__(self) -> None:
        self._items: dict[TransactionKey, TransactionLike] = {}

    def get(self, key: TransactionKey) -> TransactionLike | None:
        return self._items.get(key)

    def put(self, key: TransactionKey, transaction: TransactionLike) -> None:
        self._items[key] = transaction

    def __len__(self) -> int:
        return len(self._items)


def new_transaction(responder: bool) -> TransactionLike:
    """A fresh transaction of the protocol machine, in the role this side plays."""
    return Transaction(Role.RESPONDER if responder else Role.REQUESTER)
