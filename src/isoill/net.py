"""asyncio TCP transport for ISO 10161: `ILLServer` (sockets, limits, eviction; each connection drives an
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
from collections.abc import Awaitable, Callable, Iterable

import attrs

from illcore.aio import DEFAULT_BACKLOG
from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, StatusOrErrorReport
from isoill._protocol.ids import TransactionKey, transaction_key
from isoill._protocol.reports import error_reply
from isoill._protocol.session import AutoReply, Session, SessionEvent, status_reply
from isoill._protocol.store import MemoryStore, TransactionLike, TransactionStore, new_transaction
from isoill.render import apdu_name, tag_name
from isoill.stream import DEFAULT_MAX_APDU_SIZE, DEFAULT_MAX_DEPTH, Framer, FramingError, looks_like_http

__all__ = [
    "DEFAULT_PORT", "Address", "Handler", "ILLConnection", "ILLServer", "Incoming", "Limits", "MemoryStore",
    "TransactionKey", "TransactionLike", "TransactionStore", "error_report", "new_transaction", "send_apdus",
    "status_report", "transaction_key",
]

log = logging.getLogger("isoill.net")

Address = tuple[str, int]

# The ILL port in practice (ILLiad and OCLC listen on 1611).
DEFAULT_PORT = 1611
_READ_CHUNK = 65536


@attrs.frozen(kw_only=True)
class Limits:
    """Resource limits of a connection; every one has a default that a public listener can live with.

    `idle_timeout`: seconds a connection may sit between APDUs. `read_timeout`: seconds to receive the rest of
    an APDU once its first octet arrived (a slow sender cannot hold a connection with a trickle).
    `write_timeout`: seconds a reply may take to drain. `max_apdu_size` / `max_depth`: see
    `isoill.stream.Framer`.

    `max_connections`: concurrent connections per server. `max_connections_per_address`: the share of one peer
    address once the server is full (below `max_connections` an address may use any free slot). When
    `max_connections` are open, a new connection makes room by closing one that is not running a handler:
    a connection of a crowded address (one holding `max_connections_per_address` or more; its idle connections
    first, then the one that received octets least recently, even in the middle of an APDU), else the
    connection idle longest (waiting between APDUs). A newcomer from a crowded address only displaces that
    address's own connections. If nothing may be closed, the newcomer is closed at once. So neither idle
    connections nor one address's trickling ones can lock other peers out.
    """

    max_apdu_size: int = DEFAULT_MAX_APDU_SIZE
    max_depth: int = DEFAULT_MAX_DEPTH
    idle_timeout: float = 120.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_connections: int = 200
    max_connections_per_address: int = 64


# --- the time a transport gives the session, and the report builders with it ------------------------------------

def _now() -> T.ServiceDateTime:
    now = _dt.datetime.now()
    return T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=now.strftime("%Y%m%d"),
                                                                  time=now.strftime("%H%M%S")))


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


class _Connection:
    def __init__(self, server: ILLServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer: Address = (str(peer[0]), int(peer[1]))
        self.closing = False
        limits = server.limits
        self.session = Session(codec=server.codec, store=server.store, track=server.tracking, strict=server.strict,
                               max_apdu_size=limits.max_apdu_size, max_depth=limits.max_depth)
        self.busy = False  # handling APDUs (a handler may be running): never evicted
        self.evicted = False
        self.lost: str | None = None  # why the transport failed under a send (peer reset, write timeout)
        self.first_octets: bytes | None = None  # the start of what the peer sent, to recognise HTTP
        self.last_active = asyncio.get_running_loop().time()  # last octets received or last APDU handled

    @property
    def framer(self) -> Framer:
        return self.session.framer

    @property
    def idle(self) -> bool:
        """Waiting between APDUs with no handler running."""
        return not self.busy and not self.session.in_apdu

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
            await asyncio.wait_for(self.writer.drain(), self.server.limits.write_timeout)
        except ConnectionError as exc:
            self.lost = f"connection lost: {exc}"
            raise
        except asyncio.TimeoutError:
            self.lost = "write timeout"
            raise

    async def _read(self, deadline: float | None) -> bytes:
        loop = asyncio.get_running_loop()
        limits = self.server.limits
        if deadline is None:
            timeout = limits.idle_timeout
        else:
            timeout = max(0.0, deadline - loop.time())
        return await asyncio.wait_for(self.reader.read(_READ_CHUNK), timeout)

    async def run(self) -> None:
        limits = self.server.limits
        session = self.session
        loop = asyncio.get_running_loop()
        deadline: float | None = None  # when the APDU being received must be complete
        while not self.closing:
            try:
                chunk = await self._read(deadline)
            except asyncio.TimeoutError:
                log.info("%s:%d: %s timeout, closing", *self.peer, "read" if deadline else "idle")
                return
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
        if event.refusal is not None:
            log.info("%s:%d: %s not allowed in its transaction (handed to the handler)", *self.peer,
                     type(apdu).__name__)
        try:
            await self.server.handler(Incoming(event.data, apdu, self.peer, event.transaction, event.refusal, self))
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
    Bad framing or an undecodable APDU is answered with a Status-Or-Error-Report (general-problem) and the
    connection is closed; a handler exception is answered the same way (general-problem other) and logged,
    and the connection stays open. A peer resetting the connection is logged at INFO, without a traceback.
    With `track` (default)
    each APDU is applied to its transaction in `store` first; `incoming.transaction` is the result. An APDU
    the transaction's state does not allow is answered with state-transition-prohibited when `strict`
    (default), else handed to the handler with `incoming.refusal` set.
    """

    def __init__(self, handler: Handler, *, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 limits: Limits | None = None, codec: Codec | None = None, store: TransactionStore | None = None,
                 track: bool = True, strict: bool = True) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        # Replies echo what the peer sent (transaction ids, dates): written as they came, without the value check.
        self.codec = codec or Codec(check=False)
        self.store: TransactionStore = store if store is not None else MemoryStore()
        self.tracking = track
        self.strict = strict
        self.refused_connections = 0
        self.evicted_connections = 0
        self._open: dict[_Connection, None] = {}  # insertion-ordered set
        self._per_address: dict[str, int] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._open)

    def track(self, apdu: APDU) -> tuple[TransactionLike | None, StatusOrErrorReport | None]:
        """Apply a received APDU to its transaction; (transaction, error report to send instead)."""
        return Session(codec=self.codec, store=self.store, track=self.tracking, strict=self.strict).track(
            apdu, at=_now())

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, self.host, self.port,
                                                  limit=_READ_CHUNK, backlog=DEFAULT_BACKLOG)
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

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
        victim = min(candidates, key=lambda c: (not crowded(c), not c.idle, c.last_active))
        loop = asyncio.get_running_loop()
        log.debug("%s:%d: closed after %.1f s %s to make room for %s:%d (%d connections open)", *victim.peer,
                 loop.time() - victim.last_active, "idle" if victim.idle else "inside an APDU", *newcomer.peer,
                 len(self._open))
        self._unregister(victim)
        victim.evict()
        self.evicted_connections += 1
        return True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = _Connection(self, reader, writer)
        if len(self._open) >= self.limits.max_connections and not self._make_room(conn):
            self.refused_connections += 1
            log.debug("%s:%d: refused, %d connections open and none can be closed", *conn.peer, len(self._open))
            writer.close()
            return
        self._register(conn)
        log.info("%s:%d: connected", *conn.peer)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await conn.run()
        except asyncio.CancelledError:
            # Only close() cancels these tasks. Ending normally keeps asyncio's stream callback from logging
            # the cancellation as an error.
            pass
        except (ConnectionError, asyncio.TimeoutError) as exc:  # the peer's doing: no traceback (log flooding)
            log.info("%s:%d: %s", *conn.peer, conn.lost or f"connection lost: {exc!r}")
        except Exception:  # whatever one connection does, the server keeps serving the others
            log.exception("%s:%d: connection failed", *conn.peer)
        finally:
            log.info("%s:%d: closed", *conn.peer)
            self._unregister(conn)
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)


