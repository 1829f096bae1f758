"""Fair eviction on a full ISO 10161 server: a working client that shares its address with a flood of idle
connections keeps its connection (issue 13: it lost 3-6 of ~12 exchanges per flood)."""

from __future__ import annotations

import asyncio

from conftest import CANCEL, HOST

from isoill import net
from isoill._ber.codec import Codec


async def echo(incoming: net.Incoming) -> None:
    await incoming.reply(incoming.data)


def test_working_client_survives_a_flood_from_its_own_address() -> None:
    async def main() -> tuple[int, int, int]:
        codec = Codec()
        limits = net.Limits(max_connections=10)
        server = net.ILLServer(echo, host=HOST, port=0, limits=limits, track=False, codec=codec)
        await server.start()
        good = await net.ILLConnection.connect(HOST, server.port, codec=codec)
        flood: list[asyncio.StreamWriter] = []
        answered = 0
        for _ in range(12):
            await good.send(CANCEL)
            answered += await good.receive(2.0) is not None
            for _ in range(15):  # the flood: more new idle connections (same address) than the server holds
                _, writer = await asyncio.open_connection(HOST, server.port)
                flood.append(writer)
            await asyncio.sleep(0.05)
        evicted = server.evicted_connections
        await good.close()
        for w in flood:
            w.close()
        await server.close(0)
        return answered, evicted, len(flood)

    answered, evicted, flooded = asyncio.run(main())
    assert evicted >= flooded - 10  # the server was full and made room many times
    assert answered == 12
