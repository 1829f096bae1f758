"""The sans-IO ISO 10161 session, in the manner of h11's Connection: received octets in, decoded APDUs with
their transaction (and any reply the session gives by itself) out; APDUs in, octets out. No socket, no clock.

A transport (`isoill.net`, a gateway, a test, trio) owns the I/O and the time:

    session = Session(store=store)
    session.receive_data(chunk)
    while (event := session.next_event(at=now())) is not None:
        if isinstance(event, AutoReply):   # bad framing, an undecodable APDU, a prohibited one (strict)
            write(event.octets)
            if event.close: close the connection
        else:                              # Arrival: an APDU for the application
            handle(event.apdu, event.transaction, event.refusal)
    write(session.send(apdu))

Rules beside the flow: after bad framing or an undecodable APDU nothing more can be read from the stream (it has
no resynchronisation point), so the session answers with general-problem and closes; APDUs completed before
the bad octets are delivered first. With `track`, every received APDU is applied to its transaction in `store`
before the application sees it; `strict` answers a prohibited one itself (state-transition-prohibited or
transaction-id-problem), otherwise the Arrival carries that answer as `refusal` and the application decides.
"""

from __future__ import annotations

from collections import deque

import attrs

from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, ILLRequest, StatusOrErrorReport
from isoill._protocol import reports
from isoill._protocol.ids import transaction_key
from isoill._protocol.store import MemoryStore, TransactionLike, TransactionStore, new_transaction
from isoill.errors import DecodeError, ProtocolError
from isoill.stream import (
    DEFAULT_MAX_APDU_SIZE,
    DEFAULT_MAX_DEPTH,
    HTTP_HINT,
    Framer,
    FramingError,
    looks_like_http,
)

__all__ = ["Arrival", "AutoReply", "Session", "SessionEvent"]


@attrs.frozen
class Arrival:
    """An APDU for the application: the octets as received, the decoded APDU, its transaction after applying it
    (None when the session does not track), and `refusal`, the report the protocol machine calls for when the
    APDU is not allowed in the transaction's state (only from a non-strict session)."""

    data: bytes
    apdu: APDU
    transaction: TransactionLike | None = None
    refusal: StatusOrErrorReport | None = None


@attrs.frozen
class AutoReply:
    """A reply the session gives by itself; the application does not see the APDU it answers.

    `reply` is the Status-Or-Error-Report and `octets` its encoding; `about` the APDU answered (None when it could
    not be decoded); `reason` says why, for the log; `close` is True when the stream cannot go on (bad framing,
    an undecodable APDU): send the octets, then close."""

    reply: StatusOrErrorReport
    octets: bytes
    about: APDU | None
    reason: str
    close: bool


SessionEvent = Arrival | AutoReply


