"""ISO 18626 over HTTP, the client side: `post_message` and `Client` (httpx), which tell transport failures
(`TransportError`) from peer errors (`PeerError`).
"""

from __future__ import annotations

import attrs
import httpx

from iso18626._model.codes import MessageStatus
from iso18626._model.messages import (
    Confirmation,
    Message,
)
from iso18626._xml.read import read
from iso18626._xml.serialize import serialize
from iso18626.errors import PeerError, TransportError, ValidationError
from iso18626.http._app import _CONFIRMATIONS, CONTENT_TYPE, XML_TYPES


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
