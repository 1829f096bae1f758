"""The ISO 18626 transaction machine: the supplier's status lattice and the requester's action table as data,
the reason rules beside them, and `Transaction`, which checks each message one side sends or receives (sans-IO).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import attrs

from illcore.engine import PREVIOUS, Confidence, Direction, Engine, Record, Row, Table, log_record
from illcore.lifecycle import Stage
from iso18626._model.codes import Action, ErrorType, ReasonForMessage, RequestType, ServiceType, Status, YesNo
from iso18626._model.messages import (
    Message,
    Request,
    RequestConfirmation,
    RequestingAgencyMessage,
    RequestingAgencyMessageConfirmation,
    SupplyingAgencyMessage,
    SupplyingAgencyMessageConfirmation,
)
from iso18626.errors import ProtocolError

__all__ = [
    "CONSISTENT_ANSWERS", "ON_LOAN", "PRE_SUPPLY", "RENEWABLE", "STATUS_RANKS", "TABLE", "TERMINAL_STATUSES",
    "ActionEvent", "AnswerEvent", "ConditionsEvent", "Party", "Progress", "ProtocolError", "RequestEvent", "Role",
    "StatusEvent", "Transaction", "stage_of",
]

S, Act = Status, Action
D, I = Confidence.DOCUMENTED, Confidence.INFERRED  # noqa: E741 - the research table's D / I marks


class Role(enum.Enum):
    """Which agency this machine runs for."""

    REQUESTING = "requesting"
    SUPPLYING = "supplying"


class Party(enum.Enum):
    """Whose state a row moves: the supplier's status, or the requester's progress (both sides track both)."""

    SUPPLIER = "supplier"
    REQUESTER = "requester"


class Progress(enum.Enum):
    """The requesting agency's side of the transaction, which the status alone does not show."""

    IDLE = "Idle"
    REQUESTED = "Requested"
    CONDITIONAL = "Conditional"        # loan conditions proposed, not yet accepted (Notification) or refused (Cancel)
    CANCEL_PENDING = "CancelPending"   # Cancel sent, CancelResponse awaited
    RECEIVED = "Received"
    RENEW_PENDING = "RenewPending"     # Renew sent, RenewResponse awaited
    RETURNED = "Returned"              # ShippedReturn (or ShippedForward) sent
    LOST = "Lost"                      # the requester reported the item lost (2021)


@attrs.frozen
class RequestEvent:
    request_type: RequestType

    def __str__(self) -> str:
        return f"request {self.request_type.value}"


@attrs.frozen
class ActionEvent:
    action: Action

    def __str__(self) -> str:
        return self.action.value


@attrs.frozen
class StatusEvent:
    status: Status

    def __str__(self) -> str:
        return self.status.value


@attrs.frozen
class AnswerEvent:
    """A CancelResponse or RenewResponse: answers the pending action."""

    reason: ReasonForMessage
    yes: bool

    def __str__(self) -> str:
        return f"{self.reason.value} {'Y' if self.yes else 'N'}"


@attrs.frozen
class ConditionsEvent:
    """A supplying agency message proposing loan conditions before supply (mod-rs's "Conditional")."""

    def __str__(self) -> str:
        return "loan conditions"


# --- the supplier's status lattice (crosslink iso18626/typemappings.go, research section 3.1) ------------------

#: Ranks in order; a status may follow any status of the same or an earlier rank. Loaned and Overdue share a
#: rank (both ways). The 2021 HoldReturn / ReleaseHoldReturn are placed with them (inferred: they happen on loan).
STATUS_RANKS: tuple[tuple[Status, ...], ...] = (
    (S.REQUEST_RECEIVED,), (S.EXPECT_TO_SUPPLY,), (S.WILL_SUPPLY,), (S.RETRY_POSSIBLE,), (S.UNFILLED,),
    (S.LOANED, S.OVERDUE, S.HOLD_RETURN, S.RELEASE_HOLD_RETURN), (S.RECALLED,), (S.CANCELLED,),
    (S.COMPLETED_WITHOUT_RETURN,), (S.COPY_COMPLETED,), (S.LOAN_COMPLETED,),
)
TERMINAL_STATUSES = frozenset({S.RETRY_POSSIBLE, S.UNFILLED, S.CANCELLED, S.COMPLETED_WITHOUT_RETURN,
                               S.COPY_COMPLETED, S.LOAN_COMPLETED})
