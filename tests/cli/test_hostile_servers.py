"""Both servers under hostile clients on loopback: the ISO 10161 TCP server (`isoill.net.ILLServer`) and the ISO
18626 endpoint (`iso18626.http.serve`, hypercorn).

A well-behaved client must keep getting answers during a slowloris (connections trickling an APDU or HTTP
headers a byte at a time) and during a 1000-connection flood; slow connections are closed by the read
timeout; garbage and mutated inputs get protocol error replies; a handler exception is answered, logged and
survived. Each server runs in its own thread and event loop, the attackers and the good client in the test's
loop. Everything is bounded in count and time and binds 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import resource
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import iso18626
import isoill
from iso18626 import http
from isoill import net

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the fuzz harness's mutations, for the mutated-input tests
    sys.path.insert(0, str(ROOT))

from fuzz import mutate, seeds  # noqa: E402

HOST = "127.0.0.1"
CANCEL = (ROOT / "tests" / "vectors" / "iso10161" / "cancel.ber").read_bytes()
RECEIVED_XML = (ROOT / "fuzz" / "corpus" / "xml" / "strict-received.xml").read_bytes()
XML = {"content-type": "application/xml"}
FLOOD = 1000
# Generous bound on one good exchange while the server is under attack (normally a few milliseconds).
ANSWER_WITHIN = 5.0


def fd_headroom(needed: int) -> None:
    """Make sure this process may open `needed` descriptors (raise the soft limit up to the hard one) or skip."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"needs {needed} file descriptors, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


class Threaded:
    """Run a server coroutine in its own thread and event loop; `port` once it listens."""

    def __init__(self, start: Callable[[asyncio.Event, Callable[[int], None]], Awaitable[None]]) -> None:
        self._start = start
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        def ready(port: int) -> None:
            self.port = port
            self._ready.set()

        async def main() -> None:
            self._stop = asyncio.Event()
            await self._start(self._stop, ready)

        self._loop.run_until_complete(main())
        self._loop.close()

    def __enter__(self) -> Threaded:
        self._thread.start()
        assert self._ready.wait(20), "server did not start"
        # Both servers announce the port only once it listens (tests/iso18626/test_http_18626.py checks it for
        # http.serve), so the attack can start at once.
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)


async def echo(incoming: net.Incoming) -> None:
    await incoming.reply(incoming.data)


def ill_server(limits: net.Limits, handler: net.Handler = echo) -> tuple[Threaded, list[net.ILLServer]]:
    holder: list[net.ILLServer] = []

    async def start(stop: asyncio.Event, ready: Callable[[int], None]) -> None:
        server = net.ILLServer(handler, host=HOST, port=0, limits=limits, track=False)
        holder.append(server)
        async with server:
            ready(server.port)
            await stop.wait()

    return Threaded(start), holder


def http_server(app: http.ISO18626App | None = None) -> Threaded:
    async def start(stop: asyncio.Event, ready: Callable[[int], None]) -> None:
        await http.serve(host=HOST, port=0, app=app, ready=ready, shutdown=stop)

    return Threaded(start)


async def ill_exchange(port: int, data: bytes = CANCEL) -> bytes | None:
    """One good client exchange: connect, send an APDU, wait for the reply (None if refused or closed)."""
    conn = await net.ILLConnection.connect(HOST, port)
    try:
        await conn.send(data)
        return await conn.receive(ANSWER_WITHIN)
    except ConnectionError:
        return None
    finally:
        await conn.close()


async def http_exchange(client: httpx.AsyncClient, port: int, body: bytes = RECEIVED_XML) -> httpx.Response:
    return await client.post(f"http://{HOST}:{port}/", content=body, headers=XML, timeout=ANSWER_WITHIN)


async def good_ill_client(port: int, rounds: int) -> list[bytes | None]:
    return [await ill_exchange(port) for _ in range(rounds)]


async def good_http_client(port: int, rounds: int) -> list[int]:
    # A fresh connection per round, like a peer that does not keep connections alive.
    statuses = []
    for _ in range(rounds):
        async with httpx.AsyncClient() as client:
            response = await http_exchange(client, port)
            iso18626.parse(response.content)  # a real confirmation, not some error page
            statuses.append(response.status_code)
    return statuses


