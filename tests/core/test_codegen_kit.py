"""illcore.codegen: generated source under unique linecache names, dumpable, compiled once into a code cache."""

from __future__ import annotations

import linecache
import traceback
from pathlib import Path
from typing import Any

import pytest

from illcore import codegen

SOURCE = "def boom(x):\n    y = x + 1\n    raise ValueError('boom ' + str(y))\n"


def run(source: str, what: str) -> dict[str, Any]:
    ns: dict[str, Any] = {}
    codegen.run_generated(source, what, ns)
    return ns


def test_tracebacks_show_generated_lines_and_names_are_unique(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.setenv(codegen.CACHE_ENV, str(tmp_path / "cache"))
    ns = run(SOURCE, "kit test")
    other = run(SOURCE.replace("boom", "bang"), "kit test")
    with pytest.raises(ValueError) as info:
        ns["boom"](1)
    frame = traceback.extract_tb(info.tb)[-1]
    assert frame.filename.startswith("<generated kit test ") and frame.line == "raise ValueError('boom ' + str(y))"
    assert linecache.getline(frame.filename, 2) == "    y = x + 1\n"
    assert other["bang"].__code__.co_filename != frame.filename  # another source, another name
    assert codegen.generated_sources()[frame.filename] == SOURCE


def test_dump_writes_every_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(codegen.CACHE_ENV, "")
    run(SOURCE.replace("boom", "dumped"), "kit dump")
    written = codegen.dump_generated(tmp_path)
    assert any("def dumped(x):" in p.read_text(encoding="utf-8") for p in written)
    live = tmp_path / "live"
    monkeypatch.setenv(codegen.DUMP_ENV, str(live))
    run(SOURCE.replace("boom", "as_generated"), "kit dump")
    assert any("def as_generated(x):" in p.read_text(encoding="utf-8") for p in live.iterdir())


def test_the_code_cache_is_keyed_by_the_source_and_survives_damage(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv(codegen.CACHE_ENV, str(cache))
    first = codegen.compile_generated(SOURCE.replace("boom", "cached"), "kit cache")
    (entry,) = cache.glob("*.bin")
    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again: the cache was not used")

    monkeypatch.setattr(codegen, "compile", no_compiling, raising=False)  # shadows the builtin in the module
    again = codegen.compile_generated(SOURCE.replace("boom", "cached"), "kit cache")
    assert again == first and list(cache.glob("*.bin")) == [entry]
    monkeypatch.delattr(codegen, "compile")
    codegen.compile_generated(SOURCE.replace("boom", "changed"), "kit cache")
    assert len(list(cache.glob("*.bin"))) == 2  # different source: a different entry, never the old code
    entry.write_bytes(b"not a code object")
    ns: dict[str, Any] = {}
    exec(codegen.compile_generated(SOURCE.replace("boom", "cached"), "kit cache"), ns)  # noqa: S102
    with pytest.raises(ValueError, match="cached 3"):
        ns["cached"](2)
    monkeypatch.setenv(codegen.CACHE_ENV, "")
    assert codegen.cache_directory() is None
