"""Fixtures for the NCIP tests: the official 2.02 XSD and the real samples from ../shared (skip without)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree


@pytest.fixture(scope="session")
def official_ncip(shared_dir: Path) -> Any:
    """The official NCIP 2.02 schema, compiled (reference only, read in place)."""
    path = shared_dir / "reference" / "ncip" / "ncip_v2_02.xsd"
    if not path.is_file():
        pytest.skip("official NCIP 2.02 XSD not available")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def ncip_manifest(shared_dir: Path) -> list[dict[str, Any]]:
    """The samples' manifest entries, each with its bytes under "data"."""
    base = shared_dir / "samples" / "ncip"
    if not (base / "manifest.json").is_file():
        pytest.skip("NCIP samples not available")
    entries: list[dict[str, Any]] = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    for entry in entries:
        entry["data"] = (base / entry["file"]).read_bytes()
    return entries
