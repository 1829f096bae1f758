"""The serve layer of the ISO 18626 endpoint: our accept loop in front of hypercorn's per-connection HTTP server,
with a connection cap, a write timeout, prompt release of peer-closed connections, and a drain on stop.

hypercorn's own `serve` has no connection cap, logs a traceback per failed accept() when descriptors run out
(asyncio's accept loop), keeps a peer-closed connection until its keep-alive timeout, and on shutdown closes
connections whose request was sent but not yet read (issue 13). Here each accepted socket is handed to
hypercorn's `TCPServer` (HTTP/1.1 and HTTP/2 parsing, the ASGI calls) and everything around it is ours.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any

from hypercorn.asyncio.lifespan import Lifespan
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.events import Closed, Event, RawData, Updated
from hypercorn.protocol.h2 import H2Protocol
from hypercorn.utils import wrap_app

from illcore.aio import Acceptor, pending_input

log = logging.getLogger("iso18626.http")

__all__ = ["Endpoint"]


class _CountingReader(asyncio.StreamReader):
    """A StreamReader that counts the octets hypercorn has read (what a drain must wait for)."""

    consumed = 0

    async def read(self, n: int = -1) -> bytes:
        data = await super().read(n)
        self.consumed += len(data)
        return data

    def unread(self) -> int:
        """Octets received and not yet read: buffered here (no public size) or waiting in the kernel."""
        transport = getattr(self, "_transport", None)
        sock = transport.get_extra_info("socket") if transport is not None else None
        return len(getattr(self, "_buffer", b"")) + pending_input(sock)


class _Connection(TCPServer):
    """hypercorn's connection server with a write timeout, its idle state exposed, and no keep-alive wait once
    the peer has closed."""

    def __init__(self, endpoint: Endpoint, reader: _CountingReader, writer: asyncio.StreamWriter) -> None:
        # A context per connection (hypercorn shares one per worker) so that a drain can tell each connection
        # to finish when it suits that connection's protocol (see Endpoint.stop).
        super().__init__(endpoint.app, asyncio.get_running_loop(), endpoint.config, WorkerContext(None),
                         endpoint.lifespan_state, reader, writer)
        self.endpoint = endpoint
        self.counting = reader
        self.idle = True  # no request in progress (hypercorn's own notion: between requests)
        self.idle_since = asyncio.get_running_loop().time()
        self.consumed_when_idle = 0  # octets read when it last became idle: more means a request is on its way
        self.owed: int | None = None  # when draining: octets received before the drain, to be read first
        self.task: asyncio.Task[None] | None = None  # the connection's task (runs `run`)

    async def protocol_send(self, event: Event) -> None:
        if isinstance(event, Updated):
            self.idle = event.idle
            self.idle_since = asyncio.get_running_loop().time()
            if event.idle:
                self.consumed_when_idle = self.counting.consumed
        if isinstance(event, RawData):
            async with self.send_lock:
                try:
                    self.writer.write(event.data)
                    await asyncio.wait_for(self.writer.drain(), self.endpoint.write_timeout)
                except asyncio.TimeoutError:
                    # A peer that does not read keeps the socket while it stays connected: abort it now.
                    log.info("write timeout: connection aborted")
                    self.writer.transport.abort()
                    await self.protocol.handle(Closed())
                except (ConnectionError, RuntimeError):
                    await self.protocol.handle(Closed())
            return
        await super().protocol_send(event)
        if isinstance(event, Closed) and self.task is not None and asyncio.current_task() is not self.task:
            # Closed by the response side (Connection: close, the keep-alive request limit, a drain): hypercorn's
            # read side may sit forever in h11's PAUSED wait if the peer already sent another request; the
            # connection is over, so end its task (the socket is closed already). Repeated: hypercorn's reads use
            # asyncio.wait_for, which on 3.11 drops a cancellation that meets a completed read.
            self.endpoint.end(self.task)

    async def _read_data(self) -> None:
        await super()._read_data()
        # The peer closed (or the read failed): without this the connection task waits for its keep-alive
        # timer, holding the socket in CLOSE_WAIT for keep_alive_timeout seconds.
        await self.idle_task.stop()

    @property
    def http2(self) -> bool:
        return isinstance(getattr(self.protocol, "protocol", None), H2Protocol)

    @property
    def quiet(self) -> bool:
        """Idle with nothing read since: hypercorn has read no octet of a next request it has not yet begun
        (between reading a request and its Updated(idle=False) event, `idle` still says True)."""
        return self.idle and self.counting.consumed == self.consumed_when_idle

    def read_what_was_owed(self) -> bool:
        return self.owed is None or self.counting.consumed >= self.owed


class Endpoint:
    """Serves an ASGI `app` with hypercorn's HTTP protocols on a listening socket (see the module docstring).

    `max_connections`: when that many are open, a newcomer makes room by closing the connection idle longest
    (between requests); if none is idle, that newcomer is served all the same and accepting pauses (later ones
    wait in the listen queue) until a connection ends, so at most `max_connections` + 1 are open.
    `write_timeout`: seconds a response may take to drain before its connection is aborted.
    `drain_timeout`: see `stop`.
    """

    def __init__(self, app: Any, config: Config, sock: socket.socket, *, max_connections: int = 1000,
                 write_timeout: float = 30.0, drain_timeout: float = 10.0) -> None:
        self.app = wrap_app(app, config.wsgi_max_body_size, None)
        self.config = config
        self.sock = sock
        self.max_connections = max_connections
        self.write_timeout = write_timeout
        self.drain_timeout = drain_timeout
        self.lifespan_state: dict[str, Any] = {}
        self.connections: dict[_Connection, asyncio.Task[None]] = {}
        self.evicted_connections = 0
        self.draining = False
        self._acceptor: Acceptor | None = None
        self._paused = False
        self._stopped = asyncio.Event()
        self._lifespan: Lifespan | None = None
        self._lifespan_task: asyncio.Task[None] | None = None
        self._enders: set[asyncio.Future[None]] = set()

    @property
    def resource_errors(self) -> int:
        return self._acceptor.resource_errors if self._acceptor is not None else 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._lifespan = Lifespan(self.app, self.config, loop, self.lifespan_state)
        self._lifespan_task = loop.create_task(self._lifespan.handle_lifespan())
        await self._lifespan.wait_for_startup()
        self._acceptor = Acceptor(self.sock, self._on_socket, logger=log)
        self._acceptor.start()

    def _on_socket(self, sock: socket.socket) -> None:
        if len(self.connections) >= self.max_connections and not self._make_room():
            # Nothing idle to close: leave newcomers in the listen queue until a connection ends.
            assert self._acceptor is not None
            self._acceptor.pause()
            self._paused = True
        loop = asyncio.get_running_loop()
        loop.create_task(self._serve(sock))

    def _make_room(self) -> bool:
        idle = [c for c in self.connections if c.idle]
        if not idle:
            return False
        victim = min(idle, key=lambda c: c.idle_since)
        victim.writer.close()  # between requests: closing is what a keep-alive timeout does
        self.evicted_connections += 1
        return True

    async def _serve(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = _CountingReader(limit=2**16)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(lambda: protocol, sock)
        except OSError:
            sock.close()
            return
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        conn = _Connection(self, reader, writer)
        task = asyncio.current_task()
        assert task is not None
        conn.task = task
        self.connections[conn] = task
        if self.draining:
            conn.owed = reader.consumed + reader.unread()
        try:
            await conn.run()
        except asyncio.CancelledError:
            pass  # the connection was closed (see protocol_send), or cut by stop_now
        finally:
            del self.connections[conn]
            if not transport.is_closing() or transport.get_write_buffer_size():
                transport.abort()
            if self._paused and len(self.connections) < self.max_connections and not self.draining:
                self._paused = False
                assert self._acceptor is not None
                self._acceptor.start()

    async def stop(self, drain_timeout: float | None = None) -> None:
        """Drain, then stop: no new connections; every request received until now (read, or waiting in a socket)
        is read and answered, idle connections are closed, and connections still open `drain_timeout` seconds
        later (default `self.drain_timeout`) are cut."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.drain_timeout if drain_timeout is None else drain_timeout)
        self.draining = True
        if self._acceptor is not None:
            self._acceptor.close()
        for conn in self.connections:
            conn.owed = conn.counting.consumed + conn.counting.unread()
        # hypercorn closes a connection it holds idle as soon as `terminated` is set, even when a request is
        # waiting in its socket: first let every connection read what it was sent before the drain.
        while loop.time() < deadline and not all(c.read_what_was_owed() for c in self.connections):
            await asyncio.sleep(0.01)
        # Then `terminated`: an idle HTTP/1.1 connection closes, a busy one after its response. An HTTP/2
        # connection is told only once it has no stream left: told earlier, hypercorn 0.18 sends GOAWAY when its
        # last stream closes and that stream's response can be lost (docs/security.md, Open item 9).
        told: set[_Connection] = set()
        while self.connections and loop.time() < deadline:
            for conn in list(self.connections):
                # HTTP/1.1 busy: hypercorn closes it after the response. Idle: only once quiet, else a request
                # it has read but not begun would be dropped with the connection.
                if conn not in told and (conn.quiet or (conn.idle and conn.http2) or not (conn.idle or conn.http2)):
                    told.add(conn)
                    await conn.context.terminated.set()
            tasks = list(self.connections.values())
            if tasks:
                await asyncio.wait(tasks, timeout=min(0.01, max(0.0, deadline - loop.time())))
        if self.connections:
            log.warning("drain timeout: %d connection(s) cut", len(self.connections))
            self.stop_now()
            await asyncio.gather(*self.connections.values(), return_exceptions=True)
        await asyncio.gather(*self._enders, return_exceptions=True)
        if self._lifespan is not None and self._lifespan_task is not None:
            await self._lifespan.wait_for_shutdown()
            self._lifespan_task.cancel()
            await asyncio.gather(self._lifespan_task, return_exceptions=True)
        self._stopped.set()

    def end(self, task: asyncio.Task[None]) -> None:
        """Cancel a connection's task until it ends: one cancellation can be lost in hypercorn's reads
        (asyncio.wait_for on 3.11 drops one that meets a completed read)."""

        async def ender() -> None:
            while not task.done():
                task.cancel()
                await asyncio.wait({task}, timeout=0.01)

        future = asyncio.ensure_future(ender())
        self._enders.add(future)
        future.add_done_callback(self._enders.discard)

    def stop_now(self) -> None:
        """Cut every connection at once (a second SIGTERM): requests in progress get no response."""
        self.draining = True
        if self._acceptor is not None:
            self._acceptor.close()
        for conn, task in list(self.connections.items()):
            conn.writer.transport.abort()
            self.end(task)

