"""The asyncio ISO 10161 server and client over loopback TCP: many APDUs per connection, replies, error
reports for bad input, limits, handler failures, the transaction store."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import isoill
from isoill import net
from isoill._model import enums as E

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
REQUEST = (VECTORS / "illclient-request-plain.ber").read_bytes()
MESSAGE = (VECTORS / "message.ber").read_bytes()
SHIPPED = (VECTORS / "shipped.ber").read_bytes()
SAFETY = 10.0  # upper bound on any single wait; never reached when things work


def run(coro: Awaitable[Any]) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coro, 30)

    return asyncio.run(bounded())


class Recorder:
    """A handler that keeps what it gets and optionally answers."""

    def __init__(self, answer: Callable[[net.Incoming], Awaitable[None]] | None = None) -> None:
        self.seen: list[net.Incoming] = []
        self.answer = answer

    async def __call__(self, incoming: net.Incoming) -> None:
        self.seen.append(incoming)
        if self.answer is not None:
            await self.answer(incoming)


async def echo_status(incoming: net.Incoming) -> None:
    await incoming.reply(net.status_report(incoming.apdu, incoming.transaction))


def error_of(data: bytes) -> Any:
    report = isoill.decode(data)
    assert isinstance(report, isoill.StatusOrErrorReport)
    assert report.error_report is not None
    return report.error_report.provider_error_report


async def closed_after(conn: net.ILLConnection) -> bool:
    # Drain until the peer closes (bounded); True if it did.
    for _ in range(100):
        if await conn.receive(SAFETY) is None:
            return conn.closed_by_peer
    return False


def test_many_apdus_one_connection_in_order_with_peer_and_replies() -> None:
    async def go() -> None:
        rec = Recorder(echo_status)
        async with net.ILLServer(rec, port=0, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                await conn.send(REQUEST + MESSAGE + SHIPPED)  # three APDUs in one write
                replies = [await conn.receive(SAFETY) for _ in range(3)]
                local = conn.writer.get_extra_info("sockname")
        assert [i.data for i in rec.seen] == [REQUEST, MESSAGE, SHIPPED]
        assert [type(i.apdu) for i in rec.seen] == [isoill.ILLRequest, isoill.Message, isoill.Shipped]
        assert all(i.peer == ("127.0.0.1", local[1]) for i in rec.seen)
        reports = [isoill.decode(r) for r in replies if r is not None]
        assert len(reports) == 3
        assert all(isinstance(r, isoill.StatusOrErrorReport) and r.status_report for r in reports)
        # The outer length is long form: YAZ peers would take a printable start for HTTP.
        assert all(r is not None and r[1] & 0x80 for r in replies)

    run(go())


def test_apdu_trickled_in_small_writes() -> None:
    async def go() -> None:
        rec = Recorder()
        async with net.ILLServer(rec, port=0, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                for i in range(0, len(REQUEST), 50):
                    await conn.send(REQUEST[i:i + 50])
                    await asyncio.sleep(0.01)
                await conn.send(MESSAGE)
                for _ in range(500):
                    if len(rec.seen) == 2:
                        break
                    await asyncio.sleep(0.01)
        assert [i.data for i in rec.seen] == [REQUEST, MESSAGE]

    run(go())


@pytest.mark.parametrize("junk, problem", [
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", E.GeneralProblem.BADLY_STRUCTURED_APDU),
    ((VECTORS / "negative" / "utf8string-note.ber").read_bytes(), E.GeneralProblem.BADLY_STRUCTURED_APDU),
    ((VECTORS / "negative" / "unknown-application-21.ber").read_bytes(), E.GeneralProblem.UNRECOGNIZED_APDU),
])
def test_malformed_input_gets_general_problem_and_close_and_server_survives(junk: bytes,
                                                                            problem: E.GeneralProblem) -> None:
    async def go() -> None:
        rec = Recorder(echo_status)
        async with net.ILLServer(rec, port=0, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                await conn.send(junk + MESSAGE)  # nothing after the bad part is read
                reply = await conn.receive(SAFETY)
                assert reply is not None
                assert error_of(reply) == problem
                assert await closed_after(conn)
            # The server still serves a well-behaved client.
            replies = await net.send_apdus("127.0.0.1", server.port, [MESSAGE], wait=SAFETY, max_replies=1)
            assert len(replies) >= 1 and isoill.decode(replies[0]).status_report is not None
        assert [i.data for i in rec.seen] == [MESSAGE]

    run(go())


def test_apdus_before_bad_framing_in_one_write_are_handled_then_refused_and_closed_at_once() -> None:
    async def go() -> None:
        rec = Recorder(echo_status)
        async with net.ILLServer(rec, port=0, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                await conn.send(REQUEST + MESSAGE + b"GET / HTTP/1.1\r\n")  # one write, the peer then waits
                t0 = asyncio.get_running_loop().time()
                replies = [await conn.receive(SAFETY) for _ in range(3)]
                assert await closed_after(conn)
                # Closed without waiting for more octets or for a timeout.
                assert asyncio.get_running_loop().time() - t0 < 2.0
        assert [i.data for i in rec.seen] == [REQUEST, MESSAGE]
        assert all(r is not None for r in replies)
        assert [isoill.decode(r).status_report is not None for r in replies if r is not None] == [True, True, False]
        assert replies[2] is not None and error_of(replies[2]) == E.GeneralProblem.BADLY_STRUCTURED_APDU

    run(go())


def test_handler_exception_is_reported_logged_and_connection_keeps_serving(
        caplog: pytest.LogCaptureFixture) -> None:
    async def flaky(incoming: net.Incoming) -> None:
        if isinstance(incoming.apdu, isoill.Message):
            raise RuntimeError("bug in the application")
        await echo_status(incoming)

    async def go() -> None:
        async with net.ILLServer(flaky, port=0, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                await conn.send(MESSAGE)
                first = await conn.receive(SAFETY)
                await conn.send(SHIPPED)
                second = await conn.receive(SAFETY)
        assert first is not None and error_of(first) == E.GeneralProblem.OTHER
        assert second is not None and isoill.decode(second).status_report is not None

    with caplog.at_level(logging.ERROR, logger="isoill.net"):
        run(go())
    assert any("handler failed" in r.getMessage() and r.exc_info for r in caplog.records)


def test_oversized_apdu_refused_from_its_header() -> None:
    async def go() -> None:
        async with net.ILLServer(Recorder(), port=0, limits=net.Limits(max_apdu_size=1000)) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                await conn.send(b"\x61\x83\x01\x00\x00")  # claims 65536 octets
                reply = await conn.receive(SAFETY)
                assert reply is not None and error_of(reply) == E.GeneralProblem.BADLY_STRUCTURED_APDU
                assert await closed_after(conn)

    run(go())


def test_idle_and_read_timeouts_close_the_connection() -> None:
    async def go() -> None:
        limits = net.Limits(idle_timeout=0.2, read_timeout=0.2)
        rec = Recorder()
        async with net.ILLServer(rec, port=0, limits=limits) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as idle:
                assert await closed_after(idle)
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as slow:
                await slow.send(REQUEST[:100])  # part of an APDU, then nothing
                assert await closed_after(slow)
            assert server.connections == 0
        assert rec.seen == []

    run(go())


async def until(condition: Callable[[], bool]) -> bool:
    for _ in range(int(SAFETY / 0.01)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


async def exchanged(conn: net.ILLConnection, apdu: bytes = MESSAGE) -> bool:
    await conn.send(apdu)
    return await conn.receive(SAFETY) is not None


def test_full_server_closes_the_longest_idle_connection_for_a_newcomer() -> None:
    async def go() -> None:
        rec = Recorder(echo_status)
        async with net.ILLServer(rec, port=0, limits=net.Limits(max_connections=2), track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as first, \
                    await net.ILLConnection.connect("127.0.0.1", server.port) as second:
                assert await exchanged(first)
                assert await exchanged(second)
                await first.send(SHIPPED)  # first was idle longer, but is active again now
                assert await first.receive(SAFETY) is not None
                async with await net.ILLConnection.connect("127.0.0.1", server.port) as third:
                    assert await closed_after(second)  # idle longest
                    assert await exchanged(third)
                    assert await exchanged(first)
            assert server.evicted_connections == 1 and server.refused_connections == 0

    run(go())


def test_full_server_refuses_a_newcomer_when_no_connection_is_idle() -> None:
    async def go() -> None:
        release = asyncio.Event()

        async def slow(incoming: net.Incoming) -> None:
            if isinstance(incoming.apdu, isoill.Shipped):
                await release.wait()
            await echo_status(incoming)

        limits = net.Limits(max_connections=2)
        async with net.ILLServer(Recorder(slow), port=0, limits=limits, track=False) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as partial, \
                    await net.ILLConnection.connect("127.0.0.1", server.port) as handling:
                await partial.send(MESSAGE[:10])  # in the middle of an APDU
                await handling.send(SHIPPED)  # its handler is running
                assert await until(lambda: all(not c.idle for c in server._open) and len(server._open) == 2)
                async with await net.ILLConnection.connect("127.0.0.1", server.port) as extra:
                    assert await closed_after(extra)
                await partial.send(MESSAGE[10:])
                assert await partial.receive(SAFETY) is not None
                release.set()
                assert await handling.receive(SAFETY) is not None
            assert server.refused_connections == 1 and server.evicted_connections == 0

    run(go())


def test_full_server_takes_room_from_a_crowded_address_even_inside_an_apdu() -> None:
    # Three connections from 127.0.0.2 trickling APDUs fill the server; 2 per address is its share when full.
    async def go() -> None:
        limits = net.Limits(max_connections=3, max_connections_per_address=2)
        async with net.ILLServer(Recorder(echo_status), port=0, limits=limits, track=False) as server:
            crowd = []
            for _ in range(3):
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=("127.0.0.2", 0))
                writer.write(MESSAGE[:10])
                crowd.append((reader, writer))
                assert await until(lambda: sum(not c.idle for c in server._open) == len(crowd))
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as other:
                assert await exchanged(other)
            assert await crowd[0][0].read() == b""  # the oldest of the crowd was closed for it
            assert server.evicted_connections == 1 and server.refused_connections == 0
            # A newcomer from the crowded address only displaces its own connections, not an idle one of another.
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as other:
                assert await exchanged(other)
                assert server.connections == 3
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=("127.0.0.2", 0))
                assert await crowd[1][0].read() == b""
                assert await exchanged(other)
                assert server.evicted_connections == 2 and server.refused_connections == 0
                writer.close()
            for _, writer in crowd:
                writer.close()

    run(go())


def test_peer_reset_is_logged_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    async def go() -> None:
        async with net.ILLServer(Recorder(), port=0) as server:
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(MESSAGE[:10])
            assert await until(lambda: any(c.framer.in_apdu for c in server._open))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()  # RST
            assert await until(lambda: server.connections == 0)

    with caplog.at_level(logging.DEBUG, logger="isoill.net"):
        run(go())
    lost = [r for r in caplog.records if "connection lost" in r.getMessage()]
    assert lost and all(r.levelno <= logging.INFO and not r.exc_info for r in lost)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_machine_refuses_out_of_order_apdu_with_state_transition_prohibited() -> None:
    async def go() -> None:
        rec = Recorder(echo_status)
        async with net.ILLServer(rec, port=0) as server:
            async with await net.ILLConnection.connect("127.0.0.1", server.port) as conn:
                # Received before the responder shipped anything; then an APDU of an unknown transaction.
                await conn.send((VECTORS / "request.ber").read_bytes() + (VECTORS / "received.ber").read_bytes())
                replies = [await conn.receive(SAFETY) for _ in range(2)]
                unknown = MESSAGE.replace(b"\x1b\x03TQ1", b"\x1b\x03TQ9")
                assert unknown != MESSAGE
                await conn.send(REQUEST.replace(b"ILL-2024-000123", b"ILL-2024-000999") + unknown)
                replies += [await conn.receive(SAFETY) for _ in range(2)]
        assert all(r is not None for r in replies)
        first, second, third, fourth = (isoill.decode(r) for r in replies if r is not None)
        assert first.status_report.provider_status_report == E.CurrentState.IN_PROCESS
        prohibited = error_of(replies[1] or b"")
        assert prohibited.apdu_type == E.ILLAPDUType.RECEIVED
        assert prohibited.current_state == E.CurrentState.IN_PROCESS
        assert third.status_report is not None  # a new transaction: accepted
        assert error_of(replies[3] or b"") == E.TransactionIdProblem.UNKNOWN_TRANSACTION_ID
        # The handler saw only what the machine accepted.
        assert [type(i.apdu) for i in rec.seen] == [isoill.ILLRequest, isoill.ILLRequest]

    run(go())


def test_store_tracks_state_across_connections_and_status_report_carries_it() -> None:
    received = (VECTORS / "received.ber").read_bytes()

    async def go() -> net.MemoryStore:
        store = net.MemoryStore()
        async with net.ILLServer(Recorder(echo_status), port=0, store=store) as server:
            first = await net.send_apdus("127.0.0.1", server.port, [(VECTORS / "request.ber").read_bytes()],
                                         wait=SAFETY, max_replies=1)
            assert len(first) == 1
            report = isoill.decode(first[0])
            assert report.status_report is not None
            assert report.status_report.provider_status_report in (E.CurrentState.IN_PROCESS,
                                                                   E.CurrentState.PENDING)
        return store

    store = run(go())
    assert len(store) == 1
    request = isoill.decode((VECTORS / "request.ber").read_bytes())
    txn = store.get(net.transaction_key(request))
    assert txn is not None
    assert net.transaction_key(isoill.decode(received)) == net.transaction_key(request)


def test_custom_store_is_used() -> None:
    class Store:
        def __init__(self) -> None:
            self.calls: list[str] = []
            self.inner = net.MemoryStore()

        def get(self, key: net.TransactionKey) -> net.TransactionLike | None:
            self.calls.append("get")
            return self.inner.get(key)

        def put(self, key: net.TransactionKey, transaction: net.TransactionLike) -> None:
            self.calls.append("put")
            self.inner.put(key, transaction)

    store = Store()

    async def go() -> None:
        async with net.ILLServer(Recorder(echo_status), port=0, store=store) as server:
            assert len(await net.send_apdus("127.0.0.1", server.port, [REQUEST], wait=SAFETY, max_replies=1)) == 1

    run(go())
    assert store.calls == ["get", "put"]


def test_client_connect_failure_raises_oserror() -> None:
    async def go() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(OSError):
            await net.send_apdus("127.0.0.1", port, [MESSAGE], wait=0.1)

    run(go())
