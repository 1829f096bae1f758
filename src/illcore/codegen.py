"""The code-generation kit: compile generated Python source under a unique file name registered in `linecache`,
so tracebacks and pdb show the generated lines, and keep it so that it can be read back or dumped.

Generators (the BER codec's) build source text and call `run_generated(source, what, namespace)`. Each piece
gets the file name ``<generated WHAT HASH>`` (HASH: of the source, so the name is unique to the text);
`generated_sources()` returns every piece generated so far in this process and `dump_generated(directory)`
writes them out as ``.py`` files, for reading or for a debugger. ``ILLCORE_DUMP_GENERATED=DIR`` in the
environment writes each piece there as it is generated.

Compiling is most of the cost of generating, so compiled pieces are kept on disk like ``__pycache__``: keyed by
a hash of the exact source text (and the interpreter's bytecode magic), so any change to the generator's inputs
is a different key and a stale entry is never used. The directory is ``ILLCORE_CODE_CACHE`` if set (empty:
no cache), else ``$XDG_CACHE_HOME/isoill/code`` or ``~/.cache/isoill/code``. Failing to read or write it only
costs the compile. These are the only places the core touches files, and neither is on a request's path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import linecache
import marshal
import os
import re
import tempfile
import threading
from pathlib import Path
from types import CodeType
from typing import Any

__all__ = ["cache_directory", "compile_generated", "dump_generated", "generated_sources", "run_generated"]

DUMP_ENV = "ILLCORE_DUMP_GENERATED"
CACHE_ENV = "ILLCORE_CODE_CACHE"

_lock = threading.Lock()
_sources: dict[str, str] = {}  # file name -> source, in generation order


def compile_generated(source: str, what: str) -> CodeType:
    """Compile `source` under its file name (``<generated WHAT HASH>``), registered with linecache."""
    digest = hashlib.sha256(f"{what}\n{source}".encode()).hexdigest()
    filename = f"<generated {what} {digest[:12]}>"
    with _lock:
        _sources[filename] = source
    # mtime None: linecache.checkcache() leaves the entry alone (there is no file to compare with).
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    code = _cached(digest)
    if code is None:
        code = compile(source, filename, "exec")
        _store(digest, code)
    directory = os.environ.get(DUMP_ENV)
    if directory:
        _write(Path(directory), filename, source)
    return code


def run_generated(source: str, what: str, namespace: dict[str, Any]) -> None:
    """Compile `source` (see `compile_generated`) and execute it in `namespace`, which receives its definitions."""
    exec(compile_generated(source, what), namespace)  # noqa: S102 - only our own generated source comes here


def generated_sources() -> dict[str, str]:
    """Every piece of source generated so far in this process: {file name: source}, oldest first."""
    with _lock:
        return dict(_sources)


def dump_generated(directory: str | Path) -> list[Path]:
    """Write every piece generated so far to `directory` (created if needed), one ``.py`` file each."""
    return [_write(Path(directory), name, source) for name, source in generated_sources().items()]


def _write(directory: Path, filename: str, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (re.sub(r"[^A-Za-z0-9]+", "_", filename).strip("_") + ".py")
    path.write_text(f"# {filename}\n{source}", encoding="utf-8")
    return path


def cache_directory() -> Path | None:
    """Where compiled pieces are kept (None: no cache)."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "isoill" / "code"


def _header(digest: str) -> bytes:
    return importlib.util.MAGIC_NUMBER + bytes.fromhex(digest)


def _cached(digest: str) -> CodeType | None:
    directory = cache_directory()
    if directory is None:
        return None
    try:
        data = (directory / f"{digest}.bin").read_bytes()
    except OSError:
        return None
    head = _header(digest)
    if not data.startswith(head):  # another interpreter's bytecode, or a damaged file
        return None
    try:
        code = marshal.loads(data[len(head):])
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _store(digest: str, code: CodeType) -> None:
    directory = cache_directory()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(_header(digest) + marshal.dumps(code))
        os.replace(tmp, directory / f"{digest}.bin")  # atomic: a reader sees the whole file or none
    except OSError:
        pass
