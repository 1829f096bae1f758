"""The last-resort loop's glue: export a borrowing request to ILLiad, remember its TransactionNumber, and turn
ILLiad's NCIP item messages for it back into events carrying our request id (for the gateway to act on)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import illiad
import ncip
from illcore.request import BorrowingRequest
from illnode.directory import MemoryDocuments

#: The document kind under which exports are remembered (keys: the TransactionNumber and our request id).
DOC_KIND = "illiad-export"


class Documents(Protocol):
    """The part of `illcore.store.Store` this needs (small JSON documents by kind and key)."""

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None: ...

    def get_doc(self, kind: str, key: str) -> dict[str, Any] | None: ...


class LastResort:
    """Export requests to one ILLiad and resolve its NCIP messages to them.

    `await export(request)` runs the export and records TransactionNumber <-> request id; `handler(on_event)`
    is the `ncip.Handler` for the responder ILLiad posts to (AcceptItem: received, CheckOutItem, CheckInItem:
    returned, LookupUser), calling `on_event(ncip.ItemEvent)` with our request id before answering.
    """

    def __init__(self, client: illiad.AsyncILLiadClient, settings: illiad.ExportSettings,
                 documents: Documents | None = None):
        self.client = client
        self.settings = settings
        self.documents: Documents = documents if documents is not None else MemoryDocuments()

    async def export(self, request: BorrowingRequest) -> illiad.ExportResult:
        result = await illiad.export_async(self.client, request, self.settings)
        number = str(result.transaction.transaction_number)
        record = {"request_id": request.request_id, "transaction_number": number,
                  "username": result.user.username, "status": result.transaction.transaction_status}
        self.documents.put_doc(DOC_KIND, number, record)
        self.documents.put_doc(DOC_KIND, request.request_id, record)
        return result

    def resolve(self, identifiers: tuple[str, ...]) -> str | None:
        """Our request id for what ILLiad sent: its TransactionNumber, or our own id (from CitedIn)."""
        for value in identifiers:
            doc = self.documents.get_doc(DOC_KIND, value.strip())
            if doc is not None:
                return str(doc["request_id"])
        return None

    def handler(self, on_event: Callable[[ncip.ItemEvent], Awaitable[None] | None],
                user_exists: Callable[[str], Any] | None = None) -> ncip.ItemEventHandler:
        async def sink(event: ncip.ItemEvent) -> None:
            result = on_event(event)
            if inspect.isawaitable(result):
                await result
        return ncip.ItemEventHandler(resolve=self.resolve, on_event=sink, user_exists=user_exists)
