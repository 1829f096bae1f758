"""Both servers stop cleanly: SIGTERM under 50 busy clients answers every message sent before the signal and
exits within the drain timeout; a second signal stops at once; the 3.11 cancellation case of asyncio.wait_for.

The servers run as `isoill` subprocesses (the signal path of the CLI is what is tested); clients on loopback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import pytest
from conftest import CANCEL, HOST, RECEIVED_XML, Served

from isoill import net
from isoill._ber.codec import Codec

CLIENTS = 50
DRAIN = 5.0


class Tally:
    """Per client: when each message was sent (after the send returned) and how many were answered."""

    def __init__(self) -> None:
        self.sent: list[float] = []
        self.answered = 0


_CODEC: list[Codec] = []


def codec() -> Codec:
    """One codec for all clients (generating one takes a second or two)."""
    if not _CODEC:
        _CODEC.append(Codec())
    return _CODEC[0]


async def ill_client(port: int, tally: Tally) -> None:
    try:
        conn = await net.ILLConnection.connect(HOST, port, codec=codec())
    except OSError:
        return
    try:
        while True:
            await conn.send(CANCEL)
            tally.sent.append(time.monotonic())
            if await conn.receive(15.0) is None:
                return
            tally.answered += 1
    except (ConnectionError, asyncio.TimeoutError):
        return
    finally:
        await conn.close()


async def http_client(port: int, tally: Tally) -> None:
    """HTTP/1.1 keep-alive on raw streams: a message counts as sent once it is in the kernel (write + drain)."""
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except OSError:
        return
    request = (b"POST / HTTP/1.1\r\nhost: test\r\ncontent-type: application/xml\r\ncontent-length: %d\r\n\r\n"
               % len(RECEIVED_XML) + RECEIVED_XML)
    try:
        while True:
            writer.write(request)
            await writer.drain()
            tally.sent.append(time.monotonic())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await asyncio.wait_for(reader.readexactly(length), 15)
            if not head.startswith(b"HTTP/1.1 200"):
                return
            tally.answered += 1
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError):
        return
    finally:
        writer.close()


def drain_under_load(server: Served, client: Callable[[int, Tally], object]) -> tuple[list[Tally], float, float]:
    """Run CLIENTS busy clients, SIGTERM the server once all are answered and 0.5 s later; (tallies, time of the signal, exit time)."""
    tallies = [Tally() for _ in range(CLIENTS)]
    signalled = exited = 0.0
    codec()

    async def main() -> None:
        nonlocal signalled, exited
        tasks = [asyncio.ensure_future(client(server.port, t)) for t in tallies]  # type: ignore[arg-type]
        warm = time.monotonic() + 30  # the first message loads the parser or codec in the server
        while not all(t.answered for t in tallies) and time.monotonic() < warm:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        signalled = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        while server.proc.poll() is None and time.monotonic() - signalled < DRAIN + 10:
            await asyncio.sleep(0.01)
        exited = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*tasks), 20)

    asyncio.run(main())
    return tallies, signalled, exited


def check(tallies: list[Tally], signalled: float, exited: float, server: Served) -> None:
    assert server.proc.returncode == 0, server.log_path.read_text()[-2000:]
    assert exited - signalled < DRAIN, f"exited {exited - signalled:.1f} s after SIGTERM"
    before = [sum(1 for t in tally.sent if t < signalled) for tally in tallies]
    assert sum(before) > CLIENTS, "the clients were not busy"
    unanswered = [(i, b, t.answered) for i, (b, t) in enumerate(zip(before, tallies, strict=True)) if t.answered < b]
    assert not unanswered, f"(client, sent before SIGTERM, answered): {unanswered}"


def test_ill_listen_drains_on_sigterm(run_server: Callable[..., Served]) -> None:
    server = run_server(["listen", "--port", "0", "--reply-status", "--drain-timeout", str(DRAIN)])
    check(*drain_under_load(server, ill_client), server)


def test_18626_serve_drains_on_sigterm(run_server: Callable[..., Served]) -> None:
    server = run_server(["18626", "serve", "--port", "0", "--drain-timeout", str(DRAIN)])
    check(*drain_under_load(server, http_client), server)


def test_second_signal_stops_at_once(run_server: Callable[..., Served]) -> None:
    """A handler-free hold: a client in the middle of an APDU keeps the drain waiting (up to the drain timeout);
    a second SIGTERM ends it at once."""
    server = run_server(["listen", "--port", "0", "--drain-timeout", "30"])

    async def main() -> float:
        reader, writer = await asyncio.open_connection(HOST, server.port)
        writer.write(CANCEL[:5])  # half an APDU: owed an answer once complete, so the drain waits for it
        await writer.drain()
        await asyncio.sleep(0.3)
        os.kill(server.proc.pid, signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert server.proc.poll() is None, "the first signal should drain, not stop"
        start = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        while server.proc.poll() is None and time.monotonic() - start < 10:
            await asyncio.sleep(0.01)
        writer.close()
        return time.monotonic() - start

    assert asyncio.run(main()) < 2.0
    assert server.proc.returncode == 0


@pytest.mark.parametrize("drain_timeout", [0.0, 3.0])
def test_close_api_drains_in_process(drain_timeout: float) -> None:
    """`ILLServer.close()`: APDUs pipelined before close are answered (drain), or cut at once with 0."""

    async def slow(incoming: net.Incoming) -> None:
        await asyncio.sleep(0.1)
        await incoming.reply(incoming.data)

    async def main() -> tuple[int, float]:
        server = net.ILLServer(slow, host=HOST, port=0, track=False, codec=codec())
        await server.start()
        conn = await net.ILLConnection.connect(HOST, server.port, codec=codec())
        await conn.send(CANCEL * 10)
        await asyncio.sleep(0.05)  # the first APDU is being handled, the rest are buffered
        start = time.monotonic()
        closing = asyncio.ensure_future(server.close(drain_timeout))
        replies = 0
        while await conn.receive(3.0) is not None:
            replies += 1
        await closing
        await conn.close()
        return replies, time.monotonic() - start

    replies, took = asyncio.run(main())
    if drain_timeout:
        assert replies == 10 and took < drain_timeout
    else:
        assert replies == 0 and took < 0.5


def test_bounded_wait_keeps_a_cancellation_that_meets_a_completed_read() -> None:
    """The 3.11 case: the read completes and the task is cancelled in the same loop iteration. asyncio.wait_for
    on 3.11 returns the data and drops the cancellation; the server's bounded wait must raise it."""

    async def main() -> bool:
        server = net.ILLServer(net_echo, host=HOST, port=0, codec=codec())
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()

        class Writer:
            transport = None

            def get_extra_info(self, name: str) -> object:
                return ("127.0.0.1", 1) if name == "peername" else None

        conn = net._Connection(server, reader, Writer())  # type: ignore[arg-type]

        async def waiter() -> bytes:
            conn.task = asyncio.current_task()
            return await conn._bounded(reader.read(10), 5.0, "read")

        task = asyncio.ensure_future(waiter())
        await asyncio.sleep(0)  # the task waits in read
        reader.feed_data(b"x")  # completes the read ...
        task.cancel()  # ... and the cancellation arrives before the task resumes
        try:
            await task
        except asyncio.CancelledError:
            return True
        del loop
        return False

    assert asyncio.run(main())


