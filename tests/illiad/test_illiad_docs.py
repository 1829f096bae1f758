"""The Python examples in docs/illiad.md run as written, in order (against the fake Web Platform)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "illiad.md"


def test_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/illiad.md example", "exec"), namespace)  # noqa: S102 - our own documentation
    result = namespace["result"]
    assert result.transaction.transaction_number == 1001 and result.created_user  # type: ignore[attr-defined]
    assert result.user.username == "new"  # type: ignore[attr-defined]
