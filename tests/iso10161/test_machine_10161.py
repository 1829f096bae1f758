"""ISO 10161 protocol machine: every table row, every prohibited event, full lifecycles on both sides, error and
status replies (encoded with the real codec), and a stateful test driving a requester and a responder together.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import isoill
from illcore.engine import PREVIOUS
from illcore.lifecycle import lifecycle_allows
from isoill import CurrentState as C
from isoill import ILLAPDUType as A
from isoill import TransactionResults as R
from isoill._protocol.machine import FACTS, NO_RECEIVED, NO_RETURNED, NO_SHIPPED, STAGES, TABLE

REQ, RSP = isoill.Role.REQUESTER, isoill.Role.RESPONDER
SEND, RECV = isoill.Direction.SEND, isoill.Direction.RECEIVE
TID = isoill.TransactionId(transaction_group_qualifier="grp", transaction_qualifier="T-1")
REQUESTER_ID = isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol("REQ"))
RESPONDER_ID = isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol("RSP"))
LOAN, COPY = isoill.ILLServiceType.LOAN, isoill.ILLServiceType.COPY_NON_RETURNABLE


def when(day: int = 1) -> isoill.ServiceDateTime:
    return isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=f"202401{day:02d}", time="120000"))


def make(apdu_type: A, detail: object = None, *, facts: Iterable[str] = (), service: isoill.ILLServiceType = LOAN,
         tid: isoill.TransactionId = TID, day: int = 1) -> isoill.APDU:
    """A minimal valid APDU of the type; `facts` sets the optional-messages announcements that produce them."""
    facts = set(facts)
    head = dict(transaction_id=tid, service_date_time=when(day), requester_id=REQUESTER_ID, responder_id=RESPONDER_ID)
    rom = isoill.ResponderOptionalMessagesType(
        can_send_shipped=NO_SHIPPED not in facts, can_send_checked_in=True,
        responder_received=isoill.MessageRequirement.DESIRES, responder_returned=isoill.MessageRequirement.DESIRES)
    if apdu_type is A.ILL_REQUEST:
        return isoill.ILLRequest(**head, ill_service_type=(service,), item_id=isoill.ItemId(title="T", author="A"),
                                 requester_optional_messages=isoill.RequesterOptionalMessagesType(
                                     can_send_received=NO_RECEIVED not in facts,
                                     can_send_returned=NO_RETURNED not in facts,
                                     requester_shipped=isoill.MessageRequirement.REQUIRES,
                                     requester_checked_in=isoill.MessageRequirement.REQUIRES))
    simple = {
        A.FORWARD_NOTIFICATION: lambda: isoill.ForwardNotification(**{**head, "responder_id": RESPONDER_ID},
                                                                   intermediary_id=RESPONDER_ID),
        A.SHIPPED: lambda: isoill.Shipped(**head, shipped_service_type=service, responder_optional_messages=rom,
                                          supply_details=isoill.SupplyDetails(date_shipped="20240101")),
        A.ILL_ANSWER: lambda: isoill.ILLAnswer(**head, transaction_results=detail, responder_optional_messages=rom),
        A.CONDITIONAL_REPLY: lambda: isoill.ConditionalReply(**head, answer=detail),
        A.CANCEL: lambda: isoill.Cancel(**head),
        A.CANCEL_REPLY: lambda: isoill.CancelReply(**head, answer=detail),
        A.RECEIVED: lambda: isoill.Received(**head, date_received="20240102", shipped_service_type=service),
        A.RECALL: lambda: isoill.Recall(**head),
        A.RETURNED: lambda: isoill.Returned(**head, date_returned="20240103"),
        A.CHECKED_IN: lambda: isoill.CheckedIn(**head, date_checked_in="20240104"),
        A.OVERDUE: lambda: isoill.Overdue(**head, date_due=isoill.DateDue(date_due_field="20240105")),
        A.RENEW: lambda: isoill.Renew(**head),
        A.RENEW_ANSWER: lambda: isoill.RenewAnswer(**head, answer=detail),
        A.LOST: lambda: isoill.Lost(**head),
        A.DAMAGED: lambda: isoill.Damaged(**head),
        A.MESSAGE: lambda: isoill.Message(**head, note="hello"),
        A.STATUS_QUERY: lambda: isoill.StatusQuery(**head),
        A.STATUS_OR_ERROR_REPORT: lambda: isoill.StatusOrErrorReport(**head, reason_no_report=isoill.ReasonNoReport.TEMPORARY),
        A.EXPIRED: lambda: isoill.Expired(**head),
    }
    return simple[apdu_type]()


def apply(tx: isoill.Transaction, event: isoill.Event, facts: Iterable[str] = (), **kw: object) -> object:
    apdu = make(event.apdu_type, event.detail, facts=facts, **kw)
    return tx.send(apdu) if event.direction is SEND else tx.receive(apdu)


ALL_EVENTS = [isoill.Event(d, a, detail) for d in isoill.Direction for a in A
              for detail in ({A.ILL_ANSWER: list(R), A.CONDITIONAL_REPLY: [True, False],
                              A.CANCEL_REPLY: [True, False], A.RENEW_ANSWER: [True, False]}.get(a, [None]))]


def replay(role: isoill.Role, path: Iterable[isoill.Event], facts: Iterable[str], strict: bool = True
           ) -> isoill.Transaction:
    tx = isoill.Transaction(role, strict=strict)
    for event in path:
        apply(tx, event, facts)
    return tx


def _last_other(tx: isoill.Transaction) -> object:
    # the state before the current one, read from the public log
    for record in reversed(tx.log):
        if record.accepted and record.before != record.after:
            return record.before
    return None


def reachable(role: isoill.Role, facts: frozenset[str]) -> dict[tuple, list[isoill.Event]]:
    """Shortest event paths (through the public API) to every (state, previous state, facts) reachable."""
    start: list[isoill.Event] = []
    seen = {(None, None, frozenset()): start}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        tx = replay(role, path, facts)
        for event in tx.allowed():
            if event.apdu_type in isoill._protocol.machine.NEUTRAL or event.apdu_type is A.FORWARD_NOTIFICATION and role is REQ:
                continue
            nxt = replay(role, [*path, event], facts)
            key = (nxt.state, _last_other(nxt), nxt.facts)
            if key not in seen:
                seen[key] = [*path, event]
                queue.append([*path, event])
    return seen


_REACH: dict[tuple, dict] = {}


def reach(role: isoill.Role, fact: str | None) -> dict[tuple, list[isoill.Event]]:
    key = (role, fact)
    if key not in _REACH:
        _REACH[key] = reachable(role, frozenset({fact}) if fact else frozenset())
    return _REACH[key]


def row_id(row: object) -> str:
    return f"{row.party.value}:{getattr(row.source, 'name', 'IDLE')}:{row.event}:{row.when or ''}"


@pytest.mark.parametrize("row", TABLE.rows, ids=row_id)
def test_every_row(row):
    nodes = reach(row.party, row.when)
    found = [(k, p) for k, p in nodes.items() if k[0] == row.source and (row.when is None or row.when in k[2])]
    assert found, f"source state of {row_id(row)} is unreachable"
    for (_state, previous, _), path in found[:4]:
        tx = replay(row.party, path, {row.when} if row.when else ())
        record = apply(tx, row.event, {row.when} if row.when else ())
        assert record.accepted
        expected = previous if row.target is PREVIOUS else row.target
        assert tx.state == expected


@pytest.mark.parametrize("row", [r for r in TABLE.rows if not r.ref.startswith("neutral")], ids=row_id)
def test_every_row_is_a_lifecycle_move(row):
    sources = STAGES[row.party][row.source]
    targets = ({s for r in TABLE.rows if r.party == row.party and r.target == row.source and r.source != row.source
                for s in STAGES[row.party][r.source]} if row.target is PREVIOUS else STAGES[row.party][row.target])
    assert any(lifecycle_allows(a, b) for a in sources for b in targets)


@pytest.mark.parametrize("role", [REQ, RSP])
def test_every_prohibited_event(role):
    checked = 0
    for (state, _previous, _facts), path in reach(role, None).items():
        allowed = replay(role, path, ()).allowed()
        for event in ALL_EVENTS:
            if event in allowed:
                continue
            strict = replay(role, path, ())
            with pytest.raises(isoill.ProtocolError) as info:
                apply(strict, event)
            assert strict.state == state
            problem = info.value.error_report.provider_error_report
            if state is None and event.direction is RECV and event.apdu_type is not A.ILL_REQUEST:
                assert problem == isoill.TransactionIdProblem.UNKNOWN_TRANSACTION_ID
            else:
                assert problem == isoill.StateTransitionProhibited(apdu_type=event.apdu_type,
                                                                   current_state=state or C.UNKNOWN)
            tolerant = replay(role, path, (), strict=False)
            record = apply(tolerant, event)
            assert not record.accepted and record.problem and tolerant.state == state
            assert tolerant.log[-1] == record
            checked += 1
    assert checked > 500


class Pair:
    """A requester and a responder connected back to back (every APDU sent is received at once)."""

    def __init__(self, facts: Iterable[str] = (), service: isoill.ILLServiceType = LOAN) -> None:
        self.req = isoill.Transaction(REQ)
        self.rsp = isoill.Transaction(RSP)
        self.facts, self.service = set(facts), service
        self.day = 0

    def __call__(self, sender: isoill.Role, apdu_type: A, detail: object = None) -> tuple[object, object]:
        self.day += 1
        apdu = make(apdu_type, detail, facts=self.facts, service=self.service, day=self.day)
        src, dst = (self.req, self.rsp) if sender is REQ else (self.rsp, self.req)
        return src.send(apdu), dst.receive(apdu)

    @property
    def states(self) -> tuple[object, object]:
        return self.req.state, self.rsp.state


def test_loan_lifecycle():
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    assert p.states == (C.PENDING, C.IN_PROCESS)
    p(RSP, A.ILL_ANSWER, R.WILL_SUPPLY)
    p(RSP, A.SHIPPED)
    assert p.states == (C.SHIPPED, C.SHIPPED)
    p(REQ, A.RECEIVED)
    assert p.states == (C.RECEIVED, C.SHIPPED)
    p(REQ, A.RETURNED)
    assert p.states == (C.RETURNED, C.RETURNED)
    p(RSP, A.CHECKED_IN)
    assert p.states == (C.RETURNED, C.CHECKED_IN)
    assert p.req.finished and p.rsp.finished


def test_copy_lifecycle_ends_at_received():
    p = Pair(service=COPY)
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.SHIPPED)
    assert p.rsp.finished and not p.req.finished
    p(REQ, A.RECEIVED)
    assert p.states == (C.RECEIVED, C.SHIPPED) and p.req.finished
    for sender, apdu in [(REQ, A.RETURNED), (REQ, A.RENEW), (RSP, A.OVERDUE), (RSP, A.RECALL)]:
        with pytest.raises(isoill.ProtocolError):
            p(sender, apdu)
    assert p.states == (C.RECEIVED, C.SHIPPED)
    p(RSP, A.MESSAGE)  # neutral APDUs are still fine


def test_unfilled():
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.ILL_ANSWER, R.UNFILLED)
    assert p.states == (C.NOT_SUPPLIED, C.NOT_SUPPLIED) and p.req.finished and p.rsp.finished


@pytest.mark.parametrize("answer, final", [(True, C.SHIPPED), (False, C.NOT_SUPPLIED)])
def test_conditional(answer, final):
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.ILL_ANSWER, R.CONDITIONAL)
    assert p.states == (C.CONDITIONAL, C.CONDITIONAL)
    p(REQ, A.CONDITIONAL_REPLY, answer)
    if answer:
        assert p.states == (C.PENDING, C.IN_PROCESS)
        p(RSP, A.SHIPPED)
    assert p.states == (final, final)


@pytest.mark.parametrize("after_answer", [None, R.CONDITIONAL])
def test_cancel_accepted_and_refused(after_answer):
    for answer in (True, False):
        p = Pair()
        p(REQ, A.ILL_REQUEST)
        if after_answer:
            p(RSP, A.ILL_ANSWER, after_answer)
        before = p.states
        p(REQ, A.CANCEL)
        assert p.states == (C.CANCEL_PENDING, C.CANCEL_PENDING)
        p(RSP, A.CANCEL_REPLY, answer)
        assert p.states == ((C.CANCELLED, C.CANCELLED) if answer else before)


def test_cancel_crossing_shipped_on_the_requester_side():
    req = isoill.Transaction(REQ)
    req.send(make(A.ILL_REQUEST))
    req.send(make(A.CANCEL))
    req.receive(make(A.SHIPPED))  # sent before the responder saw the Cancel
    req.receive(make(A.CANCEL_REPLY, False))
    assert req.state is C.SHIPPED


@pytest.mark.parametrize("answer", [True, False])
def test_renew(answer):
    p = Pair()
    for step in [(REQ, A.ILL_REQUEST), (RSP, A.SHIPPED), (REQ, A.RECEIVED), (REQ, A.RENEW)]:
        p(*step)
    assert p.states == (C.RENEW_PENDING, C.RENEW_PENDING)
    p(RSP, A.RENEW_ANSWER, answer)
    assert p.states == (C.RECEIVED, C.SHIPPED)


@pytest.mark.parametrize("answer, final", [(True, (C.RECEIVED, C.SHIPPED)), (False, (C.OVERDUE, C.OVERDUE))])
def test_overdue_and_renew_while_overdue(answer, final):
    p = Pair()
    for step in [(REQ, A.ILL_REQUEST), (RSP, A.SHIPPED), (REQ, A.RECEIVED), (RSP, A.OVERDUE)]:
        p(*step)
    assert p.states == (C.OVERDUE, C.OVERDUE)
    p(REQ, A.RENEW)
    assert p.states == (C.RENEW_OVERDUE, C.RENEW_OVERDUE)
    p(RSP, A.RENEW_ANSWER, answer)
    assert p.states == final


def test_overdue_before_received():
    p = Pair()
    for step in [(REQ, A.ILL_REQUEST), (RSP, A.SHIPPED), (RSP, A.OVERDUE)]:
        p(*step)
    assert p.states == (C.NOT_RECEIVED_OVERDUE, C.OVERDUE)
    p(REQ, A.RECEIVED)
    assert p.states == (C.OVERDUE, C.OVERDUE)


def test_recall():
    p = Pair()
    for step in [(REQ, A.ILL_REQUEST), (RSP, A.SHIPPED), (REQ, A.RECEIVED), (RSP, A.RECALL)]:
        p(*step)
    assert p.states == (C.RECALL, C.RECALL)
    with pytest.raises(isoill.ProtocolError):
        p(REQ, A.RENEW)
    p(REQ, A.RETURNED)
    p(RSP, A.CHECKED_IN)
    assert p.states == (C.RETURNED, C.CHECKED_IN)


@pytest.mark.parametrize("sender", [REQ, RSP])
def test_lost(sender):
    p = Pair()
    for step in [(REQ, A.ILL_REQUEST), (RSP, A.SHIPPED), (REQ, A.RECEIVED), (sender, A.LOST)]:
        p(*step)
    assert p.states == (C.LOST, C.LOST) and p.req.finished and p.rsp.finished


def test_optional_messages_allow_the_skips_they_announce():
    # without the announcement, a Received before Shipped is prohibited ...
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.ILL_ANSWER, R.WILL_SUPPLY)
    with pytest.raises(isoill.ProtocolError):
        p(REQ, A.RECEIVED)
    # ... with can-send-SHIPPED FALSE and can-send-RETURNED FALSE, the transaction runs without both
    p = Pair(facts={NO_SHIPPED, NO_RETURNED})
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.ILL_ANSWER, R.WILL_SUPPLY)
    p(REQ, A.RECEIVED)
    assert p.states == (C.RECEIVED, C.SHIPPED)
    p(RSP, A.CHECKED_IN)
    assert p.states == (C.RETURNED, C.CHECKED_IN)


def test_forward_and_expired():
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.FORWARD_NOTIFICATION)
    assert p.states == (C.PENDING, C.FORWARD) and p.rsp.finished
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.EXPIRED)
    assert p.states == (C.NOT_SUPPLIED, C.NOT_SUPPLIED)


def test_strict_error_reply_is_a_valid_status_or_error_report():
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.ILL_ANSWER, R.UNFILLED)
    late = make(A.SHIPPED)
    with pytest.raises(isoill.ProtocolError) as info:
        p.req.receive(late)
    assert isinstance(info.value, isoill.ILLError) and info.value.state is C.NOT_SUPPLIED
    reply = info.value.reply(service_date_time=when(9))
    assert reply.transaction_id == TID and reply.service_date_time == when(9)
    report = reply.error_report
    assert report.report_source is isoill.ReportSource.PROVIDER
    assert report.provider_error_report == isoill.StateTransitionProhibited(apdu_type=A.SHIPPED,
                                                                            current_state=C.NOT_SUPPLIED)
    assert isoill.decode(isoill.encode(reply)) == reply


def test_unknown_transaction():
    rsp = isoill.Transaction(RSP)
    with pytest.raises(isoill.ProtocolError) as info:
        rsp.receive(make(A.CANCEL))
    assert info.value.error_report.provider_error_report is isoill.TransactionIdProblem.UNKNOWN_TRANSACTION_ID
    rsp.receive(make(A.ILL_REQUEST))
    other = isoill.TransactionId(transaction_group_qualifier="grp", transaction_qualifier="T-2")
    with pytest.raises(isoill.ProtocolError) as info:
        rsp.receive(make(A.CANCEL, tid=other))
    reply = info.value.reply(service_date_time=when(3))
    assert reply.transaction_id == other
    assert reply.error_report.provider_error_report is isoill.TransactionIdProblem.UNKNOWN_TRANSACTION_ID
    assert isoill.decode(isoill.encode(reply)) == reply
    assert rsp.state is C.IN_PROCESS


def test_tolerant_mode_records_and_keeps_state():
    req = isoill.Transaction(REQ, strict=False)
    req.send(make(A.ILL_REQUEST))
    record = req.receive(make(A.CHECKED_IN))
    assert not record.accepted and "not allowed in PENDING" in record.problem
    assert req.state is C.PENDING and req.log[-1] is record and len(req.log) == 2
    req.receive(make(A.SHIPPED))
    assert req.state is C.SHIPPED


def test_status_query_is_answered_with_current_state_and_history():
    p = Pair()
    p(REQ, A.ILL_REQUEST)
    p(RSP, A.SHIPPED)
    p(REQ, A.STATUS_QUERY)
    reply = p.rsp.status_report(service_date_time=when(7))
    status = reply.status_report
    assert status.provider_status_report is C.SHIPPED
    history = status.user_status_report
    assert history.most_recent_service is isoill.MostRecentService.SHIPPED
    assert history.date_requested == "20240101" and history.date_of_last_transition == "20240102"
    assert history.initiator_of_most_recent_service == RESPONDER_ID
    assert history.shipped_service_type is LOAN and history.title == "T"
    assert isoill.decode(isoill.encode(reply)) == reply
    assert p.states == (C.SHIPPED, C.SHIPPED)


class TwoPeers(RuleBasedStateMachine):
    """Random legal sequences: one side sends what its table allows, the other must accept it, and the two
    must agree (their states stand for a common lifecycle stage) after every APDU."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: set[str] = set()
        self.service = LOAN
        self.req = isoill.Transaction(REQ)
        self.rsp = isoill.Transaction(RSP)
        self.day = 0

    @rule(data=st.data(), announce=st.sets(st.sampled_from(FACTS)), copy=st.integers(0, 4).map(lambda n: n == 0),
          neutral=st.integers(0, 9).map(lambda n: n == 0), finish=st.integers(0, 5).map(lambda n: n == 0))
    def exchange(self, data, announce, copy, neutral, finish):
        # a forward hands the transaction to a third responder, outside this two-peer model; the neutral
        # APDUs (allowed everywhere) are drawn now and then only, so that sequences get somewhere
        candidates = [(tx, e) for tx in (self.req, self.rsp) for e in tx.allowed(SEND)
                      if e.apdu_type is not A.FORWARD_NOTIFICATION and (e.apdu_type in isoill._protocol.machine.NEUTRAL) == neutral]
        # events that end the transaction are taken now and then too, so that the loan phase gets explored
        going_on = [(tx, e) for tx, e in candidates if finish or not self._ends(tx, e)]
        candidates = going_on or candidates
        if not candidates:
            return
        src, event = data.draw(st.sampled_from(candidates))
        dst = self.rsp if src is self.req else self.req
        if event.apdu_type is A.ILL_REQUEST and not self.req.log:
            self.facts = announce & {NO_RECEIVED, NO_RETURNED}
        if event.apdu_type is A.ILL_ANSWER and NO_SHIPPED in announce:
            self.facts.add(NO_SHIPPED)
        if event.apdu_type in (A.SHIPPED, A.RECEIVED) and self.service is LOAN and copy and not \
                any(r.message.APDU_TYPE in (A.SHIPPED, A.RECEIVED) for r in self.req.log):
            self.service = COPY
        self.day += 1
        apdu = make(event.apdu_type, event.detail, facts=self.facts, service=self.service, day=self.day % 28 + 1)
        before = (src.stages, dst.stages)
        assert src.send(apdu).accepted
        assert dst.receive(apdu).accepted, f"{dst.role} refused {event} in {dst.state}"
        for old, tx in zip(before, (src, dst), strict=True):
            assert any(lifecycle_allows(a, b) for a in old for b in tx.stages)

    @staticmethod
    def _ends(tx, event):
        row = TABLE.lookup(tx.role, tx.state, event, tx.facts)
        return row is not None and row.target in isoill._protocol.machine.TERMINAL[tx.role]

    @invariant()
    def agree(self):
        assert self.req.stages & self.rsp.stages, (self.req.state, self.rsp.state)


TwoPeers.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
test_two_peers = TwoPeers.TestCase
