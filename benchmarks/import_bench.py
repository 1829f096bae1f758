"""Import benchmark: the cost per Libris request of reading, mapping and storing it, as ratios to json.loads of the
same answer, measured in one interleaved run.

    .venv/bin/python benchmarks/import_bench.py [--requests N] [--rounds R] [--json FILE]

Cases, each per request of an answer of N requests (the FAKE Libris's sample data):
- `json.loads` (the reference): decoding the answer's octets;
- `read`: decoding plus `libris.model.read_request_list`;
- `read + map`: plus `libris.to_borrowing_request`;
- `run, memory store` / `run, SQLite store`: a whole first `ImportJob` run (one window) over an in-process httpx
  transport (no sockets), into a new store each time: mapping, the BorrowingRequest JSON and the store writes.
Every round runs each case once, in an order rotated per round; time is process CPU time; the reported figure is
the median over rounds of (case / json.loads in the same round).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from illnode.imports import ImportJob  # noqa: E402
from illnode.imports.store import open_store  # noqa: E402
from illnode.testing.fake_libris import FakeLibris, sample_requests  # noqa: E402
from libris import LibrisClient, LibrisImporter, LibrisMapping, to_borrowing_request  # noqa: E402
from libris.model import read_request_list  # noqa: E402

DAY = dt.date(2026, 11, 1)


def cases(n: int, tmp: Path) -> dict[str, Callable[[], object]]:
    fake = FakeLibris({"Abc": "k"}, sample_requests(n, sigil="Abc", first_day=DAY, days=1))
    status, doc = fake.answer("GET", "/librisfjarrlan/api/illrequests/Abc/outgoing", "", {"api-key": "k"}, b"")
    assert status == 200 and doc["count"] == n
    body = json.dumps(doc, ensure_ascii=False).encode()
    mapping = LibrisMapping(library="Abc", libraries={"Abc": "MAIN"}, partners=("GBG", "U", "LI"))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
    client = LibrisClient("Abc", "k", base_url="http://libris.test/api", transport=transport)
    clock = lambda: dt.datetime(2026, 11, 1, 23, 0, tzinfo=dt.timezone.utc)  # noqa: E731 - one window
    counter = iter(range(1 << 30))

    def run(url: Callable[[], str]) -> Callable[[], object]:
        def once() -> object:
            store = open_store(url())
            try:
                report = ImportJob(LibrisImporter(client, mapping), store, source="Abc", since=DAY,
                                   clock=clock).run()
                assert report.imported == n, report
            finally:
                store.close()
            return report
        return once

    return {
        "json.loads": lambda: json.loads(body),
        "read": lambda: read_request_list(json.loads(body)),
        "read + map": lambda: [to_borrowing_request(r, mapping) for r in read_request_list(json.loads(body)).requests],
        "run, memory store": run(lambda: "memory:"),
        "run, SQLite store": run(lambda: f"sqlite:///{tmp}/bench-{next(counter)}.db"),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        table = cases(args.requests, Path(tmp))
        names = list(table)
        samples: dict[str, list[float]] = {k: [] for k in names}
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                t0 = time.process_time()
                table[name]()
                samples[name].append((time.process_time() - t0) / args.requests)
    def ratio(k: str) -> float:
        pairs = [a / b for a, b in zip(samples[k], samples["json.loads"], strict=True) if b > 0]
        return statistics.median(pairs) if pairs else float("nan")  # too quick for the clock: no ratio

    ratios = {k: ratio(k) for k in names}
    rows = [{"case": k, "median_us_per_request": statistics.median(samples[k]) * 1e6, "ratio": ratios[k]}
            for k in names]
    print(f"| case ({args.requests} requests per answer, {args.rounds} rounds) | µs per request | x json.loads |")
    print("| --- | ---: | ---: |")
    for row in rows:
        print(f"| {row['case']} | {row['median_us_per_request']:.1f} | {row['ratio']:.1f} |")
    result: dict[str, object] = {"requests": args.requests, "rounds": args.rounds, "rows": rows}
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
