"""The mutation-fuzzing driver behind `make fuzz`: bounded by time and/or input count, parallel, reproducible.

    python -m fuzz.run --target all --seconds 60 [--inputs N] [--jobs J] [--seed S]
    python -m fuzz.run --minimize ber fuzz/crashes/<file>.bin

Each worker mutates seeds with `fuzz.mutate` (1 to 8 stacked mutations) under its own random seed and runs the
target from `fuzz.targets`. Findings (untyped exceptions, broken invariants, inputs over the time limit) are
saved to fuzz/crashes/ with their traceback, deduplicated by kind and location; a summary (inputs tried,
verdicts, slowest input, findings) is printed and written to fuzz/results/<target>.json. A per-input alarm turns
a hang into a finding instead of a stuck run, and the address-space limit turns unbounded allocation into a
MemoryError finding.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fuzz import mutate, seeds
from fuzz.targets import FORMATS, KNOWN, TARGETS, Finding

HERE = Path(__file__).resolve().parent
CRASHES = HERE / "crashes"
RESULTS = HERE / "results"
# The acceptance bound: any input slower than this is a finding (a decoder must refuse fast).
SLOW_SECONDS = 1.0
# A hung input is abandoned after this (then reported as a finding).
HANG_SECONDS = 10
MEMORY_LIMIT = 4 << 30
MAX_OPS = 8


class _Hang(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in the code under test eats it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Hang()


def seed_corpus(target: str) -> list[bytes]:
    return {"ber": seeds.ber_seeds, "framer": seeds.framer_seeds, "xml": seeds.xml_seeds}[target]()


def random_ops(rng: random.Random, fmt: str) -> list[mutate.Op]:
    # Mostly few mutations (stay close to valid, reach deep code), sometimes many.
    n = 1 + min(int(rng.expovariate(0.6)), MAX_OPS - 1)
    kinds = mutate.kinds(fmt)
    return [(rng.randrange(kinds), rng.getrandbits(32), rng.getrandbits(48)) for _ in range(n)]


def _signature(exc: BaseException) -> str:
    """Where a finding comes from: its kind plus the innermost frame of the exception that caused it."""
    inner: BaseException = exc
    while inner.__cause__ is not None:
        inner = inner.__cause__
    tb = traceback.extract_tb(inner.__traceback__)
    where = f"{Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else "?"
    kind = exc.kind if isinstance(exc, Finding) else type(exc).__name__
    return f"{kind}|{type(inner).__name__}|{where}"


def _save(target: str, tag: str, data: bytes, text: str) -> str:
    CRASHES.mkdir(exist_ok=True)
    name = f"{target}-{tag}-{hashlib.sha1(data).hexdigest()[:12]}"
    (CRASHES / f"{name}.bin").write_bytes(data)
    (CRASHES / f"{name}.txt").write_text(text)
    return name


def _worker(args: tuple[str, int, float, int]) -> dict[str, Any]:
    # A pool worker process: cap its address space so that unbounded allocation shows as MemoryError.
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):
        pass
    return work(*args)


def work(target: str, wseed: int, seconds: float, max_inputs: int) -> dict[str, Any]:
    """Fuzz one target in this process: until `seconds` pass (0: no time limit) or `max_inputs` are tried."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        return _loop(target, wseed, seconds, max_inputs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _loop(target: str, wseed: int, seconds: float, max_inputs: int) -> dict[str, Any]:
    check: Callable[[bytes], str] = TARGETS[target]
    fmt = FORMATS[target]
    corpus = seed_corpus(target)
    rng = random.Random(wseed)
    for data in corpus[:3]:  # warm up: the codec generates its functions on first use (not the input's cost)
        try:
            check(data)
        except Exception:  # noqa: S110 - a seed's own finding is found again in the loop
            pass
    stats: dict[str, Any] = {"inputs": 0, "ok": 0, "refused": 0, "slowest": 0.0, "slowest_input": "",
                             "findings": {}, "bytes": 0}
    deadline = time.monotonic() + seconds if seconds > 0 else float("inf")
    n = 0
    while n < max_inputs and (n & 63 or time.monotonic() < deadline):
        data = mutate.apply(rng.choice(corpus), random_ops(rng, fmt), corpus, fmt)
        n += 1
        stats["bytes"] += len(data)
        t0 = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
        try:
            verdict = check(data)
            signal.setitimer(signal.ITIMER_REAL, 0)
        except (_Hang, Finding, Exception, RecursionError, MemoryError) as exc:
            signal.setitimer(signal.ITIMER_REAL, 0)
            verdict = "finding"
            sig = "hang|-|-" if isinstance(exc, _Hang) else _signature(exc)
            entry = stats["findings"].setdefault(sig, {"count": 0, "saved": None})
            entry["count"] += 1
            if entry["saved"] is None:
                text = "".join(traceback.format_exception(exc))
                entry["saved"] = _save(target, sig.split("|")[0], data, f"{sig}\n\n{text}")
        elapsed = time.perf_counter() - t0
        stats[verdict] = stats.get(verdict, 0) + 1
        if elapsed > stats["slowest"]:
            stats["slowest"] = elapsed
            stats["slowest_input"] = hashlib.sha1(data).hexdigest()[:12]
        if elapsed > SLOW_SECONDS:
            sig = "slow|-|-"
            entry = stats["findings"].setdefault(sig, {"count": 0, "saved": None})
            entry["count"] += 1
            if entry["saved"] is None:
                entry["saved"] = _save(target, "slow", data, f"{elapsed:.3f} s\n")
    stats["inputs"] = n
    return stats


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {"inputs": 0, "ok": 0, "refused": 0, "finding": 0, "bytes": 0, "slowest": 0.0,
                             "slowest_input": "", "findings": {}}
    for p in parts:
        for k in ("inputs", "ok", "refused", "finding", "bytes"):
            total[k] += p.get(k, 0)
        if p["slowest"] > total["slowest"]:
            total["slowest"], total["slowest_input"] = p["slowest"], p["slowest_input"]
        for sig, e in p["findings"].items():
            t = total["findings"].setdefault(sig, {"count": 0, "saved": e["saved"]})
            t["count"] += e["count"]
    return total


