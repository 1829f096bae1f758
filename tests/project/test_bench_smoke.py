"""The benchmark harness (benchmarks/bench.py) still runs and reports every row. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_harness_runs(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--rounds", "1", "--target-ms", "1",
         "--framer-mb", "1", "--json", str(out), "--quiet"],
        capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.read_text())
    rows = {(r["message"].split(" (")[0], r["op"], r["impl"]) for r in result["rows"]}
    for message in ("ILL-Request", "Shipped", "Status-Or-Error-Report"):
        for op in ("decode", "encode"):
            assert (message, op, "isoill") in rows
            assert (message, op, "pyasn1 reference") in rows
    for message in ("request", "supplyingAgencyMessage", "requestConfirmation"):
        assert (message, "parse", "isoill (parse + validate + model)") in rows
        assert (message, "parse", "lxml fromstring") in rows
        assert (message, "serialize", "isoill (model -> bytes)") in rows
        assert (message, "serialize", "lxml tostring") in rows
    assert all(r["median_us"] > 0 for r in result["rows"])
    assert result["framer"]["apdus"] > 0
    assert "| ILL-Request (622 octets) | decode | isoill |" in proc.stdout


def test_ab_harness_runs_this_tree_against_itself() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ab.py"), "--base", str(ROOT), "--rounds", "1", "--batch", "2",
         "--pairs", "1"],
        capture_output=True, text=True, timeout=600, check=True)
    summary = proc.stdout.split("this / base")[1]
    for message in ("ILL-Request", "Shipped", "Status-Or-Error-Report"):
        for op in ("decode", "encode"):
            assert f"{message} {op}" in summary
