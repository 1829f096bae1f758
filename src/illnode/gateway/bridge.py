"""The ISO 10161 <-> ISO 18626 bridge as one table: each row pairs a 10161 service with its 18626 message through
the neutral lifecycle (`illcore.lifecycle.Milestone`), with the few rules that pick a row beside it.

Both protocol sides (`illnode.gateway.iso10161_side`, `illnode.gateway.iso18626_side`) read an incoming message
into a `Step` (the row plus the data both protocols can carry) and write a `Step` as their own message.
"""

from __future__ import annotations

import datetime as _dt
import enum

import attrs

import isoill
from illcore.lifecycle import Milestone, Stage
from illcore.request import BorrowingRequest, Service
from iso18626 import Action, ReasonForMessage, Status

__all__ = ["BRIDGE", "BY_KIND", "CONDITIONS", "OTHER_CONDITION", "PRE_SUPPLY_STATUSES", "REASONS_RETRY",
           "REASONS_UNFILLED", "STATE_OF_STATUS", "STATUS_OF_STATE", "BridgeRow", "Kind", "Side", "Step", "Ways",
           "bridge_table_markdown", "join_notes", "kind_of_action", "kind_of_apdu", "kind_of_sam", "rows_for"]

A = isoill.ILLAPDUType
R = isoill.TransactionResults
M = Milestone


class Side(enum.Enum):
    """Who sends the row's message: the borrowing side or the lending side, in either protocol."""

    REQUESTER = "requester"
    SUPPLIER = "supplier"


class Ways(enum.Enum):
    """Which way a row translates. BOTH rows are inverses; the others have no exact counterpart in one protocol,
    so the reverse of their output is a different row (named in the row's reasoning)."""

    BOTH = "both"
    TO_18626 = "10161 -> 18626"
    TO_10161 = "18626 -> 10161"


class Kind(enum.Enum):
    """The bridge's rows by name: what one message means, whichever protocol carries it."""

    REQUEST = "request"
    REQUEST_RECEIVED = "request-received"
    WILL_SUPPLY = "will-supply"
    EXPECT_TO_SUPPLY = "expect-to-supply"
    CONDITIONAL = "conditional"
    RETRY = "retry"
    UNFILLED = "unfilled"
    LOCATIONS_PROVIDED = "locations-provided"
    ESTIMATE = "estimate"
    EXPIRED = "expired"
    FORWARDED = "forwarded"
    ACCEPT_CONDITIONS = "accept-conditions"
    REJECT_CONDITIONS = "reject-conditions"
    SHIPPED_LOAN = "shipped-loan"
    SHIPPED_COPY = "shipped-copy"
    RECEIVED = "received"
    RETURNED = "returned"
    RETURNED_FORWARD = "returned-forward"
    CHECKED_IN = "checked-in"
    CANCEL = "cancel"
    CANCEL_ACCEPTED = "cancel-accepted"
    CANCEL_REFUSED = "cancel-refused"
    RENEW = "renew"
    RENEW_GRANTED = "renew-granted"
    RENEW_REFUSED = "renew-refused"
    OVERDUE = "overdue"
    RECALL = "recall"
    LOST_BY_REQUESTER = "lost-by-requester"
    LOST_BY_SUPPLIER = "lost-by-supplier"
    DAMAGED_BY_REQUESTER = "damaged-by-requester"
    DAMAGED_BY_SUPPLIER = "damaged-by-supplier"
    MESSAGE_FROM_REQUESTER = "message-from-requester"
    MESSAGE_FROM_SUPPLIER = "message-from-supplier"
    STATUS_QUERY = "status-query"
    STATUS_QUERY_BY_SUPPLIER = "status-query-by-supplier"
    STATUS_REPORT = "status-report"
    REPORT_BY_REQUESTER = "report-by-requester"
    ERROR_REPORT_BY_SUPPLIER = "error-report-by-supplier"
    HOLD_RETURN = "hold-return"
    SUPPLIER_HOLD_RETURN = "supplier-hold-return"


