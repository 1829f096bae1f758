"""Fixtures for the gateway tests: the official ISO 18626 XSDs (skip without them) and the YAZ oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

OFFICIAL_XSD = {"1.2": "ISO-18626-v1_2.xsd", "2021": "ISO-18626-2021-2.xsd"}


@pytest.fixture(scope="session")
def official_xsd(shared_dir: Path) -> dict[str, Any]:
    """version -> the compiled official ISO 18626 schema (read in place from ../shared/reference)."""
    base = shared_dir / "reference" / "iso18626"
    if not base.is_dir():
        pytest.skip("official ISO 18626 XSDs not available")
    return {v: etree.XMLSchema(etree.parse(str(base / name))) for v, name in OFFICIAL_XSD.items()}
