"""Partner profiles applied when the gateway sends: a request that breaks the supplier's profile is withheld
(journalled as such, with the typed violation) and the rota moves on; any other message that breaks the
partner's profile is withheld and flagged for staff while the transaction goes on. Nothing is sent wrong."""

from __future__ import annotations

from typing import Any

import attrs
from test_gateway_core import CONFIG, T0, ill_request, sam

import iso18626
import isoill
from illcore.profiles import ProfileViolation
from illcore.store import open_store
from illnode.gateway.bridge import Kind, Side
from illnode.gateway.core import Gateway, Send
from illnode.gateway.sendcheck import check_send
from illnode.gateway.service import GatewayService


def _service(**profiles: str) -> tuple[GatewayService, Any]:
    peers = {s: attrs.evolve(p, profile=profiles.get(s, "")) for s, p in CONFIG.peers.items()}
    store = open_store("memory:")
    keys = iter(range(1, 100))
    return GatewayService(Gateway(attrs.evolve(CONFIG, peers=peers)), store,
                          new_key=lambda: f"GW-{next(keys)}"), store


def test_a_request_breaking_the_suppliers_profile_is_withheld_and_the_next_supplier_asked() -> None:
    service, store = _service(ALMA1="alma")
    request = attrs.evolve(ill_request(T0), delivery_address=None)  # Alma requires a delivery address
    handled = service.arrived("iso10161", request, isoill.encode(request), peer="r", at=T0, address="127.0.0.1:7001")
    assert handled.problem is not None and "delivery-address" in handled.problem
    withheld = [e for e in store.journal("GW-1") if e.outcome.startswith("withheld")]
    assert [(e.peer, e.message_type) for e in withheld] == [("ALMA1", "ILL-Request")]
    assert "violation(s) of the alma profile" in withheld[0].outcome
    assert [(i.address, i.message_type) for i in store.outbox()] == [
        ("http://127.0.0.1:9002/iso18626", "Request"), ("127.0.0.1:7001", "Message")]  # never to Alma
    txn = service.transaction("GW-1")
    assert txn.supplier.symbol == "RESHARE1" and [leg.symbol for leg in txn.passed] == ["ALMA1"]
    assert any("withheld" in line for line in txn.history)
    # with a delivery address the same request goes to Alma
    service2, store2 = _service(ALMA1="alma")
    ok = ill_request(T0)
    assert service2.arrived("iso10161", ok, isoill.encode(ok), peer="r", at=T0).problem is None
    assert store2.outbox()[0].address == "127.0.0.1:9001"


def test_another_message_breaking_the_profile_is_withheld_and_flagged() -> None:
    # the requester's record says Alma: Alma takes only unfilled ILL-Answers, so a will-supply is not sent to it
    service, store = _service(ILLIAD1="alma")
    request = ill_request(T0)
    service.arrived("iso10161", request, isoill.encode(request), peer="r", at=T0, address="127.0.0.1:7001")
    # staff pass ALMA1 over; RESHARE1 will supply
    service.staff("GW-1", lambda txn: service.gateway.next_supplier(txn, T0, why="staff"), T0)
    rs_request = iso18626.parse([i for i in store.outbox() if i.message_type == "Request"][0].data)
    will = sam(rs_request, T0, iso18626.Status.WILL_SUPPLY, first=True)
    handled = service.arrived("iso18626", will, iso18626.serialize(will), peer="rs", at=T0)
    assert handled.problem is not None and "only unfilled(3)" in handled.problem
    held = [e for e in store.journal("GW-1") if e.outcome.startswith("withheld")]
    assert [(e.peer, e.message_type) for e in held] == [("ILLIAD1", "ILL-Answer")]
    assert not [i for i in store.outbox() if i.message_type == "ILL-Answer"]
    txn = service.transaction("GW-1")
    assert txn.supplier.symbol == "RESHARE1" and not txn.ended  # the loan goes on
    assert any("will-supply to ILLIAD1 withheld" in line for line in txn.history)


def test_check_send_without_a_profile_or_for_illiad_checks_nothing() -> None:
    send = Send(transaction="GW-1", to=Side.SUPPLIER, protocol="iso10161", symbol="ALMA1", address="x",
                message=attrs.evolve(ill_request(T0), delivery_address=None), kind=Kind.REQUEST)
    assert check_send(CONFIG, send) is None  # no profile on the record
    peers = {**CONFIG.peers, "ALMA1": attrs.evolve(CONFIG.peers["ALMA1"], profile="alma")}
    found = check_send(attrs.evolve(CONFIG, peers=peers), send)
    assert isinstance(found, ProfileViolation) and found.profile == "alma"
    assert [v.path for v in found.violations] == ["ILL-Request.delivery-address"]