@attrs.frozen(kw_only=True)
class BridgeRow:
    """One row: the ISO 10161 service (APDU type and, for answers, the result or TRUE/FALSE) and the ISO 18626
    message (request, a requestingAgencyMessage action, or a supplyingAgencyMessage status with its reason)."""

    kind: Kind
    sender: Side
    apdu: isoill.ILLAPDUType
    detail: isoill.TransactionResults | bool | None
    message: str                       # "request", "requestingAgencyMessage", "supplyingAgencyMessage"
    code: Action | Status | None       # the action, or the status a supplying agency message carries
    reason: ReasonForMessage | None    # None: RequestResponse for the first answer, StatusChange after
    answer: bool | None
    milestone: Milestone | None        # None: no lifecycle move (notes, queries, reports)
    ways: Ways
    why: str
    #: what the row's output reads as in the other protocol: the row itself when BOTH, else the nearest row
    back: Kind

    @property
    def service_10161(self) -> str:
        """The 10161 service as the standard names it, with the answer that selects the row."""
        name = isoill.APDU_BY_TYPE[self.apdu].ASN1_NAME
        if isinstance(self.detail, bool):
            return f"{name} {'TRUE' if self.detail else 'FALSE'}"
        if self.detail is not None:
            return f"{name} {self.detail.name.lower().replace('_', '-')}"
        return name

    @property
    def message_18626(self) -> str:
        """The 18626 message as written in docs/bridge.md."""
        if self.message == "request":
            return "request"
        if self.message == "requestingAgencyMessage":
            return f"requestingAgencyMessage action={self.code.value if self.code else '?'}"
        parts = [f"status={self.code.value}" if self.code else "status=(unchanged)"]
        if self.reason is not None:
            parts.insert(0, f"reason={self.reason.value}")
        if self.answer is not None:
            parts.append(f"answerYesNo={'Y' if self.answer else 'N'}")
        return "supplyingAgencyMessage " + " ".join(parts)


_RAM, _SAM = "requestingAgencyMessage", "supplyingAgencyMessage"
Q, S = Side.REQUESTER, Side.SUPPLIER
B, T18, T10 = Ways.BOTH, Ways.TO_18626, Ways.TO_10161
RFM = ReasonForMessage


def _row(kind: Kind, sender: Side, apdu: isoill.ILLAPDUType, detail: isoill.TransactionResults | bool | None,
         message: str, code: Action | Status | None, milestone: Milestone | None, ways: Ways, why: str, *,
         reason: ReasonForMessage | None = None, answer: bool | None = None, back: Kind | None = None,
         ) -> BridgeRow:
    assert (back is None) == (ways is Ways.BOTH), f"{kind}: a one-way row names the row its output reads as"
    return BridgeRow(kind=kind, sender=sender, apdu=apdu, detail=detail, message=message, code=code,
                     reason=reason, answer=answer, milestone=milestone, ways=ways, why=why, back=back or kind)


