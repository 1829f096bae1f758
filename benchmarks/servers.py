"""Server benchmarks (the server section of `make bench`): both servers against a floor, in one run.

    .venv/bin/python benchmarks/servers.py [--rounds N] [--scale X] [--json FILE] [--only ill,http] [--gc-freeze]

- ISO 10161: `ILLServer` answering each ILL-Request with a status report (what `isoill listen --reply-status`
  does, without printing) against a bare asyncio echo server; the reference of the CPU target is the codec's
  own decode of the request + encode of the report, timed in this process.
- ISO 18626: the `isoill 18626 serve` app (parse, transaction, confirmation) against a trivial ASGI app
  (read the body, answer a fixed 200) under the same serve layer and hypercorn.
- Each server runs in its own process (benchmarks/serve_target.py); the clients run here, on raw asyncio
  streams (a cheap client leaves the CPU to the server). Loads: one connection pipelining (ISO 10161: a window
  of 8 APDUs in flight; HTTP/1.1: one request at a time), and 50 concurrent connections each doing
  request/response. Server CPU per message is the server process's user+system time over the load
  (/proc/PID/stat) divided by the messages; latency is send-to-reply on the client. Targets run in a rotated
  order each round; medians over rounds are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REQUEST_BER = (ROOT / "tests" / "vectors" / "iso10161" / "illclient-request-plain.ber").read_bytes()
REQUEST_XML = (HERE / "fixtures" / "iso18626-request.xml").read_bytes()
TICK = os.sysconf("SC_CLK_TCK")
sys.path.insert(0, str(ROOT / "src"))
CONCURRENT = 50
WINDOW = 8


class Target:
    def __init__(self, kind: str, freeze: bool) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        argv = [sys.executable, str(HERE / "serve_target.py"), kind] + (["--gc-freeze"] if freeze else [])
        self.kind = kind
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --- clients ------------------------------------------------------------------------------------------------

async def ill_connection(port: int, count: int, window: int, latencies: list[float]) -> None:
    from isoill.stream import Framer

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framer = Framer()
    sent: list[float] = []
    received = 0
    while received < count:
        while len(sent) - received < window and len(sent) < count:
            writer.write(REQUEST_BER)
            sent.append(time.perf_counter())
        chunk = await reader.read(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        now = time.perf_counter()
        for _ in framer.feed(chunk):
            latencies.append(now - sent[received])
            received += 1
    writer.close()


async def http_connection(port: int, count: int, tag: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for i in range(count):
        body = REQUEST_XML.replace(b"MS-173", b"B-%d-%d-%d" % (tag, i, time.perf_counter_ns()))
        writer.write(b"POST / HTTP/1.1\r\nhost: bench\r\ncontent-type: application/xml\r\ncontent-length: %d\r\n\r\n"
                     % len(body) + body)
        start = time.perf_counter()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - start)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode("latin-1"))
    writer.close()


def run_load(target: Target, load: str, total: int) -> dict[str, float]:
    latencies: list[float] = []

    async def main() -> None:
        if target.kind.startswith("ill"):
            if load == "1":
                await ill_connection(target.port, total, WINDOW, latencies)
            else:
                await asyncio.gather(*(ill_connection(target.port, max(1, total // CONCURRENT), 1, latencies)
                                       for _ in range(CONCURRENT)))
        elif load == "1":
            await http_connection(target.port, total, 0, latencies)
        else:
            await asyncio.gather(*(http_connection(target.port, max(1, total // CONCURRENT), i, latencies)
                                   for i in range(CONCURRENT)))

    cpu0, wall0 = target.cpu(), time.perf_counter()
    asyncio.run(main())
    cpu, wall = target.cpu() - cpu0, time.perf_counter() - wall0
    latencies.sort()
    n = len(latencies)
    return {"messages": n, "cpu_us": cpu / n * 1e6, "per_s": n / wall,
            "p50_ms": latencies[n // 2] * 1e3, "p99_ms": latencies[int(n * 0.99)] * 1e3,
            "max_ms": latencies[-1] * 1e3}


def codec_reference(rounds: int) -> float:
    """µs of the codec's own decode of the request + encode of the status report the server sends."""
    from isoill import net
    from isoill._ber.codec import Codec

    codec = Codec()
    apdu = codec.decode(REQUEST_BER)
    txn = net.new_transaction(responder=True)
    txn.receive(apdu)
    report = net.status_report(apdu, txn)
    best = []
    for _ in range(rounds):
        n = 2000
        start = time.process_time()
        for _ in range(n):
            codec.decode(REQUEST_BER)
            codec.encode(report)
        best.append((time.process_time() - start) / n * 1e6)
    return statistics.median(best)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the message counts")
    parser.add_argument("--only", default="ill,http")
    parser.add_argument("--gc-freeze", action="store_true", help="servers call gc.freeze() after start-up")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sections = args.only.split(",")
    kinds = [k for s in sections for k in ({"ill": ["ill", "ill-echo"], "http": ["http", "http-trivial"]}[s])]
    counts = {"ill": {"1": 5000, str(CONCURRENT): 10000}, "http": {"1": 600, str(CONCURRENT): 2000}}
    targets = {k: Target(k, args.gc_freeze) for k in kinds}
    results: dict[str, dict[str, list[dict[str, float]]]] = {k: {} for k in kinds}
    try:
        for k, t in targets.items():  # warm-up: lazy imports, the parser's schema, first transactions
            run_load(t, "1", 200 if k.startswith("ill") else 50)
        for r in range(args.rounds):
            order = kinds[r % len(kinds):] + kinds[:r % len(kinds)]
            for k in order:
                for load, n in counts["ill" if k.startswith("ill") else "http"].items():
                    results[k].setdefault(load, []).append(run_load(targets[k], load, int(n * args.scale)))
        rss = {k: t.rss_mib() for k, t in targets.items()}
    finally:
        for t in targets.values():
            t.stop()
    summary: dict[str, Any] = {"python": sys.version.split()[0], "gc_freeze": args.gc_freeze, "targets": {}}
    print(f"servers, medians of {args.rounds} rounds (python {summary['python']}"
          f"{', gc.freeze' if args.gc_freeze else ''})")
    print(f"{'target':14} {'conns':>5} {'msgs/s':>8} {'cpu µs/msg':>11} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for k in kinds:
        summary["targets"][k] = {"rss_mib": rss[k]}
        for load, runs in results[k].items():
            med = {f: statistics.median(run[f] for run in runs) for f in runs[0]}
            summary["targets"][k][load] = med
            print(f"{k:14} {load:>5} {med['per_s']:8.0f} {med['cpu_us']:11.1f} {med['p50_ms']:8.2f} "
                  f"{med['p99_ms']:8.2f} {med['max_ms']:8.1f}")
    if "ill" in sections:
        ref = codec_reference(5)
        summary["codec_decode_encode_us"] = ref
        for load in counts["ill"]:
            ratio = summary["targets"]["ill"][load]["cpu_us"] / ref
            summary[f"ill_cpu_over_codec_{load}"] = ratio
            print(f"ISO 10161 server CPU / codec decode+encode ({ref:.1f} µs), {load} conn(s): {ratio:.2f}x "
                  f"(target <= 3x)")
    if "http" in sections:
        for load in counts["http"]:
            trivial = summary["targets"]["http-trivial"][load]["cpu_us"]
            if trivial <= 0:  # a run too short for the process CPU clock's tick: no ratio rather than a guess
                summary[f"http_cpu_over_trivial_{load}"] = None
                print(f"ISO 18626 endpoint CPU / trivial ASGI app, {load} conn(s): not measurable at this scale")
                continue
            ratio = summary["targets"]["http"][load]["cpu_us"] / trivial
            summary[f"http_cpu_over_trivial_{load}"] = ratio
            print(f"ISO 18626 endpoint CPU / trivial ASGI app, {load} conn(s): {ratio:.2f}x (target <= 2x)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
