"""Fixtures for the ISO 18626 tests: the official XSDs from ../shared (tests that need them skip without)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

OFFICIAL = {"1.2": "ISO-18626-v1_2.xsd", "2021": "ISO-18626-2021-2.xsd"}


@pytest.fixture(scope="session")
def official(shared_dir: Path) -> dict[str, Any]:
    """version -> compiled official XSD (reference only, read in place)."""
    base = shared_dir / "reference" / "iso18626"
    if not base.is_dir():
        pytest.skip("official ISO 18626 XSDs not available")
    return {v: etree.XMLSchema(etree.parse(str(base / name))) for v, name in OFFICIAL.items()}


@pytest.fixture(scope="session")
def samples(shared_dir: Path) -> list[Path]:
    base = shared_dir / "samples" / "iso18626" / "oclc"
    files = sorted(base.glob("*.xml")) if base.is_dir() else []
    if not files:
        pytest.skip("ISO 18626 samples not available")
    return files
