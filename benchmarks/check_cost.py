"""What the encode-time value check costs: `isoill.encode(m)` against `isoill.encode(m, check=False)`, one run.

    .venv/bin/python benchmarks/check_cost.py [--pairs 200] [--batch 200]

Checked and unchecked batches alternate, so a VM changing speed affects both alike; the figure is the median of
the per-pair ratios (checked / unchecked), with the 10th and 90th percentile beside it, for each message of
`benchmarks/messages.py`; the times are each side's fastest batch (and their ratio). The cheap pass alone
(`isoill.constraints.conforms`) is timed the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import messages  # noqa: E402

import isoill  # noqa: E402
from isoill import constraints  # noqa: E402


def _batch(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def measure(model: isoill.APDU, pairs: int, batch: int) -> dict[str, float]:
    checked = lambda: isoill.encode(model)  # noqa: E731
    unchecked = lambda: isoill.encode(model, check=False)  # noqa: E731
    alone = lambda: constraints.conforms(model)  # noqa: E731
    assert checked() == unchecked()
    ratios, us_checked, us_unchecked, us_alone = [], [], [], []
    for _ in range(pairs):
        u = _batch(unchecked, batch)
        c = _batch(checked, batch)
        a = _batch(alone, batch)
        ratios.append(c / u)
        us_checked.append(c * 1e6)
        us_unchecked.append(u * 1e6)
        us_alone.append(a * 1e6)
    deciles = statistics.quantiles(ratios, n=10, method="inclusive") if len(ratios) > 1 else [ratios[0]] * 9
    # µs: the fastest batch, the figure a loaded machine disturbs least; the ratio: the median pair.
    return {"ratio": statistics.median(ratios), "low": deciles[0], "high": deciles[-1],
            "checked_us": min(us_checked), "unchecked_us": min(us_unchecked), "pass_us": min(us_alone),
            "min_ratio": min(us_checked) / min(us_unchecked)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=200, help="checked/unchecked batch pairs per message (200)")
    p.add_argument("--batch", type=int, default=200, help="encodes per batch (200)")
    args = p.parse_args(argv)
    print("| message | octets | encode, checked µs | unchecked µs | the check pass µs | checked / unchecked, "
          "fastest batches | median pair (10th–90th percentile) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, build in messages.BER_MESSAGES.items():
        model = build()
        r = measure(model, args.pairs, args.batch)
        print(f"| {name} | {len(isoill.encode(model))} | {r['checked_us']:.1f} | {r['unchecked_us']:.1f} | "
              f"{r['pass_us']:.1f} | {r['min_ratio']:.2f} | {r['ratio']:.2f} ({r['low']:.2f}–{r['high']:.2f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
