"""A FAKE ILLiad Web Platform for tests: the documented endpoints, status codes and JSON shapes, in memory.

Built from docs/illiad.md (research 1.2-1.5), never from a real ILLiad; what the public sources leave open is
marked ASSUMED below. Use `.transport()` with the httpx clients or `.serve()` for a loopback URL (the CLI).
"""

from __future__ import annotations

import datetime as _dt
import http.server
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import attrs
import httpx

# Every key of a created transaction (the Princeton fixture's shape, research 1.3); unset ones answer null.
TRANSACTION_KEYS = (
    "TransactionNumber Username RequestType LoanAuthor LoanTitle LoanPublisher LoanPlace LoanDate LoanEdition "
    "PhotoJournalTitle PhotoJournalVolume PhotoJournalIssue PhotoJournalMonth PhotoJournalYear "
    "PhotoJournalInclusivePages PhotoArticleAuthor PhotoArticleTitle CitedIn CitedTitle CitedDate CitedVolume "
    "CitedPages NotWantedAfter AcceptNonEnglish AcceptAlternateEdition TransactionStatus TransactionDate ISSN "
    "ILLNumber ESPNumber LendingString LendingLibrary CallNumber Location ProcessType DocumentType Rush WantedBy "
    "SystemID ReferenceNumber SpecIns ItemInfo1 ItemInfo2 ItemInfo3 ItemInfo4 ItemInfo5 DeliveryMethod DOI "
    "PMID CreationDate ISOStatus ExternalRequest").split()
USER_KEYS = (
    "UserName ExternalUserId LastName FirstName SSN Status EMailAddress Phone Department NVTGC "
    "NotificationMethod DeliveryMethod LoanDeliveryMethod LastChangedDate Cleared Web Site AuthType "
    "UserInfo1 UserInfo2 UserInfo3 UserInfo4 UserInfo5").split()
INITIAL_STATUS = "Awaiting Request Processing"  # ASSUMED: ILLiad's usual first borrowing queue


@attrs.define
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any


