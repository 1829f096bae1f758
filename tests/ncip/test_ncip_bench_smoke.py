"""benchmarks/ncip_bench.py still runs and reports every case. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ncip_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ncip_bench.py"), "--rounds", "1", "--target-ms", "1",
                    "--json", str(out)], check=True, capture_output=True, timeout=120)
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert [r["case"].split(" | ")[0] for r in rows] == ["parse"] * 4 + ["serialize"] * 2
    assert all(r["ratio"] > 0 for r in rows)
