"""ILLiad Web Platform client over httpx, sync (`ILLiadClient`) and async (`AsyncILLiadClient`).

Both build requests and read answers through the same sans-IO helpers; every error status becomes a typed error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import attrs
import httpx

from .errors import (
    BadRequest,
    ILLiadConnectionError,
    ILLiadError,
    ILLiadResponseError,
    NotFound,
    ServerError,
    Unauthorized,
)
from .records import Note, Transaction, User, loads

DEFAULT_TIMEOUT = 30.0
_ROOT = "/ILLiadWebPlatform"


def base_url(url: str) -> str:
    """The Web Platform root from what a partner record holds: a host, `.../ILLiadWebPlatform`, or Alma's
    `.../ILLiadWebPlatform/transaction` (case-insensitive)."""
    url = url.strip().rstrip("/")
    lowered = url.lower()
    if lowered.endswith("/transaction"):
        url = url[: -len("/transaction")]
        lowered = url.lower()
    if not lowered.endswith(_ROOT.lower()):
        url += _ROOT
    return url


@attrs.frozen
class Call:
    """One Web Platform request, built without I/O: method, path under the root, JSON body."""

    method: str
    path: str
    body: Any = None


def _seg(value: str | int) -> str:
    return quote(str(value), safe="")


def create_transaction_call(transaction: Transaction | dict[str, Any]) -> Call:
    body = transaction.to_json() if isinstance(transaction, Transaction) else dict(transaction)
    return Call("POST", "/Transaction", body)


def answer(status: int, content: bytes, *, method: str = "", url: str = "") -> Any:
    """The JSON of a 2xx answer, or the typed error of any other (sans-IO: status and bytes in)."""
    try:
        body = loads(content) if content.strip() else None
    except ValueError:
        body = content.decode("utf-8", "replace")[:500]
    if 200 <= status < 300:
        if isinstance(body, str):
            raise ILLiadError(f"ILLiad answered {status} with a body that is not JSON: {body[:120]!r}")
        return body
    message = body.get("Message") if isinstance(body, dict) else None
    text = str(message) if message else (body if isinstance(body, str) and body else f"HTTP {status}")
    kw = {"method": method, "url": url}
    if status == 400:
        raw = body.get("ModelState") if isinstance(body, dict) else None
        state: dict[str, list[str]] = {}
        if isinstance(raw, dict):
            for field, messages in raw.items():
                state[str(field)] = [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        raise BadRequest(text, state, body, **kw)
    if status in (401, 403):
        raise Unauthorized(status, text, body, **kw)
    if status == 404:
        raise NotFound(status, text, body, **kw)
    if status >= 500:
        raise ServerError(status, text, body, **kw)
    raise ILLiadResponseError(status, text, body, **kw)


def _headers(api_key: str) -> dict[str, str]:
    return {"ApiKey": api_key, "Accept": "application/json; version=1", "User-Agent": "isoill-illiad"}


class _Calls:
    """The Web Platform operations as Calls, shared by both clients."""

    @staticmethod
    def get_transaction(number: int) -> Call:
        return Call("GET", f"/Transaction/{_seg(number)}")

    @staticmethod
    def add_note(number: int, note: str, note_type: str) -> Call:
        return Call("POST", f"/Transaction/{_seg(number)}/notes", {"Note": note, "NoteType": note_type})

    @staticmethod
    def route(number: int, status: str) -> Call:
        return Call("PUT", f"/Transaction/{_seg(number)}/route", {"Status": status})

    @staticmethod
    def get_user(username: str) -> Call:
        return Call("GET", f"/Users/{_seg(username)}")

    @staticmethod
    def get_user_by_external_id(external_id: str) -> Call:
        return Call("GET", f"/Users/ExternalUserID/{_seg(external_id)}")

    @staticmethod
    def create_user(user: User | dict[str, Any]) -> Call:
        return Call("POST", "/Users", user.to_json() if isinstance(user, User) else dict(user))


class ILLiadClient:
    """Blocking client: `ILLiadClient(url, api_key)`; a `transport` (httpx) can stand in for the network."""

    def __init__(self, url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.BaseTransport | None = None):
        self.url = base_url(url)
        self._http = httpx.Client(base_url=self.url, headers=_headers(api_key), timeout=timeout,
                                  transport=transport)

    def __enter__(self) -> ILLiadClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, call: Call) -> Any:
        """Send one Call; the answer's JSON or a typed error."""
        try:
            response = self._http.request(call.method, call.path, json=call.body)
        except httpx.TransportError as exc:
            raise ILLiadConnectionError(f"cannot reach the ILLiad Web Platform at {self.url}: {exc}") from None
        return answer(response.status_code, response.content, method=call.method, url=str(response.url))

    def create_transaction(self, transaction: Transaction | dict[str, Any]) -> Transaction:
        """`POST /Transaction`: the created transaction (with its TransactionNumber)."""
        return Transaction.from_json(self.call(create_transaction_call(transaction)))

    def get_transaction(self, number: int) -> Transaction:
        return Transaction.from_json(self.call(_Calls.get_transaction(number)))

    def add_note(self, number: int, note: str, note_type: str = "Staff") -> Note:
        return Note.from_json(self.call(_Calls.add_note(number, note, note_type)) or {})

    def route(self, number: int, status: str) -> Transaction:
        """Move a transaction to the queue `status`."""
        return Transaction.from_json(self.call(_Calls.route(number, status)))

    def get_user(self, username: str) -> User:
        return User.from_json(self.call(_Calls.get_user(username)))

    def get_user_by_external_id(self, external_id: str) -> User:
        return User.from_json(self.call(_Calls.get_user_by_external_id(external_id)))

    def create_user(self, user: User | dict[str, Any]) -> User:
        return User.from_json(self.call(_Calls.create_user(user)))


class AsyncILLiadClient:
    """The same operations for asyncio: `async with AsyncILLiadClient(url, api_key) as c: await c.get_user(..)`."""

    def __init__(self, url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.url = base_url(url)
        self._http = httpx.AsyncClient(base_url=self.url, headers=_headers(api_key), timeout=timeout,
                                       transport=transport)

    async def __aenter__(self) -> AsyncILLiadClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, call: Call) -> Any:
        try:
            response = await self._http.request(call.method, call.path, json=call.body)
        except httpx.TransportError as exc:
            raise ILLiadConnectionError(f"cannot reach the ILLiad Web Platform at {self.url}: {exc}") from None
        return answer(response.status_code, response.content, method=call.method, url=str(response.url))

    async def create_transaction(self, transaction: Transaction | dict[str, Any]) -> Transaction:
        return Transaction.from_json(await self.call(create_transaction_call(transaction)))

    async def get_transaction(self, number: int) -> Transaction:
        return Transaction.from_json(await self.call(_Calls.get_transaction(number)))

    async def add_note(self, number: int, note: str, note_type: str = "Staff") -> Note:
        return Note.from_json(await self.call(_Calls.add_note(number, note, note_type)) or {})

    async def route(self, number: int, status: str) -> Transaction:
        return Transaction.from_json(await self.call(_Calls.route(number, status)))

    async def get_user(self, username: str) -> User:
        return User.from_json(await self.call(_Calls.get_user(username)))

    async def get_user_by_external_id(self, external_id: str) -> User:
        return User.from_json(await self.call(_Calls.get_user_by_external_id(external_id)))

    async def create_user(self, user: User | dict[str, Any]) -> User:
        return User.from_json(await self.call(_Calls.create_user(user)))