# --- client ------------------------------------------------------------------------------------------------

def _name(apdu: APDU | bytes) -> str:
    return tag_name(apdu) if isinstance(apdu, bytes) else apdu_name(apdu)


class ILLConnection:
    """A client connection: send APDUs, receive whole APDUs (raw octets; decode with the codec)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: Limits,
                 codec: Codec) -> None:
        self.reader = reader
        self.writer = writer
        self.limits = limits
        self.codec = codec
        self.framer = Framer(max_size=limits.max_apdu_size, max_depth=limits.max_depth)
        self._pending: list[bytes] = []
        self.closed_by_peer = False
        self.first_octets: bytes | None = None  # the start of what the peer sent (to recognise HTTP)
        self.peer = "{}:{}".format(*(writer.get_extra_info("peername") or ("?", 0))[:2])

    @classmethod
    async def connect(cls, host: str, port: int, *, limits: Limits | None = None,
                      codec: Codec | None = None) -> ILLConnection:
        limits = limits or Limits()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=_READ_CHUNK),
                                                limits.connect_timeout)
        log.info("%s:%d: connected", host, port)
        return cls(reader, writer, limits, codec or Codec())

    async def send(self, apdu: APDU | bytes) -> None:
        """Send one APDU; bytes are sent exactly as given (several concatenated APDUs are fine too)."""
        data = apdu if isinstance(apdu, bytes) else self.codec.encode(apdu)
        log.info("%s: sent %s (%d octets)", self.peer, _name(apdu), len(data))
        self.writer.write(data)
        await asyncio.wait_for(self.writer.drain(), self.limits.write_timeout)

    async def receive(self, timeout: float) -> bytes | None:
        """The next whole APDU, or None if none arrived within `timeout` seconds or the peer closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._pending:
            if self.framer.error is not None:  # bad octets after the APDUs already returned
                raise self.framer.error
            if self.closed_by_peer:
                return None
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            try:
                chunk = await asyncio.wait_for(self.reader.read(_READ_CHUNK), remaining)
            except asyncio.TimeoutError:
                return None
            if not chunk:
                log.info("%s: closed by the peer", self.peer)
                self.closed_by_peer = True
                self.framer.eof()
                return None
            if self.first_octets is None:
                self.first_octets = chunk[:16]
            try:
                self._pending += self.framer.feed(chunk)
            except FramingError:
                if looks_like_http(self.first_octets):
                    raise FramingError(f"it answered in HTTP ({self.first_octets!r}...): an HTTP server, not "
                                       "an ISO 10161 peer", offset=0) from None
                raise
        data = self._pending.pop(0)
        log.info("%s: received %s (%d octets)", self.peer, _name(data), len(data))
        return data

    async def close(self) -> None:
        log.info("%s: closed", self.peer)
        self.writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.writer.wait_closed(), 1.0)

    async def __aenter__(self) -> ILLConnection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def send_apdus(host: str, port: int, apdus: Iterable[APDU | bytes], *, wait: float = 2.0,
                     limits: Limits | None = None, codec: Codec | None = None,
                     max_replies: int | None = None) -> list[bytes]:
    """Connect, send the APDUs, collect what the peer sends back within `wait` seconds (or until
    `max_replies` arrived, or the peer closed), close."""
    async with await ILLConnection.connect(host, port, limits=limits, codec=codec) as conn:
        for apdu in apdus:
            await conn.send(apdu)
        replies: list[bytes] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            reply = await conn.receive(max(0.0, deadline - loop.time()))
            if reply is None:
                return replies
            replies.append(reply)
            if max_replies is not None and len(replies) >= max_replies:
                return replies
