"""Fixtures of the import tests: a FAKE Libris (30 requests by sigil Abc over six days) on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from import_helpers import FIRST_DAY, KEY

from illnode.testing.fake_libris import FakeLibris, FakeLibrisServer, sample_requests
from libris import LibrisClient


@pytest.fixture
def fake() -> FakeLibris:
    return FakeLibris({"Abc": KEY, "Other": "k2"}, sample_requests(30, sigil="Abc", first_day=FIRST_DAY, days=6),
                      libraries={"Gbg": {"library_code": "Gbg", "library_id": "100", "name": "Göteborgs UB",
                                         "city": "Göteborg", "zip_code": "40530"},
                                 "U": {"library_code": "U", "library_id": "101", "name": "Uppsala UB"}})


@pytest.fixture
def server(fake: FakeLibris) -> Iterator[FakeLibrisServer]:
    with FakeLibrisServer(fake) as srv:
        yield srv


@pytest.fixture
def client(server: FakeLibrisServer) -> Iterator[LibrisClient]:
    with LibrisClient("Abc", KEY, base_url=server.url, timeout=5) as c:
        yield c