#: The bridge. docs/bridge.md renders it row by row; the reasoning column is the `why` here.
BRIDGE: tuple[BridgeRow, ...] = (
    # --- the request and the answers to it ------------------------------------------------------------------
    _row(Kind.REQUEST, Q, A.ILL_REQUEST, None, "request", None, M.REQUEST, B,
         "Both open a transaction; the bibliographic and patron data go through BorrowingRequest, whatever has "
         "no field there travels in the note."),
    _row(Kind.WILL_SUPPLY, S, A.ILL_ANSWER, R.WILL_SUPPLY, _SAM, Status.WILL_SUPPLY, None, B,
         "Both promise supply without shipping yet; the lifecycle stays REQUESTED."),
    _row(Kind.EXPECT_TO_SUPPLY, S, A.ILL_ANSWER, R.HOLD_PLACED, _SAM, Status.EXPECT_TO_SUPPLY, None, B,
         "hold-placed means the responder will supply when the item is free: the nearest 18626 status is "
         "ExpectToSupply (expected delivery date <-> estimated-date-available)."),
    _row(Kind.CONDITIONAL, S, A.ILL_ANSWER, R.CONDITIONAL, _SAM, Status.WILL_SUPPLY, M.PROPOSE_CONDITIONS, B,
         "18626 has no conditional status: a pre-supply status with deliveryInfo/loanCondition proposes "
         "conditions (mod-rs, crosslink); conditions map to LoanCondition codes, the rest goes in the note."),
    _row(Kind.RETRY, S, A.ILL_ANSWER, R.RETRY, _SAM, Status.RETRY_POSSIBLE, M.UNFILL, B,
         "Not now, ask again later: reason-not-available <-> reasonRetry, retry-date <-> retryAfter. The "
         "gateway moves on to the next supplier, as on unfilled."),
    _row(Kind.UNFILLED, S, A.ILL_ANSWER, R.UNFILLED, _SAM, Status.UNFILLED, M.UNFILL, B,
         "Both end this supplier's part; reason-unfilled <-> reasonUnfilled (codes in REASONS_UNFILLED)."),
    _row(Kind.LOCATIONS_PROVIDED, S, A.ILL_ANSWER, R.LOCATIONS_PROVIDED, _SAM, Status.UNFILLED, M.UNFILL, T18,
         "18626 cannot point to other holders: Unfilled with the locations in the note (back: the unfilled "
         "row).", back=Kind.UNFILLED),
    _row(Kind.ESTIMATE, S, A.ILL_ANSWER, R.ESTIMATE, _SAM, Status.RETRY_POSSIBLE, M.UNFILL, T18,
         "A cost estimate is 18626's RetryPossible with reasonRetry CostExceedsMaxCost; the estimate is free "
         "text in 10161 and goes in the note (back: the retry row).", back=Kind.RETRY),
    _row(Kind.EXPIRED, S, A.EXPIRED, None, _SAM, Status.UNFILLED, M.UNFILL, T18,
         "The responder gave up at the request's expiry (Alma sends it as lender): Unfilled with an "
         "'expired' note (back: the unfilled row).", back=Kind.UNFILLED),
    _row(Kind.FORWARDED, S, A.FORWARD_NOTIFICATION, None, _SAM, None, None, T18,
         "18626 has no forwarding: a Notification naming the new responder (back: a Message).", back=Kind.MESSAGE_FROM_SUPPLIER),
    _row(Kind.REQUEST_RECEIVED, S, A.MESSAGE, None, _SAM, Status.REQUEST_RECEIVED, None, T10,
         "10161 has no acknowledgement service: a Message saying the request arrived (back: a Notification).", back=Kind.MESSAGE_FROM_SUPPLIER),
    # --- conditions ----------------------------------------------------------------------------------------------
    _row(Kind.ACCEPT_CONDITIONS, Q, A.CONDITIONAL_REPLY, True, _RAM, Action.NOTIFICATION, M.ACCEPT_CONDITIONS,
         B, "18626 accepts conditions with a Notification (crosslink, mod-rs #ReShareLoanConditionAgreeResponse#"
         "); a Notification means this only while conditions are pending, otherwise it is a Message."),
    _row(Kind.REJECT_CONDITIONS, Q, A.CONDITIONAL_REPLY, False, _RAM, Action.CANCEL, M.REJECT_CONDITIONS, T18,
         "18626 rejects conditions with a Cancel (crosslink, mod-rs); back, a Cancel is a Cancel (10161 allows "
         "one in CONDITIONAL).", back=Kind.CANCEL),
    # --- supply and the loan ----------------------------------------------------------------------------------
    _row(Kind.SHIPPED_LOAN, S, A.SHIPPED, None, _SAM, Status.LOANED,
         M.SUPPLY, B, "The item is on its way as a loan; date-due <-> dueDate, date-shipped <-> dateSent."),
    _row(Kind.SHIPPED_COPY, S, A.SHIPPED, None, _SAM, Status.COPY_COMPLETED, M.COMPLETE, B,
         "A copy (copy-non-returnable) is delivered and complete in 18626; 10161 ships it and the requester "
         "may still acknowledge it with Received."),
    _row(Kind.RECEIVED, Q, A.RECEIVED, None, _RAM, Action.RECEIVED, M.RECEIVE, B,
         "Same service: the requester has the item (date-received in the note for 18626, which has none)."),
    _row(Kind.RETURNED, Q, A.RETURNED, None, _RAM, Action.SHIPPED_RETURN, M.RETURN, B,
         "The item goes back: Returned <-> ShippedReturn (returned-via and date-returned travel as note)."),
    _row(Kind.RETURNED_FORWARD, Q, A.RETURNED, None, _RAM, Action.SHIPPED_FORWARD, M.RETURN, T10,
         "10161 has no forwarding of a loan to another borrower: it leaves the requester, so Returned with "
         "a note saying where it went (back: ShippedReturn).", back=Kind.RETURNED),
    _row(Kind.CHECKED_IN, S, A.CHECKED_IN, None, _SAM, Status.LOAN_COMPLETED, M.COMPLETE, B,
         "The supplier has the loan back: Checked-In <-> LoanCompleted."),
    _row(Kind.CANCEL, Q, A.CANCEL, None, _RAM, Action.CANCEL, M.CANCEL, B, "Same service."),
    _row(Kind.CANCEL_ACCEPTED, S, A.CANCEL_REPLY, True, _SAM, Status.CANCELLED, M.CANCEL_ACCEPTED, B,
         "Cancel-Reply TRUE <-> CancelResponse Y with status Cancelled.", reason=RFM.CANCEL_RESPONSE, answer=True),
    _row(Kind.CANCEL_REFUSED, S, A.CANCEL_REPLY, False, _SAM, None, M.CANCEL_REFUSED, B,
         "Cancel-Reply FALSE <-> CancelResponse N; the status is the supplier's current one (WillSupply "
         "before supply, crosslink), never Cancelled.", reason=RFM.CANCEL_RESPONSE, answer=False),
    _row(Kind.RENEW, Q, A.RENEW, None, _RAM, Action.RENEW, M.RENEW, B,
         "Same service (desired-due-date in the note: 18626 Renew has no date)."),
    _row(Kind.RENEW_GRANTED, S, A.RENEW_ANSWER, True, _SAM, Status.LOANED, M.RENEW_GRANTED, B,
         "Renew-Answer TRUE with date-due <-> RenewResponse Y, Loaned with the new dueDate.",
         reason=RFM.RENEW_RESPONSE, answer=True),
    _row(Kind.RENEW_REFUSED, S, A.RENEW_ANSWER, False, _SAM, Status.LOANED, M.RENEW_REFUSED, B,
         "Renew-Answer FALSE <-> RenewResponse N; the loan goes on (Loaned).",
         reason=RFM.RENEW_RESPONSE, answer=False),
    _row(Kind.OVERDUE, S, A.OVERDUE, None, _SAM, Status.OVERDUE, M.OVERDUE, B,
         "Same meaning, sent by the supplier; date-due <-> dueDate."),
    _row(Kind.RECALL, S, A.RECALL, None, _SAM, Status.RECALLED, M.RECALL, B, "Same meaning."),
    _row(Kind.LOST_BY_REQUESTER, Q, A.LOST, None, _RAM, Action.LOST, M.LOSE, B,
         "The requester lost the item: 2021's Lost action; a v1.2 partner gets a Notification starting "
         "'Lost:' (which comes back as a Message)."),
    _row(Kind.LOST_BY_SUPPLIER, S, A.LOST, None, _SAM, Status.COMPLETED_WITHOUT_RETURN, M.COMPLETE, B,
         "A supplier reporting the loan lost closes it without return: CompletedWithoutReturn."),
    _row(Kind.DAMAGED_BY_REQUESTER, Q, A.DAMAGED, None, _RAM, Action.NOTIFICATION, None, T18,
         "18626 has no damage report: a Notification starting 'Damaged:' with the damaged details.", back=Kind.MESSAGE_FROM_REQUESTER),
    _row(Kind.DAMAGED_BY_SUPPLIER, S, A.DAMAGED, None, _SAM, None, None, T18,
         "As from the requester: a Notification starting 'Damaged:'.", back=Kind.MESSAGE_FROM_SUPPLIER),
    _row(Kind.HOLD_RETURN, Q, A.MESSAGE, None, _RAM, Action.HOLD_RETURN, None, T10,
         "2021 only: the requester keeps the item for the patron a little longer; a Message says so.", back=Kind.MESSAGE_FROM_REQUESTER),
    _row(Kind.SUPPLIER_HOLD_RETURN, S, A.MESSAGE, None, _SAM, Status.HOLD_RETURN, None, T10,
         "2021 only (and ReleaseHoldReturn): the supplier's hold on the return, as a Message.", back=Kind.MESSAGE_FROM_SUPPLIER),
    # --- messages, queries and reports ----------------------------------------------------------------------
    _row(Kind.MESSAGE_FROM_REQUESTER, Q, A.MESSAGE, None, _RAM, Action.NOTIFICATION, None, B,
         "Free text both ways: Message <-> Notification (outside pending conditions)."),
    _row(Kind.MESSAGE_FROM_SUPPLIER, S, A.MESSAGE, None, _SAM, None, None, B,
         "Free text both ways: Message <-> Notification; the status field carries the supplier's current "
         "status (a notification never moves the machine).", reason=RFM.NOTIFICATION),
    _row(Kind.STATUS_QUERY, Q, A.STATUS_QUERY, None, _RAM, Action.STATUS_REQUEST, None, B, "Same service."),
    _row(Kind.STATUS_REPORT, S, A.STATUS_OR_ERROR_REPORT, None, _SAM, None, None, B,
         "A status report answering a query <-> StatusRequestResponse; Current-State <-> status "
         "(STATE_OF_STATUS).", reason=RFM.STATUS_REQUEST_RESPONSE),
    _row(Kind.STATUS_QUERY_BY_SUPPLIER, S, A.STATUS_QUERY, None, _SAM, None, None, T18,
         "An 18626 supplier cannot ask for status: a Notification with the question (the gateway also "
         "answers it from its own record).", reason=RFM.NOTIFICATION, back=Kind.MESSAGE_FROM_SUPPLIER),
    _row(Kind.REPORT_BY_REQUESTER, Q, A.STATUS_OR_ERROR_REPORT, None, _RAM, Action.NOTIFICATION, None, T18,
         "A requester's status or error report has no 18626 counterpart: its content as a Notification.", back=Kind.MESSAGE_FROM_REQUESTER),
    _row(Kind.ERROR_REPORT_BY_SUPPLIER, S, A.STATUS_OR_ERROR_REPORT, None, _SAM, None, None, T18,
         "A supplier's error report (not a status report) as a Notification with the error.",
         reason=RFM.NOTIFICATION, back=Kind.MESSAGE_FROM_SUPPLIER),
)

