"""The Libris client against the FAKE Libris on loopback (and httpx mock transports for broken answers)."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from import_helpers import FIRST_DAY, KEY

from illcore.importer import SourceRefused, SourceUnavailable
from illnode.testing.fake_libris import FakeLibris, FakeLibrisServer
from libris import (
    LibrisClient,
    LibrisFormatError,
    LibrisHTTPError,
    LibrisUnavailable,
    LibrisUpdateRejected,
    Response,
)


def test_outgoing_by_date_window(client: LibrisClient, fake: FakeLibris) -> None:
    got = client.outgoing(FIRST_DAY + dt.timedelta(days=1), FIRST_DAY + dt.timedelta(days=2))
    expected = sorted(lf for lf, r in fake.requests.items()
                      if FIRST_DAY + dt.timedelta(days=1) <= r.created <= FIRST_DAY + dt.timedelta(days=2))
    assert got.count == len(expected) == 10
    assert sorted(r.lf_number for r in got.requests) == expected


def test_one_request_has_every_field_read(client: LibrisClient, fake: FakeLibris) -> None:
    req = client.request("700002")
    raw = fake.requests["700002"].json
    assert req.raw == raw
    assert (req.title, req.media_type, req.isbn_issn, req.title_of_article) == (
        raw["title"], "Kopia", "0028-0836", raw["title_of_article"])
    assert req.receiving_library is not None and req.receiving_library.library_code == "Abc"
    assert [r.library_code for r in req.recipients] == [r["library_code"] for r in raw["recipients"]]
    assert req.recipients[0].is_active_library == "1"  # a JSON number, kept as text
    assert req.end_user is not None and req.end_user.library_card == raw["end_user"]["library_card"]


def test_api_key_header_and_wrong_key(server: FakeLibrisServer) -> None:
    with LibrisClient("Abc", "wrong", base_url=server.url) as c, pytest.raises(LibrisHTTPError) as info:
        c.request("700000")
    assert info.value.status == 401 and isinstance(info.value, SourceRefused)


def test_another_librarys_request_is_not_found(server: FakeLibrisServer) -> None:
    with LibrisClient("Other", "k2", base_url=server.url) as c, pytest.raises(LibrisFormatError, match="700000"):
        c.request("700000")


def test_libraries_lookup(client: LibrisClient) -> None:
    libs = client.libraries(["Gbg", "U", "Nope"])
    assert [(x.library_code, x.name) for x in libs] == [("Gbg", "Göteborgs UB"), ("U", "Uppsala UB")]
    assert libs[0].zip_code == "40530"
    assert client.libraries([]) == ()


def test_update_uses_last_modified_as_lock(client: LibrisClient, fake: FakeLibris) -> None:
    before = client.request("700000").last_modified
    assert before is not None
    result = client.respond("700000", Response.UTLANAD, before, note="via test")
    assert result.success and result.requests[0].last_modified != before
    assert fake.posts[-1] == {"lf_number": "700000", "action": "response", "timestamp": before,
                              "response_id": "1", "added_response": "via test"}
    assert fake.requests["700000"].json["recipients"][0]["response"] == "Utlånad via test"
    with pytest.raises(LibrisUpdateRejected, match="timestamp"):  # the old timestamp is stale now
        client.mark_read("700000", before)
    assert client.mark_read("700000", result.requests[0].last_modified or "").success


def test_unreachable_server_is_unavailable() -> None:
    with LibrisClient("Abc", KEY, base_url="http://127.0.0.1:1/api", timeout=2) as c:
        with pytest.raises(LibrisUnavailable) as info:
            c.outgoing(FIRST_DAY, FIRST_DAY)
    assert isinstance(info.value, SourceUnavailable)


def _mock(body: bytes, status: int = 200) -> LibrisClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    return LibrisClient("Abc", KEY, base_url="http://libris.test/api", transport=transport)


@pytest.mark.parametrize(("doc", "path", "what"), [
    ({"count": 1, "ill_requests": [{"lf_number": "1", "recipients": {"library_code": "X"}}]},
     "ill_requests[0].recipients", "expected a list"),
    ({"count": 1, "ill_requests": [{"lf_number": "1", "end_user": {"email": ["a"]}}]},
     "ill_requests[0].end_user.email", "expected a text"),
    ({"count": 1, "ill_requests": [{"title": "no number"}]}, "ill_requests[0].lf_number", "without lf_number"),
    ({"count": 3, "ill_requests": [{"lf_number": "1"}]}, "count", "count says 3"),
    ({"count": 0}, "ill_requests", "no ill_requests"),
    ({"error": "API-nyckel saknas"}, "error", "API-nyckel saknas"),
])
def test_malformed_answers_name_the_member(doc: object, path: str, what: str) -> None:
    with _mock(json.dumps(doc).encode()) as c, pytest.raises(LibrisFormatError, match=what) as info:
        c.outgoing(FIRST_DAY, FIRST_DAY)
    assert info.value.path == path


def test_not_json_and_http_errors() -> None:
    with _mock(b"<html>") as c, pytest.raises(LibrisFormatError, match="not JSON"):
        c.outgoing(FIRST_DAY, FIRST_DAY)
    with _mock(b"down", 503) as c, pytest.raises(LibrisHTTPError, match="503"):
        c.outgoing(FIRST_DAY, FIRST_DAY)


def test_unknown_mode_and_sigil_quoting() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        assert request.headers["api-key"] == KEY
        return httpx.Response(200, json={"count": 0, "ill_requests": []})

    with LibrisClient("Å b", KEY, base_url="http://libris.test/api/", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(ValueError, match="unknown Libris list mode"):
            c.requests("everything")
        c.requests("recent")
    assert seen == ["http://libris.test/api/illrequests/%C3%85%20b/recent"]
