"""A FAKE Libris ILL API (ASGI, for tests and trials on loopback), built from the field list public clients read
(../shared/samples/libris): list/fetch/update requests and look up libraries, with the api-key and timestamp checks.

Not Libris: which day ``start_date``/``end_date`` filter on is undocumented; the fake uses each request's creation
day, which it keeps beside the JSON. Run `python -m illnode.testing.fake_libris --requests 30` to try the CLI.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as _dt
import json
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, unquote

import attrs

from illcore.aio import answer_lifespan

__all__ = ["PREFIX", "FakeLibris", "FakeLibrisServer", "StoredRequest", "sample_requests"]

PREFIX = "/librisfjarrlan/api"
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
# the text of the recipient's response and the request status a response id leaves (fields.json value lists)
_RESPONSES = {1: ("Utlånad", "Levererad"), 2: ("Förkommen", "Negativt svar"), 3: ("Utlånas ej", "Negativt svar"),
              4: ("Finns ej", "Negativt svar"), 5: ("F n ej tillgänglig", "Negativt svar"),
              6: ("Ej anländ", "Uteliggande"), 7: ("Reserverad för er", "Reserverad"), 8: ("Övrigt", "Uteliggande"),
              9: ("Levererad", "Levererad")}


@attrs.define
class StoredRequest:
    """One request in the fake: the requesting sigil, the day it was placed (what the date window filters on),
    and its JSON element as the API returns it."""

    sigil: str
    created: _dt.date
    json: dict[str, Any]


class FakeLibris:
    """The fake's state and its ASGI application. `keys` maps a sigil to its api-key. Thread-safe: tests change
    requests (`touch`) while a server thread answers. `calls` counts the requests served, by path kind."""

    def __init__(self, keys: dict[str, str], requests: list[StoredRequest] | None = None,
                 libraries: dict[str, dict[str, Any]] | None = None) -> None:
        self.keys = dict(keys)
        self.requests: dict[str, StoredRequest] = {r.json["lf_number"]: r for r in requests or []}
        self.libraries = dict(libraries or {})
        self.calls: dict[str, int] = {}
        self.posts: list[dict[str, str]] = []
        #: seconds each answer waits (a slow server, for tests that interrupt a run)
        self.delay = 0.0
        self._clock = 0
        self._lock = threading.Lock()

    def add(self, request: StoredRequest) -> None:
        with self._lock:
            self.requests[request.json["lf_number"]] = request

    def touch(self, lf_number: str, **changes: Any) -> str:
        """Change a request as Libris staff or a lender would: new values, a new ``last_modified``."""
        with self._lock:
            rec = self.requests[lf_number].json
            rec.update(changes)
            rec["last_modified"] = self._next_timestamp(rec.get("last_modified"))
            return str(rec["last_modified"])

    def _next_timestamp(self, previous: Any) -> str:
        # strictly later than any timestamp it replaces, in Libris's "YYYY-MM-DD HH:MM:SS" shape
        self._clock += 1
        base = _dt.datetime(2026, 12, 1, 12, 0, 0) + _dt.timedelta(seconds=self._clock)
        if isinstance(previous, str):
            try:
                base = max(base, _dt.datetime.fromisoformat(previous) + _dt.timedelta(seconds=1))
            except ValueError:
                pass
        return base.strftime("%Y-%m-%d %H:%M:%S")

    # --- ASGI ------------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status, doc = self.answer(scope["method"], scope["path"], scope.get("query_string", b"").decode(),
                                  headers, body)
        payload = json.dumps(doc, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(payload)).encode())]})
        await send({"type": "http.response.body", "body": payload})

    def answer(self, method: str, path: str, query: str, headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, Any]]:
        """(status, JSON) for one HTTP request; no I/O, so tests can also call it directly."""
        if not path.startswith(PREFIX + "/"):
            return 404, {"error": "not found"}
        parts = [unquote(p) for p in path[len(PREFIX) + 1:].split("/")]
        if len(parts) != 3 or parts[0] not in ("illrequests", "libraries"):
            return 404, {"error": "not found"}
        kind, sigil, what = parts
        if sigil not in self.keys or headers.get("api-key") != self.keys[sigil]:
            return 401, {"error": "API-nyckel saknas eller är fel för sigel"}
        with self._lock:
            self.calls[f"{method} {kind}"] = self.calls.get(f"{method} {kind}", 0) + 1
            if kind == "libraries":
                found = [self.libraries[c] for c in what.split(",") if c in self.libraries]
                return 200, {"libraries": found}
            if method == "POST":
                return self._update(sigil, what, {k: v[-1] for k, v in parse_qs(body.decode()).items()})
            if what == "outgoing":
                return self._outgoing(sigil, {k: v[-1] for k, v in parse_qs(query).items()})
            stored = self.requests.get(what)
            found = [] if stored is None or stored.sigil != sigil else [json.loads(json.dumps(stored.json))]
            return 200, {"count": len(found), "ill_requests": found}

    def _outgoing(self, sigil: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        try:
            start = _dt.date.fromisoformat(params.get("start_date", "0001-01-01"))
            end = _dt.date.fromisoformat(params.get("end_date", "9999-12-31"))
        except ValueError as exc:
            return 400, {"error": f"bad date: {exc}"}
        found = [json.loads(json.dumps(r.json)) for r in sorted(self.requests.values(), key=lambda r: r.created)
                 if r.sigil == sigil and start <= r.created <= end]
        return 200, {"count": len(found), "ill_requests": found}

    def _update(self, sigil: str, lf: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.posts.append({"lf_number": lf, **form})
        stored = self.requests.get(lf)
        action = form.get("action", "")
        if stored is None or stored.sigil != sigil:
            return 200, {"update_action": action, "update_success": False, "update_message": "Okänd beställning",
                         "ill_requests": []}
        rec = stored.json
        if form.get("timestamp") != rec.get("last_modified"):
            return 200, {"update_action": action, "update_success": False,
                         "update_message": "Beställningen har ändrats (timestamp)", "ill_requests": [rec]}
        if action == "read":
            rec["status"] = "Läst"
        elif action == "response" and form.get("response_id", "").isdigit() and int(form["response_id"]) in _RESPONSES:
            text, status = _RESPONSES[int(form["response_id"])]
            rec["status"] = status
            for r in rec.get("recipients", []):
                if r.get("is_active_library") in (1, "1", True):
                    r["response"] = text + (f" {form['added_response']}" if form.get("added_response") else "")
                    r["response_date"] = rec["last_modified"][:10]
        else:
            return 200, {"update_action": action, "update_success": False,
                         "update_message": f"okänd action {action!r}", "ill_requests": [rec]}
        rec["last_modified"] = self._next_timestamp(rec.get("last_modified"))
        return 200, {"update_action": action, "update_success": True, "update_message": "OK",
                     "ill_requests": [json.loads(json.dumps(rec))]}


def sample_requests(n: int, *, sigil: str = "Abc", first_day: _dt.date = _dt.date(2026, 11, 1), days: int = 6,
                    lenders: tuple[str, ...] = ("Gbg", "U", "Li")) -> list[StoredRequest]:
    """`n` requests placed by `sigil` over `days` days from `first_day`: loans and copies, ISBNs and ISSNs,
    end users, receiving library, and recipients among `lenders`."""
    out = []
    for i in range(n):
        copy = i % 3 == 2
        rec: dict[str, Any] = {
            "lf_number": f"{700000 + i}", "request_id": f"{900000 + i}",
            "title": f"Tidskrift {i}" if copy else f"Bok nummer {i}", "author": f"Författare {i}",
            "imprint": "Stockholm : Norstedts", "place_of_publication": "Stockholm", "year": str(1990 + i % 30),
            "isbn_issn": "0028-0836" if copy else f"978-91-{1000 + i}-{i:03d}-{i % 10}",
            "bib_id": f"{12345 + i}", "media_type": "Kopia" if copy else "Lån",
            "status": "Uteliggande", "message": f"Meddelande {i}" if i % 4 == 0 else "",
            "last_modified": f"{first_day + _dt.timedelta(days=i % days)} 09:{i % 60:02d}:00",
            "requesting_library": sigil, "active_library": lenders[i % len(lenders)],
            "receiving_library": {"library_code": sigil, "name": "Exempelbiblioteket"},
            "recipients": [{"library_code": code, "library_id": str(100 + k), "location": "Huvudbiblioteket",
                            "response": "", "response_date": "", "is_active_library": 1 if k == 0 else 0}
                           for k, code in enumerate(lenders[i % len(lenders):] + lenders[:i % len(lenders)])],
            "end_user": {"first_name": "Anna", "last_name": f"Låntagare{i}", "email": f"anna{i}@example.org",
                         "library_card": f"2000{i:04d}", "user_id": f"u{i}"},
        }
        if copy:
            rec.update({"title_of_article": f"Artikel {i}", "author_of_article": f"Forskare {i}",
                        "volume_designation": f"{i}:2", "pages": "12-19"})
        out.append(StoredRequest(sigil, first_day + _dt.timedelta(days=i % days), rec))
    return out


class FakeLibrisServer:
    """`app` under hypercorn on 127.0.0.1 in a thread of its own (a context manager); `url` is the API base."""

    def __init__(self, app: FakeLibris, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self._sock.listen(128)  # listening before hypercorn starts: a client told the port is never refused
        self._sock.set_inheritable(True)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}{PREFIX}"
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, name="fake-libris", daemon=True)

    def _run(self) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"fd://{self._sock.detach()}"]
        config.accesslog = None
        config.errorlog = None
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(serve(self.app, config, shutdown_trigger=self._stop.wait))  # type: ignore[arg-type]
        self._loop.close()

    def __enter__(self) -> FakeLibrisServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


def _main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m illnode.testing.fake_libris",
                                description="Run a FAKE Libris ILL API on loopback with sample requests.")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--library", default="Abc")
    p.add_argument("--api-key", default="secret")
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--days", type=int, default=6, help="spread the requests over this many days")
    p.add_argument("--first-day", type=_dt.date.fromisoformat, default=_dt.date(2026, 11, 1))
    p.add_argument("--delay", type=float, default=0.0, help="seconds each answer waits")
    args = p.parse_args(argv)
    fake = FakeLibris({args.library: args.api_key}, sample_requests(args.requests, sigil=args.library,
                                                                     first_day=args.first_day, days=args.days))
    fake.delay = args.delay
    with FakeLibrisServer(fake, port=args.port) as server:
        print(server.url, flush=True)
        stop = threading.Event()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass



if __name__ == "__main__":
    _main()
