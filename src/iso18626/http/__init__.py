"""ISO 18626 over HTTP: the ASGI application (`ISO18626App`), the httpx client (`post_message`, `Client`),
the default transaction handler (`TransactionHandler`) and the hypercorn listener (`serve`).

The only part of `iso18626` that does I/O.
"""

from iso18626.errors import HTTPError, PeerError, TransportError
from iso18626.http._app import (
    CONTENT_TYPE,
    DEFAULT_INLINE_PARSE_LIMIT,
    DEFAULT_MAX_BODY,
    XML_TYPES,
    HandlerResult,
    ISO18626App,
    MessageHandler,
    accept_all,
)
from iso18626.http._client import Client, Result, post_message
from iso18626.http._handler import TransactionHandler
from iso18626.http._serve import serve

__all__ = [
    "CONTENT_TYPE", "DEFAULT_INLINE_PARSE_LIMIT", "DEFAULT_MAX_BODY", "XML_TYPES",
    "Client", "HTTPError", "HandlerResult", "ISO18626App", "MessageHandler", "PeerError", "Result",
    "TransactionHandler", "TransportError", "accept_all", "post_message", "serve",
]
