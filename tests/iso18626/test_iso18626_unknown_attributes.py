"""Strict mode: an attribute the schema does not define is unrecognised data (UnrecognisedDataElement) on any
element, whether its type is complex (header, agencyId, ...) or simple (action, timestamp, ids, ...)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import iso18626
from iso18626 import ErrorType

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "xml"
CASES = [
    pytest.param(path.name, name, attribute, id=f"{path.stem}-{name}-{attribute.split('=')[0]}")
    for path in sorted(CORPUS.glob("*.xml")) if path.name.startswith(("gen-", "strict-"))
    for name in sorted(set(re.findall(r"<ill:(\w+)>", path.read_text(encoding="utf-8"))))
    for attribute in ('foo="1"', 'ill:foo="1"')
]


@pytest.mark.parametrize(("file", "name", "attribute"), CASES)
def test_an_unknown_attribute_is_unrecognised_data(file: str, name: str, attribute: str) -> None:
    data = (CORPUS / file).read_bytes()
    assert iso18626.parse(data)
    with pytest.raises(iso18626.ValidationError) as info:
        iso18626.parse(data.replace(b"<ill:%s>" % name.encode(), b"<ill:%s %s>" % (name.encode(), attribute.encode()),
                                    1))
    assert info.value.error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT, info.value
    assert info.value.path.endswith("/" + name), info.value.path
    assert "is not allowed" in info.value.detail


def test_an_unknown_attribute_on_the_envelope_is_unrecognised_data() -> None:
    data = (CORPUS / "strict-received.xml").read_bytes().replace(b' ill:version="1.2"', b' ill:version="1.2" foo="1"')
    with pytest.raises(iso18626.ValidationError) as info:
        iso18626.parse(data)
    assert info.value.error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT
    assert info.value.path == "/ISO18626Message"
