"""The bridge table, every row both ways: what one side writes, YAZ / the official XSD accept, and the other side
reads back as the row (or, for a one-way row, as the row it names); data and notes survive the trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from yaz import accepts

import iso18626
import isoill
from illcore.lifecycle import Milestone, Stage
from illcore.request import BorrowingRequest, Patron, Service
from illnode.gateway.bridge import BRIDGE, BY_KIND, Kind, Side, Step, Ways, kind_of_sam, rows_for
from illnode.gateway.iso10161_side import Leg10161, apdu_for, step_of_apdu, system_id
from illnode.gateway.iso18626_side import Leg18626, agency_id, message_for, step_of_message
from isoill._model import enums as E
from isoill._model import types as T

AT = dt.datetime(2026, 3, 2, 10, 15, 0, tzinfo=dt.timezone.utc)
LEG10 = Leg10161(transaction_id=T.TransactionId(initial_requester_id=system_id("REQ"),
                                                transaction_group_qualifier="REQ", transaction_qualifier="T-1"),
                 requester_id=system_id("REQ", "Requesting Library"), responder_id=system_id("GW"))
LEG18 = Leg18626(requesting_agency=agency_id("GW"), supplying_agency=agency_id("SUP"),
                 requesting_agency_request_id="GW-1-1", supplying_agency_request_id="S-9", answered=True)
REQUEST = BorrowingRequest(
    request_id="GW-1", requester="REQ", title="The Art of Computer Programming", author="Knuth, Donald E.",
    subtitle="Fundamental algorithms", edition="3rd", publisher="Addison-Wesley", place_of_publication="Reading",
    publication_date="1997", medium="Book", volume="1", pages="1-650", isbn=("0201896834",),
    patron=Patron(id="P-77", name="Ada Lovelace"), need_before=dt.date(2026, 4, 1),
    delivery_address="Main Library, ILL office", note="loan preferred")

# The data each row carries in a sample step (dates, reasons, conditions); every step also has a note.
SAMPLES: dict[Kind, dict[str, Any]] = {
    Kind.REQUEST: {"request": REQUEST, "note": None},
    Kind.WILL_SUPPLY: {"date": dt.date(2026, 3, 4)},
    Kind.EXPECT_TO_SUPPLY: {"date": dt.date(2026, 3, 20)},
    Kind.CONDITIONAL: {"conditions": ("LibraryUseOnly",)},
    Kind.RETRY: {"reason": "OnLoan", "date": dt.date(2026, 5, 1)},
    Kind.UNFILLED: {"reason": "NotHeld"},
    Kind.SHIPPED_LOAN: {"date": dt.date(2026, 3, 4), "date_due": dt.date(2026, 4, 4)},
    Kind.SHIPPED_COPY: {"date": dt.date(2026, 3, 4)},
    Kind.RECEIVED: {"date": dt.date(2026, 3, 6), "service": Service.LOAN},
    Kind.RETURNED: {"date": dt.date(2026, 4, 1)},
    Kind.RETURNED_FORWARD: {"date": dt.date(2026, 4, 1)},
    Kind.CHECKED_IN: {"date": dt.date(2026, 4, 3)},
    Kind.RENEW: {"date_due": dt.date(2026, 5, 4)},
    Kind.RENEW_GRANTED: {"date_due": dt.date(2026, 5, 4)},
    Kind.RENEW_REFUSED: {"status": iso18626.Status.LOANED},
    Kind.OVERDUE: {"date_due": dt.date(2026, 4, 4)},
    Kind.CANCEL_REFUSED: {"status": iso18626.Status.WILL_SUPPLY},
    Kind.STATUS_REPORT: {"status": iso18626.Status.LOANED},
    Kind.MESSAGE_FROM_SUPPLIER: {"status": iso18626.Status.LOANED},
}
MESSAGE_CLASSES = {"request": iso18626.Request, "requestingAgencyMessage": iso18626.RequestingAgencyMessage,
                   "supplyingAgencyMessage": iso18626.SupplyingAgencyMessage}
NOTE = "note text for the row"
STAGE_OF = {Kind.ACCEPT_CONDITIONS: Stage.CONDITIONAL}


# (row, field) that ISO 18626 has no element for on that message: it must arrive as note text.
AS_NOTE_IN_18626 = {(Kind.RENEW, "date_due")}
# ISO 10161 carries no supplier status on these (Current-State only in status reports).
NO_STATUS_IN_10161 = {Kind.RENEW_REFUSED, Kind.CANCEL_REFUSED, Kind.MESSAGE_FROM_SUPPLIER}


def sample(kind: Kind) -> Step:
    fields = {"note": NOTE, **SAMPLES.get(kind, {})}
    return Step(kind=kind, at=AT, **fields)


def sender(kind: Kind) -> Side:
    return BY_KIND[kind].sender


def version(kind: Kind) -> str:
    return "2021" if kind in (Kind.LOST_BY_REQUESTER, Kind.HOLD_RETURN, Kind.SUPPLIER_HOLD_RETURN) else "1.2"


# APDUs for the rows that only go 10161 -> 18626 (the bridge never writes them as 10161 itself).
_COMMON: dict[str, Any] = {"transaction_id": LEG10.transaction_id,
                           "service_date_time": T.ServiceDateTime(
                               date_time_of_this_service=T.DateTime(date="20260302", time="101500")),
                           "requester_id": LEG10.requester_id, "responder_id": LEG10.responder_id}
ONE_WAY_APDUS: dict[Kind, isoill.APDU] = {
    Kind.LOCATIONS_PROVIDED: isoill.ILLAnswer(**_COMMON, transaction_results=E.TransactionResults.LOCATIONS_PROVIDED,
                                              results_explanation=T.LocationsResults(locations=(
                                                  T.LocationInfo(location_id=system_id("OTHER-LIB")),)),
                                              responder_note=NOTE),
    Kind.ESTIMATE: isoill.ILLAnswer(**_COMMON, transaction_results=E.TransactionResults.ESTIMATE,
                                    results_explanation=T.EstimateResults(cost_estimate="12 EUR"),
                                    responder_note=NOTE),
    Kind.EXPIRED: isoill.Expired(**_COMMON),
    Kind.FORWARDED: isoill.ForwardNotification(**{**_COMMON, "responder_id": system_id("NEW-LIB")},
                                               intermediary_id=system_id("GW"), notification_note=NOTE),
    Kind.REJECT_CONDITIONS: isoill.ConditionalReply(**_COMMON, answer=False, requester_note=NOTE),
    Kind.DAMAGED_BY_REQUESTER: isoill.Damaged(**_COMMON, damaged_details=T.DamagedDetails(
        damaged_portion=T.CompleteDocument()), note=NOTE),
    Kind.DAMAGED_BY_SUPPLIER: isoill.Damaged(**_COMMON, note=NOTE),
    Kind.STATUS_QUERY_BY_SUPPLIER: isoill.StatusQuery(**_COMMON, note=NOTE),
    Kind.REPORT_BY_REQUESTER: isoill.StatusOrErrorReport(**_COMMON, reason_no_report=E.ReasonNoReport.TEMPORARY,
                                                         note=NOTE),
    Kind.ERROR_REPORT_BY_SUPPLIER: isoill.StatusOrErrorReport(**_COMMON, error_report=T.ErrorReport(
        correlation_information="T-1", report_source=E.ReportSource.PROVIDER,
        provider_error_report=E.GeneralProblem.OTHER), note=NOTE),
}
# What each one-way row must keep in the note on the way (beyond its own note text).
KEPT: dict[Kind, str] = {Kind.LOCATIONS_PROVIDED: "OTHER-LIB", Kind.ESTIMATE: "12 EUR", Kind.EXPIRED: "Expired",
                         Kind.FORWARDED: "NEW-LIB", Kind.DAMAGED_BY_REQUESTER: "complete-document",
                         Kind.ERROR_REPORT_BY_SUPPLIER: "general-problem", Kind.REPORT_BY_REQUESTER: "temporary",
                         Kind.RETURNED_FORWARD: "date returned", Kind.REQUEST_RECEIVED: "Request received",
                         Kind.HOLD_RETURN: "Hold return", Kind.SUPPLIER_HOLD_RETURN: "return"}


def _valid_18626(xsd: dict[str, Any], msg: Any, ver: str) -> bytes:
    data = iso18626.serialize(msg, version=ver)
    schema = xsd[ver]
    assert schema.validate(etree.fromstring(data)), schema.error_log
    return data


def _valid_10161(oracle: Path, apdu: isoill.APDU) -> isoill.APDU:
    data = isoill.encode(apdu)
    ok, why = accepts(oracle, data)
    assert ok, why
    return isoill.decode(data)


@pytest.mark.parametrize("row", rows_for(Ways.TO_18626), ids=lambda r: r.kind.value)
def test_row_10161_to_18626(row: Any, yaz_oracle: Path, official_xsd: dict[str, Any]) -> None:
    apdu = ONE_WAY_APDUS.get(row.kind) or apdu_for(sample(row.kind), LEG10)
    assert apdu.APDU_TYPE is row.apdu
    step = step_of_apdu(_valid_10161(yaz_oracle, apdu), row.sender, request_id="GW-1")
    assert step.kind is row.kind
    ver = version(row.kind)
    msg = message_for(step, attrs_evolve(LEG18, version=ver))
    back = step_of_message(iso18626.parse(_valid_18626(official_xsd, msg, ver)),
                           stage=STAGE_OF.get(row.kind, Stage.REQUESTED), request_id="GW-1")
    assert back.kind is row.back
    assert type(msg) is MESSAGE_CLASSES[row.message]
    if row.kind not in (Kind.REQUEST, Kind.EXPIRED):  # Expired has no note of its own
        assert NOTE in (back.note or ""), back.note
    assert KEPT.get(row.kind, "") in (back.note or ""), back.note


@pytest.mark.parametrize("row", rows_for(Ways.TO_10161), ids=lambda r: r.kind.value)
def test_row_18626_to_10161(row: Any, yaz_oracle: Path, official_xsd: dict[str, Any]) -> None:
    ver = version(row.kind)
    msg = message_for(sample(row.kind), attrs_evolve(LEG18, version=ver))
    parsed = iso18626.parse(_valid_18626(official_xsd, msg, ver))
    step = step_of_message(parsed, stage=STAGE_OF.get(row.kind, Stage.REQUESTED), request_id="GW-1")
    assert step.kind is row.kind
    apdu = _valid_10161(yaz_oracle, apdu_for(step, LEG10))
    back = step_of_apdu(apdu, row.sender, request_id="GW-1")
    assert back.kind is row.back
    assert apdu.APDU_TYPE is BY_KIND[row.back].apdu
    if row.kind is not Kind.REQUEST:
        assert NOTE in (back.note or ""), back.note
        assert KEPT.get(row.kind, NOTE) in (back.note or ""), back.note


@pytest.mark.parametrize("row", [r for r in BRIDGE if r.ways is Ways.BOTH], ids=lambda r: r.kind.value)
def test_both_way_rows_keep_their_data(row: Any, official_xsd: dict[str, Any]) -> None:
    """10161 -> 18626 -> 10161 and back: the dates, reasons, conditions and status a row carries survive."""
    start = sample(row.kind)
    ver = version(row.kind)
    msg = iso18626.parse(_valid_18626(official_xsd, message_for(start, attrs_evolve(LEG18, version=ver)), ver))
    via18 = step_of_message(msg, stage=STAGE_OF.get(row.kind, Stage.REQUESTED), request_id="GW-1")
    via10 = step_of_apdu(isoill.decode(isoill.encode(apdu_for(start, LEG10))), row.sender, request_id="GW-1")
    for got in (via18, via10):
        assert got.kind is row.kind
        if got is via10 and row.kind in NO_STATUS_IN_10161:
            continue
        for name in ("date_due", "reason", "conditions", "status"):
            value = SAMPLES.get(row.kind, {}).get(name)
            if value is None:
                continue
            if (row.kind, name) in AS_NOTE_IN_18626 and got is via18:
                assert str(value) in (got.note or ""), (name, got)  # no element for it: note text
            else:
                assert getattr(got, name) == value, (name, got)


def test_request_survives_both_protocols() -> None:
    from illnode.gateway.iso10161_side import borrowing_request_of, ill_request_for
    from illnode.gateway.iso18626_side import borrowing_request_of_18626, request_for

    via10 = borrowing_request_of(isoill.decode(isoill.encode(ill_request_for(REQUEST, LEG10, AT))),
                                 request_id="GW-1")
    via18 = borrowing_request_of_18626(iso18626.parse(iso18626.serialize(request_for(REQUEST, LEG18, AT))),
                                       request_id="GW-1")
    for got in (via10, via18):
        for name in ("title", "author", "subtitle", "edition", "publisher", "place_of_publication",
                     "publication_date", "isbn", "need_before", "service", "pages"):
            assert getattr(got, name) == getattr(REQUEST, name), name
        assert got.patron is not None and got.patron.id == "P-77"
        assert "loan preferred" in (got.note or "")
        assert "Main Library" in (got.delivery_address or "")
    # 18626 has no patron name element: it travels in the note
    assert "Ada Lovelace" in (via18.note or "") or (via18.patron and via18.patron.name == "Ada Lovelace")
    assert via10.patron is not None and via10.patron.name == "Ada Lovelace"


def test_ill_request_leftovers_become_note_text() -> None:
    from illnode.gateway.iso10161_side import borrowing_request_of, ill_request_for

    apdu = ill_request_for(REQUEST, LEG10, AT)
    apdu = attrs_evolve(apdu, item_id=attrs_evolve(apdu.item_id, call_number="QA76 .K57",
                                                   sponsoring_body="ACM"),
                        ill_service_type=(E.ILLServiceType.LOAN, E.ILLServiceType.COPY_NON_RETURNABLE))
    note = borrowing_request_of(apdu, request_id="x").note or ""
    assert "call-number: QA76 .K57" in note and "sponsoring-body: ACM" in note
    assert "copy-non-returnable" in note


def test_lost_to_a_v12_partner_is_a_labelled_notification() -> None:
    msg = message_for(sample(Kind.LOST_BY_REQUESTER), LEG18)
    assert isinstance(msg, iso18626.RequestingAgencyMessage)
    assert msg.action is iso18626.Action.NOTIFICATION and (msg.note or "").startswith("Lost:")


def test_notification_accepts_conditions_only_while_pending() -> None:
    msg = message_for(sample(Kind.ACCEPT_CONDITIONS), LEG18)
    assert step_of_message(msg, stage=Stage.CONDITIONAL).kind is Kind.ACCEPT_CONDITIONS
    assert step_of_message(msg, stage=Stage.RECEIVED).kind is Kind.MESSAGE_FROM_REQUESTER


def test_every_milestone_row_is_a_lifecycle_move() -> None:
    from illcore.engine import Engine
    from illcore.lifecycle import LIFECYCLE

    events = {row.event for row in LIFECYCLE.rows}
    for row in BRIDGE:
        if row.milestone is not None:
            assert isinstance(row.milestone, Milestone) and row.milestone in events, row.kind
    assert Engine is not None


def test_sam_rules() -> None:
    S, R = iso18626.Status, iso18626.ReasonForMessage
    assert kind_of_sam(R.NOTIFICATION, S.UNFILLED, answer=None, loan_conditions=False) is Kind.MESSAGE_FROM_SUPPLIER
    assert kind_of_sam(R.REQUEST_RESPONSE, S.WILL_SUPPLY, answer=None, loan_conditions=True) is Kind.CONDITIONAL
    assert kind_of_sam(R.STATUS_CHANGE, S.LOANED, answer=None, loan_conditions=True) is Kind.SHIPPED_LOAN
    assert kind_of_sam(R.CANCEL_RESPONSE, S.LOANED, answer=False, loan_conditions=False) is Kind.CANCEL_REFUSED
    assert kind_of_sam(R.STATUS_CHANGE, S.RELEASE_HOLD_RETURN, answer=None, loan_conditions=False) \
        is Kind.SUPPLIER_HOLD_RETURN


def test_bridge_doc_shows_the_table() -> None:
    from illnode.gateway.bridge import bridge_table_markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "bridge.md").read_text()
    assert bridge_table_markdown() in doc, "docs/bridge.md is stale: python -m illnode.gateway.bridge"
    for row in BRIDGE:
        assert f"`{row.kind.value}`" in doc, row.kind


def attrs_evolve(obj: Any, **changes: Any) -> Any:
    import attrs

    return attrs.evolve(obj, **changes)


def test_isbn13_and_hyphenated_issn_fit_item_id() -> None:
    # Item-Id's iSBN is SIZE (10), iSSN SIZE (8): what 18626 and Libris send (ISBN-13, 1234-5678) must still
    # encode with the value check on, and nothing that does not fit is dropped.
    from illnode.gateway.iso10161_side import ill_request_for

    req = attrs_evolve(REQUEST, isbn=("979-10-90636-07-1", "978-0-201-89683-1"), issn=("0317-8471",))
    apdu = isoill.decode(isoill.encode(ill_request_for(req, LEG10, AT)))
    assert apdu.item_id.isbn == "0201896834"  # the ISBN-10 that 978-0-201-89683-1 equals
    assert apdu.item_id.issn == "03178471"
    assert "isbn: 979-10-90636-07-1" in (apdu.requester_note or "")  # no ISBN-10 exists for 979-
