"""The committed ISO 10161 vectors are still exactly what YAZ produces and how YAZ renders them today.

Re-runs the oracle's encode (bytes must match), its decode -p -e (rendering and exit status must match),
the negative/unusual derivation, and the yaz-illclient loopback captures.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent / "vectors" / "iso10161"
sys.path.insert(0, str(HERE))  # craft.py, capture_peer.py and bertree.py live beside the vectors

import capture_peer  # noqa: E402
import craft  # noqa: E402


def _encode_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (HERE / "encode.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, *args = line.split("\t")
            rows.append((name, args))
    return rows


def _verdicts(sub: str) -> dict[str, int]:
    lines = (HERE / sub / "verdicts.tsv").read_text().splitlines()
    return {name: int(rc) for name, rc in (line.split("\t") for line in lines)}


ENCODE_ROWS = _encode_rows()
POSITIVE = sorted(p.name for p in HERE.glob("*.ber"))
EDGE = [f"{sub}/{p.name}" for sub in ("negative", "unusual") for p in sorted((HERE / sub).glob("*.ber"))]


def test_every_canned_kind_is_covered(yaz_oracle: Path) -> None:
    kinds = subprocess.run([str(yaz_oracle), "list"], capture_output=True, check=True, text=True).stdout.split()
    assert len(kinds) == 31
    plain = {name for name, args in ENCODE_ROWS if args == [name]}
    assert set(kinds) <= plain


@pytest.mark.parametrize(("name", "args"), ENCODE_ROWS, ids=[r[0] for r in ENCODE_ROWS])
def test_encode_is_unchanged(yaz_oracle: Path, name: str, args: list[str]) -> None:
    out = subprocess.run([str(yaz_oracle), "encode", *args], capture_output=True, check=True).stdout
    assert out == (HERE / f"{name}.ber").read_bytes()


@pytest.mark.parametrize("rel", POSITIVE + EDGE)
def test_rendering_and_verdict_are_unchanged(yaz_oracle: Path, rel: str) -> None:
    ber = HERE / rel
    res = subprocess.run([str(yaz_oracle), "decode", "-p", "-e", str(ber)], capture_output=True)
    assert res.stdout == ber.with_suffix(".yaz.txt").read_bytes()
    if "/" in rel:
        sub, name = rel.split("/")
        assert res.returncode == _verdicts(sub)[name.removesuffix(".ber")]
        if sub == "negative":
            assert res.returncode != 0
    else:
        assert res.returncode == 0


def test_edge_vectors_are_derived_from_the_positive_ones() -> None:
    built = craft.build(HERE)
    for sub, vectors in built.items():
        assert sorted(vectors) == sorted(_verdicts(sub))
        for name, data in vectors.items():
            assert data == (HERE / sub / f"{name}.ber").read_bytes(), f"{sub}/{name}"


def test_reply_is_status_report_with_long_form_outer_length() -> None:
    reply = craft.reply_long_form((HERE / "status-report.ber").read_bytes())
    assert reply == (HERE / "illclient-reply-status-report.ber").read_bytes()
    assert reply[1] & 0x80 and reply[1] != 0x80  # long form, so YAZ never sniffs it as HTTP


@pytest.mark.parametrize(
    ("name", "extra"),
    [("illclient-request-plain", []), ("illclient-request-oclc-auth", ["-o", "-u", "100-310-658", "-p", "s3cret-test"])],
)
def test_illclient_capture_is_unchanged(yaz_illclient: str, name: str, extra: list[str]) -> None:
    reply = (HERE / "illclient-reply-status-report.ber").read_bytes()
    argv = [yaz_illclient, "-f", str(HERE / "illclient-params.txt"), *extra, "127.0.0.1:{port}"]
    captured, result = capture_peer.run(reply, argv)
    assert captured == (HERE / f"{name}.ber").read_bytes()
    # yaz-illclient exits 0 only when it decoded our reply as a Status-Or-Error-Report without error-report.
    assert result.returncode == 0, result.stdout
