"""The Python examples in the ISO 10161 and node docs run as written (so they cannot drift from the code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _blocks(name: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / name).read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("name", ["iso10161.md", "node.md"])
def test_python_examples_run_in_order(name: str) -> None:
    blocks = _blocks(name)
    assert blocks, f"{name} has no Python examples"
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, f"{name} example", "exec"), namespace)  # noqa: S102 - our own documentation
