"""benchmarks/import_bench.py still runs and reports every case. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "import_bench.py"), "--requests", "5",
                           "--rounds", "1", "--json", str(out)], capture_output=True, text=True, timeout=120,
                          check=True)
    rows = json.loads(out.read_text())["rows"]
    assert [r["case"] for r in rows] == ["json.loads", "read", "read + map", "run, memory store",
                                         "run, SQLite store"]
    assert "| run, SQLite store |" in proc.stdout
