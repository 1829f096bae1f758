"""asyncio TCP transport for ISO 10161: `ILLServer` (sockets, limits, eviction, drain; each connection drives an
`isoill.Session`) and the client side (`ILLConnection`, `send_apdus`); the only module of `isoill` doing I/O.

Framing, decoding, transaction tracking and automatic replies are the session's (`isoill._protocol.session`);
this module adds the clock (`_now`) and the handler. Replies are encoded with a long-form outer length because
YAZ-based peers treat a first four printable octets as HTTP (research notes, 10161 section 3.4).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import logging
import math
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import attrs

from illcore.aio import (
    DEFAULT_BACKLOG,
    Acceptor,
    listening_socket,
    pending_input,
    pending_output,
    uncancel,
)
from illcore.store import Store
from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, StatusOrErrorReport
from isoill._net_limits import Limits
from isoill._protocol.ids import TransactionKey, transaction_key
from isoill._protocol.reports import error_reply
from isoill._protocol.session import AutoReply, Session, SessionEvent, status_reply
from isoill._protocol.store import MemoryStore, TransactionLike, TransactionStore, new_transaction
from isoill.persist import DurableTransactions
from isoill.render import apdu_name, tag_name
from isoill.stream import Framer, looks_like_http

__all__ = [
    "DEFAULT_PORT", "Address", "Handler", "ILLConnection", "ILLServer", "Incoming", "Limits", "MemoryStore",
    "TransactionKey", "TransactionLike", "TransactionStore", "error_report", "new_transaction", "send_apdus",
    "looks_like_http", "status_report", "transaction_key",
]

log = logging.getLogger("isoill.net")

Address = tuple[str, int]

# The ILL port in practice (ILLiad and OCLC listen on 1611).
DEFAULT_PORT = 1611
_READ_CHUNK = 65536
# Longest wait, after the last reply of a drained connection and our end of stream, for the peer to close: a
# socket closed with unread input sends a reset, which can destroy replies the peer has not read yet.
_LINGER = 2.0
_T = TypeVar("_T")


# --- the time a transport gives the session, and the report builders with it --------------------------------

_clock: list[Any] = [-1, None]  # [whole second, its ServiceDateTime]: one per second, not one per APDU


def _now() -> T.ServiceDateTime:
    # Formatting the local time costs about 10 µs, a twentieth of a server's work per APDU; the value is
    # immutable and only has a resolution of a second.
    second = int(time.time())
    if _clock[0] != second:
        now = _dt.datetime.fromtimestamp(second)
        _clock[1] = T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=now.strftime("%Y%m%d"),
                                                                           time=now.strftime("%H%M%S")))
        _clock[0] = second
    value: T.ServiceDateTime = _clock[1]
    return value


def error_report(problem: E.GeneralProblem | T.StateTransitionProhibited, about: APDU | None = None,
                 note: str = "") -> StatusOrErrorReport:
    """A provider error report (general-problem or state-transition-prohibited), about `about` if known, stamped
    now (the builder is `isoill.error_reply`)."""
    return error_reply(problem, about, note, service_date_time=_now())


def status_report(about: APDU, transaction: TransactionLike | None) -> StatusOrErrorReport:
    """A status report answering `about`, stamped now: see `isoill.status_reply`."""
    return status_reply(about, transaction, service_date_time=_now())


# --- server ------------------------------------------------------------------------------------------------

@attrs.define(eq=False)
class Incoming:
    """One APDU as received: its octets, the decoded APDU, who sent it, and a way to answer on the connection.

    `transaction` is the APDU's transaction after applying it; `refusal` is the error report the protocol
    machine calls for when the APDU is not allowed in the transaction's state (only for a non-strict server).
    """

    data: bytes
    apdu: APDU
    peer: Address
    transaction: TransactionLike | None
    refusal: StatusOrErrorReport | None
    _connection: _Connection

    async def reply(self, apdu: APDU | bytes) -> None:
        """Send an APDU (or ready-made octets) back on the same connection."""
        await self._connection.send(apdu)

    def close(self) -> None:
        """Close the connection after this APDU (the server stops reading it)."""
        self._connection.closing = True


Handler = Callable[[Incoming], Awaitable[None]]


class _Interrupted(Exception):
    """A wait of a connection ended by its deadline ("timeout") or by the server draining ("drain")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Connection:
    def __init__(self, server: ILLServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer: Address = (str(peer[0]), int(peer[1]))
        self.closing = False
        limits = server.limits
        # With a durable store the store hook tracks (asynchronously, journal first); the session frames and decodes.
        self.session = Session(codec=server.codec, store=server.store,
                               track=server.tracking and server.durable is None, strict=server.strict,
                               max_apdu_size=limits.max_apdu_size, max_depth=limits.max_depth)
        self.busy = False  # handling APDUs (a handler may be running): never evicted
        self.evicted = False
        self.lost: str | None = None  # why the transport failed under a send (peer reset, write timeout)
        self.loop = asyncio.get_running_loop()
        self.last_active = self.loop.time()  # last octets received or last APDU handled
        self.served = 0  # APDUs handled
        self.consumed = 0  # octets read from the stream so far
        self.owed: int | None = None  # when draining: octets received before the drain began, to be answered
        self.task: asyncio.Task[Any] | None = None
        self._waiting: str | None = None  # "read", "write", "linger" while awaiting one under a deadline
        self._interrupted: str | None = None

    @property
    def framer(self) -> Framer:
        return self.session.framer

    @property
    def idle(self) -> bool:
        """Waiting between APDUs with no handler running."""
        return not self.busy and not self.session.in_apdu

    @property
    def drained(self) -> bool:
        """Draining, and every octet received before the drain began was handled (no APDU half-read)."""
        return self.owed is not None and self.consumed >= self.owed and not self.session.in_apdu

    def _socket(self) -> Any:
        return self.writer.get_extra_info("socket")

    def owe(self) -> None:
        """The server begins draining: note what was received until now (read by us, buffered by the stream,
        or waiting in the kernel); wake the connection if that is nothing."""
        buffered = len(getattr(self.reader, "_buffer", b""))  # StreamReader has no public buffer size
        self.owed = self.consumed + buffered + pending_input(self._socket())
        if self.drained:
            self.interrupt("drain", only="read")

    def interrupt(self, reason: str, only: str | None = None) -> None:
        """End the connection's current bounded wait (of kind `only`, if given) with _Interrupted(reason)."""
        if self._waiting is None or self._interrupted is not None or self.task is None:
            return
        if only is not None and self._waiting != only:
            return
        self._interrupted = reason
        self.task.cancel()

    async def _bounded(self, awaitable: Awaitable[_T], timeout: float, kind: str) -> _T:
        """Await with a deadline, without asyncio.wait_for: on 3.11 it swallows a cancellation that arrives when
        the inner read has completed (issue 13), and it costs a task per call. The timer cancels this task
        itself; a cancellation made by anyone else still propagates."""
        handle = self.loop.call_later(timeout, self.interrupt, "timeout")
        self._waiting = kind
        try:
            return await awaitable
        except asyncio.CancelledError:
            reason = self._interrupted
            if reason is None:
                raise
            self._interrupted = None
            if uncancel(self.task):
                raise
            raise _Interrupted(reason) from None
        finally:
            handle.cancel()
            self._waiting = None
            self._interrupted = None

    def evict(self) -> None:
        """Close this connection to make room for another (only when it is not busy)."""
        self.evicted = True
        self.closing = True
        self.writer.close()  # the pending read sees end of stream

    async def send(self, apdu: APDU | bytes) -> None:
        data = self.session.send(apdu)
        log.info("%s:%d: sent %s (%d octets)", *self.peer, _name(apdu), len(data))
        try:
            self.writer.write(data)
            if self.server.durable is not None:  # store hook (issue 14)
                self.server.durable.sent(data, None if isinstance(apdu, bytes) else apdu, self.peer)
            transport = self.writer.transport
            if transport.get_write_buffer_size() or transport.is_closing():  # else the kernel took it all
                await self._bounded(self.writer.drain(), self.server.limits.write_timeout, "write")
        except ConnectionError as exc:
            self.lost = f"connection lost: {exc}"
            raise
        except _Interrupted:
            # A peer that does not read would keep the socket (and our unsent replies) for as long as it stays
            # connected: abort now.
            self.lost = "write timeout"
            self.writer.transport.abort()
            raise asyncio.TimeoutError("write timeout") from None

    async def run(self) -> None:
        self.task = asyncio.current_task()
        server = self.server
        limits = server.limits
        session = self.session
        loop = self.loop
        deadline: float | None = None  # when the APDU being received must be complete
        while not self.closing:
            if self.drained:
                await self._finish()
                return
            now = loop.time()
            timeout = limits.idle_timeout if deadline is None else max(0.0, deadline - now)
            if server.draining:
                timeout = min(timeout, max(0.0, server.drain_deadline - now))
            try:
                chunk = await self._bounded(self.reader.read(_READ_CHUNK), timeout, "read")
            except _Interrupted as exc:
                if exc.reason == "drain":
                    continue
                if server.draining and loop.time() >= server.drain_deadline:
                    log.info("%s:%d: drain timeout, closing", *self.peer)
                else:
                    log.info("%s:%d: %s timeout, closing", *self.peer, "read" if deadline else "idle")
                return
            self.consumed += len(chunk)
            if self.evicted:
                return
            if not chunk:
                if session.in_apdu:
                    log.warning("%s:%d: closed inside an APDU (%d octets)", *self.peer, session.buffered)
                return
            self.last_active = loop.time()
            completed = session.receive_data(chunk)
            # APDUs that arrived before bad octets in the same chunk are handled first; then the error is answered.
            self.busy = True
            try:
                while (event := session.next_event(at=_now())) is not None:
                    await self._act(event)
                    if isinstance(event, AutoReply) and event.close:
                        return
                    self.served += 1
                    if self.closing:
                        return
            finally:
                self.busy = False
                self.last_active = loop.time()
            # read_timeout bounds a whole APDU: the deadline is set when its first octets arrive (counted from
            # after the handlers of the APDUs completed by the same chunk) and later chunks do not extend it.
            if not session.in_apdu:
                deadline = None
            elif deadline is None or completed:
                deadline = loop.time() + limits.read_timeout

    async def _finish(self) -> None:
        """Close a drained connection so that the peer reads every reply: our end of stream follows them; then,
        while the peer still sends (it has not seen our end yet) or has not acknowledged our octets, discard
        its input until it closes, for at most _LINGER seconds (never past the drain deadline)."""
        transport = self.writer.transport
        if transport.can_write_eof():
            transport.write_eof()
        sock = self._socket()
        end = min(self.loop.time() + _LINGER, self.server.drain_deadline)
        while (remaining := end - self.loop.time()) > 0:
            unread = len(getattr(self.reader, "_buffer", b"")) + pending_input(sock)
            unsent = pending_output(sock)
            if not unread and unsent == 0 and not transport.get_write_buffer_size():
                return
            try:
                chunk = await self._bounded(self.reader.read(_READ_CHUNK), min(remaining, 0.05), "linger")
            except _Interrupted:
                continue
            if not chunk and self.reader.at_eof():
                return

    async def _act(self, event: SessionEvent) -> None:
        if isinstance(event, AutoReply):
            if event.close:  # bad framing or an undecodable APDU: answer if the peer still listens, then close
                log.warning("%s:%d: %s", *self.peer, event.reason)
                self.closing = True
                with contextlib.suppress(OSError, asyncio.TimeoutError):
                    await self.send(event.octets)
            else:
                assert event.about is not None
                log.info("%s:%d: received %s, refused: %s", *self.peer, _name(event.about), event.reason)
                await self.send(event.octets)
            return
        apdu = event.apdu
        log.info("%s:%d: received %s (%d octets)", *self.peer, _name(apdu), len(event.data))
        transaction, refusal = event.transaction, event.refusal
        durable = self.server.durable
        if durable is not None:  # store hook (issue 14): journal and state first, or no acknowledgement
            outcome = await durable.on_receive(event.data, apdu, self.peer, track=self.server.tracking)
            if isinstance(outcome, StatusOrErrorReport):
                with contextlib.suppress(OSError, asyncio.TimeoutError):
                    await self.send(outcome)
                return
            transaction, refusal = outcome
            if refusal is not None and self.server.strict:
                await self.send(refusal)
                return
        if refusal is not None:
            log.info("%s:%d: %s not allowed in its transaction (handed to the handler)", *self.peer,
                     type(apdu).__name__)
        try:
            await self.server.handler(Incoming(event.data, apdu, self.peer, transaction, refusal, self))
        except Exception as exc:  # a bug in the application must not take the connection or server down
            if self.lost is not None:  # the peer went away (or stopped reading) under a reply: no bug here
                log.info("%s:%d: %s while answering %s", *self.peer, self.lost, type(apdu).__name__)
                self.closing = True
                return
            log.exception("%s:%d: handler failed on %s", *self.peer, type(apdu).__name__)
            with contextlib.suppress(OSError, asyncio.TimeoutError):
                await self.send(self.session.refuse(E.GeneralProblem.OTHER, apdu,
                                                    f"internal error: {type(exc).__name__}", at=_now()))


class ILLServer:
    """An ISO 10161 listener: every APDU that arrives goes to `handler(incoming)`, in order per connection.

    A connection carries any number of APDUs; `limits` bounds sizes, times and connections (see `Limits` for
    how a full server makes room; `connections`, `evicted_connections` and `refused_connections` count).
    `close()` drains: the server stops accepting, answers every APDU it has received (read, or waiting in a
    socket) and closes each connection once it has, within `limits.drain_timeout`; `stop_now()` cuts every
    connection at once. When descriptors run out, accepting pauses briefly and is logged once per interval.
    Bad framing or an undecodable APDU is answered with a Status-Or-Error-Report (general-problem) and the
    connection is closed; a handler exception is answered the same way (general-problem other) and logged,
    and the connection stays open. A peer resetting the connection is logged at INFO, without a traceback.
    With `track` (default)
    each APDU is applied to its transaction in `store` first; `incoming.transaction` is the result. An APDU
    the transaction's state does not allow is answered with state-transition-prohibited when `strict`
    (default), else handed to the handler with `incoming.refusal` set. When `store` is an
    `illcore.store.Store` (`open_store(url)`), every APDU is journalled with its transaction's new state
    before the handler runs, and APDUs sent are journalled too (`isoill.persist`); if the store cannot write,
    the peer gets a temporary-failure error report instead.
    """

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 limits: Limits | None = None, codec: Codec | None = None,
                 store: TransactionStore | Store | None = None, track: bool = True, strict: bool = True) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        # Replies echo what the peer sent (transaction ids, dates): written as they came, without the value check.
        self.codec = codec or Codec(check=False)
        # store hook (issue 14): an illcore.store.Store journals every APDU and keeps the transactions durably
        self.durable = DurableTransactions(store, self.codec) if isinstance(store, Store) else None
        self.store: TransactionStore = store if store is not None and not isinstance(store, Store) \
            else MemoryStore()
        self.tracking = track
        self.strict = strict
        self.refused_connections = 0
        self.evicted_connections = 0
        self._open: dict[_Connection, None] = {}  # insertion-ordered set
        self._per_address: dict[str, int] = {}
        self._acceptor: Acceptor | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed: asyncio.Event | None = None
        self.draining = False
        self.drain_deadline = math.inf

    @property
    def resource_errors(self) -> int:
        """accept() failures for want of descriptors or memory (each paused accepting briefly)."""
        return self._acceptor.resource_errors if self._acceptor is not None else 0

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._open)

    def track(self, apdu: APDU) -> tuple[TransactionLike | None, StatusOrErrorReport | None]:
        """Apply a received APDU to its transaction; (transaction, error report to send instead) ."""
        return Session(codec=self.codec, store=self.store, track=self.tracking, strict=self.strict).track(
            apdu, at=_now())

    async def start(self) -> None:
        sock = listening_socket(self.host, self.port, DEFAULT_BACKLOG)
        self.port = int(sock.getsockname()[1])
        self._closed = asyncio.Event()
        self._acceptor = Acceptor(sock, self._on_socket, logger=log)
        self._acceptor.start()

    async def serve_forever(self) -> None:
        """Serve until `close()` has finished; cancelling this cuts every connection (as `stop_now`)."""
        if self._acceptor is None:
            await self.start()
        assert self._closed is not None
        try:
            await self._closed.wait()
        except asyncio.CancelledError:
            self.stop_now()
            raise

    def drain(self, timeout: float | None = None) -> None:
        """Begin draining (what `close()` does first): stop accepting; every connection answers the APDUs it
        received until now, then closes; whatever is still open `timeout` seconds later is cut by `close()`."""
        timeout = self.limits.drain_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        self.drain_deadline = min(self.drain_deadline, loop.time() + timeout)
        if self.draining:
            return
        self.draining = True
        if self._acceptor is not None:
            self._acceptor.close()
        for conn in list(self._open):
            conn.owe()

    def stop_now(self) -> None:
        """Cut every connection at once (a second SIGTERM): running handlers are cancelled, replies not sent."""
        self.drain(0.0)
        for conn in list(self._open):
            conn.writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()

    async def close(self, drain_timeout: float | None = None) -> None:
        """Drain (see `drain`), then cut what is left; `drain_timeout` overrides `limits.drain_timeout`."""
        self.drain(drain_timeout)
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            remaining = self.drain_deadline - asyncio.get_running_loop().time()
            await asyncio.wait(pending, timeout=max(0.0, remaining))
        if any(not t.done() for t in self._tasks):
            log.warning("drain timeout: %d connection(s) cut", len(self._open))
            self.stop_now()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._closed is not None:
            self._closed.set()

    async def __aenter__(self) -> ILLServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _register(self, conn: _Connection) -> None:
        self._open[conn] = None
        self._per_address[conn.peer[0]] = self._per_address.get(conn.peer[0], 0) + 1

    def _unregister(self, conn: _Connection) -> None:
        if conn in self._open:  # an evicted connection was unregistered already
            del self._open[conn]
            host = conn.peer[0]
            self._per_address[host] -= 1
            if not self._per_address[host]:
                del self._per_address[host]

    def _make_room(self, newcomer: _Connection) -> bool:
        """Close one open connection for `newcomer` (the server is full); False if none may be closed.

        See `Limits`: a crowded address's connections first (idle ones first, even mid-APDU ones), else the
        one idle longest; a newcomer from a crowded address only displaces its own address's connections; a
        connection running a handler never is closed.
        """
        cap = self.limits.max_connections_per_address
        host = newcomer.peer[0]

        def crowded(c: _Connection) -> bool:
            return self._per_address[c.peer[0]] >= cap

        own_only = self._per_address.get(host, 0) >= cap
        candidates = [c for c in self._open
                      if not c.busy and (c.peer[0] == host or not own_only) and (c.idle or crowded(c))]
        if not candidates:
            return False
        # Connections that never completed an APDU go before working ones, so a flood of idle connections from
        # a shared address displaces itself before the address's active client.
        victim = min(candidates, key=lambda c: (not crowded(c), not c.idle, c.served > 0, c.last_active))
        loop = asyncio.get_running_loop()
        log.debug("%s:%d: closed after %.1f s %s to make room for %s:%d (%d connections open)", *victim.peer,
                 loop.time() - victim.last_active, "idle" if victim.idle else "inside an APDU", *newcomer.peer,
                 len(self._open))
        self._unregister(victim)
        victim.evict()
        self.evicted_connections += 1
        return True

    def _on_socket(self, sock: socket.socket) -> None:
        task = asyncio.get_running_loop().create_task(self._serve_socket(sock))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_socket(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=_READ_CHUNK)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(lambda: protocol, sock)
        except (OSError, asyncio.CancelledError):
            sock.close()
            return
        await self._accept(reader, asyncio.StreamWriter(transport, protocol, reader, loop))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _Connection(self, reader, writer)
        if len(self._open) >= self.limits.max_connections and not self._make_room(conn):
            self.refused_connections += 1
            log.debug("%s:%d: refused, %d connections open and none can be closed", *conn.peer, len(self._open))
            writer.transport.abort()
            return
        self._register(conn)
        log.info("%s:%d: connected", *conn.peer)
        if self.draining:  # accepted before the drain began: owed its waiting APDUs too
            conn.owe()
        try:
            await conn.run()
        except asyncio.CancelledError:
            pass  # only stop_now() cancels these tasks
        except (ConnectionError, asyncio.TimeoutError) as exc:  # the peer's doing: no traceback (log flooding)
            log.info("%s:%d: %s", *conn.peer, conn.lost or f"connection lost: {exc!r}")
        except Exception:  # whatever one connection does, the server keeps serving the others
            log.exception("%s:%d: connection failed", *conn.peer)
        finally:
            log.info("%s:%d: closed", *conn.peer)
            self._unregister(conn)
            transport = writer.transport
            if conn.lost is not None or self.drain_deadline <= asyncio.get_running_loop().time():
                transport.abort()  # nothing more can be delivered: free the descriptor now
            else:
                transport.close()  # sends what is buffered (an error report), then closes
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer.wait_closed(), 1.0)
                if transport.get_write_buffer_size():  # a peer that does not read: do not wait for it
                    transport.abort()


def _name(apdu: APDU | bytes) -> str:
    return tag_name(apdu) if isinstance(apdu, bytes) else apdu_name(apdu)


# The client side lives in its own module (net stays within the size rule); it is part of this public module.
from isoill._net_client import ILLConnection, send_apdus  # noqa: E402
