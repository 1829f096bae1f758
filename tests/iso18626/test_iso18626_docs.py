"""The examples in docs/iso18626.md run as written (signature blocks, which contain "->", are skipped)."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "iso18626.md"


def test_doc_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    runnable = [b for b in blocks if "->" not in b.splitlines()[0]]
    assert len(runnable) >= 5
    exec(compile("\n".join(runnable), str(DOC), "exec"), {})
