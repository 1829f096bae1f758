"""The ISO 10161 requester and responder protocol machines: the transition tables as data, and `Transaction`,
which checks every APDU this side sends or receives against them (sans-IO: times come from the APDUs).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from illcore.engine import PREVIOUS, Confidence, Direction, Engine, Record, Row, Table, log_record
from illcore.lifecycle import Stage
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import (
    APDU,
    APDU_NAMES,
    ILLAnswer,
    ILLRequest,
    Received,
    Shipped,
    StatusOrErrorReport,
)
from isoill._protocol import reports
from isoill._protocol.ids import same_transaction
from isoill.errors import ILLError, ProtocolError

__all__ = [
    "COPY_END", "FACTS", "NEUTRAL", "STAGES", "TABLE", "TERMINAL", "Direction", "Event",
    "ProtocolError", "Role", "Transaction",
]

A = E.ILLAPDUType
C = E.CurrentState
R = E.TransactionResults


class Role(enum.Enum):
    """Which end of the transaction this machine runs."""

    REQUESTER = "requester"
    RESPONDER = "responder"


# Direction (illcore.engine) is SEND / RECEIVE in both protocols' records; ISO 10161 names them as service
# primitives: `.req` (this side invokes the service, sends the APDU) and `.ind` (the APDU arrives).
PRIMITIVE = {Direction.SEND: "req", Direction.RECEIVE: "ind"}




@attrs.frozen
class Event:
    """An APDU going one way. `detail` is the ILL-Answer's transaction-results or a reply's answer (TRUE/FALSE):
    the only contents that decide where a transition goes."""

    direction: Direction
    apdu_type: E.ILLAPDUType
    detail: E.TransactionResults | bool | None = None

    @classmethod
    def of(cls, direction: Direction, apdu: APDU) -> Event:
        detail: E.TransactionResults | bool | None = None
        if isinstance(apdu, ILLAnswer):
            detail = apdu.transaction_results
        elif apdu.APDU_TYPE in (A.CONDITIONAL_REPLY, A.CANCEL_REPLY, A.RENEW_ANSWER):
            detail = bool(apdu.answer)  # type: ignore[attr-defined]
        return cls(direction, apdu.APDU_TYPE, detail)

    def __str__(self) -> str:
        name = f"{APDU_NAMES[self.apdu_type]}.{PRIMITIVE[self.direction]}"
        if isinstance(self.detail, bool):
            return f"{name} {'TRUE' if self.detail else 'FALSE'}"
        if self.detail is not None:
            return f"{name} {self.detail.name.replace('_', '-')}"
        return name


def _send(apdu: E.ILLAPDUType, detail: E.TransactionResults | bool | None = None) -> Event:
    return Event(Direction.SEND, apdu, detail)


def _recv(apdu: E.ILLAPDUType, detail: E.TransactionResults | bool | None = None) -> Event:
    return Event(Direction.RECEIVE, apdu, detail)


# Facts a transaction learns from optional-messages announcements; they open the skips the research notes list.
NO_SHIPPED = "responder-cannot-send-SHIPPED"      # Responder-Optional-Messages can-send-SHIPPED FALSE
NO_RECEIVED = "requester-cannot-send-RECEIVED"    # Requester-Optional-Messages can-send-RECEIVED FALSE
NO_RETURNED = "requester-cannot-send-RETURNED"    # Requester-Optional-Messages can-send-RETURNED FALSE
FACTS = (NO_SHIPPED, NO_RECEIVED, NO_RETURNED)

D, I = Confidence.DOCUMENTED, Confidence.INFERRED  # noqa: E741 - the research table's D / I marks
IDLE = None  # ISO 10161 has no Current-State code for IDLE: it cannot be reported
_FAIL = (R.UNFILLED, R.RETRY, R.LOCATIONS_PROVIDED, R.ESTIMATE)
_TRACKING = (C.RECEIVED, C.RENEW_PENDING, C.OVERDUE, C.RENEW_OVERDUE, C.RECALL)

# Theory of operation (the rules beside the table; docs/state-machines.md tells the same to users).
#
# What is documented. ISO 10161-1 defines the services and the Current-State codes but publishes no transition
# table. The rows marked D come from sources that write transitions down: [K] k-int/iso10161
# state_transitions.json, [DB] "Requester States: ISO 10161" (an ILL system manual), [OC] OCLC VDX / UnityUK
# help, [UW] ASMA "Undo Functionality", [AL] Alma events, [IL] ILLiad KB (research notes, section 4.3).
#
# What is inferred (rows marked I). (1) The other ILL-Answer results (RETRY, LOCATIONS-PROVIDED, ESTIMATE) go
# where UNFILLED goes: the services say they end this responder's part. (2) Mirrors: each side accepts what
# the other side's documented rows let it send, so two machines that saw the same APDUs agree (the stateful
# test checks it). (3) Crossings: APDUs that pass each other on the wire (a Cancel and a Shipped, a Recall
# before the item arrived, repeated Overdue notices) are accepted where the later state absorbs them.
# (4) Neutral APDUs (Message, Status-Query, Status-Or-Error-Report, Damaged) are allowed in every state but IDLE
# and change nothing: the services give them no state effect.
#
# Rules the table cannot hold, written in `Transaction`: an announcement in Requester-/Responder-Optional-
# Messages opens only the skip it announces (FACTS); once a copy-non-returnable is delivered only the neutral
# APDUs remain (COPY_END); any APDU but ILL-Request at IDLE, or one for another transaction (compared by
# `ids.same_transaction`), is an unknown transaction; a refused APDU leaves the state as it was.
# See /docs/state-machines.md and the research notes section 4.3. I rows are inferred from the services.
_Spec = tuple[object, Event, object, Confidence, str] | tuple[object, Event, object, Confidence, str, str]

_REQUESTER: list[_Spec] = [
    (IDLE, _send(A.ILL_REQUEST), C.PENDING, D, "[K][DB]"),
    (C.PENDING, _send(A.ILL_REQUEST), C.PENDING, D, "[K] repeat"),
    (C.PENDING, _recv(A.FORWARD_NOTIFICATION), C.PENDING, D, "[DB] responder is now the new one"),
    (C.PENDING, _recv(A.ILL_ANSWER, R.WILL_SUPPLY), C.PENDING, D, "[DB]"),
    (C.PENDING, _recv(A.ILL_ANSWER, R.HOLD_PLACED), C.PENDING, D, "[DB]"),
    (C.PENDING, _recv(A.ILL_ANSWER, R.CONDITIONAL), C.CONDITIONAL, D, "[DB][OC]"),
    (C.PENDING, _recv(A.ILL_ANSWER, R.UNFILLED), C.NOT_SUPPLIED, D, "[DB][AL]"),
    *[(C.PENDING, _recv(A.ILL_ANSWER, r), C.NOT_SUPPLIED, I, "like UNFILLED") for r in _FAIL[1:]],
    (C.PENDING, _recv(A.EXPIRED), C.NOT_SUPPLIED, I, "[AL] close the request"),
    (C.PENDING, _recv(A.SHIPPED), C.SHIPPED, D, "[DB][OC]"),
    (C.PENDING, _send(A.CANCEL), C.CANCEL_PENDING, D, "[K]"),
    (C.PENDING, _send(A.CONDITIONAL_REPLY, True), C.PENDING, D, "[K] listed as allowed"),
    (C.PENDING, _send(A.CONDITIONAL_REPLY, False), C.NOT_SUPPLIED, D, "[K] listed as allowed"),
    (C.PENDING, _send(A.RECEIVED), C.RECEIVED, I, "[IL] no Shipped from this responder", NO_SHIPPED),
    (C.CONDITIONAL, _send(A.CONDITIONAL_REPLY, True), C.PENDING, D, "[K][OC]"),
    (C.CONDITIONAL, _send(A.CONDITIONAL_REPLY, False), C.NOT_SUPPLIED, D, "[K][OC]"),
    (C.CONDITIONAL, _send(A.CANCEL), C.CANCEL_PENDING, I, ""),
    (C.CONDITIONAL, _recv(A.EXPIRED), C.NOT_SUPPLIED, I, ""),
    (C.CANCEL_PENDING, _send(A.CANCEL), C.CANCEL_PENDING, D, "[K] repeat"),
    (C.CANCEL_PENDING, _recv(A.CANCEL_REPLY, True), C.CANCELLED, D, "[DB][OC]"),
    (C.CANCEL_PENDING, _recv(A.CANCEL_REPLY, False), PREVIOUS, I, "back to PENDING or CONDITIONAL"),
    # messages the responder sent before it saw the Cancel (they cross on the wire)
    (C.CANCEL_PENDING, _recv(A.SHIPPED), C.SHIPPED, I, "crossed the Cancel"),
    *[(C.CANCEL_PENDING, _recv(A.ILL_ANSWER, r), C.CANCEL_PENDING, I, "crossed the Cancel")
      for r in (R.WILL_SUPPLY, R.HOLD_PLACED, R.CONDITIONAL)],
    *[(C.CANCEL_PENDING, _recv(A.ILL_ANSWER, r), C.NOT_SUPPLIED, I, "crossed the Cancel") for r in _FAIL],
    (C.SHIPPED, _recv(A.CANCEL_REPLY, False), C.SHIPPED, I, "the refusal of a Cancel that crossed Shipped"),
    (C.SHIPPED, _send(A.RECEIVED), C.RECEIVED, D, "[DB][OC]"),
    (C.SHIPPED, _recv(A.OVERDUE), C.NOT_RECEIVED_OVERDUE, D, "[DB]"),
    (C.SHIPPED, _recv(A.RECALL), C.RECALL, I, "the responder has no RECEIVED state"),
    (C.SHIPPED, _send(A.RETURNED), C.RETURNED, I, "no Received from this requester", NO_RECEIVED),
    (C.NOT_RECEIVED_OVERDUE, _send(A.RECEIVED), C.OVERDUE, I, ""),
    (C.NOT_RECEIVED_OVERDUE, _recv(A.OVERDUE), C.NOT_RECEIVED_OVERDUE, I, "a further notice"),
    (C.NOT_RECEIVED_OVERDUE, _recv(A.RECALL), C.RECALL, I, ""),
    (C.RECEIVED, _send(A.RENEW), C.RENEW_PENDING, D, "[OC]"),
    (C.RECEIVED, _recv(A.OVERDUE), C.OVERDUE, D, "[DB][OC]"),
    (C.RENEW_PENDING, _recv(A.RENEW_ANSWER, True), C.RECEIVED, I, "new due date"),
    (C.RENEW_PENDING, _recv(A.RENEW_ANSWER, False), C.RECEIVED, I, "due date unchanged"),
    (C.RENEW_PENDING, _recv(A.OVERDUE), C.RENEW_OVERDUE, I, ""),
    (C.OVERDUE, _send(A.RENEW), C.RENEW_OVERDUE, D, "[DB]"),
    (C.OVERDUE, _recv(A.OVERDUE), C.OVERDUE, I, "a further notice"),
    (C.RENEW_OVERDUE, _recv(A.RENEW_ANSWER, True), C.RECEIVED, I, ""),
    (C.RENEW_OVERDUE, _recv(A.RENEW_ANSWER, False), C.OVERDUE, I, ""),
    *[(s, _recv(A.RECALL), C.RECALL, D, "[DB][OC]") for s in _TRACKING[:-1]],
    (C.RECALL, _send(A.RECEIVED), C.RECALL, I, "the recall arrived before the item"),
    *[(s, _send(A.RETURNED), C.RETURNED, D, "[OC] awaiting confirmation of receipt") for s in _TRACKING],
    (C.RETURNED, _recv(A.CHECKED_IN), C.RETURNED, I, "transaction complete; [DB] has no requester CHECKED-IN"),
    *[(s, _recv(A.CHECKED_IN), C.RETURNED, I, "no Returned from this requester", NO_RETURNED)
      for s in (C.SHIPPED, C.NOT_RECEIVED_OVERDUE, C.RECEIVED, C.OVERDUE, C.RECALL)],
    *[(s, ev, C.LOST, D, "[DB][OC]") for s in (C.SHIPPED, C.NOT_RECEIVED_OVERDUE, *_TRACKING)
      for ev in (_send(A.LOST), _recv(A.LOST))],
]

_RESPONDER: list[_Spec] = [
    (IDLE, _recv(A.ILL_REQUEST), C.IN_PROCESS, D, "[K]"),
    *[(s, _recv(A.ILL_REQUEST), s, D, "[K] duplicate")
      for s in (C.IN_PROCESS, C.NOT_SUPPLIED, C.CONDITIONAL, C.FORWARD)],
    (C.IN_PROCESS, _send(A.ILL_ANSWER, R.WILL_SUPPLY), C.IN_PROCESS, I, "[OC] stops the request expiring"),
    (C.IN_PROCESS, _send(A.ILL_ANSWER, R.HOLD_PLACED), C.IN_PROCESS, I, "[OC]"),
    (C.IN_PROCESS, _send(A.ILL_ANSWER, R.CONDITIONAL), C.CONDITIONAL, D, "[UW]"),
    *[(C.IN_PROCESS, _send(A.ILL_ANSWER, r), C.NOT_SUPPLIED, I, "") for r in _FAIL],
    (C.IN_PROCESS, _send(A.FORWARD_NOTIFICATION), C.FORWARD, I, "intermediary"),
    (C.IN_PROCESS, _send(A.EXPIRED), C.NOT_SUPPLIED, I, "[IL] no ILL-Answer after Expired"),
    (C.CONDITIONAL, _send(A.EXPIRED), C.NOT_SUPPLIED, I, "[IL]"),
    (C.IN_PROCESS, _recv(A.CONDITIONAL_REPLY, True), C.IN_PROCESS, I, "mirror of [K]'s requester row"),
    (C.IN_PROCESS, _recv(A.CONDITIONAL_REPLY, False), C.NOT_SUPPLIED, I, "mirror of [K]'s requester row"),
    (C.CONDITIONAL, _recv(A.CONDITIONAL_REPLY, True), C.IN_PROCESS, D, "[UW][OC]"),
    (C.CONDITIONAL, _recv(A.CONDITIONAL_REPLY, False), C.NOT_SUPPLIED, D, "[OC]"),
    (C.IN_PROCESS, _recv(A.CANCEL), C.CANCEL_PENDING, D, "[OC]"),
    (C.CONDITIONAL, _recv(A.CANCEL), C.CANCEL_PENDING, D, "[OC]"),
    (C.CANCEL_PENDING, _recv(A.CANCEL), C.CANCEL_PENDING, I, "mirror of [K]'s repeat"),
    (C.CANCEL_PENDING, _send(A.CANCEL_REPLY, True), C.CANCELLED, D, "[OC]"),
    (C.CANCEL_PENDING, _send(A.CANCEL_REPLY, False), PREVIOUS, I, "[OC] previous state"),
    (C.IN_PROCESS, _send(A.SHIPPED), C.SHIPPED, D, "[AL][OC]"),
    (C.IN_PROCESS, _recv(A.RECEIVED), C.SHIPPED, I, "this responder sends no Shipped", NO_SHIPPED),
    (C.SHIPPED, _recv(A.RECEIVED), C.SHIPPED, I, "no responder RECEIVED state"),
    (C.OVERDUE, _recv(A.RECEIVED), C.OVERDUE, I, ""),
    (C.RECALL, _recv(A.RECEIVED), C.RECALL, I, ""),
    (C.SHIPPED, _recv(A.RENEW), C.RENEW_PENDING, I, ""),
    (C.RENEW_PENDING, _send(A.RENEW_ANSWER, True), C.SHIPPED, I, ""),
    (C.RENEW_PENDING, _send(A.RENEW_ANSWER, False), C.SHIPPED, I, ""),
    (C.SHIPPED, _send(A.OVERDUE), C.OVERDUE, I, ""),
    (C.OVERDUE, _send(A.OVERDUE), C.OVERDUE, I, "a further notice"),
    (C.RENEW_PENDING, _send(A.OVERDUE), C.RENEW_OVERDUE, I, ""),
    (C.OVERDUE, _recv(A.RENEW), C.RENEW_OVERDUE, I, ""),
    (C.RENEW_OVERDUE, _send(A.RENEW_ANSWER, True), C.SHIPPED, I, ""),
    (C.RENEW_OVERDUE, _send(A.RENEW_ANSWER, False), C.OVERDUE, I, ""),
    *[(s, _send(A.RECALL), C.RECALL, I, "")
      for s in (C.SHIPPED, C.OVERDUE, C.RENEW_PENDING, C.RENEW_OVERDUE)],
    *[(s, _recv(A.RETURNED), C.RETURNED, I, "")
      for s in (C.SHIPPED, C.RENEW_PENDING, C.OVERDUE, C.RENEW_OVERDUE, C.RECALL)],
    (C.RETURNED, _send(A.CHECKED_IN), C.CHECKED_IN, D, "[OC] the end of the life cycle"),
    *[(s, _send(A.CHECKED_IN), C.CHECKED_IN, I, "this requester sends no Returned", NO_RETURNED)
      for s in (C.SHIPPED, C.OVERDUE, C.RECALL)],
    *[(s, ev, C.LOST, I, "") for s in (C.SHIPPED, C.RENEW_PENDING, C.OVERDUE, C.RENEW_OVERDUE, C.RECALL)
      for ev in (_send(A.LOST), _recv(A.LOST))],
]

#: Either side may send these at any time once the transaction exists; they never change its state.
NEUTRAL = (A.MESSAGE, A.STATUS_QUERY, A.STATUS_OR_ERROR_REPORT, A.DAMAGED)

TERMINAL: dict[Role, frozenset[C]] = {
    Role.REQUESTER: frozenset({C.NOT_SUPPLIED, C.CANCELLED, C.RETURNED, C.LOST}),
    Role.RESPONDER: frozenset({C.FORWARD, C.NOT_SUPPLIED, C.CANCELLED, C.CHECKED_IN, C.LOST}),
}

#: A copy-non-returnable ends here: past these states only Received (and the neutral APDUs) are allowed.
COPY_END: dict[Role, frozenset[C]] = {
    Role.REQUESTER: frozenset({C.SHIPPED, C.RECEIVED}), Role.RESPONDER: frozenset({C.SHIPPED})}
_COPY_ALLOWED = {Role.REQUESTER: {C.SHIPPED: _send(A.RECEIVED)}, Role.RESPONDER: {C.SHIPPED: _recv(A.RECEIVED)}}


def _rows(role: Role, specs: Iterable[_Spec]) -> list[Row]:
    specs = list(specs)
    out = [Row(role, s[0], s[1], s[2], when=s[5] if len(s) > 5 else None,
               confidence=s[3], ref=s[4]) for s in specs]
    states = {s[0] for s in specs} | {s[2] for s in specs}
    out += [Row(role, s, Event(d, a), s, confidence=I, ref="neutral: never changes state")
            for s in sorted((c for c in states if isinstance(c, C)), key=lambda c: c.value)
            for a in NEUTRAL for d in Direction]
    return out


#: Both machines in one table (party = Role), as h11 keeps client and server in one.
TABLE = Table("ISO 10161", _rows(Role.REQUESTER, _REQUESTER) + _rows(Role.RESPONDER, _RESPONDER),
              initial={Role.REQUESTER: IDLE, Role.RESPONDER: IDLE}, terminal=TERMINAL)

#: What each state can mean in the neutral lifecycle. Each side sees only part of the transaction: the
#: responder has no RECEIVED state, the requester no CHECKED-IN, so some states stand for two stages.
STAGES: dict[Role, dict[C | None, frozenset[Stage]]] = {
    Role.REQUESTER: {
        IDLE: frozenset({Stage.IDLE}), C.PENDING: frozenset({Stage.REQUESTED}),
        C.CONDITIONAL: frozenset({Stage.CONDITIONAL}), C.CANCEL_PENDING: frozenset({Stage.CANCEL_PENDING}),
        C.NOT_SUPPLIED: frozenset({Stage.UNFILLED}), C.CANCELLED: frozenset({Stage.CANCELLED}),
        C.SHIPPED: frozenset({Stage.SUPPLIED}), C.RECEIVED: frozenset({Stage.RECEIVED}),
        C.RENEW_PENDING: frozenset({Stage.RENEW_PENDING}), C.RENEW_OVERDUE: frozenset({Stage.RENEW_PENDING}),
        C.OVERDUE: frozenset({Stage.OVERDUE}), C.NOT_RECEIVED_OVERDUE: frozenset({Stage.OVERDUE}),
        C.RECALL: frozenset({Stage.RECALLED}), C.RETURNED: frozenset({Stage.RETURNED, Stage.COMPLETED}),
        C.LOST: frozenset({Stage.LOST}),
    },
    Role.RESPONDER: {
        IDLE: frozenset({Stage.IDLE}), C.IN_PROCESS: frozenset({Stage.REQUESTED}),
        C.FORWARD: frozenset({Stage.FORWARDED}), C.CONDITIONAL: frozenset({Stage.CONDITIONAL}),
        C.CANCEL_PENDING: frozenset({Stage.CANCEL_PENDING}), C.NOT_SUPPLIED: frozenset({Stage.UNFILLED}),
        C.CANCELLED: frozenset({Stage.CANCELLED}), C.SHIPPED: frozenset({Stage.SUPPLIED, Stage.RECEIVED}),
        C.RENEW_PENDING: frozenset({Stage.RENEW_PENDING}), C.RENEW_OVERDUE: frozenset({Stage.RENEW_PENDING}),
        C.OVERDUE: frozenset({Stage.OVERDUE}), C.RECALL: frozenset({Stage.RECALLED}),
        C.RETURNED: frozenset({Stage.RETURNED}), C.CHECKED_IN: frozenset({Stage.COMPLETED}),
        C.LOST: frozenset({Stage.LOST}),
    },
}

_SENT_BY = {  # which role invokes each service (both: either side may)
    A.ILL_REQUEST: Role.REQUESTER, A.CONDITIONAL_REPLY: Role.REQUESTER, A.CANCEL: Role.REQUESTER,
    A.RECEIVED: Role.REQUESTER, A.RETURNED: Role.REQUESTER, A.RENEW: Role.REQUESTER,
    A.FORWARD_NOTIFICATION: Role.RESPONDER, A.SHIPPED: Role.RESPONDER, A.ILL_ANSWER: Role.RESPONDER,
    A.CANCEL_REPLY: Role.RESPONDER, A.RECALL: Role.RESPONDER, A.CHECKED_IN: Role.RESPONDER,
    A.OVERDUE: Role.RESPONDER, A.RENEW_ANSWER: Role.RESPONDER, A.EXPIRED: Role.RESPONDER,
}
_NOT_SERVICES = (A.STATUS_QUERY, A.STATUS_OR_ERROR_REPORT, A.OVERDUE, A.RENEW)  # not History-Report services


class Transaction:
    """One ILL transaction seen from one side: `send(apdu)` before emitting, `receive(apdu)` on arrival.

    strict=True raises ProtocolError for a prohibited APDU; strict=False records it in `log` with the reason
    and keeps the state (what gateways do with real partners). Either way the state only moves on legal APDUs.
    """

    def __init__(self, role: Role, *, strict: bool = True) -> None:
        self.role = role
        self.strict = strict
        self._engine = Engine(TABLE)
        self._facts: set[str] = set()
        self._copy = False
        self._log: list[Record] = []
        self.transaction_id: T.TransactionId | None = None
        self._request: ILLRequest | None = None
        self._last_transition: str | None = None
        self._service: tuple[APDU, Role] | None = None
        self._shipped_service_type: E.ILLServiceType | None = None
        self._results: E.TransactionResults | None = None
        self._last_received: APDU | None = None  # what status_report answers by default

    # --- state -----------------------------------------------------------------------------------------------

    @property
    def state(self) -> C | None:
        """The Current-State; None while IDLE (no ILL-Request yet), which has no code."""
        state: C | None = self._engine.state(self.role)
        return state

    @property
    def stages(self) -> frozenset[Stage]:
        """The lifecycle stages the current state stands for (two where this side cannot see the peer's)."""
        return STAGES[self.role][self.state]

    @property
    def copy_non_returnable(self) -> bool:
        return self._copy

    @property
    def facts(self) -> frozenset[str]:
        """The optional-message announcements made so far (FACTS), which open the skips they allow."""
        return frozenset(self._facts)

    @property
    def finished(self) -> bool:
        """True in a terminal state, and where a copy-non-returnable ends (nothing left for this side to send;
        a responder may still be told Received)."""
        if self.state in TERMINAL[self.role]:
            return True
        return self._copy and self.state in COPY_END[self.role] \
            and all(e.apdu_type in NEUTRAL for e in self.allowed(Direction.SEND))

    @property
    def log(self) -> tuple[Record, ...]:
        return tuple(self._log)

    def allowed(self, direction: Direction | None = None) -> list[Event]:
        """The events the table allows now (neutral APDUs included), optionally only one direction."""
        events = [e for e in TABLE.events(self.role, self.state, self._facts) if isinstance(e, Event)
                  and (direction is None or e.direction == direction) and self._copy_allows(e)]
        return events

    def _copy_allows(self, event: Event) -> bool:
        if not self._copy or self.state not in COPY_END[self.role] or event.apdu_type in NEUTRAL:
            return True
        return _COPY_ALLOWED[self.role].get(self.state) == event

    # --- events ----------------------------------------------------------------------------------------------

    def send(self, apdu: APDU) -> Record:
        """Check and record an APDU this side is about to send."""
        return self._process(Direction.SEND, apdu)

    def receive(self, apdu: APDU) -> Record:
        """Check and record an APDU that arrived from the peer."""
        record = self._process(Direction.RECEIVE, apdu)
        self._last_received = apdu
        return record

    def _process(self, direction: Direction, apdu: APDU) -> Record:
        event = Event.of(direction, apdu)
        before = self.state
        at = apdu.service_date_time.date_time_of_this_service
        unknown = (self.transaction_id is not None and not same_transaction(self.transaction_id,
                                                                                 apdu.transaction_id)) \
            or (before is IDLE and direction is Direction.RECEIVE and apdu.APDU_TYPE is not A.ILL_REQUEST)
        if unknown:
            return self._refuse(direction, apdu, at, f"{event}: unknown transaction",
                                reports.transaction_id_problem(apdu))
        if not self._copy_allows(event):
            return self._refuse(direction, apdu, at, f"{event} after a copy-non-returnable was delivered",
                                reports.state_transition_prohibited(apdu, before or C.UNKNOWN))
        (step,) = self._engine.fire([(self.role, event)], self._facts)
        if not step.accepted:
            where = before.name if before is not None else "IDLE"
            return self._refuse(direction, apdu, at, f"{event} is not allowed in {where}",
                                reports.state_transition_prohibited(apdu, before or C.UNKNOWN))
        self._learn(apdu, direction, changed=step.after != step.before)
        record = Record(direction, apdu, before, self.state, True, at)
        return log_record(self._log, record)

    def _refuse(self, direction: Direction, apdu: APDU, at: T.DateTime, problem: str,
                error_report: T.ErrorReport) -> Record:
        if self.strict:
            raise ProtocolError(problem, apdu=apdu, direction=direction, state=self.state,
                                error_report=error_report)
        record = Record(direction, apdu, self.state, self.state, False, at, problem)
        return log_record(self._log, record)

    def _learn(self, apdu: APDU, direction: Direction, *, changed: bool) -> None:
        # what the accepted APDU tells about the rest of the transaction, and the History-Report data
        if self.transaction_id is None:
            self.transaction_id = apdu.transaction_id
        if isinstance(apdu, ILLRequest):
            self._request = self._request or apdu
            rom = apdu.requester_optional_messages
            if not rom.can_send_received:
                self._facts.add(NO_RECEIVED)
            if not rom.can_send_returned:
                self._facts.add(NO_RETURNED)
        if isinstance(apdu, (ILLAnswer, Shipped)) and apdu.responder_optional_messages is not None:
            if not apdu.responder_optional_messages.can_send_shipped:
                self._facts.add(NO_SHIPPED)
        if isinstance(apdu, ILLAnswer):
            self._results = apdu.transaction_results
        if isinstance(apdu, (Shipped, Received)):
            self._shipped_service_type = apdu.shipped_service_type
            self._copy = apdu.shipped_service_type == E.ILLServiceType.COPY_NON_RETURNABLE
        date = apdu.service_date_time.date_time_of_this_service.date
        if changed:
            self._last_transition = date
        if apdu.APDU_TYPE not in _NOT_SERVICES:
            sender = self.role if direction is Direction.SEND else (
                Role.RESPONDER if self.role is Role.REQUESTER else Role.REQUESTER)
            self._service = (apdu, sender)

    # --- snapshots ---------------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The transaction's state as JSON-ready data, to store and `restore` later (format: `isoill.snapshot`).

        It carries the state, not the transition table; the log keeps what each record did, not the APDUs
        (those are in the store's journal)."""
        from isoill.snapshot import snapshot

        return snapshot(self)

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Transaction:
        """The transaction a `snapshot()` describes, from any snapshot version so far (SnapshotError if not)."""
        from isoill.snapshot import restore

        return restore(data)

    # --- Status-Query ----------------------------------------------------------------------------------------

    def history_report(self) -> T.HistoryReport:
        """The History-Report of this transaction (what a status-report's user-status-report carries)."""
        if self._request is None or self._service is None or self._last_transition is None:
            raise ILLError("no History-Report before the ILL-Request")
        item = self._request.item_id
        apdu, sender = self._service
        initiator = (apdu.requester_id if sender is Role.REQUESTER else apdu.responder_id) or T.SystemId()
        note = getattr(apdu, "requester_note", None) or getattr(apdu, "responder_note", None) \
            or getattr(apdu, "note", None)
        return T.HistoryReport(
            date_requested=self._request.service_date_time.date_time_of_this_service.date,
            author=item.author, title=item.title,
            date_of_last_transition=self._last_transition,
            most_recent_service=E.MostRecentService(apdu.APDU_TYPE),
            date_of_most_recent_service=apdu.service_date_time.date_time_of_this_service.date,
            initiator_of_most_recent_service=initiator, shipped_service_type=self._shipped_service_type,
            transaction_results=self._results, most_recent_service_note=note)

    def status_report(self, *, service_date_time: T.ServiceDateTime, to: APDU | None = None,
                      ) -> StatusOrErrorReport:
        """The Status-Or-Error-Report answering a Status-Query (`to`, default the last APDU received):
        status-report with Current-State and History-Report."""
        if to is None:
            to = self._last_received
            if to is None:
                raise ILLError("nothing received to answer")
        state = self.state if self.state is not None else C.UNKNOWN
        return reports.reply(to, service_date_time=service_date_time,
                             status_report=reports.status_report(state, self.history_report()))
