"""The gateway core in virtual time: partners' messages built by hand from the protocol models, every message the
gateway sends checked by the partner's own strict protocol machine, the transaction stored as JSON between
events (a restart at any point)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

import iso18626
import isoill
from illcore.lifecycle import Stage
from illnode.gateway.bridge import Kind, Side
from illnode.gateway.core import Arm, Arrived, Count, Disarm, Gateway, GatewayConfig, Link, Send, link_key
from illnode.gateway.rota import Rota, RotaRule
from illnode.gateway.state import Peer, from_json, to_json
from iso18626 import _machine as m18626
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.values import External
from isoill.extensions import APDUDeliveryInfo, APDUDeliveryParameters, APDUEncoding

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
PEERS = {
    "ILLIAD1": Peer(symbol="ILLIAD1", protocol="iso10161", address=""),
    "ALMA1": Peer(symbol="ALMA1", protocol="iso10161", address="127.0.0.1:9001", expiry_days=4),
    "RESHARE1": Peer(symbol="RESHARE1", protocol="iso18626", address="http://127.0.0.1:9002/iso18626"),
    "SILENT": Peer(symbol="SILENT", protocol="iso18626", address="http://127.0.0.1:9003/", expiry_days=2),
    "LAST": Peer(symbol="LAST", protocol="iso18626", address="http://127.0.0.1:9004/"),
    "CLOSED": Peer(symbol="CLOSED", protocol="iso10161", address="127.0.0.1:9005", active=False),
}
CONFIG = GatewayConfig(
    symbol="GW", iso10161_address="127.0.0.1:1611", iso18626_url="http://127.0.0.1:8626/iso18626", peers=PEERS,
    rotas={"iso-pod": Rota(name="iso-pod", members=("CLOSED", "ALMA1", "RESHARE1"), last_resort="LAST"),
           "quiet": Rota(name="quiet", members=("SILENT", "RESHARE1"))},
    rules=(RotaRule(rota="quiet", requester="QUIET*"), RotaRule(rota="iso-pod")))


def sdt(at: dt.datetime) -> T.ServiceDateTime:
    return T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=at.strftime("%Y%m%d"),
                                                                  time=at.strftime("%H%M%S")))


REQ_TID = T.TransactionId(initial_requester_id=T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("ILLIAD1")),
                          transaction_group_qualifier="ILLIAD1", transaction_qualifier="4711")
REQ_ID = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("ILLIAD1"))
GW_ID = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("GW"))


def ill_request(at: dt.datetime, requester: str = "ILLIAD1", reply: str = "127.0.0.1:7001") -> isoill.ILLRequest:
    info = APDUDeliveryInfo(sender_info=(APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=T.SystemAddress(
        telecom_service_identifier="TCP/IP", telecom_service_address=reply)),),
        recipient_info=(APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=T.SystemAddress(
            telecom_service_identifier="TCP/IP", telecom_service_address="127.0.0.1:1611")),))
    sid = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol(requester))
    return isoill.ILLRequest(
        transaction_id=attrs.evolve(REQ_TID, initial_requester_id=sid, transaction_group_qualifier=requester),
        service_date_time=sdt(at), requester_id=sid, responder_id=GW_ID,
        ill_service_type=(E.ILLServiceType.LOAN,),
        requester_optional_messages=T.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=E.MessageRequirement.REQUIRES,
            requester_checked_in=E.MessageRequirement.REQUIRES),
        item_id=T.ItemId(item_type=E.ItemType.MONOGRAPH, title="Gödel, Escher, Bach", author="Hofstadter"),
        delivery_address=T.DeliveryAddress(postal_address=T.PostalAddress(city="Springfield")),
        ill_request_extensions=(T.Extension(item=External.of("1.0.10161.13.3", info)),))


class Node:
    """The smallest driver: transactions kept only as JSON between events, links in a dict, sends collected."""

    def __init__(self, config: GatewayConfig = CONFIG) -> None:
        self.gateway = Gateway(config)
        self.txns: dict[str, dict[str, Any]] = {}
        self.links: dict[str, str] = {}
        self.sent: list[Send] = []
        self.timers: dict[str, dt.datetime] = {}
        self.counts: list[Count] = []

    def apply(self, outcome: Any) -> Any:
        if outcome.transaction is not None:
            data = to_json(outcome.transaction)
            assert from_json(data) == outcome.transaction  # what the store keeps restores exactly
            self.txns[outcome.transaction.key] = data
        for action in outcome.actions:
            if isinstance(action, Link):
                self.links[action.key] = action.transaction
            elif isinstance(action, Send):
                self.sent.append(action)
            elif isinstance(action, Arm):
                self.timers[action.transaction] = action.at
            elif isinstance(action, Disarm):
                self.timers.pop(action.transaction, None)
            elif isinstance(action, Count):
                self.counts.append(action)
        return outcome

    def start(self, protocol: str, message: Any, at: dt.datetime, key: str = "GW-1") -> Any:
        return self.apply(self.gateway.start(Arrived(protocol=protocol, message=message, at=at,
                                                     address="127.0.0.1:7001"), key=key))

    def receive(self, protocol: str, message: Any, at: dt.datetime) -> Any:
        key = self.links[link_key(protocol, message)]
        return self.apply(self.gateway.receive(from_json(self.txns[key]), Arrived(protocol=protocol, message=message,
                                                                                 at=at)))

    def expire(self, key: str, at: dt.datetime) -> Any:
        return self.apply(self.gateway.expire(from_json(self.txns[key]), at))

    def txn(self, key: str = "GW-1") -> Any:
        return from_json(self.txns[key])

    def take(self) -> list[Send]:
        out, self.sent = self.sent, []
        return out


def wire10161(apdu: isoill.APDU) -> isoill.APDU:
    return isoill.decode(isoill.encode(apdu))


def wire18626(msg: Any) -> Any:
    return iso18626.parse(iso18626.serialize(msg))


def sam(request: iso18626.Request, at: dt.datetime, status: iso18626.Status, *, first: bool = False,
        due: dt.datetime | None = None) -> iso18626.SupplyingAgencyMessage:
    h = request.header
    return iso18626.SupplyingAgencyMessage(
        header=attrs.evolve(h, timestamp=at, supplying_agency_request_id="RS-1"),
        message_info=iso18626.MessageInfo(reason_for_message=iso18626.ReasonForMessage.REQUEST_RESPONSE if first
                                          else iso18626.ReasonForMessage.STATUS_CHANGE),
        status_info=iso18626.StatusInfo(status=status, last_change=at, due_date=due))


def test_first_must_hold_flow_in_virtual_time() -> None:
    node = Node()
    requester = isoill.Transaction(isoill.Role.REQUESTER)  # ILLiad-like: strict
    request = ill_request(T0)
    requester.send(request)
    node.start("iso10161", wire10161(request), T0)
    (ask_alma,) = node.take()
    assert (ask_alma.symbol, ask_alma.kind, ask_alma.protocol) == ("ALMA1", Kind.REQUEST, "iso10161")
    assert node.timers["GW-1"] == T0 + dt.timedelta(days=4)
    alma = isoill.Transaction(isoill.Role.RESPONDER)
    alma.receive(wire10161(ask_alma.message))
    assert "CLOSED" not in node.txn().cursor.suppliers  # inactive: skipped

    unfilled = isoill.ILLAnswer(transaction_id=ask_alma.message.transaction_id, service_date_time=sdt(T0),
                                requester_id=ask_alma.message.requester_id, responder_id=ask_alma.message.responder_id,
                                transaction_results=E.TransactionResults.UNFILLED,
                                results_explanation=T.UnfilledResults(reason_unfilled=E.ReasonUnfilled.NOT_OWNED))
    alma.send(unfilled)
    t1 = T0 + dt.timedelta(hours=2)
    node.receive("iso10161", wire10161(unfilled), t1)
    sends = node.take()
    assert [(s.symbol, s.kind) for s in sends] == [("RESHARE1", Kind.REQUEST), ("ILLIAD1", Kind.MESSAGE_FROM_SUPPLIER)]
    ask_rs, told = sends
    assert isinstance(told.message, isoill.Message) and "next supplier" in str(told.message.note)
    requester.receive(wire10161(told.message))  # a Message keeps the requester waiting
    assert requester.state is E.CurrentState.PENDING
    assert told.address == "127.0.0.1:7001"  # the requester's return address from APDU-Delivery-Info

    rs = m18626.Transaction(m18626.Role.SUPPLYING)
    rs_request = wire18626(ask_rs.message)
    rs.receive(rs_request)
    assert rs_request.bibliographic_info.title == "Gödel, Escher, Bach"
    steps = [(iso18626.Status.WILL_SUPPLY, True, None, isoill.ILLAnswer),
             (iso18626.Status.LOANED, False, dt.datetime(2026, 4, 2, 23, 59, 59, tzinfo=dt.timezone.utc),
              isoill.Shipped)]
    at = t1
    for status, first, due, apdu_class in steps:
        at += dt.timedelta(days=1)
        msg = sam(rs_request, at, status, first=first, due=due)
        rs.send(msg)
        node.receive("iso18626", wire18626(msg), at)
        (relayed,) = [s for s in node.take()]
        assert isinstance(relayed.message, apdu_class) and relayed.symbol == "ILLIAD1"
        requester.receive(wire10161(relayed.message))
    assert requester.state is E.CurrentState.SHIPPED
    assert relayed.message.supply_details.date_due.date_due_field == "20260402"
    assert node.counts == [Count(symbol="RESHARE1", what="lent")]
    assert "GW-1" not in node.timers

    for apdu_class, action in ((isoill.Received, iso18626.Action.RECEIVED),
                               (isoill.Returned, iso18626.Action.SHIPPED_RETURN)):
        at += dt.timedelta(days=3)
        fields = {"date_received": at.strftime("%Y%m%d"), "shipped_service_type": E.ILLServiceType.LOAN} \
            if apdu_class is isoill.Received else {"date_returned": at.strftime("%Y%m%d")}
        apdu = apdu_class(transaction_id=request.transaction_id, service_date_time=sdt(at), requester_id=REQ_ID,
                          responder_id=GW_ID, **fields)
        requester.send(apdu)
        node.receive("iso10161", wire10161(apdu), at)
        (relayed,) = node.take()
        assert isinstance(relayed.message, iso18626.RequestingAgencyMessage) and relayed.message.action is action
        rs.receive(wire18626(relayed.message))

    at += dt.timedelta(days=2)
    done = sam(rs_request, at, iso18626.Status.LOAN_COMPLETED)
    rs.send(done)
    node.receive("iso18626", wire18626(done), at)
    (checked_in,) = node.take()
    assert isinstance(checked_in.message, isoill.CheckedIn)
    assert requester.receive(wire10161(checked_in.message)).accepted  # a requester stays RETURNED (the table)
    txn = node.txn()
    assert txn.ended and txn.requester.stage is Stage.COMPLETED
    assert [leg.symbol for leg in txn.passed] == ["ALMA1"]


def test_everyone_refuses_then_the_last_resort_then_unfilled() -> None:
    node = Node()
    requester = isoill.Transaction(isoill.Role.REQUESTER)
    request = ill_request(T0)
    requester.send(request)
    node.start("iso10161", request, T0)
    at = T0
    asked = []
    while True:
        sends = node.take()
        to_requester = [s for s in sends if s.to is Side.REQUESTER]
        for s in to_requester:
            requester.receive(wire10161(s.message))
        ask = [s for s in sends if s.kind is Kind.REQUEST]
        if not ask:
            break
        (ask,) = ask
        asked.append(ask.symbol)
        at += dt.timedelta(hours=1)
        if ask.protocol == "iso10161":
            m = ask.message
            answer = isoill.ILLAnswer(transaction_id=m.transaction_id, service_date_time=sdt(at),
                                      transaction_results=E.TransactionResults.UNFILLED)
            node.receive("iso10161", wire10161(answer), at)
        else:
            node.receive("iso18626", wire18626(sam(ask.message, at, iso18626.Status.UNFILLED, first=True)), at)
    assert asked == ["ALMA1", "RESHARE1", "LAST"]  # the lender of last resort comes last
    final = to_requester[-1].message
    assert isinstance(final, isoill.ILLAnswer) and final.transaction_results is E.TransactionResults.UNFILLED
    assert "LAST" in str(final.responder_note) and requester.state is E.CurrentState.NOT_SUPPLIED
    assert node.txn().ended


def test_nobody_answers_so_the_request_expires_and_moves_on() -> None:
    node = Node()
    node.start("iso10161", ill_request(T0, requester="QUIET1"), T0)
    (ask,) = node.take()
    assert ask.symbol == "SILENT" and node.timers["GW-1"] == T0 + dt.timedelta(days=2)
    node.expire("GW-1", T0 + dt.timedelta(days=1))  # too early: nothing happens
    assert node.take() == [] and node.txn().supplier.symbol == "SILENT"
    node.expire("GW-1", T0 + dt.timedelta(days=2))
    sends = node.take()
    assert [(s.symbol, s.kind) for s in sends] == [("SILENT", Kind.CANCEL), ("RESHARE1", Kind.REQUEST),
                                                   ("QUIET1", Kind.MESSAGE_FROM_SUPPLIER)]
    assert "no answer within 2 days" in str(sends[2].message.note)
    node.expire("GW-1", T0 + dt.timedelta(days=2))  # a second process firing the same timer: no effect
    assert node.take() == []
    # SILENT wakes up late: recorded, not relayed
    late = sam(_request_of(node, "SILENT"), T0 + dt.timedelta(days=3), iso18626.Status.LOANED, first=True)
    out = node.receive("iso18626", late, T0 + dt.timedelta(days=3))
    assert node.take() == [] and "passed supplier SILENT" in out.problem


def _request_of(node: Node, symbol: str) -> iso18626.Request:
    leg = next(leg for leg in node.txn().legs() if leg.symbol == symbol)
    return iso18626.Request(header=iso18626.Header(
        requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="GW"),
        supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value=symbol),
        timestamp=T0, requesting_agency_request_id=leg.ids["request_id"]),
        bibliographic_info=iso18626.BibliographicInfo(title="x"))


def test_an_18626_requester_through_a_10161_supplier() -> None:
    node = Node(attrs.evolve(CONFIG, rules=(RotaRule(rota="alma"),),
                             rotas={"alma": Rota(name="alma", members=("ALMA1",))}))
    requester = m18626.Transaction(m18626.Role.REQUESTING)
    request = iso18626.Request(
        header=iso18626.Header(
            requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                   agency_id_value="RESHARE1"),
            supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="GW"),
            timestamp=T0, requesting_agency_request_id="RS-REQ-9"),
        bibliographic_info=iso18626.BibliographicInfo(title="Dune", author="Herbert"),
        service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN))
    requester.send(request)
    node.start("iso18626", wire18626(request), T0)
    (ask,) = node.take()
    assert isinstance(ask.message, isoill.ILLRequest) and ask.message.item_id.title == "Dune"
    alma = isoill.Transaction(isoill.Role.RESPONDER)
    alma.receive(wire10161(ask.message))
    m = ask.message
    shipped = isoill.Shipped(transaction_id=m.transaction_id, service_date_time=sdt(T0), requester_id=m.requester_id,
                             responder_id=m.responder_id, shipped_service_type=E.ILLServiceType.LOAN,
                             supply_details=T.SupplyDetails(date_shipped="20260303",
                                                            date_due=T.DateDue(date_due_field="20260403")))
    alma.send(shipped)
    node.receive("iso10161", wire10161(shipped), T0 + dt.timedelta(days=1))
    (loaned,) = node.take()
    assert isinstance(loaned.message, iso18626.SupplyingAgencyMessage)
    assert loaned.message.status_info.status is iso18626.Status.LOANED
    assert loaned.message.message_info.reason_for_message is iso18626.ReasonForMessage.REQUEST_RESPONSE
    assert loaned.address == PEERS["RESHARE1"].address  # the requester's URL comes from the directory
    requester.receive(wire18626(loaned.message))
    received = iso18626.RequestingAgencyMessage(header=attrs.evolve(request.header, timestamp=T0 + dt.timedelta(days=2)),
                                                action=iso18626.Action.RECEIVED)
    requester.send(received)
    node.receive("iso18626", wire18626(received), T0 + dt.timedelta(days=2))
    (rec,) = node.take()
    assert isinstance(rec.message, isoill.Received)
    assert alma.receive(wire10161(rec.message)).accepted  # (a responder has no RECEIVED state: stays SHIPPED)
    assert node.txn().requester.stage is Stage.RECEIVED and node.txn().supplier.stage is Stage.RECEIVED


def test_a_refused_request_moves_on_and_a_refusal_later_does_not() -> None:
    node = Node()
    node.start("iso10161", ill_request(T0), T0)
    (ask,) = node.take()
    # ALMA1 (ISO 10161) refuses the ILL-Request with an error report
    m = ask.message
    report = isoill.StatusOrErrorReport(transaction_id=m.transaction_id, service_date_time=sdt(T0),
                                        error_report=T.ErrorReport(correlation_information="x",
                                                                   report_source=E.ReportSource.PROVIDER,
                                                                   provider_error_report=E.GeneralProblem.OTHER))
    node.receive("iso10161", wire10161(report), T0)
    assert [(s.symbol, s.kind) for s in node.take()] == [("RESHARE1", Kind.REQUEST),
                                                         ("ILLIAD1", Kind.MESSAGE_FROM_SUPPLIER)]
    # RESHARE1 answers the POST with an ERROR confirmation: the node reports it as a refusal
    out = node.apply(node.gateway.refused(node.txn(), "RESHARE1", T0, why="UnrecognisedDataValue"))
    assert out.problem is None and [(s.symbol, s.kind) for s in node.take()][0] == ("LAST", Kind.REQUEST)
    # a refusal naming a supplier that is not the current one changes nothing but the history
    out = node.apply(node.gateway.refused(node.txn(), "ALMA1", T0, why="late"))
    assert out.problem == "late" and node.take() == [] and node.txn().supplier.symbol == "LAST"


def test_staff_move_on_and_act_for_the_requester() -> None:
    from illnode.gateway.bridge import Step

    node = Node()
    node.start("iso10161", ill_request(T0), T0)
    node.take()
    node.apply(node.gateway.next_supplier(node.txn(), T0, why="staff: ALMA1 is closed for inventory"))
    sends = node.take()
    assert [(s.symbol, s.kind) for s in sends] == [("ALMA1", Kind.CANCEL), ("RESHARE1", Kind.REQUEST),
                                                   ("ILLIAD1", Kind.MESSAGE_FROM_SUPPLIER)]
    assert "closed for inventory" in str(sends[2].message.note)
    out = node.apply(node.gateway.relay_from_staff(node.txn(), Step(kind=Kind.MESSAGE_FROM_REQUESTER, at=T0,
                                                                    note="patron asks: large print?")))
    (note,) = node.take()
    assert out.problem is None and isinstance(note.message, iso18626.RequestingAgencyMessage)
    assert note.message.action is iso18626.Action.NOTIFICATION and "large print" in str(note.message.note)
    # Returned before anything was shipped is not a lifecycle move here: kept for staff, not sent
    out = node.apply(node.gateway.relay_from_staff(node.txn(), Step(kind=Kind.RETURNED, at=T0)))
    assert out.problem is not None and node.take() == []
