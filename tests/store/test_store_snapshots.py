"""snapshot()/restore() of both protocol machines: every reachable state survives a JSON round trip and the
restored machine continues exactly as the original would; old snapshots stay readable; bad ones are typed
errors; a snapshot is small (state, not the transition table)."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import pytest

# the machines' own tests build the transactions these tests store
sys.path[:0] = [str(Path(__file__).parents[1] / "iso10161"), str(Path(__file__).parents[1] / "iso18626")]

import test_machine_10161 as m10161  # noqa: E402
import test_machine_18626 as m18626  # noqa: E402

import iso18626  # noqa: E402
import isoill  # noqa: E402
from illcore.engine import Logged  # noqa: E402
from iso18626.snapshot import SnapshotError as SnapshotError18626  # noqa: E402
from isoill.snapshot import SnapshotError  # noqa: E402

HERE = Path(__file__).parent / "snapshots"


def _report(tx: isoill.Transaction, when: isoill.ServiceDateTime) -> object:
    try:
        return tx.status_report(service_date_time=when)
    except isoill.ILLError as exc:  # nothing received yet, or no History-Report before the request
        return str(exc)


def _json_round_trip(data: dict) -> dict:
    return json.loads(json.dumps(data))


def _same_10161(a: isoill.Transaction, b: isoill.Transaction) -> None:
    assert (a.state, a.facts, a.finished, a.copy_non_returnable, a.stages) == \
        (b.state, b.facts, b.finished, b.copy_non_returnable, b.stages)
    assert a.allowed() == b.allowed()
    assert [(r.direction, r.before, r.after, r.accepted, r.at, r.problem, r.repeats) for r in a.log] == \
        [(r.direction, r.before, r.after, r.accepted, r.at, r.problem, r.repeats) for r in b.log]


@pytest.mark.parametrize("role", [m10161.REQ, m10161.RSP], ids=lambda r: r.value)
@pytest.mark.parametrize("fact", [None, *m10161.FACTS])
def test_every_reachable_10161_state_restores_and_continues(role: isoill.Role, fact: str | None) -> None:
    facts = {fact} if fact else set()
    for path in m10161.reach(role, fact).values():
        tx = m10161.replay(role, path, facts)
        snap = _json_round_trip(tx.snapshot())
        back = isoill.Transaction.restore(snap)
        _same_10161(tx, back)
        assert back.snapshot() == snap
        when = isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date="20240201", time="1"))
        assert _report(back, when) == _report(tx, when)
        for event in tx.allowed():  # the next legal APDU does the same to both
            a, b = m10161.replay(role, path, facts), isoill.Transaction.restore(snap)
            m10161.apply(a, event, facts)
            m10161.apply(b, event, facts)
            assert (a.state, a.facts, a.allowed()) == (b.state, b.facts, b.allowed())


@pytest.mark.parametrize("role", [iso18626.Role.REQUESTING, iso18626.Role.SUPPLYING], ids=lambda r: r.value)
def test_every_reachable_18626_state_restores_and_continues(role: iso18626.Role) -> None:
    for path in m18626.reach(role).values():
        tx = m18626.replay(role, path)
        snap = _json_round_trip(tx.snapshot())
        back = iso18626.Transaction.restore(snap)
        assert (back.status, back.progress, back.pending, back.finished, back.request_id, back.service_type) == \
            (tx.status, tx.progress, tx.pending, tx.finished, tx.request_id, tx.service_type)
        assert back.next_actions() == tx.next_actions() and back.next_statuses() == tx.next_statuses()
        assert back.snapshot() == snap
        for event in m18626.candidates(tx):
            a, b = m18626.replay(role, path), iso18626.Transaction.restore(snap)
            msg = m18626.message_for(event, a)
            if msg is None:
                continue
            ra = _outcome(a, msg)
            rb = _outcome(b, msg)
            assert ra == rb, event
            assert (a.status, a.progress) == (b.status, b.progress)


def _outcome(tx: iso18626.Transaction, msg: object) -> object:
    try:
        return m18626.deliver(tx, msg).accepted
    except iso18626.ProtocolError as exc:
        return exc.error_type


def test_a_retry_keeps_the_transaction_it_retries() -> None:
    first = iso18626.Transaction(iso18626.Role.SUPPLYING)
    first.receive(m18626.request(rid="R-1"))
    second = iso18626.Transaction(iso18626.Role.SUPPLYING, previous=first)
    back = iso18626.Transaction.restore(_json_round_trip(second.snapshot()))
    assert back.previous is not None and back.previous.request_id == "R-1"
    assert back.previous.previous is None


def _loan_10161() -> isoill.Transaction:
    tx = isoill.Transaction(m10161.RSP)
    A = isoill.ILLAPDUType
    for kind, detail, way in [(A.ILL_REQUEST, None, "r"), (A.ILL_REQUEST, None, "r"), (A.ILL_REQUEST, None, "r"),
                              (A.SHIPPED, None, "s"),
                              (A.RECEIVED, None, "r"), (A.RENEW, None, "r"), (A.RENEW_ANSWER, True, "s"),
                              (A.RETURNED, None, "r"), (A.CHECKED_IN, None, "s")]:
        apdu = m10161.make(kind, detail)
        (tx.receive if way == "r" else tx.send)(apdu)
    return tx


def test_a_snapshot_is_small_and_repeats_are_counted() -> None:
    tx = _loan_10161()
    assert tx.state is isoill.CurrentState.CHECKED_IN
    # the first request moved the state, the repeats did not: the repeats are counted, not logged again
    assert [r.repeats for r in tx.log][:2] == [0, 1]
    size = len(json.dumps(tx.snapshot()))
    assert size < 4000 < len(pickle.dumps(tx)) // 4, (size, len(pickle.dumps(tx)))
    records = len(tx.log)
    for _ in range(1000):
        tx.receive(m10161.make(isoill.ILLAPDUType.MESSAGE))
    assert len(tx.log) == records + 1 and tx.log[-1].repeats == 999
    assert len(json.dumps(tx.snapshot())) < 4100


def test_committed_version_1_snapshots_stay_readable() -> None:
    """Snapshots written by the first release (files committed with it): a later release must read them."""
    old = isoill.Transaction.restore(json.loads((HERE / "isoill-v1.json").read_text()))
    assert old.state is isoill.CurrentState.CHECKED_IN and old.finished
    assert old.log[1].repeats == 1 and old.log[1].message == Logged("ILLRequest")
    req = iso18626.Transaction.restore(json.loads((HERE / "iso18626-v1.json").read_text()))
    assert req.status is iso18626.Status.LOANED and req.request_id == "R-1"
    A = iso18626.Action
    assert req.next_actions() == [A.RECEIVED, A.LOST, A.STATUS_REQUEST, A.NOTIFICATION]


@pytest.mark.parametrize(("change", "match"), [
    ({"format": "pickle"}, "not an isoill.Transaction snapshot"),
    ({"version": 99}, "version 99: this isoill reads versions 1"),
    ({"state": "FLYING"}, "damaged .*FLYING"),
    ({"request": "not base64!"}, "request is not a base64 BER APDU"),
])
def test_bad_10161_snapshots_are_typed_errors(change: dict, match: str) -> None:
    snap = {**_loan_10161().snapshot(), **change}
    with pytest.raises(SnapshotError, match=match):
        isoill.Transaction.restore(snap)


def test_bad_18626_snapshots_are_typed_errors() -> None:
    good = iso18626.Transaction(iso18626.Role.SUPPLYING).snapshot()
    with pytest.raises(SnapshotError18626, match="version 2"):
        iso18626.Transaction.restore({**good, "version": 2})
    with pytest.raises(SnapshotError18626, match="damaged"):
        iso18626.Transaction.restore({**good, "status": "Sleeping"})
    with pytest.raises(SnapshotError18626, match="damaged"):
        iso18626.Transaction.restore({k: v for k, v in good.items() if k != "log"})
