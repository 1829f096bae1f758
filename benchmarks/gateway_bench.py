"""Messages/s and latency through the gateway against the plain ISO 18626 app, in one interleaved run on loopback.

    .venv/bin/python benchmarks/gateway_bench.py [--rounds N] [--requests N] [--json FILE]

- plain: POST an ISO 18626 request to `iso18626.http.ISO18626App` (accept_all) and wait for its confirmation.
- gateway: POST the same kind of request to a gateway node (memory store), and wait for its confirmation AND for
  the bridged request to arrive at the ISO 18626 supplier the rota names (which confirms it): request in,
  bridged request out, confirmation back.
Rounds alternate the two (A B, B A, ...); each round sends --requests requests one after another on one HTTP
client. Reported: per-request latency medians (ms) and messages/s per case, and the per-round ratio gateway/plain.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import iso18626  # noqa: E402
from illnode.gateway.memstore import MemoryStore  # noqa: E402
from illnode.gateway.node import Node, parse_config  # noqa: E402
from iso18626 import http  # noqa: E402


def _request(n: int) -> bytes:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    msg = iso18626.Request(
        header=iso18626.Header(
            requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                   agency_id_value="BORROWER"),
            supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="GW"),
            timestamp=now, requesting_agency_request_id=f"B-{n}"),
        bibliographic_info=iso18626.BibliographicInfo(title=f"Title {n}", author="Author"),
        service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN))
    return iso18626.serialize(msg)


async def _serve(app: Any, stop: asyncio.Event) -> tuple[int, asyncio.Task[Any]]:
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=app, ready=ready.set_result, shutdown=stop))
    return await asyncio.wait_for(ready, 10), task


async def main_async(rounds: int, requests: int) -> dict[str, Any]:
    stop = asyncio.Event()
    plain_port, plain_task = await _serve(http.ISO18626App(), stop)
    arrived: asyncio.Queue[float] = asyncio.Queue()

    async def supplier(message: Any) -> http.HandlerResult:
        if isinstance(message, iso18626.Request):
            arrived.put_nowait(time.perf_counter())
        return None

    supplier_port, supplier_task = await _serve(http.ISO18626App(supplier), stop)
    node = Node(parse_config({
        "node": {"symbol": "GW", "store": "memory:", "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0"},
        "partner": [{"symbol": "BORROWER", "protocol": "iso18626", "address": "http://127.0.0.1:9/"},
                    {"symbol": "LENDER", "protocol": "iso18626", "address": f"http://127.0.0.1:{supplier_port}/"}],
        "rota": [{"name": "one", "members": ["LENDER"]}]}), store=MemoryStore(), poll=0.05)
    await node.start()
    gw_url = f"http://127.0.0.1:{node.ports['iso18626']}/iso18626"
    plain_url = f"http://127.0.0.1:{plain_port}/"
    samples: dict[str, list[float]] = {"plain": [], "gateway": []}
    rates: dict[str, list[float]] = {"plain": [], "gateway": []}
    ratios: list[float] = []
    counter = 0
    headers = {"content-type": "application/xml"}
    async with httpx.AsyncClient() as client:
        for r in range(rounds):
            per_round: dict[str, float] = {}
            for case in (("plain", "gateway") if r % 2 == 0 else ("gateway", "plain")):
                start_round = time.perf_counter()
                lat = []
                for _ in range(requests):
                    counter += 1
                    body = _request(counter)
                    t0 = time.perf_counter()
                    resp = await client.post(plain_url if case == "plain" else gw_url, content=body, headers=headers)
                    assert resp.status_code == 200 and b"<ill:messageStatus>OK" in resp.content, resp.content
                    if case == "gateway":
                        done = await asyncio.wait_for(arrived.get(), 10)
                        lat.append(max(done, time.perf_counter()) - t0)
                    else:
                        lat.append(time.perf_counter() - t0)
                elapsed = time.perf_counter() - start_round
                samples[case] += lat
                rates[case].append(requests / elapsed)
                per_round[case] = statistics.median(lat)
            ratios.append(per_round["gateway"] / per_round["plain"])
    await node.close()
    stop.set()
    await asyncio.gather(plain_task, supplier_task, return_exceptions=True)
    return {
        "rounds": rounds, "requests_per_round": requests,
        "latency_ms": {k: round(statistics.median(v) * 1000, 2) for k, v in samples.items()},
        "messages_per_s": {k: round(statistics.median(v), 1) for k, v in rates.items()},
        "latency_ratio_gateway_over_plain": round(statistics.median(ratios), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    result = asyncio.run(main_async(args.rounds, args.requests))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
