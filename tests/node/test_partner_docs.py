"""docs/connecting-a-partner.md and docs/profiles/: the offline examples run as written (commands exit 0 and print
what the page shows; the Python block runs), and the profile pages are what the generator makes of the data."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from illnode import cli

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "connecting-a-partner.md"
_BLOCK = re.compile(r"<!-- offline example: tested -->\n```(console|python)\n(.*?)```", re.S)


def _blocks() -> list[tuple[str, str]]:
    return _BLOCK.findall(PAGE.read_text(encoding="utf-8"))


def test_offline_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = _blocks()
    assert len(blocks) >= 4
    for kind, body in blocks:
        if kind == "python":
            exec(compile(body, "connecting-a-partner.md example", "exec"), {})  # noqa: S102 - our own docs
            continue
        commands: list[tuple[list[str], list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ isoill "):
                commands.append((shlex.split(line[len("$ isoill "):]), []))
            elif commands:
                commands[-1][1].append(line)
        for argv, expected in commands:
            code = cli.main(argv)
            out = capsys.readouterr()
            if "dummy2.ber" in argv:  # the page says this one names the missing flags and exits 2
                assert code == 2 and "missing --title" in out.err and "missing --delivery-address" in out.err
                continue
            assert code == 0, (argv, out.err)
            assert [line.rstrip() for line in out.out.splitlines()] == [line.rstrip() for line in expected], argv


def test_profile_pages_match_the_data() -> None:
    spec = importlib.util.spec_from_file_location("gen_profile_docs", ROOT / "scripts" / "gen_profile_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pages: dict[str, str] = module.pages()
    assert set(pages) == {p.name for p in (ROOT / "docs" / "profiles").glob("*.md")}
    for name, text in pages.items():
        assert (ROOT / "docs" / "profiles" / name).read_text(encoding="utf-8") == text, \
            f"docs/profiles/{name} is stale: run make generate (scripts/gen_profile_docs.py)"
