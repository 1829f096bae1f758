"""ILLiad Web Platform API client (JSON over HTTP with an ApiKey header): transactions, notes, routing, users.

`ILLiadClient(url, api_key)` (sync) and `AsyncILLiadClient` (asyncio); errors are typed (BadRequest, ...).
"""

from __future__ import annotations

from .client import AsyncILLiadClient, Call, ILLiadClient, answer, base_url
from .errors import (
    BadRequest,
    ILLiadConnectionError,
    ILLiadError,
    ILLiadResponseError,
    NotFound,
    ServerError,
    Unauthorized,
)
from .export import (
    DEFAULT_REQUEST_TYPES,
    ExportError,
    ExportResult,
    ExportSettings,
    RequestTypeRule,
    export,
    export_async,
    export_flow,
    patron_identifier,
    transaction_for,
)
from .records import Note, Transaction, User, loads

__all__ = [
    "DEFAULT_REQUEST_TYPES", "ExportError", "ExportResult", "ExportSettings", "RequestTypeRule",
    "export", "export_async", "export_flow", "patron_identifier", "transaction_for",
    "AsyncILLiadClient", "BadRequest", "Call", "ILLiadClient", "ILLiadConnectionError", "ILLiadError",
    "ILLiadResponseError", "Note", "NotFound", "ServerError", "Transaction", "Unauthorized", "User",
    "answer", "base_url", "loads",
]