class FakeILLiad:
    """An in-memory ILLiad Web Platform (FAKE). `api_key` is the WebPlatformConfig key it accepts.

    `quirky=True` answers as real responses do at their worst: a duplicated key (first null), extra keys,
    nulls. `fail_next(status, n)` makes the next n requests answer `status` (5xx to test retries).
    """

    def __init__(self, api_key: str = "ABC123", *, quirky: bool = False, first_number: int = 1000):
        self.api_key = api_key
        self.quirky = quirky
        self.users: dict[str, dict[str, Any]] = {}
        self.transactions: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self.requests: list[Recorded] = []
        self._next = first_number
        self._failures: list[int] = []
        self._lock = threading.Lock()

    def add_user(self, username: str, **fields: Any) -> dict[str, Any]:
        """Seed a user (fields by ILLiad key: ExternalUserId, EMailAddress, ...)."""
        user = dict.fromkeys(USER_KEYS)
        user.update({"UserName": username, "Cleared": "Yes", "NotificationMethod": "Electronic",
                     "DeliveryMethod": "Hold for Pickup", "AuthType": "Default"}, **fields)
        self.users[username.lower()] = user
        return user

    def fail_next(self, status: int, count: int = 1) -> None:
        self._failures += [status] * count

    # --- the HTTP surface --------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
        """One request -> (status, JSON bytes)."""
        with self._lock:
            try:
                data = json.loads(body) if body.strip() else None
            except ValueError:
                data = None
                malformed = True
            else:
                malformed = False
            self.requests.append(Recorded(method, path, {k.lower(): v for k, v in headers.items()}, data))
            if self._failures:
                return self._json(self._failures.pop(0), {"Message": "An error has occurred."})
            key = {k.lower(): v for k, v in headers.items()}.get("apikey")
            if key != self.api_key:
                return self._json(401, {"Message": "Authorization has been denied for this request."})
            if malformed:
                return self._json(400, {"Message": "The request is invalid.",
                                        "ModelState": {"model": ["The request body is not valid JSON."]}})
            return self._route(method.upper(), path, data)

    def _route(self, method: str, path: str, data: Any) -> tuple[int, bytes]:
        p = re.sub(r"^/ILLiadWebPlatform", "", path, flags=re.I).rstrip("/")
        lower = p.lower()
        m = re.fullmatch(r"/transaction/(\d+)(/notes|/route)?", lower)
        if method == "POST" and lower == "/transaction":
            return self._create_transaction(data)
        if m and method == "GET" and not m.group(2):
            return self._transaction(int(m.group(1)))
        if m and method == "POST" and m.group(2) == "/notes":
            return self._add_note(int(m.group(1)), data)
        if m and method == "PUT" and m.group(2) == "/route":
            return self._route_to(int(m.group(1)), data)
        if method == "GET" and lower.startswith("/users/externaluserid/"):
            ext = unquote(p.split("/", 3)[3])
            for user in self.users.values():
                if user.get("ExternalUserId") == ext:
                    return self._json(200, user)
            return self._json(404, {"Message": f"User with ExternalUserID {ext} was not found."})
        if method == "GET" and lower.startswith("/users/"):
            name = unquote(p.split("/", 2)[2])
            found = self.users.get(name.lower())
            if found is None:
                return self._json(404, {"Message": f"User {name} was not found."})
            return self._json(200, found)
        if method == "POST" and lower == "/users":
            return self._create_user(data)
        return self._json(404, {"Message": f"No HTTP resource was found that matches the request URI '{path}'."})

    def _create_transaction(self, data: Any) -> tuple[int, bytes]:
        if not isinstance(data, dict):
            return self._invalid({"model": ["A transaction object is required."]})
        errors: dict[str, list[str]] = {}
        username = data.get("Username") or data.get("UserName")
        if not username and data.get("ExternalUserId"):
            found = [u for u in self.users.values() if u.get("ExternalUserId") == data["ExternalUserId"]]
            username = found[0]["UserName"] if found else None
            if not found:  # ASSUMED: an unknown user is refused like a missing field
                errors["model.ExternalUserId"] = [f"User with ExternalUserId {data['ExternalUserId']} was not found."]
        elif not username:
            errors["model.Username"] = ["The Username field is required."]
        elif username.lower() not in self.users:  # ASSUMED (see above)
            errors["model.Username"] = [f"User {username} was not found."]
        if data.get("RequestType") not in ("Loan", "Article"):
            errors["model.RequestType"] = ["The RequestType field is required and must be Loan or Article."]
        if data.get("ProcessType", "Borrowing") not in ("Borrowing", "Lending", "Doc Del"):
            errors["model.ProcessType"] = [f"Invalid ProcessType {data.get('ProcessType')}."]
        if errors:
            return self._invalid(errors)
        number = self._next
        self._next += 1
        now = _dt.datetime(2026, 1, 1, 12, 0, 0).isoformat()  # fixed: the fake has no clock
        record = dict.fromkeys(TRANSACTION_KEYS)
        record.update({k: v for k, v in data.items() if k not in ("Username", "UserName")})
        record.update({"TransactionNumber": number, "Username": self.users[str(username).lower()]["UserName"],
                       "ProcessType": data.get("ProcessType", "Borrowing"), "SystemID": "OCLC",
                       "TransactionStatus": data.get("TransactionStatus") or INITIAL_STATUS,
                       "TransactionDate": now, "CreationDate": now})
        self.transactions[number] = record
        return self._json(200, record)

    def _transaction(self, number: int) -> tuple[int, bytes]:
        record = self.transactions.get(number)
        if record is None:
            return self._json(404, {"Message": f"Transaction {number} was not found."})
        return self._json(200, record)

    def _add_note(self, number: int, data: Any) -> tuple[int, bytes]:
        if number not in self.transactions or not isinstance(data, dict) or not data.get("Note"):
            return self._json(400, {"Message": f"An error occurred adding note to transaction {number}"})
        note = {"TransactionNumber": number, "Note": data["Note"], "NoteType": data.get("NoteType", "Staff"),
                "AddedBy": "WebPlatform", "NoteDate": "2026-01-01T12:00:00"}
        self.notes.setdefault(number, []).append(note)
        return self._json(200, note)

    def _route_to(self, number: int, data: Any) -> tuple[int, bytes]:
        record = self.transactions.get(number)
        if record is None:
            return self._json(404, {"Message": f"Transaction {number} was not found."})
        if not isinstance(data, dict) or not data.get("Status"):
            return self._invalid({"model.Status": ["The Status field is required."]})
        record["TransactionStatus"] = data["Status"]
        return self._json(200, record)

    def _create_user(self, data: Any) -> tuple[int, bytes]:
        if not isinstance(data, dict):
            return self._invalid({"model": ["A user object is required."]})
        name = data.get("Username") or data.get("UserName")
        if not name:
            return self._invalid({"model.UserName": ["The UserName field is required."]})
        if name.lower() in self.users:
            return self._invalid({"UserName": [f"Username {name} already exists."]})
        fields = {k: v for k, v in data.items() if k not in ("Username", "UserName", "EmailAddress",
                                                             "PlainTextPassword")}
        if "EmailAddress" in data:
            fields["EMailAddress"] = data["EmailAddress"]
        return self._json(200, self.add_user(name, **fields))

    def _invalid(self, state: dict[str, list[str]]) -> tuple[int, bytes]:
        return self._json(400, {"Message": "The request is invalid.", "ModelState": state})

    def _json(self, status: int, body: dict[str, Any]) -> tuple[int, bytes]:
        if not self.quirky or status != 200:
            return status, json.dumps(body).encode()
        # Real answers at their worst: the first key repeated (first null), an unknown key, explicit nulls.
        first = next(iter(body))
        pairs = [json.dumps(first) + ": null", '"WebPlatformVersion": "9.2.0.0"', '"Unused": null']
        pairs += [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in body.items()]
        return status, ("{" + ", ".join(pairs) + "}").encode()

    # --- adapters ----------------------------------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        """An httpx transport (sync and async clients) answering from this fake."""
        def handler(request: httpx.Request) -> httpx.Response:
            status, body = self.handle(request.method, unquote(request.url.raw_path.decode("ascii")).split("?")[0],
                                       dict(request.headers), request.read())
            return httpx.Response(status, content=body, headers={"Content-Type": "application/json"})
        return httpx.MockTransport(handler)

    @contextmanager
    def serve(self, host: str = "127.0.0.1") -> Iterator[str]:
        """Serve on a loopback port in a thread; yields the Web Platform URL (``http://127.0.0.1:N/ILLiadWebPlatform``)."""
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, out = fake.handle(self.command, unquote(self.path.split("?")[0]), dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        server = http.server.ThreadingHTTPServer((host, 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://{host}:{server.server_address[1]}/ILLiadWebPlatform"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