BY_KIND: dict[Kind, BridgeRow] = {row.kind: row for row in BRIDGE}
assert len(BY_KIND) == len(BRIDGE) == len(Kind), "one row per Kind"

#: 18626 statuses before supply: with a loan condition they propose conditions.
PRE_SUPPLY_STATUSES = frozenset({Status.REQUEST_RECEIVED, Status.EXPECT_TO_SUPPLY, Status.WILL_SUPPLY})


def rows_for(ways: Ways) -> tuple[BridgeRow, ...]:
    """The rows that translate `ways` (BOTH rows translate either way)."""
    return tuple(r for r in BRIDGE if r.ways in (Ways.BOTH, ways))


# --- the rules that choose a row ------------------------------------------------------------------------------

_ANSWERS = {R.WILL_SUPPLY: Kind.WILL_SUPPLY, R.HOLD_PLACED: Kind.EXPECT_TO_SUPPLY, R.CONDITIONAL: Kind.CONDITIONAL,
            R.RETRY: Kind.RETRY, R.UNFILLED: Kind.UNFILLED, R.LOCATIONS_PROVIDED: Kind.LOCATIONS_PROVIDED,
            R.ESTIMATE: Kind.ESTIMATE}
_BY_APDU: dict[tuple[isoill.ILLAPDUType, Side], Kind] = {(r.apdu, r.sender): r.kind for r in BRIDGE
            if r.apdu not in (A.ILL_ANSWER, A.CONDITIONAL_REPLY, A.CANCEL_REPLY, A.RENEW_ANSWER, A.SHIPPED,
                              A.STATUS_OR_ERROR_REPORT, A.MESSAGE, A.RETURNED)}
