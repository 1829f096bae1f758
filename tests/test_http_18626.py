"""ISO 18626 over HTTP through a real hypercorn server on loopback (HTTP/1.1 and HTTP/2 prior knowledge):
status codes, confirmations, limits, handler failures; and the httpx client's error kinds."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

import iso18626
from iso18626 import http

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
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
    """hypercorn running `http.serve` in a thread with its own event loop."""

    def __init__(self, app: http.ISO18626App | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.port = 0
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(app,), daemon=True)

    def _run(self, app: http.ISO18626App | None) -> None:
        asyncio.set_event_loop(self.loop)

        def ready(port: int) -> None:
            self.port = port
            self.ready.set()

        self.loop.run_until_complete(http.serve(host="127.0.0.1", port=0, app=app, ready=ready,
                                                shutdown=self.stop))

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
