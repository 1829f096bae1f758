"""The lending side: a partner's request held for staff or answered by the auto-responder, the lending lifecycle on
the partner's leg (its strict ISO 10161 requester machine accepts every answer), and staff acting through the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from test_gateway_core import CONFIG, GW_ID, REQ_ID, T0, Node, ill_request, sdt, wire10161

import isoill
from illcore.lifecycle import Stage
from illcore.request import Service
from illcore.store import open_store
from illnode.gateway.bridge import Kind, Step
from illnode.gateway.core import Gateway
from illnode.gateway.lending import LendingRule
from illnode.gateway.service import COUNTS, GatewayService
from illnode.gateway.staff_api import StaffAPI
from illnode.gateway.state import Peer
from isoill._model import enums as E

LOCAL = {**CONFIG.peers, "OURILLIAD": Peer(symbol="OURILLIAD", protocol="iso10161", local=True)}
AUTO = attrs.evolve(CONFIG, peers=LOCAL, lending="auto", lending_rules=(
    LendingRule(answer="unfilled", medium="journal", reason="NonCirculating", note="journals do not circulate"),
    LendingRule(answer="will-supply", requester="ILLIAD*"),
    LendingRule(answer="hold")))


def test_auto_responder_will_supply_then_staff_ships_and_checks_in() -> None:
    node = Node(AUTO)
    borrower = isoill.Transaction(isoill.Role.REQUESTER)
    request = ill_request(T0)
    borrower.send(request)
    node.start("iso10161", request, T0)
    (answer,) = node.take()
    assert isinstance(answer.message, isoill.ILLAnswer)
    assert answer.message.transaction_results is E.TransactionResults.WILL_SUPPLY
    assert answer.address == "127.0.0.1:7001"  # back to the borrower's APDU-Delivery-Info
    borrower.receive(wire10161(answer.message))
    txn = node.txn()
    assert txn.lending and txn.supplier is None and txn.cursor.suppliers == ()  # not routed anywhere

    node.apply(node.gateway.lender_says(node.txn(), Step(kind=Kind.SHIPPED_LOAN, at=T0,
                                                         date_due=dt.date(2026, 4, 1))))
    (shipped,) = node.take()
    borrower.receive(wire10161(shipped.message))
    assert borrower.state is E.CurrentState.SHIPPED and node.counts[-1].what == "borrowed"
    at = T0
    for cls, fields in ((isoill.Received, {"date_received": "20260305",
                                           "shipped_service_type": E.ILLServiceType.LOAN}),
                        (isoill.Returned, {"date_returned": "20260325"})):
        at += dt.timedelta(days=3)
        apdu = cls(transaction_id=request.transaction_id, service_date_time=sdt(at), requester_id=REQ_ID,
                   responder_id=GW_ID, **fields)
        borrower.send(apdu)
        out = node.receive("iso10161", wire10161(apdu), at)
        assert out.problem is None and node.take() == []  # held for staff, nothing relayed
    assert node.txn().requester.stage is Stage.RETURNED
    node.apply(node.gateway.lender_says(node.txn(), Step(kind=Kind.CHECKED_IN, at=at)))
    (checked_in,) = node.take()
    assert borrower.receive(wire10161(checked_in.message)).accepted
    assert node.txn().ended and node.txn().requester.stage is Stage.COMPLETED


def test_auto_responder_rules_in_order_and_local_systems_are_routed() -> None:
    node = Node(AUTO)
    journal = attrs.evolve(ill_request(T0, requester="OTHERLIB"),
                           item_id=attrs.evolve(ill_request(T0).item_id, item_type=E.ItemType.SERIAL))
    node.start("iso10161", journal, T0, key="L-1")
    (unfilled,) = node.take()
    assert unfilled.message.transaction_results is E.TransactionResults.UNFILLED
    assert "journals do not circulate" in str(unfilled.message.responder_note)
    assert unfilled.message.results_explanation.reason_unfilled is E.ReasonUnfilled.NON_CIRCULATING
    assert node.txn("L-1").ended

    node.start("iso10161", ill_request(T0, requester="SOMELIB"), T0, key="L-2")
    assert node.take() == [] and not node.txn("L-2").ended  # "hold": for staff

    node.start("iso10161", ill_request(T0, requester="OURILLIAD"), T0, key="B-1")
    (ask,) = node.take()
    assert ask.kind is Kind.REQUEST and not node.txn("B-1").lending  # our own system: routed


def test_lender_says_only_what_a_lender_says_when_the_lifecycle_allows() -> None:
    node = Node(attrs.evolve(AUTO, lending="staff"))
    node.start("iso10161", ill_request(T0), T0)
    assert node.take() == []
    out = node.gateway.lender_says(node.txn(), Step(kind=Kind.RENEW_GRANTED, at=T0))  # no renew pending
    assert out.problem and "not a lifecycle move" in out.problem and out.actions == ()
    out = node.gateway.lender_says(node.txn(), Step(kind=Kind.RECEIVED, at=T0))
    assert out.problem and "not something our lending side says" in out.problem


class _FakeNode:
    """What the staff API needs of a node: its service, store and clock (no sockets)."""

    def __init__(self, service: GatewayService) -> None:
        import asyncio

        self.service, self.store, self._wake = service, service.store, asyncio.Event()

    def clock(self) -> dt.datetime:
        return T0


def _call(api: StaffAPI, method: str, path: str, body: dict[str, Any] | None = None,
          key: str = "k") -> tuple[int, Any]:
    scope = {"type": "http", "method": method, "path": path, "query_string": b"",
             "headers": [(b"x-api-key", key.encode())]}
    return api.handle(scope, json.dumps(body).encode() if body is not None else b"")


def test_staff_api_acts_on_lending_and_borrowing_transactions() -> None:
    store = open_store("memory:")
    keys = iter(["T-1", "T-2"])
    service = GatewayService(Gateway(attrs.evolve(AUTO, lending="staff")), store, new_key=lambda: next(keys))
    api = StaffAPI(_FakeNode(service), api_key="k")
    service.arrived("iso10161", ill_request(T0), isoill.encode(ill_request(T0)), peer="p", at=T0,
                    address="127.0.0.1:7001")
    assert _call(api, "GET", "/transactions", key="wrong")[0] == 401
    status, listed = _call(api, "GET", "/transactions")
    assert status == 200 and listed[0]["lending"] and listed[0]["stage"] == "requested"
    assert _call(api, "POST", "/transactions/T-1/actions", {"action": "next-supplier"})[0] == 400
    status, _ = _call(api, "POST", "/transactions/T-1/actions", {"action": "will-supply", "note": "Monday"})
    assert status == 200
    status, _ = _call(api, "POST", "/transactions/T-1/actions", {"action": "shipped"})
    assert status == 200
    assert store.get_doc(COUNTS, "ILLIAD1") == {"borrowed": 1}
    status, shown = _call(api, "GET", "/transactions/T-1")
    assert [e["type"] for e in shown["journal"] if e["direction"] == "out"] == ["ILL-Answer", "Shipped"]
    assert "Monday" in shown["journal"][1]["message"]
    assert _call(api, "POST", "/transactions/T-1/actions", {"action": "renew-granted"})[0] == 409  # none asked
    assert _call(api, "POST", "/transactions/nope/actions", {"action": "close"})[0] == 404
    assert _call(api, "POST", "/transactions/T-1/actions", {"note": "no action"})[0] == 400


@pytest.mark.parametrize("answer", ["maybe", ""])
def test_a_bad_lending_rule_is_refused(answer: str) -> None:
    with pytest.raises(ValueError, match="will-supply, unfilled or hold"):
        LendingRule(answer=answer, service=Service.LOAN)


def test_staff_api_refuses_a_body_over_its_limit() -> None:
    # Read through ASGI: a client streaming a body without end gets 413 once MAX_BODY is passed, not a growing
    # buffer.
    import asyncio

    from illnode.gateway.staff_api import MAX_BODY

    service = GatewayService(Gateway(AUTO), open_store("memory:"), new_key=lambda: "T-1")
    api = StaffAPI(_FakeNode(service), api_key="k")
    chunks = iter([{"type": "http.request", "body": b"x" * (MAX_BODY // 4), "more_body": True}] * 8)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(chunks)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/transactions/T-1/actions", "query_string": b"",
             "headers": [(b"x-api-key", b"k")]}
    asyncio.run(api(scope, receive, send))
    assert sent[0]["status"] == 413
    assert next(chunks, None) is not None  # it stopped reading: the rest of the stream was never asked for