_BY_APDU[(A.MESSAGE, Q)] = Kind.MESSAGE_FROM_REQUESTER
_BY_APDU[(A.MESSAGE, S)] = Kind.MESSAGE_FROM_SUPPLIER
_BY_APDU[(A.RETURNED, Q)] = Kind.RETURNED


def kind_of_apdu(apdu_type: isoill.ILLAPDUType, sender: Side, *, results: isoill.TransactionResults | None = None,
                 answer: bool | None = None, copy: bool = False, status_report: bool = False) -> Kind:
    """The row of an ISO 10161 APDU sent by `sender` (answers, replies and Shipped by their content).

    Raises KeyError for an APDU that side never sends (a requester's Shipped, a supplier's ILL-Request).
    """
    if apdu_type is A.ILL_ANSWER and sender is S and results is not None:
        return _ANSWERS[results]
    if apdu_type is A.SHIPPED and sender is S:
        return Kind.SHIPPED_COPY if copy else Kind.SHIPPED_LOAN
    if apdu_type is A.CONDITIONAL_REPLY and sender is Q and answer is not None:
        return Kind.ACCEPT_CONDITIONS if answer else Kind.REJECT_CONDITIONS
    if apdu_type is A.CANCEL_REPLY and sender is S and answer is not None:
        return Kind.CANCEL_ACCEPTED if answer else Kind.CANCEL_REFUSED
    if apdu_type is A.RENEW_ANSWER and sender is S and answer is not None:
        return Kind.RENEW_GRANTED if answer else Kind.RENEW_REFUSED
    if apdu_type is A.STATUS_OR_ERROR_REPORT:
        if sender is Q:
            return Kind.REPORT_BY_REQUESTER
        return Kind.STATUS_REPORT if status_report else Kind.ERROR_REPORT_BY_SUPPLIER
    return _BY_APDU[(apdu_type, sender)]


