"""yaz-illclient (YAZ's real ISO ILL client) against `isoill listen --reply-status`: it must print Ok and exit 0,
plain and with the OCLC authentication extension (-o -u -p)."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import isoill

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
PARAMS = VECTORS / "illclient-params.txt"


def start_listener(*args: str, cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Start `isoill listen --port 0 ...` and read the port it announces on stderr (bounded wait)."""
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", "listen", "--host", "127.0.0.1", "--port", "0",
                             *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    line = b""
    for _ in range(200):
        if not sel.select(timeout=0.1):
            continue
        chunk = os.read(proc.stderr.fileno(), 1)
        if not chunk:
            break
        line += chunk
        if chunk == b"\n":
            break
    sel.close()
    text = line.decode()
    if "listening on" not in text:
        proc.kill()
        raise AssertionError(f"listener did not start: {text!r} {proc.communicate(timeout=10)}")
    return proc, int(text.rsplit(":", 1)[1])


@pytest.fixture()
def listener(tmp_path: Path) -> Iterator[tuple[int, Path, subprocess.Popen[bytes]]]:
    proc, port = start_listener("--reply-status", "--save", str(tmp_path / "saved"), cwd=tmp_path)
    try:
        yield port, tmp_path / "saved", proc
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("auth, capture", [
    ([], "illclient-request-plain.ber"),
    (["-o", "-u", "100-310-658", "-p", "s3cret-test"], "illclient-request-oclc-auth.ber"),
])
def test_yaz_illclient_gets_ok(yaz_illclient: str, listener: tuple[int, Path, subprocess.Popen[bytes]],
                               tmp_path: Path, auth: list[str], capture: str) -> None:
    port, saved, proc = listener
    # yaz-illclient writes ./req.apdu: run it in the test's directory.
    result = subprocess.run([yaz_illclient, *auth, "-f", str(PARAMS), f"127.0.0.1:{port}"], cwd=tmp_path,
                            capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result
    assert b"Ok" in result.stdout
    # What the listener received and saved is exactly what yaz-illclient sends (the committed capture).
    files = sorted(saved.glob("*.ber"))
    assert [f.name for f in files] == ["0001-ILLRequest.ber"]
    assert files[0].read_bytes() == (VECTORS / capture).read_bytes()
    assert isinstance(isoill.decode(files[0].read_bytes()), isoill.ILLRequest)
    assert proc.poll() is None  # still listening


def test_yaz_illclient_twice_on_one_listener(yaz_illclient: str,
                                             listener: tuple[int, Path, subprocess.Popen[bytes]],
                                             tmp_path: Path) -> None:
    port, saved, proc = listener
    for _ in range(2):
        result = subprocess.run([yaz_illclient, "-f", str(PARAMS), f"127.0.0.1:{port}"], cwd=tmp_path,
                                capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        assert result.returncode == 0 and b"Ok" in result.stdout, result
    assert len(list(saved.glob("*.ber"))) == 2
    assert proc.poll() is None
