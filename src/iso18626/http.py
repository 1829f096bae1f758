"""ISO 18626 over HTTP: `ISO18626App`, an ASGI application (POST a message, get its confirmation), an httpx
client (`post_message`, `Client`) that tells transport failures from peer errors, and `serve` (hypercorn).

The only module of `iso18626` that does I/O. Status codes follow crosslink and mod-rs (research notes 18626
sections 4 and 5): 405 non-POST, 415 wrong content type, 413 body too large, 400 not XML / no message,
200 with messageStatus ERROR for protocol errors, 200 with the confirmation otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs
import httpx

from illcore.aio import DEFAULT_BACKLOG, DEFAULT_DRAIN_TIMEOUT, listening_socket, stop_on_signals
from illcore.store import Store, StoreUnavailable

from . import persist
from .codes import ErrorType, MessageStatus
from .confirm import confirmation_for
from .errors import ValidationError
from .machine import ProtocolError, Role, Transaction
from .messages import (
    Confirmation,
    ErrorData,
    Message,
    Request,
    RequestConfirmation,
    RequestingAgencyMessageConfirmation,
    SupplyingAgencyMessageConfirmation,
)
from .parse import Parsed, read
from .serialize import serialize

if TYPE_CHECKING:  # hypercorn is imported by `serve` only, so that the app and client work without it
    from hypercorn.config import Config

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
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, body, headers = await self._handle(scope, receive)
        all_headers = [(b"content-length", str(len(body)).encode()), *headers]
        await send({"type": "http.response.start", "status": status, "headers": all_headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: ASGIReceive, send: ASGISend) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

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


# --- client ------------------------------------------------------------------------------------------------

class HTTPError(Exception):
    """Base of the client's errors."""


class TransportError(HTTPError):
    """The endpoint could not be reached or did not answer in time (connect, TLS, timeout, connection lost)."""


