"""Store benchmarks (`make bench`, docs/performance.md): messages per second and latency p50/p99 through the
ISO 10161 server and the ISO 18626 app with the memory, SQLite and PostgreSQL stores, at 1 and 50 concurrent
clients, each as a ratio to the memory store in the same run.

    .venv/bin/python benchmarks/stores.py [--seconds S] [--rounds N] [--json FILE] [--pg-url URL]

Method: each configuration's server runs in its own subprocess (benchmarks/store_server.py); the clients run
here on raw asyncio streams (no HTTP library), each message a new transaction (ILL-Request with a new
Transaction-Id; Request with a new requestingAgencyRequestId), so every message writes a journal entry and a
transaction. A client sends, waits for the reply, sends the next. Besides wall-clock throughput and latency,
the server process's CPU time per message is read from /proc (it includes SQLite's writer thread; the
PostgreSQL server's own processes are not counted), which a busy shared host disturbs much less. Configurations run in rotated order for
--rounds rounds; the reported figures are medians over rounds, ratios taken per round against the memory
store of the same protocol and concurrency. PostgreSQL: ISOILL_PG_URL / --pg-url, else a scratch cluster
(tests/store/pg_cluster.py; fsync on, as in production), else skipped. SQLite runs with synchronous=normal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests" / "store"))

import isoill  # noqa: E402
from isoill.stream import Framer  # noqa: E402

FIXTURES = ROOT / "benchmarks" / "fixtures"


def _request_10161(n: int, tag: str) -> bytes:
    tid = isoill.TransactionId(transaction_group_qualifier=f"bench-{tag}", transaction_qualifier=f"T-{n}")
    now = isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date="20261201", time="120000"))
    sid = isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol("REQ"))
    apdu = isoill.ILLRequest(
        transaction_id=tid, service_date_time=now, requester_id=sid, responder_id=sid,
        ill_service_type=(isoill.ILLServiceType.LOAN,), item_id=isoill.ItemId(title="Benchmarks", author="A"),
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True,
            requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.REQUIRES))
    return isoill.encode(apdu)


_XML = (FIXTURES / "iso18626-request.xml").read_bytes()


def _request_18626(n: int, tag: str) -> bytes:
    import re

    body = re.sub(rb"<ill:requestingAgencyRequestId>[^<]*<", f"<ill:requestingAgencyRequestId>{tag}-{n}<".encode(),
                  _XML, count=1)
    head = (f"POST / HTTP/1.1\r\nhost: bench\r\ncontent-type: application/xml\r\n"
            f"content-length: {len(body)}\r\n\r\n").encode()
    return head + body


async def _client_10161(port: int, messages: list[bytes], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framer = Framer()
    pending: list[bytes] = []
    for data in messages:
        t0 = time.perf_counter()
        writer.write(data)
        while not pending:
            chunk = await reader.read(65536)
            if not chunk:
                raise ConnectionError("server closed")
            pending += framer.feed(chunk)
        reply = pending.pop(0)
        latencies.append(time.perf_counter() - t0)
        if b"temporarily" in reply:
            raise RuntimeError("the store refused a write")
    writer.close()


async def _client_18626(port: int, messages: list[bytes], latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for data in messages:
        t0 = time.perf_counter()
        writer.write(data)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if exc.partial:
                raise
            # hypercorn closes a keep-alive connection after 1,000 requests (before reading the next)
            writer.close()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(data)
            head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        body = await reader.readexactly(length)
        latencies.append(time.perf_counter() - t0)
        if not head.startswith(b"HTTP/1.1 200") or b"<ill:messageStatus>OK<" not in body:
            raise RuntimeError(f"not confirmed: {head[:40]!r} {body[:200]!r}")
    writer.close()


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(kind: str, port: int, clients: int, seconds: float, tag: str, pid: int) -> dict[str, float]:
    """Run `clients` clients until about `seconds` of work is done; throughput and latency."""
    make = _request_10161 if kind == "iso10161" else _request_18626
    client = _client_10161 if kind == "iso10161" else _client_18626

    runs = [0]

    async def go(per_client: int) -> tuple[float, list[float]]:
        runs[0] += 1  # every message a new transaction, also across the warm-up and sizing runs
        batches = [[make(c * 1_000_000 + i, f"{tag}-{runs[0]}") for i in range(per_client)] for c in range(clients)]
        latencies: list[float] = []
        t0 = time.perf_counter()
        await asyncio.gather(*(client(port, b, latencies) for b in batches))
        return time.perf_counter() - t0, latencies

    asyncio.run(go(20))  # warm up (and size the run)
    elapsed, _ = asyncio.run(go(20))
    rate = 20 * clients / elapsed
    per_client = max(20, int(rate * seconds / clients))
    cpu0 = _cpu(pid)
    elapsed, latencies = asyncio.run(go(per_client))
    cpu = _cpu(pid) - cpu0
    latencies.sort()
    return {"messages_per_s": len(latencies) / elapsed, "server_cpu_us": 1e6 * cpu / len(latencies),
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)], "messages": len(latencies)}


class _Server:
    def __init__(self, kind: str, url: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "store_server.py"), kind, url],
                                     stdout=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        if not line.startswith("port "):
            self.proc.kill()
            raise RuntimeError(f"{kind} server on {url} did not start")
        self.port = int(line.split()[1])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _pg_url(given: str | None) -> tuple[str | None, Any]:
    if given:
        return given, None
    try:
        import psycopg  # noqa: F401
        from pg_cluster import Cluster, find_bin
    except ImportError:
        return None, None
    bindir = find_bin()
    if bindir is None:
        return None, None
    try:
        cluster = Cluster(bindir, fsync=True)
    except Exception as exc:  # no usable postgres: the column is skipped
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None, None
    return cluster.url(), cluster


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=2.0, help="length of one measurement")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--clients", default="1,50")
    p.add_argument("--stores", default="memory,sqlite,postgresql")
    p.add_argument("--protocols", default="iso10161,iso18626")
    p.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "stores.json")
    p.add_argument("--pg-url", default=os.environ.get("ISOILL_PG_URL"))
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="isoill-bench-"))
    pg_admin, cluster = _pg_url(args.pg_url) if "postgresql" in args.stores else (None, None)
    wanted = args.stores.split(",")
    stores = [s for s in ("memory", "sqlite") if s in wanted] + (["postgresql"] if pg_admin and "postgresql" in wanted else [])
    concurrency = [int(c) for c in args.clients.split(",")]
    samples: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    try:
        for rnd in range(args.rounds):
            order = stores[rnd % len(stores):] + stores[:rnd % len(stores)]
            for kind in args.protocols.split(","):
                for store in order:
                    if store == "memory":
                        url = "memory:"
                    elif store == "sqlite":
                        url = f"sqlite:///{tmp}/{kind}-{rnd}.db"
                    else:
                        from pg_cluster import new_database

                        assert pg_admin is not None
                        url = new_database(pg_admin)
                    server = _Server(kind, url)
                    try:
                        for clients in concurrency:
                            r = _measure(kind, server.port, clients, args.seconds, f"r{rnd}c{clients}", server.proc.pid)
                            samples.setdefault((kind, store, clients), []).append(r)
                            if not args.quiet:
                                print(f"round {rnd} {kind} {store} {clients} clients: "
                                      f"{r['messages_per_s']:.0f}/s {r['server_cpu_us']:.0f} µs CPU p50 {r['p50_ms']:.2f} ms "
                                      f"p99 {r['p99_ms']:.2f} ms", file=sys.stderr)
                    finally:
                        server.stop()
    finally:
        if cluster is not None:
            cluster.destroy()
    rows = []
    for (kind, store, clients), runs in sorted(samples.items()):
        base = samples[(kind, "memory", clients)]
        # cost ratio: time per message against the memory store's, round by round
        ratios = [b["messages_per_s"] / r["messages_per_s"] for r, b in zip(runs, base, strict=False)]
        cpu_ratios = [r["server_cpu_us"] / b["server_cpu_us"] for r, b in zip(runs, base, strict=False)]
        rows.append({"protocol": kind, "store": store, "clients": clients,
                     "messages_per_s": statistics.median(r["messages_per_s"] for r in runs),
                     "p50_ms": statistics.median(r["p50_ms"] for r in runs),
                     "p99_ms": statistics.median(r["p99_ms"] for r in runs),
                     "server_cpu_us": statistics.median(r["server_cpu_us"] for r in runs),
                     "cost_vs_memory": statistics.median(ratios), "cpu_vs_memory": statistics.median(cpu_ratios)})
    out = {"rows": rows, "rounds": args.rounds, "seconds": args.seconds, "cpus": os.cpu_count()}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    print("| protocol | store | clients | messages/s | p50 ms | p99 ms | time/message vs memory "
          "| server CPU µs/message | CPU vs memory |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['protocol']} | {r['store']} | {r['clients']} | {r['messages_per_s']:.0f} | {r['p50_ms']:.2f} "
              f"| {r['p99_ms']:.2f} | {r['cost_vs_memory']:.2f}x | {r['server_cpu_us']:.0f} "
              f"| {r['cpu_vs_memory']:.2f}x |")
    return out


if __name__ == "__main__":
    main()
