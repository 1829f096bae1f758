"""ISO 18626 over HTTP, the server side: `ISO18626App`, an ASGI application (POST a message, get its
confirmation) with the status codes crosslink and mod-rs use.

Status codes follow crosslink and mod-rs (research notes 18626 sections 4 and 5): 405 non-POST, 415 wrong
content type, 413 body too large, 400 not XML / no message, 200 with messageStatus ERROR for protocol errors,
200 with the confirmation otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import datetime, timezone
from typing import Any

from illcore.aio import answer_lifespan
from illcore.store import Store, StoreUnavailable
from iso18626 import persist
from iso18626._confirm import confirmation_for
from iso18626._model.codes import ErrorType
from iso18626._model.messages import (
    Confirmation,
    ErrorData,
    Message,
    RequestConfirmation,
    RequestingAgencyMessageConfirmation,
    SupplyingAgencyMessageConfirmation,
)
from iso18626._xml.read import Parsed, read
from iso18626._xml.serialize import serialize
from iso18626.errors import ValidationError

log = logging.getLogger("iso18626.http")

# Real messages are a few kB; the limit is checked against Content-Length before reading, then while reading.
DEFAULT_MAX_BODY = 1024 * 1024
# Bodies up to this size are parsed on the event loop, larger ones in a worker thread. A real message (1-7 kB)
# parses in 0.1-0.2 ms, so a thread hop (about 0.05 ms) would only add to it; the costliest hostile shape
# (lenient, unknown elements with attributes, each a repair) takes about 1.7 ms per KiB, so 16 KiB bounds the
# loop's stall at about 30 ms (strict: about 6 ms) instead of half a second for a 1 MiB body.
# docs/security.md, Open item 4.
DEFAULT_INLINE_PARSE_LIMIT = 16 * 1024
XML_TYPES = ("application/xml", "text/xml")
CONTENT_TYPE = "application/xml; charset=utf-8"

Scope = MutableMapping[str, Any]
ASGIReceive = Callable[[], Awaitable[MutableMapping[str, Any]]]
ASGISend = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# What an application handler returns for an incoming message: nothing (OK), the errors to report (ERROR),
# or a complete confirmation of its own.
HandlerResult = Confirmation | Sequence[ErrorData] | None
MessageHandler = Callable[[Message], Awaitable[HandlerResult]]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


async def accept_all(message: Message) -> HandlerResult:
    """The default handler: every valid message is confirmed OK."""
    return None


class ISO18626App:
    """An ASGI application answering POSTed ISO 18626 messages with confirmations.

    `handler(message)` sees each valid message and may return errors or a confirmation (see HandlerResult);
    an exception there is logged and answered with HTTP 500 carrying an ERROR confirmation. `strict` chooses
    the parser's mode (lenient repairs what real peers send). `malformed_status` is the HTTP status for a body
    that is not XML or holds no ISO 18626 message (400 like crosslink; 200 to always answer with a confirmation).
    `body_timeout` bounds the time to receive a body (408 after it); `drain_limit`: see `_discard`.
    A body longer than `inline_parse_limit` octets is parsed in a worker thread (see `_parse`).
    With a `store` (`illcore.store.open_store(url)`), every valid message is journalled before the handler
    runs (by the handler itself when it says `journals`, as `TransactionHandler(store=...)` does, together
    with the transaction's state), and confirmations sent are journalled; if the store cannot write, the
    answer is HTTP 503 with Retry-After, never a confirmation (`iso18626.persist`).
    """

    def __init__(self, handler: MessageHandler = accept_all, *, max_body: int = DEFAULT_MAX_BODY,
                 strict: bool = True, malformed_status: int = 400,
                 body_timeout: float = 30.0, drain_limit: int = 64 * 1024 * 1024,
                 inline_parse_limit: int = DEFAULT_INLINE_PARSE_LIMIT, store: Store | None = None) -> None:
        self.handler = handler
        self.store = store
        self.max_body = max_body
        self.strict = strict
        self.malformed_status = malformed_status
        self.body_timeout = body_timeout
        self.drain_limit = drain_limit
        self.inline_parse_limit = inline_parse_limit

    async def __call__(self, scope: Scope, receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, body, headers = await self._handle(scope, receive)
        all_headers = [(b"content-length", str(len(body)).encode()), *headers]
        await send({"type": "http.response.start", "status": status, "headers": all_headers})
        await send({"type": "http.response.body", "body": body})

    async def _handle(self, scope: Scope, receive: ASGIReceive) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        client = scope.get("client") or ("?", 0)
        who = f"{client[0]}:{client[1]}"
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length")
        size = int(declared) if declared is not None and declared.strip().isdigit() else 0
        if scope.get("method") != "POST":
            log.info("%s %s %s -> 405", who, scope.get("method"), scope.get("path"))
            await self._discard(scope, receive, size)
            return 405, b"ISO 18626 messages are POSTed\n", [(b"allow", b"POST"), _TEXT]
        media = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower().decode("latin-1")
        if media not in XML_TYPES:
            log.info("%s POST content-type %r -> 415", who, media)
            await self._discard(scope, receive, size)
            return 415, b"Content-Type must be application/xml or text/xml\n", [_TEXT]
        too_large = 413, f"body larger than {self.max_body} octets\n".encode(), [_TEXT, _CLOSE]
        if declared is not None and (not declared.strip().isdigit() or int(declared) > self.max_body):
            log.info("%s POST of %s octets -> 413", who, declared.decode("latin-1"))
            await self._discard(scope, receive, size)
            return too_large
        try:
            body = await asyncio.wait_for(self._body(receive), self.body_timeout)
        except _TooLarge:
            log.info("%s POST body over %d octets -> 413", who, self.max_body)
            await self._discard(scope, receive, 0)
            return too_large
        except asyncio.TimeoutError:
            log.info("%s POST body not complete within %g s -> 408", who, self.body_timeout)
            return 408, b"request body timeout\n", [_TEXT, _CLOSE]
        except _Disconnected:
            return 400, b"", [_TEXT]
        return await self._message(body, who)

    async def _discard(self, scope: Scope, receive: ASGIReceive, declared: int) -> None:
        """Read and drop the rest of a refused request's body before answering.

        Answering first breaks the exchange: hypercorn's HTTP/2 connection fails when body data arrives for a
        stream already answered, and an HTTP/1.1 client still writing its body sees a reset instead of the
        status. Nothing is kept; `drain_limit` and `body_timeout` bound the work.
        """
        if declared > self.drain_limit:
            return  # answered at once; the connection is closed (HTTP/1.1) or the stream reset (HTTP/2)

        async def drain() -> None:
            size = 0
            while size <= self.drain_limit:
                event = await receive()
                size += len(event.get("body", b""))
                if event["type"] == "http.disconnect" or not event.get("more_body", False):
                    return

        try:
            await asyncio.wait_for(drain(), self.body_timeout)
        except asyncio.TimeoutError:
            pass

    async def _body(self, receive: ASGIReceive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                raise _Disconnected
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not event.get("more_body", False):
                return b"".join(chunks)

    async def _parse(self, body: bytes) -> Parsed:
        """`read` the body: inline when small, else in a worker thread so that the event loop goes on serving
        the other connections meanwhile (a lenient 1 MiB body takes up to half a second). Same call, same
        result or ValidationError either way; only the thread differs (parsers and validators are per thread).
        """
        if len(body) <= self.inline_parse_limit:
            return read(body, strict=self.strict, max_bytes=self.max_body)
        return await asyncio.to_thread(read, body, strict=self.strict, max_bytes=self.max_body)

    async def _message(self, body: bytes, who: str) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        try:
            parsed = await self._parse(body)
        except ValidationError as exc:
            not_a_message = exc.incoming is None or exc.incoming.kind is None
            status = self.malformed_status if not_a_message else 200
            log.info("%s POST invalid (%s at %s) -> %d", who, exc.error_type.value, exc.path or "-", status)
            try:
                confirmation = confirmation_for(exc, timestamp=_now())
            except ValueError:  # a confirmation was posted as if it were a message
                return 400, b"confirmations are not POSTed to an ISO 18626 endpoint\n", [_TEXT]
            return status, serialize(confirmation), [_XML]
        message = parsed.message
        version = parsed.version if parsed.version in ("1.2", "2021") else "1.2"
        if isinstance(message, _CONFIRMATIONS):
            log.info("%s POST %s -> 400", who, type(message).__name__)
            return 400, b"confirmations are not POSTed to an ISO 18626 endpoint\n", [_TEXT]
        try:
            with persist.incoming(body, who):  # store hook (issue 14): journal before the confirmation
                if self.store is not None and not getattr(self.handler, "journals", False):
                    await persist.journal_incoming(self.store, message)
                result = await self.handler(message)
        except StoreUnavailable as exc:  # store hook (issue 14): not written down, so not confirmed
            log.warning("%s POST %s not recorded -> 503: %s", who, type(message).__name__, exc)
            return 503, b"temporarily unable to record the message: retry later\n", [_TEXT, _RETRY]
        except Exception:  # the application's bug: answer, log, keep serving
            log.exception("%s POST %s: handler failed", who, type(message).__name__)
            error = ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE,
                              error_value="internal error while processing the message")
            confirmation = confirmation_for(message, timestamp=_now(), errors=(error,), version=version)
            return 500, serialize(confirmation, version=version), [_XML]
        if isinstance(result, _CONFIRMATIONS):
            confirmation = result
        else:
            confirmation = confirmation_for(message, timestamp=_now(), errors=tuple(result or ()), version=version)
        status_text = confirmation.confirmation_header.message_status.value
        log.info("%s POST %s %s -> 200 %s", who, type(message).__name__, _request_id(message), status_text)
        reply = serialize(confirmation, version=version)
        if self.store is not None:  # store hook (issue 14)
            persist.sent(self.store, reply, message, who)
        return 200, reply, [_XML]


_CONFIRMATIONS = (RequestConfirmation, SupplyingAgencyMessageConfirmation, RequestingAgencyMessageConfirmation)
_TEXT = (b"content-type", b"text/plain; charset=utf-8")
_XML = (b"content-type", CONTENT_TYPE.encode())
_CLOSE = (b"connection", b"close")
_RETRY = (b"retry-after", b"5")


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


def _request_id(message: Message) -> str:
    header = getattr(message, "header", None)
    return str(getattr(header, "requesting_agency_request_id", "") or "")