class Session:
    """One ISO 10161 association (a TCP connection's worth of APDUs), without I/O.

    `receive_data(octets)` buffers; `next_event(at=...)` returns the next `Arrival` or `AutoReply`, or None
    when more octets are needed; `at` is the service-date-time any automatic reply carries. `send(apdu)` gives
    the octets to write. Many sessions may share one `store` (a server's connections do).
    """

    def __init__(self, *, codec: Codec | None = None, store: TransactionStore | None = None, track: bool = True,
                 strict: bool = True, max_apdu_size: int = DEFAULT_MAX_APDU_SIZE,
                 max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        self.codec = codec or Codec()
        self.store: TransactionStore = store if store is not None else MemoryStore()
        self.tracking = track
        self.strict = strict
        self.framer = Framer(max_size=max_apdu_size, max_depth=max_depth)
        self.closed = False  # the stream failed: nothing more will be read or delivered
        self.first_octets: bytes | None = None  # the start of what the peer sent, to recognise HTTP
        self._pending: deque[bytes] = deque()
        self._failure: FramingError | None = None

    # --- octets in --------------------------------------------------------------------------------------------

    @property
    def in_apdu(self) -> bool:
        """Part of an APDU has arrived (closing now would lose it)."""
        return self.framer.in_apdu

    @property
    def buffered(self) -> int:
        """Octets received but not yet part of a whole APDU."""
        return self.framer.buffered

    def receive_data(self, data: bytes) -> int:
        """Add received octets; returns how many whole APDUs they completed (now waiting in `next_event`)."""
        if self.closed or self._failure is not None:
            return 0
        if self.first_octets is None:
            self.first_octets = data[:16]
        try:
            apdus = self.framer.feed(data)
        except FramingError as exc:
            self._failure = exc
            return 0
        self._pending.extend(apdus)
        if self.framer.error is not None:  # APDUs completed before the bad octets go first
            self._failure = self.framer.error
        return len(apdus)

    def next_event(self, *, at: T.ServiceDateTime) -> SessionEvent | None:
        """The next thing to act on, or None when the session needs more octets (or is closed)."""
        if self.closed:
            return None
        if self._pending:
            return self._one(self._pending.popleft(), at)
        if self._failure is not None:
            self.closed = True
            if looks_like_http(self.first_octets or b""):
                reason = f"this looks like an HTTP request; ISO 10161 peers send raw BER ({HTTP_HINT})"
            else:
                reason = f"bad framing: {self._failure}"
            return self._auto(reports.error_reply(E.GeneralProblem.BADLY_STRUCTURED_APDU, None, reason,
                                                  service_date_time=at), None, reason, close=True)
        return None

    def _one(self, data: bytes, at: T.ServiceDateTime) -> SessionEvent:
        try:
            apdu = self.codec.decode(data)
        except DecodeError as exc:
            # An [APPLICATION n] tag outside 1..20 is an APDU this protocol does not have; anything else is broken.
            unknown = bool(data) and 0x60 <= data[0] <= 0x7F and not 1 <= data[0] & 0x1F <= 20
            problem = E.GeneralProblem.UNRECOGNIZED_APDU if unknown else E.GeneralProblem.BADLY_STRUCTURED_APDU
            self.closed = True
            self._pending.clear()
            why = f"{exc}{_unset_hint(exc)}"
            return self._auto(reports.error_reply(problem, None, f"cannot decode: {why}", service_date_time=at),
                              None, f"undecodable APDU: {why}", close=True)
        transaction, refusal, why = self._track(apdu, at)
        if refusal is not None and self.strict:
            return self._auto(refusal, apdu, why, close=False)
        return Arrival(data, apdu, transaction, refusal)

    def _auto(self, reply: StatusOrErrorReport, about: APDU | None, reason: str, *, close: bool) -> AutoReply:
        # The reply echoes what the peer sent (transaction ids, dates): written as it came, without the value check.
        return AutoReply(reply, self.codec.encode(reply, check=False), about, reason, close)

    # --- transactions -----------------------------------------------------------------------------------------

    def track(self, apdu: APDU, *, at: T.ServiceDateTime) -> tuple[TransactionLike | None,
                                                                  StatusOrErrorReport | None]:
        """Apply a received APDU to its transaction in the store: (transaction, error report to send instead)."""
        transaction, refusal, _ = self._track(apdu, at)
        return transaction, refusal

    def _track(self, apdu: APDU, at: T.ServiceDateTime) -> tuple[TransactionLike | None,
                                                                StatusOrErrorReport | None, str]:
        if not self.tracking:
            return None, None, ""
        key = transaction_key(apdu)
        txn = self.store.get(key)
        if txn is None:
            txn = new_transaction(responder=isinstance(apdu, ILLRequest))
        try:
            txn.receive(apdu)
        except ProtocolError as exc:  # not allowed in this state, or an unknown transaction
            return txn, exc.reply(service_date_time=at), f"{key[0]}:{key[1]} refused: {exc}"
        except ValueError as exc:  # a store's own transaction type refusing
            state = txn.state or E.CurrentState.UNKNOWN
            prohibited = T.StateTransitionProhibited(apdu_type=E.ILLAPDUType(apdu.APDU_TYPE), current_state=state)
            return (txn, reports.error_reply(prohibited, apdu, str(exc), service_date_time=at),
                    f"{key[0]}:{key[1]} refused: {exc}")
        self.store.put(key, txn)
        return txn, None, ""

    # --- APDUs out --------------------------------------------------------------------------------------------

    def send(self, apdu: APDU | bytes, *, apply: bool = False) -> bytes:
        """The octets for `apdu` (ready-made octets pass through). With `apply`, the APDU is first checked
        against its transaction in the store and recorded there (raises `ProtocolError` if it is prohibited)."""
        if isinstance(apdu, bytes):
            return apdu
        if apply:
            key = transaction_key(apdu)
            txn = self.store.get(key) or new_transaction(responder=not isinstance(apdu, ILLRequest))
            txn.send(apdu)
            self.store.put(key, txn)
        return self.codec.encode(apdu)

    def refuse(self, problem: E.GeneralProblem, about: APDU | None, note: str, *,
               at: T.ServiceDateTime) -> bytes:
        """The octets of a general-problem error report (a transport's own failures: a handler that broke)."""
        return self.codec.encode(reports.error_reply(problem, about, note, service_date_time=at), check=False)

    def status_reply(self, about: APDU, transaction: TransactionLike | None, *,
                     at: T.ServiceDateTime) -> StatusOrErrorReport:
        """A status report answering `about`: see `isoill.status_reply`."""
        return status_reply(about, transaction, service_date_time=at)


def _unset_hint(exc: DecodeError) -> str:
    # An ENUMERATED of 0 is no value of any ISO 10161 enumeration: it is what a client sends for a field it
    # never set (yaz-illclient, given no -D ill,... option, sends a request with every field zero or empty).
    if exc.reason.startswith("value 0 is not a"):
        return ("; 0 is no value of this enumeration: the sender left the field unset (yaz-illclient does so "
                "for every field unless given a -D ill,... option)")
    return ""


def status_reply(about: APDU, transaction: TransactionLike | None, *,
                 service_date_time: T.ServiceDateTime) -> StatusOrErrorReport:
    """A status report answering `about`: its transaction's current state and History-Report. Uses the machine's
    own report when it can give one; a transaction with no history yet (or a store's own transaction type) gets a
    report built from `about` alone."""
    from isoill._protocol.machine import Transaction

    if isinstance(transaction, Transaction):
        try:
            return transaction.status_report(service_date_time=service_date_time, to=about)
        except ValueError:  # ILLError: no History-Report yet
            pass
    return reports.status_reply(about, transaction.state if transaction is not None else None,
                                service_date_time=service_date_time)
