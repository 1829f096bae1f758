"""The real OCLC samples: strict parse, v1.2 output valid under the official XSD, every value kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

import iso18626

NS = "{http://illtransactions.org/2013/iso18626}"


def _leaves(doc: Any) -> list[tuple[str, str, str | None]]:
    """(path, text, scheme) of every leaf element, multipleItemRequestId excluded when empty."""
    out = []
    for el in doc.iter():
        if len(el) or not isinstance(el.tag, str):
            continue
        path = "/".join(x.tag.replace(NS, "") for x in reversed([el, *el.iterancestors()]))
        text = el.text or ""
        if path.endswith("multipleItemRequestId") and not text:
            continue
        out.append((path, text, el.get(NS + "scheme")))
    return out


def _normal(leaves: list[tuple[str, str, str | None]]) -> list[tuple[str, Any, str | None]]:
    """Compare values, not spellings: timestamps as instants, booleans as truth values."""
    out: list[tuple[str, Any, str | None]] = []
    for path, text, scheme in leaves:
        value: Any = text
        try:
            value = iso18626._model.timestamps.strict_datetime(text)
        except ValueError:
            if text in ("true", "false", "1", "0") and path.endswith("sentToPatron"):
                value = text in ("true", "1")
        out.append((path, value, scheme))
    return sorted(out, key=lambda x: (x[0], str(x[1]), str(x[2])))


def test_every_sample_round_trips(samples: list[Path], official: dict[str, Any]) -> None:
    assert len(samples) >= 30
    for path in samples:
        data = path.read_bytes()
        result = iso18626.read(data)  # strict
        assert result.version == "1.2", path.name
        out = iso18626.serialize(result.message)
        doc = etree.fromstring(out)
        assert official["1.2"].validate(doc), (path.name, official["1.2"].error_log)
        assert _normal(_leaves(doc)) == _normal(_leaves(etree.fromstring(data))), path.name
        assert iso18626.parse(out) == result.message, path.name


def test_every_sample_as_2021_is_valid_or_refused(samples: list[Path], official: dict[str, Any]) -> None:
    written = refused = 0
    for path in samples:
        msg = iso18626.parse(path.read_bytes())
        try:
            out = iso18626.serialize(msg, version="2021")
        except iso18626.SerializeError:
            refused += 1
            continue
        written += 1
        assert official["2021"].validate(etree.fromstring(out)), (path.name, official["2021"].error_log)
        assert iso18626.parse(out) == msg
    assert written and refused  # the corpus has both kinds: plain messages and v1.2-only values


def test_samples_parse_leniently_without_repairs(samples: list[Path]) -> None:
    for path in samples:
        result = iso18626.read(path.read_bytes(), strict=False)
        assert result.repairs == (), path.name
        assert result.message == iso18626.parse(path.read_bytes())