PRE_SUPPLY: frozenset[Status | None] = frozenset({None, S.REQUEST_RECEIVED, S.EXPECT_TO_SUPPLY, S.WILL_SUPPLY})
ON_LOAN = frozenset({S.LOANED, S.OVERDUE, S.RECALLED, S.HOLD_RETURN, S.RELEASE_HOLD_RETURN})
RENEWABLE = frozenset({S.LOANED, S.OVERDUE, S.RECALLED})
_RANK = {s: i for i, rank in enumerate(STATUS_RANKS) for s in rank}
_ONLY_2021 = frozenset({S.HOLD_RETURN, S.RELEASE_HOLD_RETURN})


def _lattice_rows() -> list[Row]:
    rows = []
    for src in (None, *(s for rank in STATUS_RANKS for s in rank if s not in TERMINAL_STATUSES)):
        for dst in (s for rank in STATUS_RANKS for s in rank):
            if _RANK[dst] < (_RANK[src] if src is not None else 0):
                continue
            # A cancel answers a Cancel, which is legal only before supply (crosslink's own requester
            # workflow); crosslink's single order would also let a loan be Cancelled. We do not.
            if dst is S.CANCELLED and src not in PRE_SUPPLY:
                continue
            conf, ref = (I, "2021 status placed with Loaned") if {src, dst} & _ONLY_2021 \
                else (D, "crosslink typemappings.go")
            rows.append(Row(Party.SUPPLIER, src, StatusEvent(dst), dst, confidence=conf, ref=ref))
    return rows


# --- the requester's progress (actions; the answers and conditions that arrive in supplier messages) ---------------

P = Progress
_NOT_IDLE = [p for p in Progress if p is not P.IDLE]
_REQUESTER: list[tuple[Progress, object, object, Confidence, str, str | None]] = [
    (P.IDLE, RequestEvent(RequestType.NEW), P.REQUESTED, D, "ISO 18626 4.1", None),
    (P.IDLE, RequestEvent(RequestType.RETRY), P.REQUESTED, D, "Annex H; crosslink handleRetryRequest", None),
    (P.REQUESTED, RequestEvent(RequestType.REMINDER), P.REQUESTED, I, "", None),
    (P.CONDITIONAL, RequestEvent(RequestType.REMINDER), P.CONDITIONAL, I, "", None),
    (P.REQUESTED, ConditionsEvent(), P.CONDITIONAL, D, "mod-rs Conditional; crosslink CONDITION_PENDING", None),
    (P.CONDITIONAL, ConditionsEvent(), P.CONDITIONAL, I, "conditions restated", None),
    (P.CANCEL_PENDING, ConditionsEvent(), P.CANCEL_PENDING, I, "crossed the Cancel", None),
    (P.CONDITIONAL, ActionEvent(Act.NOTIFICATION), P.REQUESTED, D, "crosslink, mod-rs: accept = Notification", None),
    (P.REQUESTED, ActionEvent(Act.CANCEL), P.CANCEL_PENDING, D, "crosslink", "pre-supply"),
    # Before supply only, as from REQUESTED: conditions left unanswered when the supplier then ships (Loaned)
    # do not make the loan cancellable (found by the two-agency stateful test).
    (P.CONDITIONAL, ActionEvent(Act.CANCEL), P.CANCEL_PENDING, D, "crosslink, mod-rs: reject = Cancel",
     "pre-supply"),
    (P.CANCEL_PENDING, AnswerEvent(ReasonForMessage.CANCEL_RESPONSE, True), PREVIOUS, D, "crosslink", None),
    (P.CANCEL_PENDING, AnswerEvent(ReasonForMessage.CANCEL_RESPONSE, False), PREVIOUS, D, "crosslink", None),
    (P.REQUESTED, ActionEvent(Act.RECEIVED), P.RECEIVED, D, "crosslink: Received after shipped", "on-loan"),
    (P.CONDITIONAL, ActionEvent(Act.RECEIVED), P.RECEIVED, I, "conditions assumed agreed", "on-loan"),
    (P.RECEIVED, ActionEvent(Act.RENEW), P.RENEW_PENDING, D, "research 3 synthesis", "renewable"),
    (P.RENEW_PENDING, AnswerEvent(ReasonForMessage.RENEW_RESPONSE, True), PREVIOUS, D, "crosslink illmock", None),
    (P.RENEW_PENDING, AnswerEvent(ReasonForMessage.RENEW_RESPONSE, False), PREVIOUS, D, "crosslink illmock", None),
    (P.RECEIVED, ActionEvent(Act.SHIPPED_RETURN), P.RETURNED, D, "crosslink: after Received", None),
    (P.RENEW_PENDING, ActionEvent(Act.SHIPPED_RETURN), P.RETURNED, I, "returned instead of waiting", None),
    (P.RECEIVED, ActionEvent(Act.SHIPPED_FORWARD), P.RETURNED, I, "the item leaves the requester", None),
    (P.RECEIVED, ActionEvent(Act.HOLD_RETURN), P.RECEIVED, I, "2021", "on-loan"),
    (P.REQUESTED, ActionEvent(Act.LOST), P.LOST, I, "2021: lost in transit", "on-loan"),
    (P.RECEIVED, ActionEvent(Act.LOST), P.LOST, I, "2021", None),
    (P.RENEW_PENDING, ActionEvent(Act.LOST), P.LOST, I, "2021", None),
    *[(p, ActionEvent(Act.STATUS_REQUEST), p, D, "never changes state", None) for p in _NOT_IDLE],
    *[(p, ActionEvent(Act.NOTIFICATION), p, D, "never changes state", None)
      for p in _NOT_IDLE if p is not P.CONDITIONAL],
]

