"""Fixtures of the import tests: a FAKE Libris (30 requests by sigil Abc over six days) on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def pg_url_factory() -> Iterator[Any]:
    """New PostgreSQL databases for the import tests, from the store tests' scratch cluster (tests/store); skips
    (fails with ISOILL_REQUIRE_PG=1) as they do when no server can be had."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "store"))
    from pg_cluster import Cluster, find_bin, new_database

    def skip(what: str) -> None:
        if os.environ.get("ISOILL_REQUIRE_PG") == "1":
            pytest.fail(f"{what} is required in CI (ISOILL_REQUIRE_PG=1) but was not available")
        pytest.skip(f"{what} not available")

    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        skip("psycopg 3 and psycopg_pool (pip install 'isoill[postgres]')")
    given = os.environ.get("ISOILL_PG_URL")
    if given:
        yield lambda: new_database(given)
        return
    bindir = find_bin()
    if bindir is None:
        skip("PostgreSQL (initdb/pg_ctl; Debian package postgresql)")
    try:
        cluster = Cluster(bindir)
    except Exception as exc:
        skip(f"a scratch PostgreSQL cluster ({exc})")
        raise
    try:
        yield lambda: new_database(cluster.url())
    finally:
        cluster.destroy()