async def net_echo(incoming: net.Incoming) -> None:
    await incoming.reply(incoming.data)


def test_serve_forever_ends_with_close_and_cancelling_it_cuts() -> None:
    async def main() -> tuple[bool, bool, bool]:
        server = net.ILLServer(net_echo, host=HOST, port=0, track=False, codec=codec())
        await server.start()
        forever = asyncio.ensure_future(server.serve_forever())
        conn = await net.ILLConnection.connect(HOST, server.port, codec=codec())
        await conn.send(CANCEL)
        answered = await conn.receive(3.0) == CANCEL
        await server.close()  # idle connection: closed at once; serve_forever returns
        await asyncio.wait_for(forever, 3.0)
        closed_by_server = await conn.receive(3.0) is None and conn.closed_by_peer
        await conn.close()

        second = net.ILLServer(net_echo, host=HOST, port=0, track=False, codec=codec())
        forever = asyncio.ensure_future(second.serve_forever())
        await asyncio.sleep(0.05)
        other = await net.ILLConnection.connect(HOST, second.port, codec=codec())
        await asyncio.sleep(0.05)
        forever.cancel()
        await asyncio.gather(forever, return_exceptions=True)
        cut = await other.receive(3.0) is None
        await other.close()
        return answered, closed_by_server, cut

    assert asyncio.run(main()) == (True, True, True)


def test_18626_http2_drain_answers_every_stream() -> None:
    """20 requests in flight on one HTTP/2 connection when the endpoint stops: all handled, all answered
    (hypercorn 0.18's own shutdown answered 5; telling the connection to finish before its streams were done
    lost the last stream's response)."""
    import httpx

    from iso18626 import http

    async def main() -> tuple[int, int]:
        handled: list[int] = []

        async def slow(message: object) -> None:
            handled.append(1)
            await asyncio.sleep(0.3)

        stop, ready, port = asyncio.Event(), asyncio.Event(), []

        def on_ready(p: int) -> None:
            port.append(p)
            ready.set()

        serving = asyncio.ensure_future(http.serve(port=0, app=http.ISO18626App(slow), shutdown=stop,  # type: ignore[arg-type]
                                                   drain_timeout=5, ready=on_ready))
        await ready.wait()
        async with httpx.AsyncClient(http1=False, http2=True, timeout=10) as client:
            posts = [asyncio.ensure_future(client.post(f"http://{HOST}:{port[0]}/", content=RECEIVED_XML,
                                                       headers={"content-type": "application/xml"}))
                     for _ in range(20)]
            await asyncio.sleep(0.25)  # every request is with the handler
            stop.set()
            results = await asyncio.gather(*posts, return_exceptions=True)
        await serving
        return len(handled), sum(getattr(r, "status_code", 0) == 200 for r in results)

    assert asyncio.run(main()) == (20, 20)