_BY_ACTION = {r.code: r.kind for r in rows_for(Ways.TO_10161) if r.message == _RAM}
# (conditions are chosen by the loan-condition rule, not by their WillSupply status)
_BY_STATUS = {r.code: r.kind for r in rows_for(Ways.TO_10161)
              if r.message == _SAM and r.reason is None and r.code is not None and r.kind is not Kind.CONDITIONAL}
_BY_STATUS[Status.RELEASE_HOLD_RETURN] = Kind.SUPPLIER_HOLD_RETURN


def kind_of_action(action: Action, stage: Stage) -> Kind:
    """The row of a requestingAgencyMessage: a Notification accepts conditions only while they are pending."""
    if action is Action.NOTIFICATION:
        return Kind.ACCEPT_CONDITIONS if stage is Stage.CONDITIONAL else Kind.MESSAGE_FROM_REQUESTER
    return _BY_ACTION[action]


def kind_of_sam(reason: ReasonForMessage, status: Status | None, *, answer: bool | None,
                loan_conditions: bool) -> Kind:
    """The row of a supplyingAgencyMessage: by its reason first (notification, cancel / renew / status
    responses), then by the status, with a pre-supply status plus loan conditions proposing conditions."""
    if reason is RFM.NOTIFICATION or status is None:
        return Kind.MESSAGE_FROM_SUPPLIER
    if reason is RFM.CANCEL_RESPONSE and answer is not None:
        return Kind.CANCEL_ACCEPTED if answer else Kind.CANCEL_REFUSED
    if reason is RFM.RENEW_RESPONSE and answer is not None:
        return Kind.RENEW_GRANTED if answer else Kind.RENEW_REFUSED
    if reason is RFM.STATUS_REQUEST_RESPONSE:
        return Kind.STATUS_REPORT
    if status in PRE_SUPPLY_STATUSES and loan_conditions:
        return Kind.CONDITIONAL
    return _BY_STATUS[status]