#: The status lattice (party SUPPLIER) and the requester's table (party REQUESTER), one table.
TABLE = Table("ISO 18626", _lattice_rows() + [
    Row(Party.REQUESTER, src, ev, dst, when=when, confidence=conf, ref=ref)
    for src, ev, dst, conf, ref, when in _REQUESTER
], initial={Party.SUPPLIER: None, Party.REQUESTER: P.IDLE},
    terminal={Party.SUPPLIER: TERMINAL_STATUSES, Party.REQUESTER: {P.RETURNED, P.LOST}})

#: CancelResponse / RenewResponse: the statuses that agree with answerYesNo (crosslink rejects Y + WillSupply
#: and N + Cancelled as a "contradictory cancel response"; illmock renews with Y + Loaned).
CONSISTENT_ANSWERS: dict[tuple[ReasonForMessage, bool], frozenset[Status]] = {
    (ReasonForMessage.CANCEL_RESPONSE, True): frozenset({S.CANCELLED}),
    (ReasonForMessage.CANCEL_RESPONSE, False): frozenset(s for s in Status if s is not S.CANCELLED),
    (ReasonForMessage.RENEW_RESPONSE, True): frozenset({S.LOANED}),
    (ReasonForMessage.RENEW_RESPONSE, False): RENEWABLE,
}


def stage_of(status: Status | None, progress: Progress) -> Stage:
    """The neutral lifecycle stage of an ISO 18626 transaction."""
    if progress is P.IDLE:
        return Stage.IDLE
    if progress is P.LOST:  # however the supplier then closes it
        return Stage.LOST
    if status in (S.COPY_COMPLETED, S.LOAN_COMPLETED, S.COMPLETED_WITHOUT_RETURN):
        return Stage.COMPLETED
    if status is S.CANCELLED:
        return Stage.CANCELLED
    if status in (S.RETRY_POSSIBLE, S.UNFILLED):
        return Stage.UNFILLED
    if status is S.RECALLED and progress in (P.RECEIVED, P.RENEW_PENDING, P.REQUESTED, P.CONDITIONAL):
        return Stage.RECALLED
    by_progress = {P.CONDITIONAL: Stage.CONDITIONAL, P.CANCEL_PENDING: Stage.CANCEL_PENDING,
                   P.RENEW_PENDING: Stage.RENEW_PENDING, P.RETURNED: Stage.RETURNED}
    if progress in by_progress and not (progress is P.CONDITIONAL and status not in PRE_SUPPLY):
        return by_progress[progress]
    if status in PRE_SUPPLY:
        return Stage.REQUESTED
    if status is S.OVERDUE:
        return Stage.OVERDUE
    return Stage.RECEIVED if progress is P.RECEIVED else Stage.SUPPLIED


class _Refusal(Exception):
    def __init__(self, error_type: ErrorType, detail: str) -> None:
        self.error_type, self.detail = error_type, detail


