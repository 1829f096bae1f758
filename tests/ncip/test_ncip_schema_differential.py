"""Our NCIP 2.02 XSD against the official one on generated messages and their mutations; generated messages
parse strictly, serialise to XML the official schema accepts and re-parse to an equal model."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from lxml import etree
from ncip_docgen import document, mutate

import ncip
from ncip import tables as T
from ncip.modelgen import generate as generate_model
from ncip.schema import validator
from ncip.xsdgen import FILE
from ncip.xsdgen import generate as generate_xsd

ROOT = Path(__file__).resolve().parents[2]
_NAMES = [m for m in T.MESSAGES if m not in T.NOT_IN_202] + ["Problem"]


def test_committed_schema_and_model_are_generated_from_the_tables() -> None:
    assert (ROOT / "schemas" / FILE).read_text(encoding="utf-8") == generate_xsd()
    assert (ROOT / "src" / "ncip" / "schemas" / FILE).read_text(encoding="utf-8") == generate_xsd()
    assert (ROOT / "src" / "ncip" / "model.py").read_text(encoding="utf-8") == generate_model()


def test_generated_messages_agree_and_round_trip(official_ncip: Any) -> None:
    rng = random.Random(20260)
    ours = validator()
    for i in range(400):
        name = _NAMES[i % len(_NAMES)]
        root = document(name, rng)
        assert official_ncip.validate(root), (name, official_ncip.error_log)
        assert ours.validate(root), (name, ours.error_log)
        data = etree.tostring(root)
        message = ncip.parse(data)
        out = ncip.serialize(message)
        assert official_ncip.validate(etree.fromstring(out)), (name, official_ncip.error_log, out)
        assert ncip.parse(out) == message


def test_mutations_are_judged_alike(official_ncip: Any) -> None:
    rng = random.Random(4711)
    ours = validator()
    seen = {True: 0, False: 0}
    for i in range(1500):
        root = document(_NAMES[i % len(_NAMES)], rng)
        what, doc = mutate(root, rng)
        verdict = official_ncip.validate(doc)
        assert ours.validate(doc) == verdict, (what, etree.tostring(doc)[:800])
        seen[verdict] += 1
        if not verdict:  # what the schema rejects, a strict read rejects with a typed error
            try:
                ncip.parse(etree.tostring(doc))
            except ncip.ValidationError as exc:
                assert exc.path.startswith("/NCIPMessage") or exc.path == ""
            else:
                raise AssertionError(f"strict parse accepted an invalid document ({what})")
    assert seen[True] > 100 and seen[False] > 500