# --- the neutral message -----------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class Step:
    """One message in neutral terms: its row and what both protocols can carry. Whatever one protocol carries
    and the other cannot is already written into `note` by the side that read it.

    `status` is the supplier's current 18626-style status where a row needs one to write (a refused cancel, a
    notification, a status report); the 10161 side reads it from Current-State.
    """

    kind: Kind
    at: _dt.datetime
    note: str | None = None
    request: BorrowingRequest | None = None
    service: Service | None = None
    date: _dt.date | None = None          # shipped / received / returned / checked in / retry / estimate date
    date_due: _dt.date | None = None
    renewable: bool = True
    reason: str | None = None             # reasonUnfilled / reasonRetry token (18626 open code)
    conditions: tuple[str, ...] = ()      # LoanCondition tokens
    status: Status | None = None

    @property
    def row(self) -> BridgeRow:
        return BY_KIND[self.kind]


def join_notes(*parts: str | None) -> str | None:
    """Notes joined with ' | ' (the separator both sides split nothing on: it only keeps parts readable)."""
    kept = [p for p in parts if p]
    return " | ".join(kept) if kept else None


#: 18626 open-code tokens (ISO 18626 Annex B lists, as OCLC's samples spell them) for 10161's reason-unfilled.
REASONS_UNFILLED: dict[isoill.ReasonUnfilled, str] = {
    isoill.ReasonUnfilled.NOT_OWNED: "NotHeld",
    isoill.ReasonUnfilled.NOT_ON_SHELF: "NotOnShelf",
    isoill.ReasonUnfilled.NON_CIRCULATING: "NonCirculating",
    isoill.ReasonUnfilled.POLICY_PROBLEM: "PolicyProblem",
    isoill.ReasonUnfilled.POOR_CONDITION: "PoorCondition",
}
#: ... for 10161's reason-not-available (retry).
REASONS_RETRY: dict[isoill.ReasonNotAvailable, str] = {
    isoill.ReasonNotAvailable.IN_USE_ON_LOAN: "OnLoan",
    isoill.ReasonNotAvailable.AT_BINDERY: "AtBindery",
    isoill.ReasonNotAvailable.ON_ORDER: "OnOrder",
    isoill.ReasonNotAvailable.COST_EXCEEDS_LIMIT: "CostExceedsMaxCost",
    isoill.ReasonNotAvailable.NOT_FOUND_AS_CITED: "NotFoundAsCited",
}
#: ... for 10161's conditions (loan conditions; the rest is "Other" plus the condition in the note, as ReShare).
CONDITIONS: dict[isoill.Conditions, str] = {
    isoill.Conditions.LIBRARY_USE_ONLY: "LibraryUseOnly",
    isoill.Conditions.NO_REPRODUCTION: "NoReproduction",
    isoill.Conditions.CLIENT_SIGNATURE_REQUIRED: "SignatureRequired",
    isoill.Conditions.SPECIAL_COLLECTIONS_SUPERVISION_REQUIRED: "SpecCollSupervReq",
}
OTHER_CONDITION = "Other"

