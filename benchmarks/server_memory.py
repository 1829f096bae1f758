"""How much an ISO 10161 server grows under peers repeating one legal APDU (issue 13: 20 peers took a server
from 173 to 1,416 MiB in 45 s, never freed).

    .venv/bin/python benchmarks/server_memory.py [--peers 10] [--repeats 5000]

Starts the server of benchmarks/serve_target.py (`ILLServer` answering with status reports, tracking on, the
`isoill listen --reply-status` handler without printing) in its own process; every peer sends the same
ILL-Request `--repeats` times, one at a time. Prints the server's resident size after its first APDU and after
the flood, and the growth (tests/servers/test_server_memory.py runs it at a smaller scale).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from servers import REQUEST_BER, Target  # noqa: E402

from isoill.stream import Framer  # noqa: E402


async def peer(port: int, repeats: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framer = Framer()
    for _ in range(repeats):
        writer.write(REQUEST_BER)
        while not framer.feed(await reader.read(65536)):
            pass
    writer.close()


def measure(peers: int, repeats: int) -> dict[str, float]:
    target = Target("ill", freeze=False)
    try:
        asyncio.run(peer(target.port, 1))
        first = target.rss_mib()
        start = time.perf_counter()

        async def flood() -> None:
            await asyncio.gather(*(peer(target.port, repeats) for _ in range(peers)))

        asyncio.run(flood())
        took = time.perf_counter() - start
        after = target.rss_mib()
    finally:
        target.stop()
    return {"after_first_mib": first, "after_flood_mib": after, "growth_mib": after - first,
            "apdus": peers * repeats, "seconds": took}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peers", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5000)
    args = parser.parse_args()
    r = measure(args.peers, args.repeats)
    print(f"{args.peers} peers x {args.repeats} ILL-Requests ({r['apdus']:.0f} APDUs in {r['seconds']:.1f} s): "
          f"{r['after_first_mib']:.0f} MiB after the first APDU, {r['after_flood_mib']:.0f} MiB after, "
          f"growth {r['growth_mib']:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