@contextlib.asynccontextmanager
async def flood(port: int, count: int) -> Any:
    """Open `count` connections that send nothing and keep them open."""
    writers: list[asyncio.StreamWriter] = []
    try:
        for _ in range(count):
            try:
                _, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                continue
            writers.append(writer)
        yield writers
    finally:
        for w in writers:
            w.close()
        await asyncio.gather(*(w.wait_closed() for w in writers), return_exceptions=True)


async def trickle(port: int, data: bytes, delay: float, stop: asyncio.Event, prefix: bytes = b"",
                  after: float = 0.0) -> float | None:
    """Slowloris: connect after `after` s, send `prefix` at once, then `data` one octet every `delay` s. Returns
    the seconds after which the server closed the connection, None if it was still open when `stop` was set or
    `data` ran out, -1 if the connection was refused."""
    # Connections are opened a few milliseconds apart, as a real slowloris does: a burst of hundreds of
    # simultaneous connects overflows hypercorn's listen backlog (100) and is refused by the kernel (see report).
    await asyncio.sleep(after)
    t0 = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection(HOST, port)
    except ConnectionRefusedError:
        return -1.0  # the listen queue was full: this attacker never got a connection
    try:
        writer.write(prefix)
        for octet in data:
            if stop.is_set():
                return None
            writer.write(bytes((octet,)))
            try:
                await writer.drain()
            except (ConnectionError, OSError):
                return time.monotonic() - t0
            with contextlib.suppress(asyncio.TimeoutError):
                if await asyncio.wait_for(reader.read(65536), delay) == b"":
                    return time.monotonic() - t0
        return None
    except (ConnectionError, OSError):
        return time.monotonic() - t0
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(writer.wait_closed(), 1)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll `condition` (the server's counters live in another thread) until true or `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return condition()


def run(coro: Awaitable[Any], timeout: float = 120) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@pytest.fixture
def fds() -> Iterator[None]:
    fd_headroom(2 * FLOOD + 512)  # the flood's client ends and the server's ends live in this process
    yield


# --- ISO 10161 (TCP, port 1611) ----------------------------------------------------------------------------------

def test_ill_server_answers_during_a_1000_connection_flood_within_its_limit(fds: None) -> None:
    limits = net.Limits(max_connections=FLOOD + 100, idle_timeout=3.0)
    threaded, holder = ill_server(limits)

    async def go() -> None:
        async with flood(threaded.port, FLOOD) as writers:
            assert len(writers) == FLOOD
            # The flood is really being held by the server.
            assert await until(lambda: holder[0].connections >= FLOOD - 5)
            assert await good_ill_client(threaded.port, 10) == [CANCEL] * 10
            # The idle timeout then clears the flood by itself.
            assert await until(lambda: holder[0].connections == 0, limits.idle_timeout + 10)
            assert await ill_exchange(threaded.port) == CANCEL

    with threaded:
        run(go())


def test_ill_server_answers_during_a_1000_connection_flood_with_default_limits(fds: None) -> None:
    threaded, holder = ill_server(net.Limits())

    async def go() -> None:
        async with flood(threaded.port, FLOOD):
            if not await until(lambda: holder[0].connections == net.Limits().max_connections):
                raise RuntimeError("the flood did not fill the server")  # a broken setup, not the expected failure
            assert await good_ill_client(threaded.port, 3) == [CANCEL] * 3

    with threaded:
        run(go())


def test_ill_server_keeps_answering_during_a_slowloris() -> None:
    # 100 connections each trickling a real APDU one octet per 50 ms.
    threaded, holder = ill_server(net.Limits(read_timeout=1.0, idle_timeout=2.0))

    async def go() -> None:
        stop = asyncio.Event()
        slow = [asyncio.create_task(trickle(threaded.port, CANCEL, 0.05, stop, after=i * 0.002)) for i in range(100)]
        assert await until(lambda: holder[0].connections >= 90)
        t0 = time.monotonic()
        assert await good_ill_client(threaded.port, 10) == [CANCEL] * 10
        assert time.monotonic() - t0 < ANSWER_WITHIN
        stop.set()
        await asyncio.wait_for(asyncio.gather(*slow), 10)

    with threaded:
        run(go())


def test_ill_server_read_timeout_cuts_off_a_trickled_apdu() -> None:
    limits = net.Limits(read_timeout=1.0, idle_timeout=2.0)
    threaded, holder = ill_server(limits)

    async def go() -> None:
        stop = asyncio.Event()
        # 149 octets at 50 ms each would take 7.5 s; the APDU must be cut off after read_timeout.
        slow = [asyncio.create_task(trickle(threaded.port, CANCEL, 0.05, stop)) for _ in range(20)]
        await asyncio.sleep(limits.read_timeout + 1.5)
        still_open = holder[0].connections
        stop.set()
        await asyncio.wait_for(asyncio.gather(*slow), 10)
        assert still_open == 0

    with threaded:
        run(go())


def test_ill_server_refuses_garbage_and_mutated_apdus_and_keeps_serving(caplog: pytest.LogCaptureFixture) -> None:
    # Each hostile input on its own connection: answered (echo, or an error report) or closed, never a crash.
    threaded, holder = ill_server(net.Limits(read_timeout=0.5, idle_timeout=0.5))
    rng = random.Random(5)
    corpus = seeds.ber_seeds()
    inputs = [b"GET / HTTP/1.1\r\n\r\n", b"\x00\x00", b"\x61\x84\x7f\xff\xff\xff", b"\x61\x80" + b"\xa0\x80" * 5000]
    inputs += [mutate.apply(rng.choice(corpus), [(rng.randrange(14), rng.getrandbits(32), rng.getrandbits(48))],
                            corpus, "ber") for _ in range(150)]

    async def one(data: bytes) -> bytes | None:
        conn = await net.ILLConnection.connect(HOST, threaded.port)
        try:
            await conn.send(data)
            return await conn.receive(2.0)
        except (ConnectionError, isoill.DecodeError):
            return None
        finally:
            await conn.close()

    async def go() -> None:
        replies = await asyncio.gather(*(one(d) for d in inputs))
        # An APDU the input began with comes back echoed; anything else must be an error report.
        reports = [r for r, d in zip(replies, inputs, strict=True) if r is not None and not d.startswith(r)]
        for r in reports:
            assert isinstance(isoill.decode(r), isoill.StatusOrErrorReport)
        assert len(reports) >= 4  # at least the fixed garbage got error reports
        assert await ill_exchange(threaded.port) == CANCEL

    with caplog.at_level(logging.INFO, logger="isoill.net"), threaded:
        run(go())
    # An exception escaping a connection is logged as "connection failed". A reset by the peer (this test's
    # clients close at once) is a transport event, not a decoding failure; anything else would be a bug.
    failures = [r for r in caplog.records if "connection failed" in r.getMessage()
                and not (r.exc_info and isinstance(r.exc_info[1], ConnectionError))]
    assert not failures, [r.exc_info for r in failures]


def test_ill_handler_exception_gets_an_error_report_a_log_entry_and_the_server_keeps_serving(
        caplog: pytest.LogCaptureFixture) -> None:
    async def flaky(incoming: net.Incoming) -> None:
        if isinstance(incoming.apdu, isoill.Cancel):
            raise RuntimeError("application bug")
        await incoming.reply(incoming.data)

    threaded, _ = ill_server(net.Limits(), flaky)
    status_query = (ROOT / "tests" / "vectors" / "iso10161" / "status-query.ber").read_bytes()

    async def go() -> None:
        conn = await net.ILLConnection.connect(HOST, threaded.port)
        try:
            await conn.send(CANCEL)
            reply = await conn.receive(ANSWER_WITHIN)
            assert reply is not None
            report = isoill.decode(reply)
            assert isinstance(report, isoill.StatusOrErrorReport)
            await conn.send(status_query)  # the same connection goes on
            assert await conn.receive(ANSWER_WITHIN) == status_query
        finally:
            await conn.close()

    with caplog.at_level(logging.ERROR, logger="isoill.net"), threaded:
        run(go())
    assert any("handler failed" in r.getMessage() and r.exc_info for r in caplog.records)


# --- ISO 18626 (HTTP, port 9001) ---------------------------------------------------------------------------------

def test_http_server_answers_during_a_1000_connection_flood(fds: None) -> None:
    threaded = http_server()

    async def go() -> None:
        async with flood(threaded.port, FLOOD) as writers:
            # hypercorn's listen backlog (100) may refuse a few when its accept loop falls behind.
            assert len(writers) >= 0.9 * FLOOD
            await asyncio.sleep(0.2)
            t0 = time.monotonic()
            assert await good_http_client(threaded.port, 10) == [200] * 10
            assert time.monotonic() - t0 < ANSWER_WITHIN

    with threaded:
        run(go())


def test_http_server_answers_during_a_slowloris() -> None:
    # 200 connections trickling headers, and 50 that sent complete headers and trickle a body.
    threaded = http_server()
    head = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nX-Slow: " + b"a" * 4000
    body_head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n"
                 % len(RECEIVED_XML))

    async def go() -> None:
        stop = asyncio.Event()
        slow = [asyncio.create_task(trickle(threaded.port, head, 0.1, stop, after=i * 0.005)) for i in range(200)]

        slow += [asyncio.create_task(trickle(threaded.port, RECEIVED_XML, 0.1, stop, prefix=body_head,
                                             after=1 + i * 0.005)) for i in range(50)]
        await asyncio.sleep(1.5)
        t0 = time.monotonic()
        assert await good_http_client(threaded.port, 10) == [200] * 10
        assert time.monotonic() - t0 < ANSWER_WITHIN
        stop.set()
        outcomes = await asyncio.wait_for(asyncio.gather(*slow), 10)
        assert sum(o != -1.0 for o in outcomes) >= 150  # the attack really held most of its connections

    with threaded:
        run(go())


