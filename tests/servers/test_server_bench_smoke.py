"""The server benchmark (benchmarks/servers.py, `make bench`'s server section) still runs and reports every
target. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def test_server_bench_runs(tmp_path: Path) -> None:
    out = tmp_path / "servers.json"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "servers.py"), "--rounds", "1", "--scale", "0.02",
                    "--json", str(out)], capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(out.read_text())
    for target in ("ill", "ill-echo", "http", "http-trivial"):
        for load in ("1", "50"):
            row = result["targets"][target][load]
            assert row["messages"] > 0 and row["cpu_us"] >= 0 and row["p99_ms"] >= row["p50_ms"] > 0
    assert result["codec_decode_encode_us"] > 0
    # The ratio is left out (None) only when the trivial app's CPU time was below the clock's tick.
    trivial = result["targets"]["http-trivial"]["50"]["cpu_us"]
    ratio = result["http_cpu_over_trivial_50"]
    assert (ratio is None) if trivial == 0 else ratio > 0
