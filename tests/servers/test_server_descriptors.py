"""Both servers free their descriptors: a peer that floods without reading is aborted at the write timeout;
running out of descriptors pauses accepting and logs once per interval (not a traceback per attempt); the
ISO 18626 endpoint caps its connections and releases peer-closed ones at once.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest import CANCEL, HOST, RECEIVED_XML, Served

from illcore.aio import listening_socket
from iso18626 import serving
from iso18626.http._serve import _hypercorn_config
from isoill import net
from isoill._ber.codec import Codec

BIG = b"\x00" * (1 << 20)  # a reply far larger than the socket buffers of a peer that does not read


def open_sockets() -> int:
    """Sockets this process holds now (Linux /proc)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return count


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")


def test_ill_flood_without_reading_frees_the_descriptor() -> None:
    async def big(incoming: net.Incoming) -> None:
        await incoming.reply(BIG)

    async def main() -> tuple[int, int, float]:
        limits = net.Limits(write_timeout=0.5)
        server = net.ILLServer(big, host=HOST, port=0, limits=limits, track=False, codec=Codec())
        await server.start()
        before = open_sockets()  # the listening socket included
        reader, writer = await asyncio.open_connection(HOST, server.port)
        writer.write(CANCEL * 50)  # and never read
        await asyncio.sleep(0.2)
        held = open_sockets() - before  # ours and the server's end
        start = time.monotonic()
        while open_sockets() - before > 1 and time.monotonic() - start < 5.5:
            await asyncio.sleep(0.05)
        freed_after = time.monotonic() - start
        left = open_sockets() - before  # only the client's own socket, still connected
        writer.transport.abort()
        await server.close(0)
        return held, left, freed_after

    held, left, freed_after = asyncio.run(main())
    assert held == 2
    assert left == 1, "the server still holds the socket of a peer that does not read"
    assert freed_after < 5.5


async def big_app(scope: dict, receive: Callable, send: Callable) -> None:  # type: ignore[type-arg]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(BIG))]})
    await send({"type": "http.response.body", "body": BIG})


def endpoint(app: object, **kw: object) -> serving.Endpoint:
    return serving.Endpoint(app, _hypercorn_config(128), listening_socket(HOST, 0, 128), **kw)  # type: ignore[arg-type]


def test_18626_flood_without_reading_frees_the_descriptor() -> None:
    async def main() -> tuple[int, int]:
        ep = endpoint(big_app, write_timeout=0.5)
        await ep.start()
        port = ep.sock.getsockname()[1]
        before = open_sockets()
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n" * 20)
        await asyncio.sleep(0.2)
        held = open_sockets() - before
        start = time.monotonic()
        while open_sockets() - before > 1 and time.monotonic() - start < 5.5:
            await asyncio.sleep(0.05)
        left = open_sockets() - before
        writer.transport.abort()
        await ep.stop(0)
        return held, left

    held, left = asyncio.run(main())
    assert held == 2 and left == 1


def test_18626_connection_cap_closes_the_idle_longest() -> None:
    async def main() -> tuple[int, int, int]:
        ep = endpoint(big_app, max_connections=5)
        await ep.start()
        port = ep.sock.getsockname()[1]
        idle = [await asyncio.open_connection(HOST, port) for _ in range(5)]
        await asyncio.sleep(0.1)
        first_reader = idle[0][0]
        async with httpx.AsyncClient() as client:
            response = await client.get(f"http://{HOST}:{port}/")
        first_closed = await asyncio.wait_for(first_reader.read(), 2.0) == b""
        most = len(ep.connections)
        for _, w in idle:
            w.close()
        await ep.stop(1)
        return response.status_code, int(first_closed), most

    status, first_closed, most = asyncio.run(main())
    assert status == 200 and first_closed == 1 and most <= 5


def test_18626_peer_closed_connections_are_released_at_once() -> None:
    async def main() -> float:
        ep = endpoint(big_app)
        await ep.start()
        port = ep.sock.getsockname()[1]
        conns = [await asyncio.open_connection(HOST, port) for _ in range(20)]
        await asyncio.sleep(0.1)
        assert len(ep.connections) == 20
        start = time.monotonic()
        for _, w in conns:
            w.close()
        while ep.connections and time.monotonic() - start < 5:
            await asyncio.sleep(0.01)
        took = time.monotonic() - start
        await ep.stop(1)
        return took

    assert asyncio.run(main()) < 1.0  # hypercorn alone: the keep-alive timeout (30 s)


def test_18626_out_of_descriptors_backs_off_and_logs_little(run_server: Callable[..., Served]) -> None:
    """Under `ulimit -n 1024`, 2,000 connections opened and closed within a second leave the endpoint answering
    within 5 s, with less than 1 MB of log (was: unreachable for 30 s, 172 MB of tracebacks)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2200:
        if hard != resource.RLIM_INFINITY and hard < 2200:
            pytest.skip(f"the test's clients need 2,200 descriptors, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2200, hard))
    server = run_server(["-v", "18626", "serve", "--port", "0"], nofile=1024)

    async def main() -> float:
        socks = []
        start = time.monotonic()
        for _ in range(2000):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect((HOST, server.port))
            except BlockingIOError:
                pass
            socks.append(s)
        await asyncio.sleep(max(0.0, 0.8 - (time.monotonic() - start)))
        for s in socks:
            s.close()
        asked = time.monotonic()
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(f"http://{HOST}:{server.port}/", content=RECEIVED_XML,
                                         headers={"content-type": "application/xml"})
        assert response.status_code == 200
        return time.monotonic() - asked

    try:
        took = asyncio.run(main())
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert took < 5.0
    size = server.log_path.stat().st_size
    assert size < 1_000_000, f"{size} octets of log"
    assert b"Too many open files" in server.log_path.read_bytes(), "the test did not exhaust descriptors"