def test_http_body_limit_is_applied_before_reading() -> None:
    threaded = http_server()

    async def go() -> None:
        # A claimed 2 GB body is refused from its Content-Length alone: nothing is sent after the headers.
        reader, writer = await asyncio.open_connection(HOST, threaded.port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                     b"Content-Length: 2147483648\r\n\r\n")
        await writer.drain()
        t0 = time.monotonic()
        status = await asyncio.wait_for(reader.readline(), ANSWER_WITHIN)
        assert status.split()[1] == b"413"
        assert time.monotonic() - t0 < 1.0
        writer.close()
        async with httpx.AsyncClient() as client:
            assert (await http_exchange(client, threaded.port)).status_code == 200

    with threaded:
        run(go())


def test_http_hostile_bodies_get_protocol_answers_and_the_server_keeps_serving() -> None:
    threaded = http_server()
    rng = random.Random(9)
    corpus = seeds.xml_seeds()
    bodies = [b"", b"<", b"\xff\xfe<\x00", b"<a>" * 100_000, (ROOT / "tests" / "regressions" / "xml" /
                                                               "billion-laughs-utf16.xml").read_bytes()]
    bodies += [mutate.apply(rng.choice(corpus), [(rng.randrange(13), rng.getrandbits(32), rng.getrandbits(48))],
                            corpus, "xml") for _ in range(150)]

    async def go() -> None:
        async with httpx.AsyncClient(timeout=ANSWER_WITHIN) as client:
            statuses = []
            for body in bodies:
                response = await client.post(f"http://{HOST}:{threaded.port}/", content=body, headers=XML)
                statuses.append(response.status_code)
                if response.status_code == 200:
                    iso18626.parse(response.content)
            # 200 (a confirmation, OK or ERROR) or 400 (not an ISO 18626 message); never a 500 from a crash.
            assert set(statuses) <= {200, 400}, sorted(set(statuses))
            assert statuses[:5] == [400] * 5
            assert (await http_exchange(client, threaded.port)).status_code == 200

    with threaded:
        run(go())


def test_http_handler_exception_gets_an_error_confirmation_a_log_entry_and_the_server_keeps_serving(
        caplog: pytest.LogCaptureFixture) -> None:
    calls = []

    async def flaky(message: iso18626.Message) -> http.HandlerResult:
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("application bug")
        return None

    threaded = http_server(http.ISO18626App(flaky))

    async def go() -> None:
        async with httpx.AsyncClient(timeout=ANSWER_WITHIN) as client:
            first = await http_exchange(client, threaded.port)
            assert first.status_code == 500
            conf = iso18626.parse(first.content)
            assert conf.confirmation_header.message_status is iso18626.MessageStatus.ERROR
            second = await http_exchange(client, threaded.port)
            assert second.status_code == 200
            assert iso18626.parse(second.content).confirmation_header.message_status is iso18626.MessageStatus.OK

    with caplog.at_level(logging.ERROR, logger="iso18626.http"), threaded:
        run(go())
    assert any("handler failed" in r.getMessage() and r.exc_info for r in caplog.records)
