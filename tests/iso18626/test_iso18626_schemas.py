"""Our XSDs: current with the tables, shipped as package data, and equivalent to the official ones on a
generated corpus (valid messages and single mutations of them)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iso18626_strategies import MESSAGE_NAMES, message
from lxml import etree

import iso18626
from iso18626._xml.xsd import validator, xsd_text
from iso18626._xml.xsdgen import FILES, generate

ROOT = Path(__file__).resolve().parents[2]
NS = "{" + iso18626.NS + "}"


@pytest.mark.parametrize("version", sorted(FILES))
def test_committed_schema_is_generated_from_tables(version: str) -> None:
    assert (ROOT / "schemas" / FILES[version]).read_text(encoding="utf-8") == generate(version)
    assert xsd_text(version).decode("utf-8") == generate(version)  # what the package ships


@pytest.mark.parametrize("version", sorted(FILES))
def test_packaged_xsds_are_current(version: str) -> None:
    # what iso18626 validates with is the package data (a link to schemas/ in the source tree): current too
    packaged = ROOT / "src" / "iso18626" / "schemas" / FILES[version]
    assert packaged.read_text(encoding="utf-8") == generate(version), f"{packaged} is stale: run make generate"


def _mutations(doc: Any, draw: Any) -> Any:
    """One single mutation of a valid document, chosen by hypothesis."""
    elements = [el for el in doc.iter() if isinstance(el.tag, str)]
    kind = draw(st.sampled_from(["swap", "remove", "enum", "datetime", "unknown", "duplicate", "text"]))
    mutated = copy.deepcopy(doc)
    elements = [el for el in mutated.iter() if isinstance(el.tag, str)]
    target = draw(st.sampled_from(elements[1:]))
    parent = target.getparent()
    if kind == "swap":
        nxt = target.getnext()
        if nxt is not None:
            parent.remove(nxt)
            target.addprevious(nxt)
    elif kind == "remove":
        parent.remove(target)
    elif kind == "enum":
        closed = [el for el in elements if el.tag.replace(NS, "") in (
            "action", "status", "reasonForMessage", "messageStatus", "errorType", "serviceType", "answerYesNo",
            "requestType", "requestSubType", "sendToPatron", "preferredEdition", "anyEdition")]
        if closed:
            draw(st.sampled_from(closed)).text = draw(st.sampled_from(["Bogus", "", "y", "HoldReturn", "Lost"]))
    elif kind == "datetime":
        stamps = [el for el in elements if el.text and el.text[:1].isdigit() and "T" in el.text]
        if stamps:
            draw(st.sampled_from(stamps)).text = draw(st.sampled_from(
                ["2024-01-01", "2024-01-01T10:00:00+0000", "2024-13-01T00:00:00Z", "x", "2024-01-01T10:00Z"]))
    elif kind == "unknown":
        target.addnext(etree.Element(NS + "unknownThing"))
    elif kind == "duplicate":
        target.addnext(copy.deepcopy(target))
    else:
        target.text = draw(st.sampled_from(["-1", "abc", "1.5", "true"]))
    return mutated


@pytest.mark.parametrize("version", ["1.2", "2021"])
@pytest.mark.parametrize("name", MESSAGE_NAMES)
def test_same_verdicts_as_official_xsd(name: str, version: str, official: dict[str, Any]) -> None:
    seen = {True: 0, False: 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(message(version, name), st.data())
    def check(msg: Any, data: Any) -> None:
        doc = etree.fromstring(iso18626.serialize(msg, version=version))
        mutated = _mutations(doc, data.draw)
        for v in ("1.2", "2021"):  # both schemas judge every document
            ours, theirs = validator(v).validate(mutated), official[v].validate(mutated)
            assert ours == theirs, (v, etree.tostring(mutated), official[v].error_log, validator(v).error_log)
            if v == version:
                seen[theirs] += 1

    check()
    assert seen[True] and seen[False]  # the corpus held both accepted and rejected documents
