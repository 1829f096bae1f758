"""Shared fixtures: where ../shared and the YAZ oracle are, and how their absence is reported."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ISOILL_SHARED", ROOT.parent / "shared"))
VECTORS = ROOT / "tests" / "vectors"


def _require_or_skip(what: str) -> None:
    # CI sets ISOILL_REQUIRE_YAZ=1 after installing YAZ: there a missing tool is a failure, not a skip.
    if os.environ.get("ISOILL_REQUIRE_YAZ") == "1":
        pytest.fail(f"{what} is required in CI (ISOILL_REQUIRE_YAZ=1) but was not found")
    pytest.skip(f"{what} not available")


def find_oracle() -> Path | None:
    candidates = [
        os.environ.get("ISOILL_YAZ_ORACLE"),
        str(ROOT / "build" / "yaz-ill-oracle" / "yaz-ill-oracle"),
        str(SHARED / "tools" / "yaz-ill-oracle" / "yaz-ill-oracle"),
    ]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return Path(c)
    return None


@pytest.fixture(scope="session")
def yaz_oracle() -> Path:
    path = find_oracle()
    if path is None:
        _require_or_skip("the YAZ oracle (make oracle, needs libyaz-dev)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def yaz_illclient() -> str:
    path = shutil.which("yaz-illclient")
    if path is None:
        _require_or_skip("yaz-illclient (Debian package yaz-illclient)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED
