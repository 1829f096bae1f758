"""How long the collector's full passes stall an ISO 10161 server, with and without `gc.freeze()` after start-up.

    .venv/bin/python benchmarks/gc_pauses.py [--transactions 0,20000,50000]

Builds the server of `isoill listen` (codec, machine tables; not started: no I/O is needed to fill its store),
applies N ILL-Requests of distinct transactions to its store (what N peers' requests leave in the memory
store), then times `gc.collect()` (a full pass, what the collector runs by itself every so often): median of 5.
With --freeze, `gc.freeze()` runs after start-up, as `isoill listen` and `isoill 18626 serve` do.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from isoill import net  # noqa: E402
from isoill._ber.codec import Codec  # noqa: E402

REQUEST = (ROOT / "tests" / "vectors" / "iso10161" / "illclient-request-plain.ber").read_bytes()


def full_pass_ms() -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def run(counts: list[int], freeze: bool) -> list[tuple[int, int, float]]:
    codec = Codec()
    server = net.ILLServer(net_handler, codec=codec, strict=False)
    template = codec.decode(REQUEST)
    server.track(template)
    if freeze:
        gc.collect()
        gc.freeze()
    rows = []
    done = 0
    for n in counts:
        while done < n:
            tid = attrs.evolve(template.transaction_id, transaction_qualifier=f"T{done}")
            server.track(attrs.evolve(template, transaction_id=tid))
            done += 1
        rows.append((n, len(gc.get_objects()), full_pass_ms()))
    return rows


async def net_handler(incoming: net.Incoming) -> None:
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", default="0,20000,50000")
    parser.add_argument("--freeze", action="store_true")
    args = parser.parse_args()
    counts = [int(n) for n in args.transactions.split(",")]
    for n, objects, ms in run(counts, args.freeze):
        print(f"{'frozen' if args.freeze else 'plain '} {n:7d} transactions: {objects:9d} tracked objects, "
              f"full collection {ms:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
