"""NCIP over HTTP: an ASGI responder (POST, one NCIPMessage in, one out) with a pluggable handler, an httpx
client (sync and async) and `serve` (hypercorn). Whatever cannot be done is answered with a Problem."""

from __future__ import annotations

import asyncio
import inspect
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from illcore.aio import DEFAULT_BACKLOG, answer_lifespan, stop_on_signals

from .errors import UNSUPPORTED_SERVICE, NCIPError, ValidationError
from .model import Message
from .parse import read
from .responses import problem, problem_response, service_name
from .writer import serialize

log = logging.getLogger("ncip.http")
DEFAULT_MAX_BODY = 1 << 20
DEFAULT_BODY_TIMEOUT = 30.0
CONTENT_TYPE = "application/xml; charset=utf-8"
TEMPORARY_FAILURE = "Temporary Processing Failure"

#: A handler answers one message: an NCIP response message, or None when it does not do that service.
Handler = Callable[[Message], "Awaitable[Message | None] | Message | None"]


class NCIPProblem(NCIPError):
    """Raised by a handler to answer with a Problem (``raise NCIPProblem("Unknown User", element=...)``)."""

    def __init__(self, problem_type: str, detail: str | None = None, *, element: str | None = None,
                 value: str | None = None):
        self.problem_type = problem_type
        self.detail = detail
        self.element = element
        self.value = value
        super().__init__(f"{problem_type}: {detail}" if detail else problem_type)


class NCIPTransportError(NCIPError):
    """The NCIP peer could not be reached, or answered with an HTTP error status (`status`, 0 for none)."""

    def __init__(self, message: str, status: int = 0):
        self.status = status
        super().__init__(message)


async def answer(handler: Handler, body: bytes, *, strict: bool = False) -> Message:
    """The answer to one posted body (sans-transport): parse, hand to `handler`, Problems for what fails."""
    try:
        parsed = read(body, strict=strict)
    except ValidationError as exc:
        log.info("refused: %s", exc)
        return problem_response(exc.service, problem(exc.problem_type, exc.detail, element=exc.element,
                                                     value=exc.path or None))
    message = parsed.message
    for repair in parsed.repairs:
        log.info("repaired %s", repair)
    name = service_name(message)
    try:
        result = handler(message)
        if inspect.isawaitable(result):
            result = await result
    except NCIPProblem as exc:
        return problem_response(name, problem(exc.problem_type, exc.detail, element=exc.element,
                                              value=exc.value), message)
    except Exception:  # a handler bug must not leave the peer without an NCIP answer
        log.exception("handler failed on %s", name)
        return problem_response(name, problem(TEMPORARY_FAILURE, "the responder failed; try again later"),
                                message)
    if result is None:
        return problem_response(name, problem(UNSUPPORTED_SERVICE, f"{name} is not supported here",
                                              element=name), message)
    return result


class NCIPApp:
    """ASGI app: POST one NCIPMessage, get one back (HTTP 200, Problems inside, as NCIP peers expect).

    `strict=False` (the default) reads what real peers send and logs the repairs.
    """

    def __init__(self, handler: Handler, *, strict: bool = False, max_body: int = DEFAULT_MAX_BODY,
                 body_timeout: float = DEFAULT_BODY_TIMEOUT):
        self.handler = handler
        self.strict = strict
        self.max_body = max_body
        self.body_timeout = body_timeout

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _plain(send, 405, b"NCIP messages are POSTed\n", [(b"allow", b"POST")])
            return
        for name, value in scope.get("headers", ()):
            # A declared length over the limit is refused before a byte of the body is read.
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                await _plain(send, 413, b"message too large\n")
                return
        try:
            body = await asyncio.wait_for(self._body(receive), self.body_timeout)
        except asyncio.TimeoutError:
            await _plain(send, 408, b"the message did not arrive in time\n")
            return
        if isinstance(body, int):
            if body:
                await _plain(send, body, b"message too large\n")
            return
        reply = await answer(self.handler, body, strict=self.strict)
        out = serialize(reply)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", CONTENT_TYPE.encode()), (b"content-length", str(len(out)).encode())]})
        await send({"type": "http.response.body", "body": out})

    async def _body(self, receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes | int:
        return await _read_body(receive, self.max_body)


async def _read_body(receive: Callable[[], Awaitable[dict[str, Any]]], limit: int) -> bytes | int:
    """The body, or 413 when it outgrows `limit`, or 0 when the client went away."""
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        event = await receive()
        if event["type"] == "http.disconnect":
            return 0
        chunk = event.get("body", b"")
        size += len(chunk)
        if size > limit:
            return 413
        chunks.append(chunk)
        more = event.get("more_body", False)
    return b"".join(chunks)


async def _plain(send: Callable[[dict[str, Any]], Awaitable[None]], status: int, body: bytes,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


def _reply(response: httpx.Response, url: str, strict: bool) -> Message:
    if response.status_code >= 300:
        raise NCIPTransportError(f"{url} answered HTTP {response.status_code}", response.status_code)
    return read(response.content, strict=strict).message


class NCIPClient:
    """Blocking NCIP client: `NCIPClient(url).send(message)` -> the peer's response message.

    Responses are read leniently by default (`strict=False`): peers' quirks are repaired, not fatal.
    """

    def __init__(self, url: str, *, timeout: float = 30.0, strict: bool = False,
                 transport: httpx.BaseTransport | None = None):
        self.url = url
        self.strict = strict
        self._http = httpx.Client(timeout=timeout, transport=transport)

    def __enter__(self) -> NCIPClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, message: Message) -> Message:
        return self.send_bytes(serialize(message))

    def send_bytes(self, data: bytes) -> Message:
        try:
            response = self._http.post(self.url, content=data, headers={"Content-Type": CONTENT_TYPE})
        except httpx.TransportError as exc:
            raise NCIPTransportError(f"cannot reach {self.url}: {exc}") from None
        return _reply(response, self.url, self.strict)


class AsyncNCIPClient:
    """The asyncio twin of NCIPClient."""

    def __init__(self, url: str, *, timeout: float = 30.0, strict: bool = False,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.url = url
        self.strict = strict
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def __aenter__(self) -> AsyncNCIPClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, message: Message) -> Message:
        try:
            response = await self._http.post(self.url, content=serialize(message),
                                             headers={"Content-Type": CONTENT_TYPE})
        except httpx.TransportError as exc:
            raise NCIPTransportError(f"cannot reach {self.url}: {exc}") from None
        return _reply(response, self.url, self.strict)


async def serve(app: NCIPApp, *, host: str = "127.0.0.1", port: int = 8080,
                ready: Callable[[int], None] | None = None, shutdown: asyncio.Event | None = None,
                backlog: int = DEFAULT_BACKLOG) -> None:
    """Run `app` under hypercorn until `shutdown` is set or SIGINT/SIGTERM; `ready(port)` once listening."""
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)  # listening before hypercorn starts: a client told the port is never refused
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    bound = sock.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.backlog = backlog
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.keep_alive_timeout = 30
    config.read_timeout = 30
    stop = shutdown or asyncio.Event()
    stop_on_signals(stop)
    if ready is not None:
        asyncio.get_running_loop().call_soon(ready, bound)
    await hypercorn_serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]
