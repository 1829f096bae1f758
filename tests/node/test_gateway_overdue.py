"""The overdue timer in virtual time: a loan relayed with a due date arms it for the day after; when it fires on a
loan still with the requester, the requester (a strict ISO 10161 machine) is told Overdue, once, on the supplier's
behalf; a loan returned in time, or one the supplier declared overdue itself, only loses its timer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from test_gateway_core import CONFIG, GW_ID, REQ_ID, T0, Node, ill_request, sam, sdt, wire10161, wire18626

import iso18626
import isoill
from illcore.lifecycle import Stage
from illcore.store import open_store
from illnode.gateway.bridge import Kind
from illnode.gateway.core import Gateway
from illnode.gateway.service import TIMERS, GatewayService
from iso18626 import _machine as m18626
from isoill._model import enums as E
from isoill._model import types as T

DUE = dt.datetime(2026, 4, 2, 23, 59, 59, tzinfo=dt.timezone.utc)
WAKE = dt.datetime(2026, 4, 3, tzinfo=dt.timezone.utc)


def _on_loan() -> tuple[Node, isoill.Transaction, Any, m18626.Transaction, isoill.ILLRequest]:
    """A request ALMA1 refuses and RESHARE1 lends, due DUE; the requester's strict machine is SHIPPED."""
    node, requester = Node(), isoill.Transaction(isoill.Role.REQUESTER)
    request = ill_request(T0)
    requester.send(request)
    node.start("iso10161", wire10161(request), T0)
    (ask_alma,) = node.take()
    unfilled = isoill.ILLAnswer(transaction_id=ask_alma.message.transaction_id, service_date_time=sdt(T0),
                                requester_id=ask_alma.message.requester_id, responder_id=ask_alma.message.responder_id,
                                transaction_results=E.TransactionResults.UNFILLED,
                                results_explanation=T.UnfilledResults(reason_unfilled=E.ReasonUnfilled.NOT_OWNED))
    node.receive("iso10161", wire10161(unfilled), T0)
    ask_rs, told = node.take()
    requester.receive(wire10161(told.message))
    rs, rs_request = m18626.Transaction(m18626.Role.SUPPLYING), wire18626(ask_rs.message)
    rs.receive(rs_request)
    loaned = sam(rs_request, T0, iso18626.Status.LOANED, first=True, due=DUE)
    rs.send(loaned)
    node.receive("iso18626", wire18626(loaned), T0)
    (shipped,) = node.take()
    requester.receive(wire10161(shipped.message))
    assert requester.state is E.CurrentState.SHIPPED
    return node, requester, rs_request, rs, request


def _fire(node: Node, at: dt.datetime) -> Any:
    return node.apply(node.gateway.overdue(node.txn(), at))


def test_an_unreturned_loan_is_overdue_the_day_after_its_due_date() -> None:
    node, requester, *_ = _on_loan()
    assert node.timers["GW-1"] == WAKE and node.txn().requester.ids["date_due"] == "2026-04-02"
    _fire(node, WAKE - dt.timedelta(seconds=1))  # a timer early by a clock's skew: the due day is not over
    assert node.take() == [] and requester.state is E.CurrentState.SHIPPED
    assert node.timers["GW-1"] == WAKE  # still armed
    _fire(node, WAKE)
    (told,) = node.take()
    assert told.kind is Kind.OVERDUE and told.symbol == "ILLIAD1" and isinstance(told.message, isoill.Overdue)
    assert told.message.date_due.date_due_field == "20260402"
    requester.receive(wire10161(told.message))  # its strict machine takes it (shipped, not yet received)
    assert requester.state is E.CurrentState.NOT_RECEIVED_OVERDUE
    assert node.txn().requester.stage is Stage.OVERDUE and "GW-1" not in node.timers
    _fire(node, WAKE + dt.timedelta(days=1))  # a second process firing the same timer: nothing more
    assert node.take() == []


def test_a_returned_loan_or_one_the_supplier_declared_overdue_only_loses_its_timer() -> None:
    node, requester, rs_request, rs, request = _on_loan()
    ids = {"transaction_id": request.transaction_id, "service_date_time": sdt(T0), "requester_id": REQ_ID,
           "responder_id": GW_ID}
    for apdu in (isoill.Received(**ids, date_received="20260310", shipped_service_type=E.ILLServiceType.LOAN),
                 isoill.Returned(**ids, date_returned="20260401")):
        requester.send(apdu)
        node.receive("iso10161", wire10161(apdu), T0)
    assert len(node.take()) == 2 and node.timers["GW-1"] == WAKE
    _fire(node, WAKE)
    assert node.take() == [] and "GW-1" not in node.timers

    node, requester, rs_request, rs, request = _on_loan()
    overdue = sam(rs_request, WAKE - dt.timedelta(hours=1), iso18626.Status.OVERDUE, due=DUE)
    rs.send(overdue)
    node.receive("iso18626", wire18626(overdue), WAKE - dt.timedelta(hours=1))
    (relayed,) = node.take()
    assert isinstance(relayed.message, isoill.Overdue)
    assert node.timers["GW-1"] == WAKE  # a supplier's message on the loan leaves the timer alone
    _fire(node, WAKE)
    assert node.take() == []


def test_the_service_fires_the_overdue_timer_once_from_the_store() -> None:
    store = open_store("memory:")
    keys = iter(range(1, 100))
    a = GatewayService(Gateway(CONFIG), store, new_key=lambda: f"GW-{next(keys)}")
    b = GatewayService(Gateway(CONFIG), store, new_key=lambda: "unused")
    request = ill_request(T0)
    a.arrived("iso10161", wire10161(request), isoill.encode(request), peer="r", at=T0, address="127.0.0.1:7001")
    ask = isoill.decode(store.outbox()[0].data)
    unfilled = isoill.ILLAnswer(transaction_id=ask.transaction_id, service_date_time=sdt(T0), requester_id=ask.requester_id,
                                responder_id=ask.responder_id, transaction_results=E.TransactionResults.UNFILLED,
                                results_explanation=T.UnfilledResults(reason_unfilled=E.ReasonUnfilled.NOT_OWNED))
    a.arrived("iso10161", unfilled, isoill.encode(unfilled), peer="a", at=T0)
    rs_request = iso18626.parse(store.outbox()[-2].data)
    loaned = sam(rs_request, T0, iso18626.Status.LOANED, first=True, due=DUE)
    a.arrived("iso18626", loaned, iso18626.serialize(loaned), peer="rs", at=T0)
    assert store.get_doc(TIMERS, "GW-1") == {"at": WAKE.isoformat(), "what": "overdue"}
    assert a.fire_timers(WAKE - dt.timedelta(seconds=1)) == 0
    assert a.fire_timers(WAKE) + b.fire_timers(WAKE) == 1
    assert store.get_doc(TIMERS, "GW-1") is None
    (last,) = store.journal("GW-1")[-1:]
    assert (last.direction, last.message_type) == ("out", "Overdue")
