"""The positional readers (for trees that passed the schema) must build the same model as the general readers,
for every version and message kind, on valid documents with and without their optional elements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from iso18626_strategies import MESSAGE_NAMES, message
from lxml import etree

import iso18626
from iso18626._model import tables as T
from iso18626._xml.positional import VALID_READERS
from iso18626._xml.readers import READ_AS, READERS
from iso18626._xml.xsd import validator

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "benchmarks" / "fixtures").glob("*.xml"))


def _both(data: bytes, version: str) -> tuple[Any, Any]:
    root = etree.fromstring(data)
    assert validator(version).validate(root), validator(version).error_log
    el = root[0]
    spec = T.MESSAGES[version][etree.QName(el).localname]
    return VALID_READERS[version][el.tag](el, None), READERS[READ_AS.get(spec.cls, spec.cls)](el, None)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_read_alike(path: Path) -> None:
    positional, general = _both(path.read_bytes(), "1.2")
    assert positional == general and repr(positional) == repr(general)


@pytest.mark.parametrize("version", T.VERSIONS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_messages_read_alike(version: str, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(MESSAGE_NAMES))
    msg = data.draw(message("2021" if version == "2021" else "1.2", name))
    try:
        doc = iso18626.serialize(msg, version=version)
    except iso18626.SerializeError:  # a 1.2 message v1.1 cannot express
        return
    positional, general = _both(doc, version)
    assert positional == general and repr(positional) == repr(general)