#: ISO 10161 Current-State <-> the 18626 status a supplier would report (status reports both ways).
STATE_OF_STATUS: dict[Status, isoill.CurrentState] = {
    Status.REQUEST_RECEIVED: isoill.CurrentState.IN_PROCESS,
    Status.EXPECT_TO_SUPPLY: isoill.CurrentState.IN_PROCESS,
    Status.WILL_SUPPLY: isoill.CurrentState.IN_PROCESS,
    Status.RETRY_POSSIBLE: isoill.CurrentState.NOT_SUPPLIED,
    Status.UNFILLED: isoill.CurrentState.NOT_SUPPLIED,
    Status.LOANED: isoill.CurrentState.SHIPPED,
    Status.OVERDUE: isoill.CurrentState.OVERDUE,
    Status.RECALLED: isoill.CurrentState.RECALL,
    Status.HOLD_RETURN: isoill.CurrentState.RECEIVED,
    Status.RELEASE_HOLD_RETURN: isoill.CurrentState.RECEIVED,
    Status.COPY_COMPLETED: isoill.CurrentState.SHIPPED,
    Status.LOAN_COMPLETED: isoill.CurrentState.CHECKED_IN,
    Status.COMPLETED_WITHOUT_RETURN: isoill.CurrentState.LOST,
    Status.CANCELLED: isoill.CurrentState.CANCELLED,
}
STATUS_OF_STATE: dict[isoill.CurrentState, Status] = {
    isoill.CurrentState.NOT_SUPPLIED: Status.UNFILLED, isoill.CurrentState.PENDING: Status.REQUEST_RECEIVED,
    isoill.CurrentState.IN_PROCESS: Status.WILL_SUPPLY, isoill.CurrentState.FORWARD: Status.REQUEST_RECEIVED,
    isoill.CurrentState.CONDITIONAL: Status.WILL_SUPPLY, isoill.CurrentState.CANCEL_PENDING: Status.WILL_SUPPLY,
    isoill.CurrentState.CANCELLED: Status.CANCELLED, isoill.CurrentState.SHIPPED: Status.LOANED,
    isoill.CurrentState.RECEIVED: Status.LOANED, isoill.CurrentState.RENEW_PENDING: Status.LOANED,
    isoill.CurrentState.NOT_RECEIVED_OVERDUE: Status.OVERDUE, isoill.CurrentState.RENEW_OVERDUE: Status.OVERDUE,
    isoill.CurrentState.OVERDUE: Status.OVERDUE, isoill.CurrentState.RETURNED: Status.LOANED,
    isoill.CurrentState.CHECKED_IN: Status.LOAN_COMPLETED, isoill.CurrentState.RECALL: Status.RECALLED,
    isoill.CurrentState.LOST: Status.COMPLETED_WITHOUT_RETURN, isoill.CurrentState.UNKNOWN: Status.REQUEST_RECEIVED,
}


def bridge_table_markdown() -> str:
    """The table as docs/bridge.md shows it (the doc's generated block; a test keeps the two equal)."""
    lines = ["| row | sent by | ISO 10161 | ISO 18626 | lifecycle | ways | reasoning |",
             "|---|---|---|---|---|---|---|"]
    for r in BRIDGE:
        ways = r.ways.value if r.ways is Ways.BOTH else f"{r.ways.value} (back: `{r.back.value}`)"
        lines.append(f"| `{r.kind.value}` | {r.sender.value} | {r.service_10161} | {r.message_18626} | "
                     f"{r.milestone.value if r.milestone else '-'} | {ways} | {r.why} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(bridge_table_markdown(), end="")
