"""A/B of the BER codec of two source trees: is a change to the generated codec faster or slower?

    git worktree add /tmp/isoill-base HEAD          # the tree to compare against
    .venv/bin/python benchmarks/ab.py --base /tmp/isoill-base [--rounds 3]

The VMs these benchmarks run on flip between speed states about 1.8x apart, so times from two processes
cannot be compared directly. Each process therefore reports every case as the median of per-pair ratios to a
fixed pure-Python calibration loop (bytes indexing, comparisons, a slice and a decode: the same kind of work
as a decoder), timed in alternation with it in small batches. Those ratios are comparable across processes;
the trees run alternately (base, this, base, this, ...) and every line is printed, so drift shows.

The messages are `benchmarks/messages.py`'s, encoded once by this tree; both trees decode the same octets and
re-encode what they decoded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CALIBRATION = bytes(range(256)) * 3


def _calibration() -> int:
    b, n = CALIBRATION, 0
    for i in range(0, 700, 7):
        k, e = b[i], b[i + 1]
        if e < 128 and k & 31 != 31:
            n += len(b[i:i + 5].decode("latin-1"))
    return n


def _ratio(case: Callable[[], object], batch: int, pairs: int) -> float:
    """The median over `pairs` of (time of `batch` runs of case) / (time of `batch` calibration loops)."""
    ratios = []
    for _ in range(pairs):
        t0 = time.process_time()
        for _ in range(batch):
            case()
        t1 = time.process_time()
        for _ in range(batch):
            _calibration()
        t2 = time.process_time()
        ratios.append((t1 - t0) / (t2 - t1))
    ratios.sort()
    return ratios[len(ratios) // 2]


def measure(tree: Path, messages: dict[str, bytes], batch: int, pairs: int) -> dict[str, float]:
    """Run in a child process whose sys.path starts with tree/src."""
    import isoill

    if not Path(isoill.__file__).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"imported {isoill.__file__}, not the tree {tree}")
    codec = isoill.Codec()
    out = {}
    for name, data in messages.items():
        value = codec.decode(data)
        out[f"{name} decode"] = _ratio(lambda d=data: codec.decode(d), batch, pairs)  # type: ignore[misc]
        out[f"{name} encode"] = _ratio(lambda v=value: codec.encode(v), batch, pairs)  # type: ignore[misc]
    return out


def _child(tree: Path, encoded: Path, batch: int, pairs: int) -> dict[str, float]:
    code = (f"import sys, json; sys.path.insert(0, {str(tree / 'src')!r}); sys.path.insert(1, {str(HERE)!r});"
            f"import ab; m = {{k: bytes.fromhex(v) for k, v in json.load(open({str(encoded)!r})).items()}};"
            f"print(json.dumps(ab.measure(__import__('pathlib').Path({str(tree)!r}), m, {batch}, {pairs})))")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="the other source tree (with src/isoill)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per tree, alternating")
    parser.add_argument("--batch", type=int, default=300, help="runs per timed batch")
    parser.add_argument("--pairs", type=int, default=41, help="batch pairs per case (the median is taken)")
    args = parser.parse_args()
    this = HERE.parent
    sys.path.insert(0, str(this / "src"))
    from messages import BER_MESSAGES

    import isoill

    encoded = {name: isoill.encode(build()).hex() for name, build in BER_MESSAGES.items()}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(encoded, fh)
    results: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    for _ in range(args.rounds):
        for label, tree in (("base", args.base), ("this", this)):
            row = _child(tree, Path(fh.name), args.batch, args.pairs)
            results[label].append(row)
            print(f"{label:4}  " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    print("\nthis / base (median over rounds of each tree's ratio to the calibration loop):")
    for key in results["this"][0]:
        base = sorted(r[key] for r in results["base"])[len(results["base"]) // 2]
        new = sorted(r[key] for r in results["this"])[len(results["this"]) // 2]
        print(f"  {key:40} {new / base:.3f}")
    Path(fh.name).unlink()


if __name__ == "__main__":
    main()
