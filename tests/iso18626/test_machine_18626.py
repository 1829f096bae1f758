"""ISO 18626 transaction machine: every table row on both sides, the reason and action rules, the status lattice,
full lifecycles, the retry flow, ERROR confirmations, and a stateful test driving a requester and a supplier.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import iso18626
from illcore.engine import PREVIOUS
from illcore.lifecycle import Stage, lifecycle_reachable
from iso18626 import Action as Act
from iso18626 import ErrorType as ET
from iso18626 import ProtocolError, Role, Transaction
from iso18626 import ReasonForMessage as RFM
from iso18626 import Status as S
from iso18626._machine import (
    CONSISTENT_ANSWERS,
    ON_LOAN,
    PRE_SUPPLY,
    RENEWABLE,
    TABLE,
    ActionEvent,
    AnswerEvent,
    ConditionsEvent,
    Party,
    Progress,
    RequestEvent,
    StatusEvent,
)

REQUESTING, SUPPLYING = Role.REQUESTING, Role.SUPPLYING
T0 = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
GUARDS = {None: None, "pre-supply": PRE_SUPPLY, "on-loan": ON_LOAN, "renewable": RENEWABLE}
_clock = [0]


def ts() -> datetime:
    _clock[0] += 1
    return T0 + timedelta(minutes=_clock[0])


def header(rid: str = "R-1") -> iso18626.Header:
    return iso18626.Header(
        supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="SUP"),
        requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="REQ"),
        timestamp=ts(), requesting_agency_request_id=rid)


def request(rtype=iso18626.RequestType.NEW, rid="R-1", previous=None, service=iso18626.ServiceType.LOAN):
    return iso18626.Request(header=header(rid), bibliographic_info=iso18626.BibliographicInfo(title="T"),
                            service_info=iso18626.ServiceInfo(request_type=rtype, service_type=service,
                                                              requesting_agency_previous_request_id=previous))


def sam(reason, status, answer=None, conditions=False, rid="R-1"):
    delivery = iso18626.DeliveryInfo(date_sent=T0, loan_condition=(iso18626.SchemeValue("LibraryUseOnly"),)) \
        if conditions else None
    return iso18626.SupplyingAgencyMessage(
        header=header(rid), message_info=iso18626.MessageInfo(reason_for_message=reason, answer_yes_no=answer),
        status_info=iso18626.StatusInfo(status=status, last_change=T0), delivery_info=delivery)


def ram(action, rid="R-1"):
    return iso18626.RequestingAgencyMessage(header=header(rid), action=action)


class Pair:
    """A requesting and a supplying agency back to back: each message is sent by one and received by the other."""

    def __init__(self, strict=True, previous=None):
        self.req = Transaction(REQUESTING, strict=strict, previous=previous and previous.req)
        self.sup = Transaction(SUPPLYING, strict=strict, previous=previous and previous.sup)

    def __call__(self, message):
        src, dst = (self.req, self.sup) if isinstance(message, (iso18626.Request, iso18626.RequestingAgencyMessage)) \
            else (self.sup, self.req)
        a, b = src.send(message), dst.receive(message)
        assert a.accepted and b.accepted
        assert (self.req.status, self.req.progress) == (self.sup.status, self.sup.progress)
        return self

    @property
    def state(self):
        return self.req.status, self.req.progress


def started(strict=True, **kw) -> Pair:
    return Pair(strict)(request(**kw))


def deliver(tx: Transaction, message) -> object:
    mine = isinstance(message, (iso18626.Request, iso18626.RequestingAgencyMessage)) == (tx.role is REQUESTING)
    return tx.send(message) if mine else tx.receive(message)


# --- every row ---------------------------------------------------------------------------------------------------

def message_for(event, tx: Transaction):
    """The message that carries `event` for `tx` in its current state."""
    if isinstance(event, StatusEvent):
        return sam(RFM.STATUS_CHANGE, event.status)
    if isinstance(event, ActionEvent):
        return ram(event.action)
    if isinstance(event, ConditionsEvent):
        status = tx.status if tx.status in PRE_SUPPLY - {None} else S.WILL_SUPPLY
        return sam(RFM.STATUS_CHANGE, status, conditions=True)
    if isinstance(event, AnswerEvent):
        fits = [s for s in tx.next_statuses() if s in CONSISTENT_ANSWERS[(event.reason, event.yes)]]
        status = tx.status if tx.status in fits else (fits[0] if fits else S.LOANED)
        return sam(event.reason, status, iso18626.YesNo.Y if event.yes else iso18626.YesNo.N)
    assert isinstance(event, RequestEvent)
    if event.request_type is iso18626.RequestType.RETRY:
        return request(event.request_type, rid="R-2", previous="R-1")
    return request(event.request_type)


def fresh(role: Role) -> Transaction:
    # a transaction whose `previous` ended with RetryPossible, so that a Retry request can start it
    prev = Transaction(role)
    for m in (request(), sam(RFM.REQUEST_RESPONSE, S.RETRY_POSSIBLE)):
        deliver(prev, m)
    return Transaction(role, previous=prev)


def replay(role: Role, path) -> Transaction:
    tx = fresh(role)
    for message in path:
        deliver(tx, message)
    return tx


def _previous(tx: Transaction):
    for r in reversed(tx.log):
        if r.accepted and r.before[1] != r.after[1]:
            return r.before[1]
    return None


def candidates(tx: Transaction):
    events = [StatusEvent(s) for s in tx.next_statuses()] + [ActionEvent(a) for a in tx.next_actions()]
    events += [ConditionsEvent(), *(AnswerEvent(r, y) for r in (RFM.CANCEL_RESPONSE, RFM.RENEW_RESPONSE)
                                    for y in (True, False))]
    events += [RequestEvent(t) for t in iso18626.RequestType]
    return events


def reachable(role: Role) -> dict:
    seen = {(None, Progress.IDLE, None): []}
    queue = deque([[]])
    while queue:
        path = queue.popleft()
        tx = replay(role, path)
        for event in candidates(tx):
            message = message_for(event, tx)
            probe = Transaction(role, strict=False, previous=tx.previous)
            for m in path:
                deliver(probe, m)
            if not deliver(probe, message).accepted:
                continue
            key = (probe.status, probe.progress, _previous(probe))
            if key not in seen:
                seen[key] = [*path, message]
                queue.append([*path, message])
    return seen


_REACH: dict = {}


def reach(role: Role) -> dict:
    if role not in _REACH:
        _REACH[role] = reachable(role)
    return _REACH[role]


def row_id(row) -> str:
    return f"{row.party.value}:{getattr(row.source, 'value', row.source)}:{row.event}:{row.when or ''}"


@pytest.mark.parametrize("role", [REQUESTING, SUPPLYING])
@pytest.mark.parametrize("row", TABLE.rows, ids=row_id)
def test_every_row(row, role):
    group = GUARDS[row.when]
    nodes = [(k, p) for k, p in reach(role).items()
             if (k[0] if row.party is Party.SUPPLIER else k[1]) == row.source
             and (group is None or k[0] in group)]
    assert nodes, f"{row_id(row)}: source unreachable"
    accepted = 0
    for (_status, _progress, previous), path in nodes[:6]:
        tx = replay(role, path)
        tx.strict = False
        if not deliver(tx, message_for(row.event, tx)).accepted:
            continue  # the same message also moves the other party, which may refuse here
        accepted += 1
        state = tx.status if row.party is Party.SUPPLIER else tx.progress
        assert state == (previous if row.target is PREVIOUS else row.target)
    assert accepted, f"{row_id(row)} was never accepted"


@pytest.mark.parametrize("role", [REQUESTING, SUPPLYING])
def test_every_prohibited_action_and_status(role):
    checked = 0
    for (status, progress, _), path in reach(role).items():
        if progress is Progress.IDLE:
            continue
        tx = replay(role, path)
        allowed_actions, allowed_statuses = tx.next_actions(), tx.next_statuses()
        for message, allowed, error in [*((ram(a), a in allowed_actions, ET.UNSUPPORTED_ACTION_TYPE) for a in Act),
                                        *((sam(RFM.STATUS_CHANGE, s), s in allowed_statuses,
                                           ET.UNRECOGNISED_DATA_VALUE) for s in S)]:
            if allowed:
                continue
            strict = replay(role, path)
            with pytest.raises(ProtocolError) as info:
                deliver(strict, message)
            assert info.value.error_type is error
            assert (strict.status, strict.progress) == (status, progress)
            tolerant = replay(role, path)
            tolerant.strict = False
            record = deliver(tolerant, message)
            assert not record.accepted and record.problem.startswith(error.value)
            assert (tolerant.status, tolerant.progress) == (status, progress)
            checked += 1
    assert checked > 300


# --- lifecycles --------------------------------------------------------------------------------------------------

def test_loan():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY))(sam(RFM.STATUS_CHANGE, S.LOANED))
    assert p.req.stage is Stage.SUPPLIED
    p(ram(Act.RECEIVED))(ram(Act.SHIPPED_RETURN))
    assert p.state == (S.LOANED, Progress.RETURNED) and p.sup.stage is Stage.RETURNED
    p(sam(RFM.STATUS_CHANGE, S.LOAN_COMPLETED))
    assert p.state == (S.LOAN_COMPLETED, Progress.RETURNED) and p.req.finished and p.sup.finished
    assert p.req.stage is Stage.COMPLETED and p.req.next_actions() == []


def test_copy():
    p = started(service=iso18626.ServiceType.COPY)(sam(RFM.REQUEST_RESPONSE, S.COPY_COMPLETED))
    assert p.req.finished and p.req.stage is Stage.COMPLETED and p.req.service_type is iso18626.ServiceType.COPY
    with pytest.raises(ProtocolError) as info:
        p.req.send(ram(Act.RECEIVED))
    assert info.value.error_type is ET.UNSUPPORTED_ACTION_TYPE


def test_unfilled():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.UNFILLED))
    assert p.req.finished and p.sup.stage is Stage.UNFILLED


def test_conditional_accepted():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY, conditions=True))
    assert p.state == (S.WILL_SUPPLY, Progress.CONDITIONAL) and p.req.stage is Stage.CONDITIONAL
    p(ram(Act.NOTIFICATION))
    assert p.state == (S.WILL_SUPPLY, Progress.REQUESTED)
    p(sam(RFM.STATUS_CHANGE, S.LOANED))(ram(Act.RECEIVED))
    assert p.req.stage is Stage.RECEIVED


def test_conditional_rejected():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY, conditions=True))(ram(Act.CANCEL))
    assert p.req.pending is Act.CANCEL and p.req.stage is Stage.CANCEL_PENDING
    p(sam(RFM.CANCEL_RESPONSE, S.CANCELLED, iso18626.YesNo.Y))
    assert p.req.status is S.CANCELLED and p.req.finished and p.sup.stage is Stage.CANCELLED


def test_no_cancel_once_loaned_with_conditions_unanswered():
    # Found by TwoAgencies: conditions, then Loaned before the requester answered them. The loan is not
    # cancellable any more (as from REQUESTED): Cancel is no longer offered, and sending it is refused.
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY, conditions=True))(sam(RFM.STATUS_CHANGE, S.LOANED))
    assert p.req.stage is Stage.SUPPLIED and Act.CANCEL not in p.req.next_actions()
    with pytest.raises(ProtocolError):
        p.req.send(ram(Act.CANCEL))
    p(ram(Act.RECEIVED))
    assert p.req.progress is Progress.RECEIVED


def test_cancel_accepted():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY))(ram(Act.CANCEL))
    p(sam(RFM.CANCEL_RESPONSE, S.CANCELLED, iso18626.YesNo.Y))
    assert p.state == (S.CANCELLED, Progress.REQUESTED) and p.req.finished and p.req.pending is None


def test_cancel_refused_already_loaned():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY))(ram(Act.CANCEL))
    p(sam(RFM.CANCEL_RESPONSE, S.LOANED, iso18626.YesNo.N))
    assert p.state == (S.LOANED, Progress.REQUESTED) and p.req.stage is Stage.SUPPLIED
    p(ram(Act.RECEIVED))
    assert p.req.progress is Progress.RECEIVED


@pytest.mark.parametrize("answer, status", [(iso18626.YesNo.Y, S.LOANED), (iso18626.YesNo.N, S.OVERDUE)])
def test_renew(answer, status):
    p = started()(sam(RFM.REQUEST_RESPONSE, S.LOANED))(ram(Act.RECEIVED))(sam(RFM.STATUS_CHANGE, S.OVERDUE))
    p(ram(Act.RENEW))
    assert p.req.pending is Act.RENEW and p.sup.stage is Stage.RENEW_PENDING
    p(sam(RFM.RENEW_RESPONSE, status, answer))
    assert p.state == (status, Progress.RECEIVED)
    assert p.req.stage is (Stage.RECEIVED if answer is iso18626.YesNo.Y else Stage.OVERDUE)


def test_recall_and_overdue():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.LOANED))(ram(Act.RECEIVED))(sam(RFM.STATUS_CHANGE, S.OVERDUE))
    assert p.req.stage is Stage.OVERDUE
    p(sam(RFM.STATUS_CHANGE, S.LOANED))(sam(RFM.STATUS_CHANGE, S.RECALLED))  # Loaned and Overdue: one rank
    assert p.req.stage is Stage.RECALLED
    with pytest.raises(ProtocolError) as info:
        p.sup.send(sam(RFM.STATUS_CHANGE, S.LOANED))
    assert info.value.error_type is ET.UNRECOGNISED_DATA_VALUE and p.sup.status is S.RECALLED
    p(ram(Act.SHIPPED_RETURN))(sam(RFM.STATUS_CHANGE, S.LOAN_COMPLETED))
    assert p.req.stage is Stage.COMPLETED


def test_lost_2021():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.LOANED))(ram(Act.RECEIVED))(ram(Act.LOST))
    assert p.req.stage is Stage.LOST
    p(sam(RFM.STATUS_CHANGE, S.COMPLETED_WITHOUT_RETURN))
    assert p.req.finished and p.req.stage is Stage.LOST


def test_hold_return_2021():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.LOANED))(ram(Act.RECEIVED))(ram(Act.HOLD_RETURN))
    p(sam(RFM.STATUS_CHANGE, S.HOLD_RETURN))(sam(RFM.STATUS_CHANGE, S.RELEASE_HOLD_RETURN))
    assert p.state == (S.RELEASE_HOLD_RETURN, Progress.RECEIVED)
    p(ram(Act.SHIPPED_RETURN))(sam(RFM.STATUS_CHANGE, S.LOAN_COMPLETED))
    assert p.req.finished


def test_retry_flow():
    first = started()(sam(RFM.REQUEST_RESPONSE, S.RETRY_POSSIBLE))
    assert first.req.finished and first.req.status is S.RETRY_POSSIBLE
    second = Pair(previous=first)(request(iso18626.RequestType.RETRY, rid="R-2", previous="R-1"))
    assert second.req.request_id == "R-2" and second.state == (None, Progress.REQUESTED)
    second(sam(RFM.REQUEST_RESPONSE, S.LOANED, rid="R-2"))
    assert second.req.stage is Stage.SUPPLIED
    # a retry needs the previous transaction, ended with RetryPossible, and its id
    for prev, previous_id in [(None, "R-1"), (first, "R-9"), (started()(sam(RFM.REQUEST_RESPONSE, S.UNFILLED)), "R-1")]:
        tx = Transaction(SUPPLYING, previous=prev and prev.sup)
        with pytest.raises(ProtocolError) as info:
            tx.receive(request(iso18626.RequestType.RETRY, rid="R-2", previous=previous_id))
        assert info.value.error_type is ET.UNRECOGNISED_DATA_VALUE and "retry not possible" in info.value.detail
        assert tx.progress is Progress.IDLE


# --- reason rules, errors and confirmations ----------------------------------------------------------------------

def refused(tx: Transaction, message, error: ET) -> ProtocolError:
    before = (tx.status, tx.progress)
    with pytest.raises(ProtocolError) as info:
        deliver(tx, message)
    assert info.value.error_type is error, info.value
    assert (tx.status, tx.progress) == before
    return info.value


@pytest.mark.parametrize("role", [REQUESTING, SUPPLYING])
def test_reason_rules(role):
    tx = replay(role, [request(), sam(RFM.REQUEST_RESPONSE, S.EXPECT_TO_SUPPLY)])
    refused(tx, sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY), ET.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE)
    refused(tx, sam(RFM.STATUS_CHANGE, S.REQUEST_RECEIVED), ET.UNRECOGNISED_DATA_VALUE)  # backwards
    # a Notification never moves anything, not even backwards
    assert deliver(tx, sam(RFM.NOTIFICATION, S.REQUEST_RECEIVED)).accepted and tx.status is S.EXPECT_TO_SUPPLY
    refused(tx, sam(RFM.CANCEL_RESPONSE, S.CANCELLED, iso18626.YesNo.Y), ET.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE)
    refused(tx, sam(RFM.RENEW_RESPONSE, S.LOANED, iso18626.YesNo.Y), ET.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE)
    deliver(tx, ram(Act.CANCEL))
    refused(tx, sam(RFM.CANCEL_RESPONSE, S.CANCELLED), ET.UNRECOGNISED_DATA_VALUE)  # no answerYesNo
    refused(tx, sam(RFM.CANCEL_RESPONSE, S.WILL_SUPPLY, iso18626.YesNo.Y), ET.UNRECOGNISED_DATA_VALUE)
    refused(tx, sam(RFM.CANCEL_RESPONSE, S.CANCELLED, iso18626.YesNo.N), ET.UNRECOGNISED_DATA_VALUE)
    # an empty status is "no change" (Alma); the answer still resolves the pending Cancel
    assert deliver(tx, sam(RFM.STATUS_CHANGE, None)).accepted and tx.status is S.EXPECT_TO_SUPPLY
    assert deliver(tx, sam(RFM.CANCEL_RESPONSE, S.WILL_SUPPLY, iso18626.YesNo.N)).accepted
    assert (tx.status, tx.progress) == (S.WILL_SUPPLY, Progress.REQUESTED)


@pytest.mark.parametrize("role", [REQUESTING, SUPPLYING])
def test_action_preconditions(role):
    tx = replay(role, [request(), sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY)])
    for action in (Act.RECEIVED, Act.SHIPPED_RETURN, Act.RENEW, Act.LOST, Act.HOLD_RETURN):
        refused(tx, ram(action), ET.UNSUPPORTED_ACTION_TYPE)
    deliver(tx, sam(RFM.STATUS_CHANGE, S.LOANED))
    refused(tx, ram(Act.SHIPPED_RETURN), ET.UNSUPPORTED_ACTION_TYPE)  # only after Received
    refused(tx, ram(Act.CANCEL), ET.UNSUPPORTED_ACTION_TYPE)  # too late
    deliver(tx, ram(Act.RECEIVED))
    assert tx.next_actions() == [Act.RENEW, Act.SHIPPED_RETURN, Act.SHIPPED_FORWARD, Act.HOLD_RETURN, Act.LOST,
                                 Act.STATUS_REQUEST, Act.NOTIFICATION]
    deliver(tx, sam(RFM.STATUS_CHANGE, S.LOAN_COMPLETED))
    for action in Act:  # nothing after a terminal status
        refused(tx, ram(action), ET.UNSUPPORTED_ACTION_TYPE)


def test_unknown_transaction_and_duplicate_request():
    tx = Transaction(SUPPLYING)
    refused(tx, ram(Act.CANCEL), ET.UNRECOGNISED_DATA_VALUE)
    tx.receive(request())
    refused(tx, ram(Act.CANCEL, rid="OTHER"), ET.UNRECOGNISED_DATA_VALUE)
    error = refused(tx, request(), ET.UNRECOGNISED_DATA_VALUE)
    assert "already exists" in error.detail
    assert tx.receive(request(iso18626.RequestType.REMINDER)).accepted


def test_messages_in_the_wrong_direction():
    tx = Transaction(REQUESTING)
    tx.send(request())
    with pytest.raises(ProtocolError) as info:
        tx.send(sam(RFM.STATUS_CHANGE, S.LOANED))
    assert info.value.error_type is ET.BADLY_FORMED_MESSAGE
    with pytest.raises(ProtocolError):
        tx.receive(ram(Act.RECEIVED))


def test_strict_error_carries_the_confirmation():
    p = started()(sam(RFM.REQUEST_RESPONSE, S.WILL_SUPPLY))
    bad = ram(Act.SHIPPED_RETURN)
    now = T0 + timedelta(days=1)
    with pytest.raises(ProtocolError) as info:
        p.sup.receive(bad, at=now)
    error = info.value
    assert isinstance(error, iso18626.ISO18626Error)
    conf = error.confirmation
    assert isinstance(conf, iso18626.RequestingAgencyMessageConfirmation) and conf.action is Act.SHIPPED_RETURN
    head = conf.confirmation_header
    assert head.message_status is iso18626.MessageStatus.ERROR and head.timestamp == now
    assert head.timestamp_received == bad.header.timestamp and head.requesting_agency_request_id == "R-1"
    assert [e.error_type for e in conf.error_data] == [ET.UNSUPPORTED_ACTION_TYPE]
    xml = iso18626.serialize(conf)
    assert b"UnsupportedActionType" in xml and iso18626.parse(xml) == conf
    later = error.confirmation_at(now + timedelta(hours=1))
    assert later.confirmation_header.timestamp == now + timedelta(hours=1)


def test_tolerant_records_and_keeps_state():
    p = started(strict=False)(sam(RFM.REQUEST_RESPONSE, S.LOANED))
    record = p.req.receive(sam(RFM.STATUS_CHANGE, S.WILL_SUPPLY))
    assert not record.accepted and record.problem.startswith("UnrecognisedDataValue")
    assert p.req.status is S.LOANED and p.req.log[-1] is record
    assert p.req.receive(sam(RFM.STATUS_CHANGE, S.OVERDUE)).accepted and p.req.status is S.OVERDUE


def test_confirmations_are_recorded_without_transition():
    p = started()
    conf = iso18626.confirmation_for(p.req.log[0].message, timestamp=T0)
    assert p.req.receive(conf).accepted and p.state == (None, Progress.REQUESTED)


# --- two agencies, random legal sequences ------------------------------------------------------------------------

class TwoAgencies(RuleBasedStateMachine):
    """The requester sends what next_actions() allows, the supplier a status from next_statuses() with a fitting
    reason; the other side must accept, both must hold the same state, and the stage only moves forward."""

    def __init__(self) -> None:
        super().__init__()
        self.p = Pair()
        self.p(request())

    def _send(self, message):
        before = self.p.req.stage
        self.p(message)
        assert lifecycle_reachable(before, self.p.req.stage), (before, self.p.req.stage)

    @rule(data=st.data())
    def requester_acts(self, data):
        actions = self.p.req.next_actions()
        if actions:
            self._send(ram(data.draw(st.sampled_from(actions))))

    @rule(data=st.data(), conditions=st.booleans(), notify=st.integers(0, 5))
    def supplier_reports(self, data, conditions, notify):
        tx = self.p.sup
        statuses = tx.next_statuses()
        if not statuses:
            return
        if tx.pending is not None:
            reason = RFM.CANCEL_RESPONSE if tx.pending is Act.CANCEL else RFM.RENEW_RESPONSE
            yes = data.draw(st.booleans())
            fits = [s for s in statuses if s in CONSISTENT_ANSWERS[(reason, yes)]]
            if fits:
                answer = iso18626.YesNo.Y if yes else iso18626.YesNo.N
                self._send(sam(reason, data.draw(st.sampled_from(fits)), answer))
                return
        status = data.draw(st.sampled_from(statuses))
        reason = RFM.NOTIFICATION if notify == 0 else RFM.STATUS_CHANGE if tx.log[-1:] and any(
            isinstance(r.message, iso18626.SupplyingAgencyMessage) for r in tx.log) else RFM.REQUEST_RESPONSE
        self._send(sam(reason, status, conditions=conditions and status in PRE_SUPPLY))

    @invariant()
    def agree(self):
        assert (self.p.req.status, self.p.req.progress) == (self.p.sup.status, self.p.sup.progress)
        assert self.p.req.stage is self.p.sup.stage


TwoAgencies.TestCase.settings = settings(max_examples=200, stateful_step_count=25, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
test_two_agencies = TwoAgencies.TestCase
