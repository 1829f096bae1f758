"""Fixtures for the store tests: a store URL per backend (memory, SQLite, PostgreSQL) and a scratch PostgreSQL
cluster. PostgreSQL tests skip with a reason when no server can be had, and fail instead when
ISOILL_REQUIRE_PG=1 (CI, after installing PostgreSQL)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from pg_cluster import Cluster, find_bin, new_database  # noqa: E402


def _require_or_skip(what: str) -> None:
    if os.environ.get("ISOILL_REQUIRE_PG") == "1":
        pytest.fail(f"{what} is required in CI (ISOILL_REQUIRE_PG=1) but was not available")
    pytest.skip(f"{what} not available")


class PG:
    """The PostgreSQL server the tests use: `new_url()` gives a fresh database; `cluster` is None when the
    server was given by ISOILL_PG_URL (then it cannot be stopped by the tests)."""

    def __init__(self, admin_url: str, cluster: Cluster | None) -> None:
        self.admin_url = admin_url
        self.cluster = cluster

    def new_url(self) -> str:
        return new_database(self.admin_url)


@pytest.fixture(scope="session")
def pg() -> Iterator[PG]:
    try:
        import psycopg  # noqa: F401
        import psycopg_pool  # noqa: F401
    except ImportError:
        _require_or_skip("psycopg 3 and psycopg_pool (pip install 'isoill[postgres]')")
    given = os.environ.get("ISOILL_PG_URL")
    if given:
        yield PG(given, None)
        return
    bindir = find_bin()
    if bindir is None:
        _require_or_skip("PostgreSQL (initdb/pg_ctl; Debian package postgresql)")
    assert bindir is not None
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _require_or_skip("a 'postgres' user to run the scratch cluster as (we are root)")
    try:
        cluster = Cluster(bindir)
    except Exception as exc:  # initdb or pg_ctl failed: say why
        _require_or_skip(f"a scratch PostgreSQL cluster ({exc})")
        raise
    try:
        yield PG(cluster.url(), cluster)
    finally:
        cluster.destroy()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_url(request: Any, tmp_path: Path) -> str:
    if request.param == "memory":
        return "memory:"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/isoill.db"
    pg: PG = request.getfixturevalue("pg")
    return pg.new_url()


@pytest.fixture(params=["sqlite", "postgresql"])
def durable_url(request: Any, tmp_path: Path) -> str:
    """A store URL for the backends that write to a database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/isoill.db"
    pg: PG = request.getfixturevalue("pg")
    return pg.new_url()
