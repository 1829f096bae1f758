"""The Python example in docs/importing.md runs as written, and the mapping table names every field the model
reads (so the table cannot drift from the code)."""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from libris.model import LibrisRequest

DOC = Path(__file__).resolve().parents[2] / "docs" / "importing.md"


def test_python_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "importing.md example", "exec"), namespace)  # noqa: S102 - our own documentation


def test_mapping_table_covers_every_request_field() -> None:
    table = DOC.read_text(encoding="utf-8").split("## The Libris mapping", 1)[1]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| ")]
    named = set(re.findall(r"`([a-z_]+)(?:\.[a-z_]+|\[\])*", " ".join(rows)))
    fields = {f.name for f in attrs.fields(LibrisRequest)} - {"raw"}
    assert fields - named == set()