class PeerError(HTTPError):
    """The endpoint answered, but not with an OK confirmation: `status`, `body` and, if one could be read,
    `confirmation` tell how. `kind` is "http-status", "no-confirmation" or "error-confirmation"."""

    def __init__(self, message: str, *, kind: str, status: int, body: bytes,
                 confirmation: Confirmation | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.body = body
        self.confirmation = confirmation


@attrs.frozen
class Result:
    """An OK exchange: the HTTP status, the raw body and the parsed confirmation."""

    status: int
    body: bytes
    confirmation: Confirmation
    http_version: str


def _read_confirmation(response: httpx.Response) -> Confirmation:
    content = response.content
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not 200 <= response.status_code < 300:
        conf = _try_confirmation(content)
        raise PeerError(f"HTTP {response.status_code}", kind="http-status", status=response.status_code,
                        body=content, confirmation=conf)
    conf = _try_confirmation(content)
    if conf is None:
        detail = f" (content type {media})" if media and media not in XML_TYPES else ""
        raise PeerError(f"HTTP {response.status_code} without an ISO 18626 confirmation{detail}",
                        kind="no-confirmation", status=response.status_code, body=content)
    header = conf.confirmation_header
    if header.message_status != MessageStatus.OK:
        errors = "; ".join(f"{e.error_type.value}" + (f": {e.error_value}" if e.error_value else "")
                           for e in conf.error_data)
        raise PeerError(f"messageStatus {header.message_status.value}" + (f" ({errors})" if errors else ""),
                        kind="error-confirmation", status=response.status_code, body=content, confirmation=conf)
    return conf


def _try_confirmation(content: bytes) -> Confirmation | None:
    if not content.strip():
        return None
    try:
        message = read(content, strict=False).message
    except ValidationError:
        return None
    if isinstance(message, _CONFIRMATIONS):
        return message
    return None


class Client:
    """An ISO 18626 HTTP client over httpx (HTTP/1.1, or HTTP/2 with `http2=True`; prior knowledge on
    http:// URLs). Brokers may hold the response until the other party confirms: keep `timeout` generous.

    `send(url, message_or_bytes)` returns a `Result` for an OK confirmation and raises `TransportError` or
    `PeerError` otherwise.
    """

    def __init__(self, *, timeout: float = 30.0, http2: bool = False, version: str = "1.2",
                 headers: dict[str, str] | None = None, verify: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.version = version
        # `transport` lets a gateway route through its own transport (or an ASGI app, in tests).
        self._client = httpx.AsyncClient(
            http1=not http2, http2=http2, timeout=httpx.Timeout(timeout), verify=verify, transport=transport,
            headers={"content-type": CONTENT_TYPE, "accept": "application/xml, text/xml",
                     "user-agent": "isoill-iso18626", **(headers or {})})

    async def send(self, url: str, message: Message | bytes) -> Result:
        body = message if isinstance(message, bytes) else serialize(message, version=self.version)
        try:
            response = await self._client.post(url, content=body)
        except httpx.TimeoutException as exc:
            raise TransportError(f"timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise TransportError(str(exc) or type(exc).__name__) from exc
        confirmation = _read_confirmation(response)
        return Result(response.status_code, response.content, confirmation, response.http_version)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def post_message(url: str, message: Message | bytes, *, timeout: float = 30.0,
                       http2: bool = False) -> Result:
    """POST one message and return its OK confirmation (raises TransportError / PeerError)."""
    async with Client(timeout=timeout, http2=http2) as client:
        return await client.send(url, message)


# --- the 18626 machine behind `isoill 18626 serve` ---------------------------------------------------------

class TransactionHandler:
    """A supplying agency's handler: one ISO 18626 transaction machine per (requesting agency,
    requestingAgencyRequestId). A message the machine refuses is confirmed with ERROR and the machine's
    errorType; a message about an unknown request gets ERROR UnrecognisedDataValue.

    A Request whose id is already known restarts the transaction (logged): peers retransmit when a
    confirmation was lost, and real systems reuse ids. `reject_duplicates=True` answers ERROR instead, as
    crosslink does. With `store`, the transactions are kept there (`iso18626.persist`), so a restarted
    endpoint continues them; `transactions` stays empty.
    """

    def __init__(self, *, reject_duplicates: bool = False, store: Store | None = None) -> None:
        self.transactions: dict[tuple[str, str], Transaction] = {}
        self.reject_duplicates = reject_duplicates
        # store hook (issue 14): with a store, transactions live there (not in `transactions`), and each
        # message is journalled with its transaction's new state in one database transaction
        self.store = store
        self.journals = store is not None

    @staticmethod
    def key(message: Message) -> tuple[str, str]:
        header = message.header  # type: ignore[union-attr]  # only messages with a header reach handlers
        agency = header.requesting_agency_id
        return f"{agency.agency_id_type.value}:{agency.agency_id_value}", str(header.requesting_agency_request_id)

    async def __call__(self, message: Message) -> HandlerResult:
        key = self.key(message)
        if self.store is not None:  # store hook (issue 14)
            return await persist.handle(self.store, key, message, reject_duplicates=self.reject_duplicates)
        txn = self.transactions.get(key)
        if isinstance(message, Request):
            if txn is not None and self.reject_duplicates:
                return (ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE,
                                  error_value="requestingAgencyRequestId: request with this ID already exists"),)
            if txn is not None:
                log.warning("request %s from %s again: transaction restarted", key[1], key[0])
            txn = Transaction(Role.SUPPLYING)
            self.transactions[key] = txn
        elif txn is None:
            return (ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE,
                              error_value="requestingAgencyRequestId: no request with this ID"),)
        try:
            txn.receive(message, at=_now())
        except ProtocolError as exc:  # not allowed now: the state is unchanged, the peer is told why
            log.info("%s %s refused: %s", key[0], key[1], exc)
            return (ErrorData(error_type=exc.error_type, error_value=exc.detail),)
        return None


def _hypercorn_config(backlog: int, keep_alive_requests: int = 1000) -> Config:
    """hypercorn's settings for `serve`: cleartext HTTP/1.1 and HTTP/2, the limits of docs/security.md."""
    from hypercorn.config import Config

    config = Config()
    config.backlog = backlog
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.keep_alive_timeout = 30
    config.read_timeout = 30
    config.h11_max_incomplete_size = 64 * 1024
    # Requests per keep-alive connection (HTTP/1.1 and HTTP/2) before hypercorn closes it (its default, 1000).
    config.keep_alive_max_requests = keep_alive_requests
    return config


async def serve(*, host: str = "127.0.0.1", port: int = 9001, max_body: int = DEFAULT_MAX_BODY,
                app: ISO18626App | None = None, ready: Callable[[int], None] | None = None,
                shutdown: asyncio.Event | None = None, backlog: int = DEFAULT_BACKLOG,
                max_connections: int = 1000, write_timeout: float = 30.0,
                drain_timeout: float = DEFAULT_DRAIN_TIMEOUT, keep_alive_requests: int = 1000,
                store: Store | None = None) -> None:
    """Run an ISO 18626 endpoint (hypercorn's HTTP/1.1 and cleartext HTTP/2 with prior knowledge, under the
    serve layer of `iso18626.serving`) until `shutdown` is set or the process gets SIGINT/SIGTERM.

    `ready(port)` is called once the socket is listening: a connection made from then on is accepted (queued
    by the kernel until accepted). `backlog` is the listen queue (the kernel caps it at net.core.somaxconn).
    `max_connections` caps concurrent connections (the idle-longest one is closed for a newcomer; with none
    idle, newcomers wait in the listen queue). `write_timeout`: a response that does not drain in that many
    seconds has its connection aborted. Stopping drains: every request received until then is answered, for
    at most `drain_timeout` seconds; a second signal stops at once. `keep_alive_requests`: requests per
    keep-alive connection before it is closed.
    `store` (without `app`): the default app and TransactionHandler keep journal and transactions there.
    """
    from .serving import Endpoint

    app = app or ISO18626App(TransactionHandler(store=store), max_body=max_body, store=store)
    sock = listening_socket(host, port, backlog)
    bound = sock.getsockname()[1]
    endpoint = Endpoint(app, _hypercorn_config(backlog, keep_alive_requests), sock,
                        max_connections=max_connections, write_timeout=write_timeout, drain_timeout=drain_timeout)
    stop = shutdown or asyncio.Event()
    stop_on_signals(stop, now=endpoint.stop_now)
    try:
        await endpoint.start()
    except BaseException:
        sock.close()
        raise
    if ready is not None:
        asyncio.get_running_loop().call_soon(ready, bound)
    try:
        await stop.wait()
    finally:
        await endpoint.stop()
