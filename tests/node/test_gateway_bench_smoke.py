"""The gateway benchmark (benchmarks/gateway_bench.py) still runs end to end and reports both cases. No timing is
asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gateway_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "gateway.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gateway_bench.py"), "--rounds", "1", "--requests", "2",
                    "--json", str(out)], capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(out.read_text())
    assert set(result["latency_ms"]) == {"plain", "gateway"}
    assert all(v > 0 for v in result["messages_per_s"].values())
    assert result["latency_ratio_gateway_over_plain"] > 0
