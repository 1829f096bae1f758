"""ISO 18626 over HTTP through a real hypercorn server on loopback (HTTP/1.1 and HTTP/2 prior knowledge):
status codes, confirmations, limits, handler failures; and the httpx client's error kinds."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

import iso18626
from iso18626 import http
from iso18626.http import _app as http_app

SHARED = Path(os.environ.get("ISOILL_SHARED", Path(__file__).resolve().parents[3] / "shared"))
SAMPLES = SHARED / "samples" / "iso18626" / "oclc"
OFFICIAL_XSD = SHARED / "reference" / "iso18626" / "ISO-18626-v1_2.xsd"
XML = {"content-type": "application/xml"}


def sample(name: str) -> bytes:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip("../shared samples not available")
    return path.read_bytes()


def request_samples() -> list[str]:
    if not SAMPLES.is_dir():
        return []
    names = []
    for p in sorted(SAMPLES.glob("*.xml")):
        try:
            if isinstance(iso18626.parse(p.read_bytes()), iso18626.Request):
                names.append(p.name)
        except iso18626.ValidationError:
            pass
    return names


class Server:
    """hypercorn running `http.serve` in a thread with its own event loop. `on_ready(port)` runs inside
    `serve`'s `ready` callback, on the server's loop; `options` go to `serve`."""

    def __init__(self, app: http.ISO18626App | None = None, *,
                 on_ready: Callable[[int], None] | None = None, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.port = 0
        self.ready = threading.Event()
        self.on_ready = on_ready
        self.options = options
        self.thread = threading.Thread(target=self._run, args=(app,), daemon=True)

    def _run(self, app: http.ISO18626App | None) -> None:
        asyncio.set_event_loop(self.loop)

        def ready(port: int) -> None:
            self.port = port
            try:
                if self.on_ready is not None:
                    self.on_ready(port)
            finally:  # a failing on_ready fails the test's own assertions, not the start-up wait
                self.ready.set()

        self.loop.run_until_complete(http.serve(host="127.0.0.1", port=0, app=app, ready=ready,
                                                shutdown=self.stop, **self.options))
        self.loop.close()

    def __enter__(self) -> Server:
        self.thread.start()
        assert self.ready.wait(20), "server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(20)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as s:
        yield s


class VersionedClient(httpx.Client):
    """An httpx client speaking only one HTTP version (HTTP/2 with prior knowledge on http://)."""

    def __init__(self, version: str) -> None:
        self.expected_version = f"HTTP/{version}"
        super().__init__(http1=version == "1.1", http2=version == "2", timeout=30)


@pytest.fixture(params=["1.1", "2"])
def client(request: pytest.FixtureRequest) -> Iterator[VersionedClient]:
    with VersionedClient(request.param) as c:
        yield c


def official_schema() -> etree.XMLSchema | None:
    return etree.XMLSchema(etree.parse(str(OFFICIAL_XSD))) if OFFICIAL_XSD.is_file() else None


def check_ok_confirmation(response: httpx.Response, request_body: bytes, kind: type) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    confirmation = iso18626.parse(response.content)  # strict: valid against the project's XSD
    assert isinstance(confirmation, kind)
    assert confirmation.confirmation_header.message_status == iso18626.MessageStatus.OK
    sent = iso18626.parse(request_body, strict=False)
    assert confirmation.confirmation_header.requesting_agency_request_id == sent.header.requesting_agency_request_id
    schema = official_schema()
    if schema is not None:
        assert schema.validate(etree.fromstring(response.content)), schema.error_log
    return confirmation


@pytest.mark.parametrize("name", request_samples() or ["NewRequest.xml"])
def test_real_requests_get_ok_confirmations(server: Server, client: VersionedClient, name: str) -> None:
    body = sample(name)
    response = client.post(server.url, content=body, headers=XML)
    assert response.http_version == client.expected_version
    check_ok_confirmation(response, body, iso18626.RequestConfirmation)


def test_text_xml_with_any_charset_is_accepted(server: Server, client: httpx.Client) -> None:
    body = sample("NewRequest.xml")
    for ctype in ("text/xml", "application/xml; charset=UTF-8", 'application/XML;charset="utf-8"'):
        response = client.post(server.url, content=body, headers={"content-type": ctype})
        check_ok_confirmation(response, body, iso18626.RequestConfirmation)


def test_messages_after_the_request_go_through_the_supplier_machine(server: Server,
                                                                    client: VersionedClient) -> None:
    import attrs

    request = iso18626.parse(sample("NewRequest.xml"))
    rid = f"machine-{client.expected_version}"
    header = attrs.evolve(request.header, requesting_agency_request_id=rid)
    body = iso18626.serialize(attrs.evolve(request, header=header))
    check_ok_confirmation(client.post(server.url, content=body, headers=XML), body, iso18626.RequestConfirmation)

    def message_about_it(name: str) -> Any:
        message = iso18626.parse(sample(name), strict=False)
        h = attrs.evolve(message.header, requesting_agency_id=request.header.requesting_agency_id,
                         requesting_agency_request_id=rid)
        return attrs.evolve(message, header=h)

    # A requesting agency may cancel a request the supplier has not answered: OK, with the action echoed.
    cancel = message_about_it("RequestingAgencyMessageCancel.xml")
    cancel_body = iso18626.serialize(cancel)
    conf = check_ok_confirmation(client.post(server.url, content=cancel_body, headers=XML), cancel_body,
                                 iso18626.RequestingAgencyMessageConfirmation)
    assert conf.action == cancel.action
    # It may not say it received an item nobody shipped: the machine refuses, with its errorType.
    received = iso18626.serialize(message_about_it("RequestingAgencyMessageReceived.xml"))
    refused = iso18626.parse(client.post(server.url, content=received, headers=XML).content)
    assert refused.confirmation_header.message_status == iso18626.MessageStatus.ERROR
    assert refused.error_data[0].error_type in (iso18626.ErrorType.UNSUPPORTED_ACTION_TYPE,
                                                iso18626.ErrorType.UNRECOGNISED_DATA_VALUE)


def test_message_about_unknown_request_gets_error(server: Server, client: httpx.Client) -> None:
    body = sample("RequestingAgencyMessageReturned.xml")
    response = client.post(server.url, content=body.replace(b"168134581", b"no-such-request-42"), headers=XML)
    assert response.status_code == 200
    conf = iso18626.parse(response.content)
    assert conf.confirmation_header.message_status == iso18626.MessageStatus.ERROR
    assert conf.error_data[0].error_type == iso18626.ErrorType.UNRECOGNISED_DATA_VALUE


def test_get_is_405(server: Server, client: httpx.Client) -> None:
    response = client.get(server.url)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_wrong_content_type_is_415(server: Server, client: httpx.Client) -> None:
    body = sample("NewRequest.xml")
    for ctype in ("text/plain", "application/json", None):
        headers = {"content-type": ctype} if ctype else {}
        assert client.post(server.url, content=body, headers=headers).status_code == 415


def test_30_mb_body_is_413_and_server_keeps_serving(server: Server, client: httpx.Client) -> None:
    response = client.post(server.url, content=b"<" + b"a" * (30 * 1024 * 1024), headers=XML)
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        for _ in range(40):
            yield b" " * 100_000

    assert client.post(server.url, content=chunks(), headers=XML).status_code == 413
    body = sample("NewRequest.xml")
    check_ok_confirmation(client.post(server.url, content=body, headers=XML), body, iso18626.RequestConfirmation)


@pytest.mark.parametrize("junk", [b"<unclosed", b"not xml at all", b"<?xml version='1.0'?><other/>", b""])
def test_malformed_xml_is_400_with_badly_formed_message(server: Server, client: httpx.Client,
                                                         junk: bytes) -> None:
    response = client.post(server.url, content=junk, headers=XML)
    assert response.status_code == 400
    conf = iso18626.parse(response.content)
    assert conf.confirmation_header.message_status == iso18626.MessageStatus.ERROR
    assert conf.error_data[0].error_type == iso18626.ErrorType.BADLY_FORMED_MESSAGE


def test_schema_invalid_request_is_200_error_echoing_ids(server: Server, client: httpx.Client) -> None:
    body = sample("NewRequest.xml")
    root = etree.fromstring(body)
    ns = root.nsmap[root.prefix]
    bib = root.find(f".//{{{ns}}}bibliographicInfo")
    assert bib is not None
    etree.SubElement(bib, f"{{{ns}}}bogus").text = "1"  # an element the schema does not allow
    broken = etree.tostring(root)
    response = client.post(server.url, content=broken, headers=XML)
    assert response.status_code == 200
    conf = iso18626.parse(response.content)
    assert isinstance(conf, iso18626.RequestConfirmation)
    assert conf.confirmation_header.message_status == iso18626.MessageStatus.ERROR
    assert conf.confirmation_header.requesting_agency_request_id == "168166854"


def test_posted_confirmation_is_400(server: Server, client: httpx.Client) -> None:
    response = client.post(server.url, content=sample("RequestConfirmationSample1.xml"), headers=XML)
    assert response.status_code == 400


def test_handler_exception_is_500_error_confirmation_logged_and_served_after(
        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    async def flaky(message: Any) -> http.HandlerResult:
        calls.append(type(message).__name__)
        if len(calls) == 1:
            raise RuntimeError("bug")
        return None

    body = sample("NewRequest.xml")
    with caplog.at_level(logging.ERROR, logger="iso18626.http"), Server(http.ISO18626App(flaky)) as srv, \
            httpx.Client(timeout=30) as c:
        first = c.post(srv.url, content=body, headers=XML)
        second = c.post(srv.url, content=body, headers=XML)
    assert first.status_code == 500
    assert iso18626.parse(first.content).confirmation_header.message_status == iso18626.MessageStatus.ERROR
    check_ok_confirmation(second, body, iso18626.RequestConfirmation)
    assert any("handler failed" in r.getMessage() and r.exc_info for r in caplog.records)


# --- parsing off the event loop (large bodies) -------------------------------------------------------------

def large_lenient_request(extras: int = 2000) -> bytes:
    """NewRequest.xml with `extras` unknown elements with attributes (each a repair in lenient mode): about
    36 kB for 2000, above `DEFAULT_INLINE_PARSE_LIMIT`, and the costliest shape per octet to read."""
    body = sample("NewRequest.xml")
    at = body.index(b"</ns1:bibliographicInfo>")
    unknown = b"".join(b'<x%d a="1" b="2">t</x%d>' % (i, i) for i in range(extras))
    return body[:at] + unknown + body[at:]


def test_large_body_is_parsed_in_a_thread_while_the_loop_serves_a_small_request(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = http.ISO18626App(strict=False)
    large, small = large_lenient_request(), sample("NewRequest.xml")
    assert len(small) <= app.inline_parse_limit < len(large)
    real_read = http_app.read
    parsing, small_answered = threading.Event(), threading.Event()
    seen: list[tuple[str, bool]] = []  # (body, parsed on the server's loop thread)

    def read(data: bytes, **options: Any) -> Any:
        on_loop = threading.current_thread() is srv.thread
        seen.append(("large" if data == large else "small", on_loop))
        if data == large:
            parsing.set()
            # Hold this parse until the small request has been answered. On the loop thread this would block
            # the small request: the wait would run out (a safety bound, not a measurement) and the assertion
            # below fail.
            seen.append(("small answered during the large parse", small_answered.wait(30)))
        return real_read(data, **options)

    monkeypatch.setattr(http_app, "read", read)
    large_response: list[httpx.Response] = []
    with Server(app) as srv, httpx.Client(timeout=60) as c:
        sender = threading.Thread(target=lambda: large_response.append(c.post(srv.url, content=large,
                                                                                headers=XML)))
        sender.start()
        assert parsing.wait(30), "the large body was not parsed"
        check_ok_confirmation(c.post(srv.url, content=small, headers=XML), small, iso18626.RequestConfirmation)
        small_answered.set()
        sender.join(60)
    assert seen == [("large", False), ("small", True), ("small answered during the large parse", True)]
    assert large_response[0].status_code == 200
    confirmation = iso18626.parse(large_response[0].content)
    assert confirmation.confirmation_header.message_status == iso18626.MessageStatus.OK
    assert confirmation.confirmation_header.requesting_agency_request_id == "168166854"


async def asgi_post(app: http.ISO18626App, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One POST straight through the ASGI interface: status, headers, body."""
    events = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[Any] = []

    async def receive() -> Any:
        return events.pop(0) if events else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "client": ("127.0.0.1", 1),
             "headers": [(b"content-type", b"application/xml"), (b"content-length", str(len(body)).encode())]}
    await app(scope, receive, send)
    return sent[0]["status"], sent[0]["headers"], sent[1]["body"]


def test_outcome_is_the_same_whether_parsed_inline_or_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import datetime, timezone

    monkeypatch.setattr(http_app, "_now", lambda: datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    real_read = http_app.read
    threads: list[bool] = []  # was this parse off the main thread?
    monkeypatch.setattr(http_app, "read", lambda data, **options: (
        threads.append(threading.current_thread() is not threading.main_thread()), real_read(data, **options))[1])
    large = large_lenient_request()
    bodies = [
        sample("NewRequest.xml"),
        large,  # lenient: OK, unknown elements kept; strict: 200 ERROR UnrecognisedDataElement
        large.replace(b"168166854", b"boom"),  # the handler raises: 500
        large_lenient_request(10_001),  # over the element limit: BadlyFormedMessage
        large[:-200],  # not well-formed: 400
        b"<" + b"a" * 100_000,  # not XML
        sample("RequestConfirmationSample1.xml").replace(b"</ns1:confirmationHeader>",  # a confirmation: 400
                                                         b"<x>" + b"y" * 20_000 + b"</x></ns1:confirmationHeader>"),
    ]

    def outcomes(strict: bool, inline_parse_limit: int) -> tuple[list[Any], list[Any]]:
        calls: list[Any] = []

        async def handler(message: Any) -> http.HandlerResult:
            calls.append(message)
            if message.header.requesting_agency_request_id == "boom":
                raise RuntimeError("application bug")
            return None

        app = http.ISO18626App(handler, strict=strict, inline_parse_limit=inline_parse_limit)

        async def go() -> list[Any]:
            return [await asgi_post(app, body) for body in bodies]

        return asyncio.run(go()), calls

    for strict in (True, False):
        threads.clear()
        inline = outcomes(strict, 2 * http.DEFAULT_MAX_BODY)
        assert threads == [False] * len(bodies)
        threads.clear()
        in_thread = outcomes(strict, 0)
        assert threads == [True] * len(bodies)
        assert in_thread == inline
        statuses = [status for status, _, _ in inline[0]]
        assert statuses == ([200, 200, 200, 400, 400, 400, 400] if strict else [200, 200, 500, 400, 400, 400, 400])
        assert len(inline[1]) == (1 if strict else 3)


# --- serve: listening before `ready`, backlog -------------------------------------------------------------

def test_ready_port_accepts_a_connection_at_once() -> None:
    # Connect inside `ready`, without retrying, on many fresh servers: never refused, and hypercorn serves the
    # connection made before its accept loop ran.
    from http.client import HTTPConnection

    body = sample("NewRequest.xml")
    early: list[socket.socket] = []

    def connect(port: int) -> None:
        early.append(socket.create_connection(("127.0.0.1", port), timeout=30))

    for attempt in range(25):
        with Server(on_ready=connect) as srv:
            assert len(early) == attempt + 1
            conn = HTTPConnection("127.0.0.1", srv.port, timeout=30)
            conn.sock = early[-1]
            conn.request("POST", "/", body=body, headers=XML)
            response = conn.getresponse()
            assert response.status == 200
            assert iso18626.parse(response.read()).confirmation_header.message_status == iso18626.MessageStatus.OK
            conn.close()


def test_serve_listens_with_its_backlog() -> None:
    # Inside `ready` the server's loop is busy, so nothing is accepted yet: every connection has to wait in the
    # kernel's listen queue. 300 fit with backlog=300 (hypercorn's own 100 would leave the 102nd hanging until
    # the safety timeout fails it).
    backlog = 300
    somaxconn = Path("/proc/sys/net/core/somaxconn")
    if not somaxconn.is_file() or int(somaxconn.read_text()) < backlog:
        pytest.skip("needs Linux with net.core.somaxconn of at least 300 (the kernel caps the backlog)")
    queued: list[socket.socket] = []

    def fill_the_queue(port: int) -> None:
        for _ in range(backlog):
            queued.append(socket.create_connection(("127.0.0.1", port), timeout=10))

    try:
        with Server(on_ready=fill_the_queue, backlog=backlog) as srv, httpx.Client(timeout=30) as c:
            assert len(queued) == backlog
            body = sample("NewRequest.xml")
            check_ok_confirmation(c.post(srv.url, content=body, headers=XML), body, iso18626.RequestConfirmation)
    finally:
        for sock in queued:
            sock.close()


# --- the client -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("h2", [False, True])
def test_client_ok_over_both_versions(server: Server, h2: bool) -> None:
    body = sample("NewRequest.xml")
    result = asyncio.run(http.post_message(server.url, body, http2=h2, timeout=30))
    assert result.http_version == ("HTTP/2" if h2 else "HTTP/1.1")
    assert result.confirmation.confirmation_header.message_status == iso18626.MessageStatus.OK


def test_client_transport_failure() -> None:
    async def go() -> None:
        srv = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        srv.close()
        await srv.wait_closed()
        with pytest.raises(http.TransportError):
            await http.post_message(f"http://127.0.0.1:{port}/", b"<x/>", timeout=5)

    asyncio.run(go())


def _mock(status: int, body: bytes, ctype: str = "application/xml") -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, content=body,
                                                              headers={"content-type": ctype}))


@pytest.mark.parametrize("status, body, kind", [
    (503, b"busy", "http-status"),
    (200, b"", "no-confirmation"),
    (200, b"<html>hello</html>", "no-confirmation"),
    (200, b"REQUEST", "no-confirmation"),  # a request echoed back is not a confirmation
    (200, b"ERROR", "error-confirmation"),
])
def test_client_peer_error_kinds(status: int, body: bytes, kind: str) -> None:
    if body == b"REQUEST":
        body = sample("NewRequest.xml")
    elif body == b"ERROR":
        body = sample("RequestConfirmationSampleError.xml")

    async def go() -> None:
        async with http.Client(transport=_mock(status, body)) as c:
            with pytest.raises(http.PeerError) as info:
                await c.send("http://peer.invalid/", b"<x/>")
        assert info.value.kind == kind
        assert info.value.status == status
        if kind == "error-confirmation":
            assert info.value.confirmation is not None

    asyncio.run(go())


def test_app_embeds_in_any_asgi_host() -> None:
    # The same application behind httpx's in-process ASGI transport (no server at all).
    body = sample("NewRequest.xml")

    async def go() -> None:
        async with http.Client(transport=httpx.ASGITransport(app=http.ISO18626App())) as c:
            result = await c.send("http://app/", body)
        assert result.confirmation.confirmation_header.requesting_agency_request_id == "168166854"

    asyncio.run(go())