def fuzz(target: str, *, seconds: float, inputs: int, jobs: int, seed: int) -> dict[str, Any]:
    per_job = -(-inputs // jobs) if inputs else sys.maxsize
    tasks = [(target, seed * 1000 + j, seconds, per_job) for j in range(jobs)]
    t0 = time.monotonic()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        parts = pool.map(_worker, tasks)
    result = _merge(parts)
    result.update(target=target, seconds=round(time.monotonic() - t0, 1), jobs=jobs, seed=seed,
                  seeds=len(seed_corpus(target)), python=sys.version.split()[0])
    return result


def minimize(target: str, data: bytes) -> bytes:
    """Greedy delta debugging: drop chunks (halving their size) while the same finding kind still occurs."""
    check = TARGETS[target]

    def kind_of(d: bytes) -> str | None:
        try:
            check(d)
        except Exception as exc:
            return _signature(exc)
        return None

    want = kind_of(data)
    if want is None:
        raise SystemExit("the input does not reproduce a finding")
    size = max(1, len(data) // 2)
    while size >= 1:
        i = 0
        while i < len(data):
            cand = data[:i] + data[i + size:]
            if cand and kind_of(cand) == want:
                data = cand
            else:
                i += size
        size //= 2
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m fuzz.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", default="all", choices=[*TARGETS, "all"])
    ap.add_argument("--seconds", type=float, default=60.0, help="time budget per target (0: until --inputs)")
    ap.add_argument("--inputs", type=int, default=0, help="stop a target after this many inputs (0: no limit)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minimize", nargs=2, metavar=("TARGET", "FILE"))
    args = ap.parse_args(argv)
    if args.minimize:
        target, path = args.minimize
        small = minimize(target, Path(path).read_bytes())
        print(f"{len(small)} octets: {small!r}")
        return 0
    if args.seconds <= 0 and args.inputs <= 0:
        ap.error("give --seconds or --inputs")
    RESULTS.mkdir(exist_ok=True)
    failed = False
    for target in TARGETS if args.target == "all" else [args.target]:
        result = fuzz(target, seconds=args.seconds, inputs=args.inputs, jobs=args.jobs, seed=args.seed)
        (RESULTS / f"{target}.json").write_text(json.dumps(result, indent=2) + "\n")
        rate = result["inputs"] / result["seconds"] if result["seconds"] else 0.0
        print(f"{target}: {result['inputs']} inputs in {result['seconds']} s ({rate:.0f}/s, {args.jobs} jobs, "
              f"{result['seeds']} seeds): {result['ok']} decoded, {result['refused']} refused with the typed "
              f"error, {result['finding']} findings; slowest {result['slowest'] * 1000:.1f} ms")
        for sig, e in sorted(result["findings"].items()):
            kind = sig.split("|")[0]
            label = f"KNOWN (see {KNOWN[kind]})" if kind in KNOWN else "FINDING"
            print(f"  {label} {sig}: {e['count']}x, e.g. fuzz/crashes/{e['saved']}.bin")
            failed |= kind not in KNOWN
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
