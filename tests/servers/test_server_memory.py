"""Peers repeating one legal APDU do not grow the ISO 10161 server (the transaction log counts repeats).

Issue 13's bound is for 10 peers x 5,000 repeats (less than 64 MiB of growth); the full-scale run measures the
server process's resident size, `benchmarks/server_memory.py` (docs/performance.md has its numbers). Here the
same exchange runs in-process at 10 x 300 and counts the memory blocks that stay allocated per APDU
(`sys.getallocatedblocks`, no tracing overhead): before the bounded log it was 44 blocks (3.2 KB by
tracemalloc; 160 MB at full scale); the bound asserted (2 blocks, at most a few hundred octets) keeps full scale
far under 64 MiB.
"""

from __future__ import annotations

import asyncio
import gc
import sys

from conftest import HOST, ROOT

from isoill import net
from isoill._ber.codec import Codec
from isoill.stream import Framer

REQUEST = (ROOT / "tests" / "vectors" / "iso10161" / "illclient-request-plain.ber").read_bytes()
PEERS, REPEATS = 10, 300


async def reply_status(incoming: net.Incoming) -> None:  # what `isoill listen --reply-status` answers
    await incoming.reply(incoming.refusal or net.status_report(incoming.apdu, incoming.transaction))


async def peer(port: int, repeats: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    framer = Framer()
    for _ in range(repeats):
        writer.write(REQUEST)
        while not framer.feed(await reader.read(65536)):
            pass
    writer.close()
    await writer.wait_closed()


def test_repeating_peers_do_not_grow_the_server() -> None:
    async def main() -> int:
        server = net.ILLServer(reply_status, host=HOST, port=0, strict=False, codec=Codec())
        await server.start()
        await asyncio.gather(*(peer(server.port, 2) for _ in range(PEERS)))  # warm: first transaction, imports
        await asyncio.sleep(0.1)  # the server side of the connections ends
        gc.collect()
        before = sys.getallocatedblocks()
        await asyncio.gather(*(peer(server.port, REPEATS) for _ in range(PEERS)))
        await asyncio.sleep(0.1)
        gc.collect()
        retained = sys.getallocatedblocks() - before
        await server.close(0)
        return retained

    per_apdu = asyncio.run(main()) / (PEERS * REPEATS)
    assert per_apdu < 2, f"{per_apdu:.1f} memory blocks kept per repeated APDU"
