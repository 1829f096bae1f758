"""Helpers for tests that ask YAZ (through the yaz-ill-oracle) what it thinks of some octets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

VECTORS = Path(__file__).resolve().parent / "vectors" / "iso10161"
POSITIVE = sorted(VECTORS.glob("*.ber"))
NEGATIVE = sorted((VECTORS / "negative").glob("*.ber"))
UNUSUAL = sorted((VECTORS / "unusual").glob("*.ber"))


def run(oracle: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(oracle), *args], input=data, capture_output=True, timeout=60, check=False)


def render(oracle: Path, data: bytes) -> str:
    """YAZ's printed view of the APDU(s) (with extensions decoded), minus the octet count in the header line,
    which legitimately differs when the outer length is re-encoded in long form."""
    out = run(oracle, "decode", "-p", "-e", "-", data=data)
    assert out.returncode == 0, f"YAZ rejected the octets: {out.stdout!r} {out.stderr!r}"
    return re.sub(r"length=\d+ ", "", out.stdout.decode("latin-1"))


def accepts(oracle: Path, data: bytes) -> tuple[bool, str]:
    out = run(oracle, "decode", "-", data=data)
    return out.returncode == 0, (out.stdout + out.stderr).decode("latin-1")
