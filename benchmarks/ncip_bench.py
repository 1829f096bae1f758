"""NCIP codec speed as ratios to lxml in the same run: parse (strict, lenient) and serialize one AcceptItem.

    .venv/bin/python benchmarks/ncip_bench.py [--rounds N] [--target-ms MS] [--json FILE]

Same method as bench.py: cases rotate each round, batches calibrated to --target-ms, the fastest of 5 parts of
a batch is the round's sample (CPU time), ratios are taken per round against `lxml fromstring` and reported as
medians. Before timing, the message is checked to validate and round-trip through the model.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from lxml import etree  # noqa: E402

import ncip  # noqa: E402
from ncip.schema import validator  # noqa: E402

FIXTURE = HERE / "fixtures" / "ncip" / "acceptitem.xml"  # not beside the ISO 18626 fixtures (their tests glob *.xml)


def _sample(fn: Callable[[], Any], n: int, parts: int = 5) -> float:
    best = float("inf")
    gc.collect()
    for _ in range(parts):
        start = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - start) / n)
    return best


def _calibrate(fn: Callable[[], Any], target: float) -> int:
    n = 1
    while True:
        start = time.process_time()
        for _ in range(n):
            fn()
        spent = time.process_time() - start
        if spent >= target / 10 or n > 1 << 20:
            return max(1, int(n * target / 5 / max(spent, 1e-9)))
        n *= 4


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--target-ms", type=float, default=80.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    data = FIXTURE.read_bytes()
    quirky = data.replace(b"ncip:version=", b"version=")
    message = ncip.parse(data)
    assert ncip.parse(ncip.serialize(message)) == message
    root = etree.fromstring(data)
    schema = validator()
    assert schema.validate(root)
    cases: dict[str, Callable[[], Any]] = {
        "parse | lxml fromstring": lambda: etree.fromstring(data),
        "parse | lxml fromstring + validate": lambda: schema.validate(etree.fromstring(data)),
        "parse | ncip strict": lambda: ncip.parse(data),
        "parse | ncip lenient (one repair)": lambda: ncip.read(quirky, strict=False),
        "serialize | lxml tostring": lambda: etree.tostring(root),
        "serialize | ncip serialize": lambda: ncip.serialize(message),
    }
    sizes = {name: _calibrate(fn, args.target_ms / 1000) for name, fn in cases.items()}
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            samples[name].append(_sample(cases[name], sizes[name]))
    rows = []
    for name in names:
        ref = "parse | lxml fromstring" if name.startswith("parse") else "serialize | lxml tostring"
        ratios = [a / b for a, b in zip(samples[name], samples[ref], strict=True)]
        rows.append({"case": name, "us": statistics.median(samples[name]) * 1e6,
                     "ratio": statistics.median(ratios), "reference": ref})
    print(f"NCIP AcceptItem ({len(data)} bytes), {args.rounds} rounds; ratio = median per-round ratio to the reference")
    for row in rows:
        print(f"  {row['case']:<40} {row['us']:9.1f} us  {row['ratio']:6.2f}x {row['reference']}")
    result = {"fixture": FIXTURE.name, "bytes": len(data), "rounds": args.rounds, "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
