"""The ISO 18626 side of the bridge: a message read into a bridge `Step` (and a request into a
`BorrowingRequest`), and a `Step` written as a request, requestingAgencyMessage or supplyingAgencyMessage.

What a message carries that a Step has no field for is written into the Step's note as `label: value` text.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

import attrs

from illcore.lifecycle import Stage
from illcore.request import BorrowingRequest, Patron, Service
from illnode.gateway.bridge import (
    OTHER_CONDITION,
    PRE_SUPPLY_STATUSES,
    Kind,
    Step,
    join_notes,
    kind_of_action,
    kind_of_sam,
)
from iso18626 import (
    Action,
    AgencyId,
    BibliographicInfo,
    BibliographicItemId,
    BibliographicRecordId,
    DeliveryInfo,
    Header,
    MessageInfo,
    PatronInfo,
    PhysicalAddress,
    PublicationInfo,
    ReasonForMessage,
    Request,
    RequestedDeliveryInfo,
    RequestingAgencyMessage,
    RetryInfo,
    SchemeValue,
    ServiceInfo,
    ServiceType,
    Status,
    StatusInfo,
    SupplyingAgencyMessage,
    YesNo,
)

__all__ = ["Leg18626", "agency_id", "borrowing_request_of_18626", "message_for", "request_for",
           "step_of_message", "symbol_of"]

RFM = ReasonForMessage


@attrs.frozen(kw_only=True)
class Leg18626:
    """One ISO 18626 conversation of a gateway transaction: both agencies, both request ids, the version the
    partner speaks, and whether the supplier has answered yet (its first answer is a RequestResponse)."""

    requesting_agency: AgencyId
    supplying_agency: AgencyId
    requesting_agency_request_id: str
    supplying_agency_request_id: str | None = None
    version: str = "1.2"
    answered: bool = False


def agency_id(symbol: str, default_type: str = "ISIL") -> AgencyId:
    """`TYPE:VALUE` (crosslink's peer key form) or a bare symbol, typed `default_type`."""
    kind, sep, value = symbol.partition(":")
    if sep and kind and value:
        return AgencyId(agency_id_type=SchemeValue(kind), agency_id_value=value)
    return AgencyId(agency_id_type=SchemeValue(default_type), agency_id_value=symbol)


def symbol_of(agency: AgencyId | None, default_type: str = "ISIL") -> str:
    """The inverse of `agency_id`."""
    if agency is None:
        return ""
    if agency.agency_id_type.value == default_type:
        return agency.agency_id_value
    return f"{agency.agency_id_type.value}:{agency.agency_id_value}"


def _label(name: str, value: object) -> str | None:
    if value is None or value == () or value == "":
        return None
    if isinstance(value, tuple):
        return f"{name}: {'; '.join(_text(v) for v in value)}"
    return f"{name}: {_text(value)}"


def _text(value: object) -> str:
    if attrs.has(type(value)):
        names = [a.name for a in attrs.fields(type(value))]  # type: ignore[arg-type]
        parts = [f"{n}={_text(getattr(value, n))}" for n in names
                 if n != "extras" and getattr(value, n) not in (None, ())]
        return ", ".join(parts)
    if isinstance(value, (SchemeValue,)):
        return value.value
    if hasattr(value, "value") and not isinstance(value, str):
        return str(value.value)
    return str(value)


def _day(value: _dt.datetime | None) -> _dt.date | None:
    return None if value is None else value.date()


def _end_of(day: _dt.date) -> _dt.datetime:
    # ISO 18626 4.1: a date-only value is written 23:59:59Z
    return _dt.datetime.combine(day, _dt.time(23, 59, 59), tzinfo=_dt.timezone.utc)


# --- request <-> BorrowingRequest -----------------------------------------------------------------------------------

_ISBN, _ISSN = "ISBN", "ISSN"
_PUBLICATION_TYPES = {"book": "Book", "journal": "Journal", "article": "Article", "chapter": "Chapter"}


def borrowing_request_of_18626(msg: Request, *, request_id: str) -> BorrowingRequest:
    """The neutral request an ISO 18626 request carries; what has no field there goes into the note."""
    bib, pub, svc, patron = msg.bibliographic_info, msg.publication_info, msg.service_info, msg.patron_info
    ids = bib.bibliographic_item_id
    isbn = tuple(i.bibliographic_item_identifier for i in ids
                 if i.bibliographic_item_identifier_code.value.upper() == _ISBN)
    issn = tuple(i.bibliographic_item_identifier for i in ids
                 if i.bibliographic_item_identifier_code.value.upper() == _ISSN)
    other_ids = tuple(i for i in ids if i.bibliographic_item_identifier_code.value.upper() not in (_ISBN, _ISSN))
    oclc = next((r.bibliographic_record_identifier for r in bib.bibliographic_record_id
                 if r.bibliographic_record_identifier_code.value.upper() == "OCLC"), None)
    other_records = tuple(r for r in bib.bibliographic_record_id
                          if r.bibliographic_record_identifier_code.value.upper() != "OCLC")
    service = Service.COPY if svc is not None and svc.service_type is ServiceType.COPY else Service.LOAN
    delivery = next((d.address for d in msg.requested_delivery_info if d.address is not None), None)
    name = " ".join(p for p in (patron.given_name, patron.surname) if p) if patron else ""
    leftovers = [
        _label("service-type", "CopyOrLoan" if svc is not None and svc.service_type is ServiceType.COPY_OR_LOAN
               else None),
        _label("supplier-unique-record-id", bib.supplier_unique_record_id),
        _label("bibliographic-item-id", other_ids), _label("bibliographic-record-id", other_records),
        _label("volume", bib.volume[1:]), _label("sponsor", bib.sponsor),
        _label("information-source", bib.information_source),
        _label("estimated-no-pages", bib.estimated_no_pages),
        _label("service-level", svc.service_level if svc else None),
        _label("item-format", svc.item_format if svc else None),
        _label("copyright-compliance", svc.copyright_compliance if svc else None),
        _label("loan-condition", svc.loan_condition if svc else None),
        _label("patron-type", patron.patron_type if patron else None),
        _label("billing", msg.billing_info),
        _label("supplier-info", msg.supplier_info),
    ]
    return BorrowingRequest(
        request_id=request_id, requester=symbol_of(msg.header.requesting_agency_id), service=service,
        title=bib.title, author=bib.author, subtitle=bib.subtitle, series_title=bib.series_title,
        edition=bib.edition, publisher=pub.publisher if pub else None,
        place_of_publication=pub.place_of_publication if pub else None,
        publication_date=pub.publication_date if pub else None,
        medium=pub.publication_type.value if pub and pub.publication_type else None,
        title_of_component=bib.title_of_component, author_of_component=bib.author_of_component,
        volume=bib.volume[0] if bib.volume else None, issue=bib.issue, pages=bib.pages_requested,
        isbn=isbn, issn=issn, oclc_number=oclc,
        patron=Patron(id=patron.patron_id, name=name or None) if patron else None,
        need_before=_day(svc.need_before_date) if svc else None,
        delivery_address=_text(delivery) if delivery is not None else None,
        note=join_notes(svc.note if svc else None, *leftovers),
        suppliers=tuple(symbol_of(s.supplier_code) for s in msg.supplier_info if s.supplier_code))


def request_for(req: BorrowingRequest, leg: Leg18626, at: _dt.datetime) -> Request:
    """The ISO 18626 request for a neutral request on one leg (the gateway asking an 18626 supplier)."""
    ids = tuple(BibliographicItemId(bibliographic_item_identifier=v,
                                    bibliographic_item_identifier_code=SchemeValue(code))
                for code, values in ((_ISBN, req.isbn), (_ISSN, req.issn)) for v in values)
    records = (BibliographicRecordId(bibliographic_record_identifier_code=SchemeValue("OCLC"),
                                     bibliographic_record_identifier=req.oclc_number),) if req.oclc_number else ()
    pub_type = _PUBLICATION_TYPES.get((req.medium or "").lower())
    publication = PublicationInfo(publisher=req.publisher, publication_date=req.publication_date,
                                  place_of_publication=req.place_of_publication,
                                  publication_type=SchemeValue(pub_type) if pub_type else None)
    extra = [_label("medium", req.medium if req.medium and pub_type is None else None),
             _label("patron-email", req.patron.email if req.patron else None),
             _label("patron-name", req.patron.name if req.patron else None)]
    return Request(
        header=_header(leg, at),
        bibliographic_info=BibliographicInfo(
            title=req.title, author=req.author, subtitle=req.subtitle, series_title=req.series_title,
            edition=req.edition, title_of_component=req.title_of_component,
            author_of_component=req.author_of_component, volume=(req.volume,) if req.volume else (),
            issue=req.issue, pages_requested=req.pages, bibliographic_item_id=ids, bibliographic_record_id=records),
        publication_info=publication if any((req.publisher, req.publication_date, req.place_of_publication,
                                             pub_type)) else None,
        service_info=ServiceInfo(service_type=ServiceType.COPY if req.service is Service.COPY else ServiceType.LOAN,
                                 need_before_date=_end_of(req.need_before) if req.need_before else None,
                                 note=join_notes(req.note, *extra)),
        requested_delivery_info=(RequestedDeliveryInfo(sort_order=1, address=PhysicalAddress(
            line1=req.delivery_address)),) if req.delivery_address else (),
        patron_info=PatronInfo(patron_id=req.patron.id) if req.patron and req.patron.id else None)


def _header(leg: Leg18626, at: _dt.datetime) -> Header:
    return Header(supplying_agency_id=leg.supplying_agency, requesting_agency_id=leg.requesting_agency,
                  timestamp=at, requesting_agency_request_id=leg.requesting_agency_request_id,
                  supplying_agency_request_id=leg.supplying_agency_request_id)


# --- Step -> message ----------------------------------------------------------------------------------------------

#: Rows written as a Notification because 18626 lacks the service: the prefix names it.
_AS_NOTIFICATION: dict[Kind, str] = {
    Kind.DAMAGED_BY_REQUESTER: "Damaged", Kind.DAMAGED_BY_SUPPLIER: "Damaged",
    Kind.FORWARDED: "Forwarded", Kind.STATUS_QUERY_BY_SUPPLIER: "Status query",
    Kind.REPORT_BY_REQUESTER: "Report", Kind.ERROR_REPORT_BY_SUPPLIER: "Error report",
}
_ACTIONS = {Kind.RECEIVED: Action.RECEIVED, Kind.RETURNED: Action.SHIPPED_RETURN,
            Kind.RETURNED_FORWARD: Action.SHIPPED_FORWARD, Kind.CANCEL: Action.CANCEL,
            Kind.REJECT_CONDITIONS: Action.CANCEL, Kind.RENEW: Action.RENEW, Kind.STATUS_QUERY: Action.STATUS_REQUEST,
            Kind.ACCEPT_CONDITIONS: Action.NOTIFICATION, Kind.MESSAGE_FROM_REQUESTER: Action.NOTIFICATION,
            Kind.LOST_BY_REQUESTER: Action.LOST, Kind.HOLD_RETURN: Action.HOLD_RETURN,
            Kind.DAMAGED_BY_REQUESTER: Action.NOTIFICATION, Kind.REPORT_BY_REQUESTER: Action.NOTIFICATION}
_STATUSES = {Kind.WILL_SUPPLY: Status.WILL_SUPPLY, Kind.EXPECT_TO_SUPPLY: Status.EXPECT_TO_SUPPLY,
             Kind.RETRY: Status.RETRY_POSSIBLE, Kind.ESTIMATE: Status.RETRY_POSSIBLE, Kind.UNFILLED: Status.UNFILLED,
             Kind.LOCATIONS_PROVIDED: Status.UNFILLED, Kind.EXPIRED: Status.UNFILLED,
             Kind.REQUEST_RECEIVED: Status.REQUEST_RECEIVED, Kind.SHIPPED_LOAN: Status.LOANED,
             Kind.SHIPPED_COPY: Status.COPY_COMPLETED, Kind.CHECKED_IN: Status.LOAN_COMPLETED,
             Kind.OVERDUE: Status.OVERDUE, Kind.RECALL: Status.RECALLED,
             Kind.LOST_BY_SUPPLIER: Status.COMPLETED_WITHOUT_RETURN, Kind.CANCEL_ACCEPTED: Status.CANCELLED,
             Kind.RENEW_GRANTED: Status.LOANED, Kind.SUPPLIER_HOLD_RETURN: Status.HOLD_RETURN}
# Dates 18626 has no element for on that message: kept as note text.
_DATE_LABELS = {Kind.RECEIVED: "date received", Kind.RETURNED: "date returned",
                Kind.RETURNED_FORWARD: "date returned", Kind.CHECKED_IN: "date checked in",
                Kind.RENEW: "desired due date", Kind.WILL_SUPPLY: "supply date"}


def message_for(step: Step, leg: Leg18626) -> Request | RequestingAgencyMessage | SupplyingAgencyMessage:
    """The ISO 18626 message that carries `step` on this leg, in the partner's version."""
    k, at = step.kind, step.at
    if k is Kind.REQUEST:
        if step.request is None:
            raise ValueError("a request step without its BorrowingRequest")
        return request_for(step.request, leg, at)
    dated = step.date_due if k is Kind.RENEW else step.date
    date_note = f"{_DATE_LABELS[k]}: {dated.isoformat()}" if k in _DATE_LABELS and dated else None
    prefix = _AS_NOTIFICATION.get(k)
    if k in _ACTIONS:
        action = _ACTIONS[k]
        note = join_notes(f"{prefix}:" if prefix else None, step.note, date_note)
        if action in (Action.LOST, Action.HOLD_RETURN) and leg.version != "2021":
            note = join_notes("Lost:" if action is Action.LOST else "Hold return:", note)
            action = Action.NOTIFICATION  # v1.2 has neither action
        return RequestingAgencyMessage(header=_header(leg, at), action=action, note=note)
    return _sam(step, leg, prefix, date_note)


def _sam(step: Step, leg: Leg18626, prefix: str | None, date_note: str | None) -> SupplyingAgencyMessage:
    k, at = step.kind, step.at
    row = step.row
    status = _STATUSES.get(k, step.status)
    if k is Kind.CONDITIONAL:
        status = step.status if step.status in PRE_SUPPLY_STATUSES else Status.WILL_SUPPLY
    if k is Kind.CANCEL_REFUSED and status in (None, Status.CANCELLED):
        status = Status.WILL_SUPPLY
    if k is Kind.RENEW_REFUSED and status not in (Status.LOANED, Status.OVERDUE, Status.RECALLED):
        status = Status.LOANED
    if status in (Status.HOLD_RETURN, Status.RELEASE_HOLD_RETURN) and leg.version != "2021":
        prefix, status = "Hold return", step.status if step.status not in (Status.HOLD_RETURN, None) else None
        if status is None:
            status = Status.LOANED
    if status is None:  # a notification with nothing known: the gateway sends it before any answer
        status = Status.REQUEST_RECEIVED
    reason = row.reason or (RFM.STATUS_CHANGE if leg.answered else RFM.REQUEST_RESPONSE)
    if prefix is not None:
        reason = RFM.NOTIFICATION
    notes: list[str | None] = [f"{prefix}:" if prefix else None, step.note, date_note]
    reason_unfilled = reason_retry = None
    if k in (Kind.UNFILLED, Kind.LOCATIONS_PROVIDED, Kind.EXPIRED) and step.reason:
        reason_unfilled = SchemeValue(step.reason)
    if k in (Kind.RETRY, Kind.ESTIMATE) and (step.reason or k is Kind.ESTIMATE):
        reason_retry = SchemeValue(step.reason or "CostExceedsMaxCost")
    retry_after = _end_of(step.date) if k is Kind.RETRY and step.date else None
    expected = _end_of(step.date) if k is Kind.EXPECT_TO_SUPPLY and step.date else None
    due = _end_of(step.date_due) if step.date_due and k in (Kind.SHIPPED_LOAN, Kind.RENEW_GRANTED,
                                                             Kind.OVERDUE) else None
    if step.date_due and due is None and k not in (Kind.RENEW,):
        notes.append(f"due date: {step.date_due.isoformat()}")
    if not step.renewable:
        notes.append("not renewable")
    delivery = None
    if k in (Kind.SHIPPED_LOAN, Kind.SHIPPED_COPY):
        sent = _end_of(step.date) if step.date else at
        delivery = DeliveryInfo(date_sent=sent)
    elif k is Kind.CONDITIONAL:
        # mod-rs and crosslink read conditions from deliveryInfo/loanCondition on a pre-supply status
        # (deliveryInfo needs a dateSent: the time of the proposal); ReShare's note marker says so too
        delivery = DeliveryInfo(date_sent=at, loan_condition=tuple(SchemeValue(c) for c in step.conditions)
                                or (SchemeValue(OTHER_CONDITION),))
        notes.insert(0, "#ReShareAddLoanCondition#")
    retry = None
    if retry_after is not None and leg.version == "2021":
        retry = RetryInfo(retry_after=retry_after)
    elif retry_after is not None:
        retry = RetryInfo(retry_after=retry_after)  # the v1.2 writer moves it into messageInfo
    answer = None if row.answer is None else (YesNo.Y if row.answer else YesNo.N)
    return SupplyingAgencyMessage(
        header=_header(leg, at),
        message_info=MessageInfo(reason_for_message=reason, answer_yes_no=answer, note=join_notes(*notes),
                                 reason_unfilled=reason_unfilled, reason_retry=reason_retry),
        status_info=StatusInfo(status=status, expected_delivery_date=expected, due_date=due, last_change=at),
        retry_info=retry, delivery_info=delivery)


# --- message -> Step ----------------------------------------------------------------------------------------------

def step_of_message(msg: Request | RequestingAgencyMessage | SupplyingAgencyMessage, *, stage: Stage = Stage.IDLE,
                    request_id: str = "") -> Step:
    """Read one ISO 18626 message into the bridge's neutral form; `stage` is where the transaction is (a
    Notification accepts conditions only in CONDITIONAL). Raises KeyError for a code the bridge cannot place."""
    at = msg.header.timestamp
    if isinstance(msg, Request):
        return Step(kind=Kind.REQUEST, at=at, request=borrowing_request_of_18626(msg, request_id=request_id))
    if isinstance(msg, RequestingAgencyMessage):
        if msg.action is None:
            return Step(kind=Kind.MESSAGE_FROM_REQUESTER, at=at, note=join_notes("(empty action)", msg.note))
        return Step(kind=kind_of_action(msg.action, stage), at=at, note=msg.note)
    info, status_info = msg.message_info, msg.status_info
    status = status_info.status
    delivery = msg.delivery_info
    conditions = tuple(c.value for c in delivery.loan_condition) if delivery else ()
    retry_conditions = tuple(c.value for c in msg.retry_info.loan_condition) if msg.retry_info else ()
    answer = None if info.answer_yes_no is None else info.answer_yes_no is YesNo.Y
    kind = kind_of_sam(info.reason_for_message, status, answer=answer,
                       loan_conditions=bool(conditions or retry_conditions))
    fields: dict[str, Any] = {"status": status}
    extra: list[str | None] = []
    reason = info.reason_unfilled or info.reason_retry
    if reason is not None:
        fields["reason"] = reason.value
    if kind is Kind.CONDITIONAL:
        fields["conditions"] = conditions or retry_conditions
    if kind is Kind.EXPECT_TO_SUPPLY:
        fields["date"] = _day(status_info.expected_delivery_date)
    elif kind is Kind.RETRY and msg.retry_info is not None:
        fields["date"] = _day(msg.retry_info.retry_after)
    elif kind in (Kind.SHIPPED_LOAN, Kind.SHIPPED_COPY) and delivery is not None:
        fields["date"] = _day(delivery.date_sent)
    if status_info.due_date is not None and kind in (Kind.SHIPPED_LOAN, Kind.RENEW_GRANTED, Kind.OVERDUE):
        fields["date_due"] = _day(status_info.due_date)
    elif status_info.due_date is not None:
        extra.append(f"due date: {status_info.due_date.date().isoformat()}")
    if kind is Kind.MESSAGE_FROM_SUPPLIER and status is not None and info.reason_for_message is not RFM.NOTIFICATION:
        extra.append(f"status: {status.value}")
    if kind is not Kind.EXPECT_TO_SUPPLY:
        extra.append(_label("expected delivery date", _day(status_info.expected_delivery_date)))
    if msg.retry_info is not None:
        r = msg.retry_info
        extra += [_label("retry before", _day(r.retry_before)), _label("offered costs", _costs(r.offered_costs)),
                  _label("retry after", _day(r.retry_after) if kind is not Kind.RETRY else None),
                  _label("edition", r.edition), _label("item format", r.item_format), _label("volume", r.volume),
                  _label("service type", r.service_type.value if r.service_type else None),
                  _label("delivery method", r.delivery_method), _label("payment method", r.payment_method)]
    if delivery is not None:
        extra += [_label("item id", delivery.item_id), _label("url", delivery.url),
                  _label("delivery method", delivery.delivery_method), _label("address", delivery.address),
                  _label("item format", delivery.item_format),
                  _label("delivery costs", _costs(delivery.delivery_costs)),
                  _label("loan condition", conditions if kind is not Kind.CONDITIONAL else None)]
    if msg.return_info is not None:
        extra.append(_label("return to", msg.return_info))
    if msg.shipping_info is not None:
        extra.append(_label("shipping", msg.shipping_info))
    return Step(kind=kind, at=at, note=join_notes(info.note, *extra), **fields)


def _costs(costs: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(f"{Decimal(c.monetary_value)} {c.currency_code.value}" for c in costs)
