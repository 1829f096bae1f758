"""Fixtures of the top-floor tests: a dummy Alma request made by `isoill request`, as staff would make it, and
the official ISO 18626 XSDs (the gateway tests skip without them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from illnode import cli

ALMA_ARGS = ["request", "--profile", "alma", "--from", "CNO", "--to", "01CALS_XYZ", "--title", "Gödel, Escher, Bach",
             "--author", "Hofstadter", "--delivery-address", "CNO Library, 1 Main St, Northridge CA",
             "--return-address", "127.0.0.1:16110"]
OFFICIAL_XSD = {"1.2": "ISO-18626-v1_2.xsd", "2021": "ISO-18626-2021-2.xsd"}


@pytest.fixture
def alma_args() -> list[str]:
    """The arguments of `isoill request` for Alma's dummy request (without -o / --send)."""
    return list(ALMA_ARGS)


@pytest.fixture
def alma_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The BER file `isoill request --profile alma ... -o req.ber` writes."""
    out = tmp_path / "req.ber"
    assert cli.main([*ALMA_ARGS, "-o", str(out)]) == 0
    capsys.readouterr()
    return out


@pytest.fixture
def alma_request_json(alma_request: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """That request as `isoill decode --json` prints it (to derive broken variants from)."""
    assert cli.main(["decode", "--json", str(alma_request)]) == 0
    doc: dict[str, object] = json.loads(capsys.readouterr().out)
    return doc


@pytest.fixture(scope="session")
def official_xsd(shared_dir: Path) -> dict[str, Any]:
    """version -> the compiled official ISO 18626 schema (read in place from ../shared/reference)."""
    base = shared_dir / "reference" / "iso18626"
    if not base.is_dir():
        pytest.skip("official ISO 18626 XSDs not available")
    return {v: etree.XMLSchema(etree.parse(str(base / name))) for v, name in OFFICIAL_XSD.items()}
