"""asyncio TCP transport for ISO 10161: `ILLServer` (a handler per APDU, limits, error replies) and the client
side (`ILLConnection`, `send_apdus`); the only module of `isoill` that does I/O. Wired to the protocol machine
through a `TransactionStore`.

Framing is `isoill.stream.Framer`; replies are encoded with a long-form outer length because YAZ-based peers
treat a first four printable octets as HTTP (research notes, 10161 section 3.4).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import attrs

from illcore.aio import DEFAULT_BACKLOG
from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, ILLRequest, StatusOrErrorReport
from isoill._protocol.machine import ProtocolError, Role, Transaction
from isoill.errors import DecodeError, ILLError
from isoill.stream import DEFAULT_MAX_APDU_SIZE, DEFAULT_MAX_DEPTH, Framer, FramingError

log = logging.getLogger("isoill.net")

Address = tuple[str, int]
TransactionKey = tuple[str, str, str]

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


# --- transactions: the store interface and the state the server reports ---------------------------------------

class TransactionLike(Protocol):
    """What the server needs from a transaction (`isoill.Transaction` of the protocol machine satisfies it).

    `receive` raises `isoill.ProtocolError` (or another ValueError) for an APDU the state does not allow.
    """

    @property
    def state(self) -> E.CurrentState | None: ...

    def receive(self, apdu: Any) -> Any: ...

    def send(self, apdu: Any) -> Any: ...


class TransactionStore(Protocol):
    """Where a server keeps its transactions between APDUs and connections (a database in a real gateway)."""

    def get(self, key: TransactionKey) -> TransactionLike | None: ...

    def put(self, key: TransactionKey, transaction: TransactionLike) -> None: ...


class MemoryStore:
    """The default `TransactionStore`: a dict, lost when the process ends."""

    def __init__(self) -> None:
        self._items: dict[TransactionKey, TransactionLike] = {}

    def get(self, key: TransactionKey) -> TransactionLike | None:
        return self._items.get(key)

    def put(self, key: TransactionKey, transaction: TransactionLike) -> None:
        self._items[key] = transaction

    def __len__(self) -> int:
        return len(self._items)


def transaction_key(apdu: APDU) -> TransactionKey:
    """Transaction-Id as a store key: (group qualifier, qualifier, sub-transaction qualifier)."""
    tid = apdu.transaction_id
    return (str(tid.transaction_group_qualifier), str(tid.transaction_qualifier),
            str(tid.sub_transaction_qualifier or ""))


def new_transaction(responder: bool) -> TransactionLike:
    """A fresh transaction of the protocol machine, in the role this side plays."""
    return Transaction(Role.RESPONDER if responder else Role.REQUESTER)


# --- Status-Or-Error-Report builders -------------------------------------------------------------------------

def _now() -> T.ServiceDateTime:
    now = _dt.datetime.now()
    return T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=now.strftime("%Y%m%d"),
                                                                  time=now.strftime("%H%M%S")))


_EMPTY_TID = T.TransactionId(transaction_group_qualifier="", transaction_qualifier="")


def error_report(problem: E.GeneralProblem | T.StateTransitionProhibited, about: APDU | None = None,
                 note: str = "") -> StatusOrErrorReport:
    """A provider error report (general-problem or state-transition-prohibited), about `about` if known."""
    return StatusOrErrorReport(
        transaction_id=about.transaction_id if about is not None else _EMPTY_TID,
        service_date_time=_now(),
        requester_id=about.requester_id if about is not None else None,
        responder_id=about.responder_id if about is not None else None,
        error_report=T.ErrorReport(correlation_information=note[:200] or "error", report_source=E.ReportSource.PROVIDER,
                                   provider_error_report=problem),
    )


def status_report(about: APDU, transaction: TransactionLike | None) -> StatusOrErrorReport:
    """A status report answering `about`: its transaction's current state and History-Report.

    Uses the machine's own report when it can give one; a transaction that has no history yet (or a store's
    own transaction type) gets a report built from `about` alone.
    """
    if isinstance(transaction, Transaction):
        try:
            return transaction.status_report(service_date_time=_now(), to=about)
        except ILLError:
            pass
    state = (transaction.state if transaction is not None else None) or E.CurrentState.UNKNOWN
    try:
        recent = E.MostRecentService(about.APDU_TYPE)
    except ValueError:
        recent = E.MostRecentService.MESSAGE
    date = about.service_date_time.date_time_of_this_service.date
    request = about if isinstance(about, ILLRequest) else None
    history = T.HistoryReport(
        date_requested=date if request else None,
        author=request.item_id.author if request else None,
        title=request.item_id.title if request else None,
        date_of_last_transition=date, most_recent_service=recent, date_of_most_recent_service=date,
        initiator_of_most_recent_service=about.requester_id or T.SystemId(),
    )
    return StatusOrErrorReport(
        transaction_id=about.transaction_id, service_date_time=_now(),
        requester_id=about.requester_id, responder_id=about.responder_id,
        status_report=T.StatusReport(user_status_report=history, provider_status_report=state),
    )


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
        self.framer = Framer(max_size=limits.max_apdu_size, max_depth=limits.max_depth)
        self.busy = False  # handling APDUs (a handler may be running): never evicted
        self.evicted = False
        self.lost: str | None = None  # why the transport failed under a send (peer reset, write timeout)
        self.last_active = asyncio.get_running_loop().time()  # last octets received or last APDU handled

    @property
    def idle(self) -> bool:
        """Waiting between APDUs with no handler running."""
        return not self.busy and not self.framer.in_apdu

    def evict(self) -> None:
        """Close this connection to make room for another (only when it is not busy)."""
        self.evicted = True
        self.closing = True
        self.writer.close()  # the pending read sees end of stream

    async def send(self, apdu: APDU | bytes) -> None:
        data = apdu if isinstance(apdu, bytes) else self.server.codec.encode(apdu)
        try:
            self.writer.write(data)
            await asyncio.wait_for(self.writer.drain(), self.server.limits.write_timeout)
        except ConnectionError as exc:
            self.lost = f"connection lost: {exc}"
            raise
        except asyncio.TimeoutError:
            self.lost = "write timeout"
            raise

    async def _read(self, framer: Framer, deadline: float | None) -> bytes:
        loop = asyncio.get_running_loop()
        limits = self.server.limits
        if deadline is None:
            timeout = limits.idle_timeout
        else:
            timeout = max(0.0, deadline - loop.time())
        return await asyncio.wait_for(self.reader.read(_READ_CHUNK), timeout)

    async def run(self) -> None:
        limits = self.server.limits
        framer = self.framer
        loop = asyncio.get_running_loop()
        deadline: float | None = None  # when the APDU being received must be complete
        while not self.closing:
            try:
                chunk = await self._read(framer, deadline)
            except asyncio.TimeoutError:
                log.info("%s:%d: %s timeout, closing", *self.peer, "read" if deadline else "idle")
                return
            if self.evicted:
                return
            if not chunk:
                if framer.in_apdu:
                    log.warning("%s:%d: closed inside an APDU (%d octets)", *self.peer, framer.buffered)
                return
            self.last_active = loop.time()
            try:
                apdus = framer.feed(chunk)
            except FramingError as exc:
                await self._bad_framing(exc)
                return
            # APDUs that arrived before bad octets in the same chunk are handled first; then the error is answered.
            self.busy = True
            try:
                for data in apdus:
                    await self._one(data)
                    if self.closing:
                        return
            finally:
                self.busy = False
                self.last_active = loop.time()
            if framer.error is not None:
                await self._bad_framing(framer.error)
                return
            # read_timeout bounds a whole APDU: the deadline is set when its first octets arrive (counted from
            # after the handlers of the APDUs completed by the same chunk) and later chunks do not extend it.
            if not framer.in_apdu:
                deadline = None
            elif deadline is None or apdus:
                deadline = loop.time() + limits.read_timeout

    async def _one(self, data: bytes) -> None:
        server = self.server
        try:
            apdu = server.codec.decode(data)
        except DecodeError as exc:
            unknown = bool(data) and 0x60 <= data[0] <= 0x7F and not 1 <= data[0] & 0x1F <= 20
            problem = E.GeneralProblem.UNRECOGNIZED_APDU if unknown else E.GeneralProblem.BADLY_STRUCTURED_APDU
            log.warning("%s:%d: undecodable APDU: %s", *self.peer, exc)
            await self._refuse(problem, None, f"cannot decode: {exc}")
            self.closing = True
            return
        transaction, refusal = server.track(apdu)
        if refusal is not None and server.strict:
            await self.send(refusal)
            return
        try:
            await server.handler(Incoming(data, apdu, self.peer, transaction, refusal, self))
        except Exception as exc:  # a bug in the application must not take the connection or server down
            if self.lost is not None:  # the peer went away (or stopped reading) under a reply: no bug here
                log.info("%s:%d: %s while answering %s", *self.peer, self.lost, type(apdu).__name__)
                self.closing = True
                return
            log.exception("%s:%d: handler failed on %s", *self.peer, type(apdu).__name__)
            await self._refuse(E.GeneralProblem.OTHER, apdu, f"internal error: {type(exc).__name__}")

    async def _bad_framing(self, exc: FramingError) -> None:
        log.warning("%s:%d: bad framing: %s", *self.peer, exc)
        await self._refuse(E.GeneralProblem.BADLY_STRUCTURED_APDU, None, f"bad framing: {exc}")

    async def _refuse(self, problem: E.GeneralProblem, about: APDU | None, note: str) -> None:
        with contextlib.suppress(OSError, asyncio.TimeoutError):
            await self.send(error_report(problem, about, note))


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
        self.codec = codec or Codec()
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
        """Apply a received APDU to its transaction; (transaction, error report to send instead) ."""
        if not self.tracking:
            return None, None
        key = transaction_key(apdu)
        txn = self.store.get(key)
        if txn is None:
            txn = new_transaction(responder=isinstance(apdu, ILLRequest))
        try:
            txn.receive(apdu)
        except ProtocolError as exc:  # not allowed in this state, or an unknown transaction
            log.info("%s:%s refused: %s", key[0], key[1], exc)
            return txn, exc.reply(service_date_time=_now())
        except ValueError as exc:  # a store's own transaction type refusing
            state = txn.state or E.CurrentState.UNKNOWN
            log.info("%s:%s refused: %s", key[0], key[1], exc)
            prohibited = T.StateTransitionProhibited(apdu_type=E.ILLAPDUType(apdu.APDU_TYPE), current_state=state)
            return txn, error_report(prohibited, apdu, str(exc))
        self.store.put(key, txn)
        return txn, None

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
            self._unregister(conn)
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)


# --- client ------------------------------------------------------------------------------------------------

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

    @classmethod
    async def connect(cls, host: str, port: int, *, limits: Limits | None = None,
                      codec: Codec | None = None) -> ILLConnection:
        limits = limits or Limits()
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, limit=_READ_CHUNK),
                                                limits.connect_timeout)
        return cls(reader, writer, limits, codec or Codec())

    async def send(self, apdu: APDU | bytes) -> None:
        """Send one APDU; bytes are sent exactly as given (several concatenated APDUs are fine too)."""
        data = apdu if isinstance(apdu, bytes) else self.codec.encode(apdu)
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
                self.closed_by_peer = True
                self.framer.eof()
                return None
            self._pending += self.framer.feed(chunk)
        return self._pending.pop(0)

    async def close(self) -> None:
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
