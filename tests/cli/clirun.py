"""Running the `isoill` command in tests: one-shot runs and long-running listeners (stderr read to a marker)."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "iso10161"


def env() -> dict[str, str]:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), out.get("PYTHONPATH", "")]))
    return out


def run(*args: str, stdin: bytes | None = None, cwd: Path | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "illnode.cli", *args], input=stdin, capture_output=True,
                          timeout=timeout, cwd=cwd, env=env())


def start(*args: str, marker: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a long-running isoill command; return it and the first stderr line containing `marker`."""
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env())
    assert proc.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    text = ""
    for _ in range(600):  # at most ~60 s on a loaded machine
        if not sel.select(timeout=0.1):
            continue
        chunk = os.read(proc.stderr.fileno(), 1)
        if not chunk:
            break
        text += chunk.decode()
        if text.endswith("\n"):
            if marker in text:
                sel.close()
                return proc, text.strip()
            text = ""
    sel.close()
    proc.kill()
    raise AssertionError(f"{args} did not start: {text!r} {proc.communicate(timeout=10)}")


def stop(proc: subprocess.Popen[bytes]) -> tuple[str, str]:
    proc.terminate()
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return out.decode(), err.decode()
