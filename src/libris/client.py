"""An httpx client of the Libris ILL API (``.../librisfjarrlan/api``): list, fetch and update requests, look up
libraries. The only module of the package with sockets; answers are read by `libris.model`.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import httpx

from .errors import LibrisFormatError, LibrisHTTPError, LibrisUnavailable, LibrisUpdateRejected
from .model import (
    Library,
    LibrisRequest,
    RequestList,
    Response,
    UpdateResult,
    read_libraries,
    read_request_list,
    read_update,
)

__all__ = ["DEFAULT_BASE_URL", "LibrisClient"]

DEFAULT_BASE_URL = "https://iller.libris.kb.se/librisfjarrlan/api"
# Modes the clients use without a date window; outgoing and incoming_archive take start_date/end_date.
LIST_MODES = ("recent", "incoming", "may_reserve", "notfullfilled", "delivered", "outgoing", "incoming_archive")


class LibrisClient:
    """The Libris ILL API for one library sigil (`library`), authenticated by its `api_key` (``api-key`` header).

    `transport` lets tests and embedders route through their own httpx transport. Failures raise
    `LibrisUnavailable` (cannot reach the server), `LibrisHTTPError` (non-2xx), `LibrisFormatError` (not the
    documented JSON) or `LibrisUpdateRejected` (an update answered with ``update_success`` false).
    """

    def __init__(self, library: str, api_key: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        if not library:
            raise ValueError("a Libris library sigil is required")
        self.library = library
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(headers={"api-key": api_key, "accept": "application/json"}, timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LibrisClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ---------------------------------------------------------------------------------------

    def requests(self, mode: str, *, start: _dt.date | None = None, end: _dt.date | None = None) -> RequestList:
        """``GET illrequests/{library}/{mode}``, with ``start_date``/``end_date`` (inclusive days) when given."""
        if mode not in LIST_MODES:
            raise ValueError(f"unknown Libris list mode {mode!r} (one of {', '.join(LIST_MODES)})")
        params = {}
        if start is not None:
            params["start_date"] = start.isoformat()
        if end is not None:
            params["end_date"] = end.isoformat()
        return read_request_list(self._get(self._path("illrequests", mode), params))

    def outgoing(self, start: _dt.date, end: _dt.date) -> RequestList:
        """This library's borrowing requests between two days (both included)."""
        return self.requests("outgoing", start=start, end=end)

    def request(self, lf_number: str) -> LibrisRequest:
        """``GET illrequests/{library}/{lf_number}``: one request (a format error when the answer holds none)."""
        found = read_request_list(self._get(self._path("illrequests", lf_number), {})).requests
        if len(found) != 1 or found[0].lf_number != lf_number:
            raise LibrisFormatError(f"asked for {lf_number}, got {[r.lf_number for r in found]}", "ill_requests")
        return found[0]

    def libraries(self, codes: Iterable[str]) -> tuple[Library, ...]:
        """``GET libraries/{library}/{code,code,...}``: name and address of other libraries."""
        joined = ",".join(codes)
        if not joined:
            return ()
        return read_libraries(self._get(self._path("libraries", joined), {}))

    # --- writing ---------------------------------------------------------------------------------------

    def update(self, lf_number: str, action: str, timestamp: str, **fields: str) -> UpdateResult:
        """POST ``action=...&timestamp=...`` (form) to a request. `timestamp` must be the request's current
        ``last_modified``: Libris uses it as an optimistic lock. Raises `LibrisUpdateRejected` on refusal."""
        form = {"action": action, "timestamp": timestamp, **fields}
        try:
            answer = self._http.post(self._path("illrequests", lf_number), data=form)
        except httpx.TransportError as exc:
            raise LibrisUnavailable(f"cannot reach Libris at {self.base_url}: {exc}") from exc
        result = read_update(self._json(answer))
        if not result.success:
            raise LibrisUpdateRejected(lf_number, action, result.message)
        return result

    def respond(self, lf_number: str, response: Response, timestamp: str, *, note: str = "",
                may_reserve: bool | None = None) -> UpdateResult:
        """``action=response`` with a `Response` id and an optional ``added_response`` text."""
        fields = {"response_id": str(int(response)), "added_response": note}
        if may_reserve is not None:
            fields["may_reserve"] = "1" if may_reserve else "0"
        return self.update(lf_number, "response", timestamp, **fields)

    def mark_read(self, lf_number: str, timestamp: str) -> UpdateResult:
        """``action=read``."""
        return self.update(lf_number, "read", timestamp)

    # --- plumbing --------------------------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join([self.base_url, parts[0], quote(self.library, safe=""),
                         *(quote(p, safe=",") for p in parts[1:])])

    def _get(self, url: str, params: dict[str, str]) -> Any:
        try:
            answer = self._http.get(url, params=params)
        except httpx.TransportError as exc:
            raise LibrisUnavailable(f"cannot reach Libris at {self.base_url}: {exc}") from exc
        return self._json(answer)

    @staticmethod
    def _json(answer: httpx.Response) -> Any:
        if not answer.is_success:
            raise LibrisHTTPError(answer.status_code, str(answer.request.url), answer.text)
        try:
            return json.loads(answer.content)
        except ValueError as exc:
            raise LibrisFormatError(f"the answer is not JSON: {exc}") from None