class Transaction:
    """One ISO 18626 transaction seen by one agency: `send(msg)` before posting, `receive(msg)` on arrival.

    Both sides track the supplier's `status` and the requester's `progress` from the same messages, so two
    agencies that saw the same messages agree. strict=True raises ProtocolError (carrying the ERROR
    confirmation); strict=False records the message with the reason and keeps the state, as crosslink and
    mod-rs do. For a retry, pass the transaction that ended with RetryPossible as `previous`.
    """

    def __init__(self, role: Role, *, strict: bool = True, previous: Transaction | None = None) -> None:
        self.role = role
        self.strict = strict
        self.previous = previous
        self._engine = Engine(TABLE)
        self._log: list[Record] = []
        self._sam_seen = False
        self.request_id: str | None = None
        self.service_type: ServiceType | None = None

    # --- state -----------------------------------------------------------------------------------------------

    @property
    def status(self) -> Status | None:
        """The supplier's last accepted status (None before the first one)."""
        status: Status | None = self._engine.state(Party.SUPPLIER)
        return status

    @property
    def progress(self) -> Progress:
        progress: Progress = self._engine.state(Party.REQUESTER)
        return progress

    @property
    def stage(self) -> Stage:
        return stage_of(self.status, self.progress)

    @property
    def pending(self) -> Action | None:
        """The action awaiting its response: Cancel (CancelResponse) or Renew (RenewResponse)."""
        return {P.CANCEL_PENDING: Act.CANCEL, P.RENEW_PENDING: Act.RENEW}.get(self.progress)

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def log(self) -> tuple[Record, ...]:
        return tuple(self._log)

    # --- snapshots ---------------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The transaction's state as JSON-ready data, to store and `restore` later (format:
        `iso18626.snapshot`). It carries the state, not the transition table; the log keeps what each record
        did, not the messages (those are in the store's journal)."""
        from iso18626.snapshot import snapshot

        return snapshot(self)

    @classmethod
    def restore(cls, data: dict[str, Any]) -> Transaction:
        """The transaction a `snapshot()` describes, from any snapshot version so far (SnapshotError if not)."""
        from iso18626.snapshot import restore

        return restore(data)

    def _facts(self) -> set[str]:
        status = self.status
        return {name for name, group in (("pre-supply", PRE_SUPPLY), ("on-loan", ON_LOAN),
                                         ("renewable", RENEWABLE)) if status in group}

    def next_actions(self) -> list[Action]:
        """The actions the requesting agency may send now."""
        if self.finished:
            return []
        return [e.action for e in TABLE.events(Party.REQUESTER, self.progress, self._facts())
                if isinstance(e, ActionEvent)]

    def next_statuses(self) -> list[Status]:
        """The statuses the supplying agency may report next (the current one included)."""
        return [e.status for e in TABLE.events(Party.SUPPLIER, self.status) if isinstance(e, StatusEvent)]

    # --- messages --------------------------------------------------------------------------------------------

    def send(self, message: Message, *, at: datetime | None = None) -> Record:
        """Check and record a message this agency is about to send (`at`: when, for the error confirmation)."""
        return self._process(Direction.SEND, message, at)

    def receive(self, message: Message, *, at: datetime | None = None) -> Record:
        """Check and record a message that arrived (`at`: now, for the confirmation; default its timestamp)."""
        return self._process(Direction.RECEIVE, message, at)

    def _process(self, direction: Direction, message: Message, at: datetime | None) -> Record:
        before = (self.status, self.progress)
        if isinstance(message, (RequestConfirmation, SupplyingAgencyMessageConfirmation,
                                RequestingAgencyMessageConfirmation)):
            record = Record(direction, message, before, before, True, message.confirmation_header.timestamp)
            return log_record(self._log, record)
        stamp = message.header.timestamp
        try:
            self._check_direction(direction, message)
            moves = self._moves(message)
            steps = self._engine.fire(moves, self._facts())
            for step in steps:
                if not step.accepted:
                    raise self._refusal(step.event, message)
        except _Refusal as refusal:
            if self.strict:
                raise ProtocolError(refusal.error_type, refusal.detail, message=message, direction=direction,
                                    timestamp=at or stamp) from None
            record = Record(direction, message, before, before, False, stamp,
                            f"{refusal.error_type.value}: {refusal.detail}")
            return log_record(self._log, record)
        if isinstance(message, Request) and self.request_id is None:
            self.request_id = message.header.requesting_agency_request_id
            self.service_type = message.service_info.service_type if message.service_info else None
        if isinstance(message, SupplyingAgencyMessage):
            self._sam_seen = True
        record = Record(direction, message, before, (self.status, self.progress), True, stamp)
        return log_record(self._log, record)

    def _check_direction(self, direction: Direction,
                         message: Request | RequestingAgencyMessage | SupplyingAgencyMessage) -> None:
        from_requester = isinstance(message, (Request, RequestingAgencyMessage))
        if from_requester != ((direction is Direction.SEND) == (self.role is Role.REQUESTING)):
            kind = type(message).__name__
            raise _Refusal(ErrorType.BADLY_FORMED_MESSAGE,
                           f"a {kind} does not go {'from' if direction == 'send' else 'to'} a {self.role.value} "
                           "agency")
        if not isinstance(message, Request) or self.request_id is not None:
            rid = message.header.requesting_agency_request_id
            if self.request_id is None or rid != self.request_id:
                raise _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE,
                               f"requestingAgencyRequestId: no transaction {rid!r}")

    def _moves(self, message: Request | RequestingAgencyMessage | SupplyingAgencyMessage,
               ) -> list[tuple[Party, object]]:
        if isinstance(message, Request):
            info = message.service_info
            rtype = info.request_type if info and info.request_type else RequestType.NEW
            if rtype is RequestType.RETRY:
                self._check_retry(info.requesting_agency_previous_request_id if info else None)
            return [(Party.REQUESTER, RequestEvent(rtype))]
        if isinstance(message, RequestingAgencyMessage):
            if message.action is None:
                raise _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE, "action: empty")
            if self.finished:
                raise _Refusal(ErrorType.UNSUPPORTED_ACTION_TYPE,
                               f"{message.action.value}: the transaction ended with {self.status.value}")  # type: ignore[union-attr]
            return [(Party.REQUESTER, ActionEvent(message.action))]
        return self._sam_moves(message)

    def _check_retry(self, previous_id: str | None) -> None:
        prev = self.previous
        if prev is None or prev.status is not S.RETRY_POSSIBLE or previous_id is None \
                or previous_id != prev.request_id:
            why = ("no previous transaction" if prev is None else
                   f"previous status {prev.status.value if prev.status else 'none'}"
                   if prev.status is not S.RETRY_POSSIBLE else
                   f"requestingAgencyPreviousRequestId {previous_id!r} is not {prev.request_id!r}")
            raise _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE, f"retry not possible: {why}")

    def _sam_moves(self, sam: SupplyingAgencyMessage) -> list[tuple[Party, object]]:
        reason = sam.message_info.reason_for_message
        status = sam.status_info.status
        if reason is ReasonForMessage.NOTIFICATION:
            return []  # a notification never drives a transition (crosslink), whatever status it carries
        if reason is ReasonForMessage.REQUEST_RESPONSE and self._sam_seen:
            raise _Refusal(ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE,
                           "RequestResponse: only the first supplyingAgencyMessage answers the request")
        moves: list[tuple[Party, object]] = []
        if reason in (ReasonForMessage.CANCEL_RESPONSE, ReasonForMessage.RENEW_RESPONSE):
            answer = sam.message_info.answer_yes_no
            if answer is None:
                raise _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE, f"answerYesNo: required with {reason.value}")
            yes = answer is YesNo.Y
            if status not in CONSISTENT_ANSWERS[(reason, yes)]:
                raise _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE,
                               f"status: {status.value if status else 'empty'} contradicts {reason.value} "
                               f"{answer.value}")
            moves.append((Party.REQUESTER, AnswerEvent(reason, yes)))
        elif status in PRE_SUPPLY and sam.delivery_info is not None and sam.delivery_info.loan_condition:
            moves.append((Party.REQUESTER, ConditionsEvent()))
        if status is not None:  # an empty status means "no change" (Alma, Rapido)
            moves.append((Party.SUPPLIER, StatusEvent(status)))
        return moves

    def _refusal(self, event: object, message: Message) -> _Refusal:
        if isinstance(event, StatusEvent):
            was = self.status.value if self.status else "no status"
            return _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE, f"status: {event.status.value} cannot follow {was}")
        if isinstance(event, AnswerEvent):
            return _Refusal(ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE,
                            f"{event.reason.value}: no {event.reason.value.replace('Response', '')} pending")
        if isinstance(event, ActionEvent):
            return _Refusal(ErrorType.UNSUPPORTED_ACTION_TYPE,
                            f"{event.action.value}: not allowed while {self.progress.value}"
                            f" with status {self.status.value if self.status else 'none'}")
        if isinstance(event, RequestEvent) and event.request_type is not RequestType.REMINDER:
            return _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE,
                            "requestingAgencyRequestId: a request with this id already exists")
        return _Refusal(ErrorType.UNRECOGNISED_DATA_VALUE, f"{event}: not allowed while {self.progress.value}")

