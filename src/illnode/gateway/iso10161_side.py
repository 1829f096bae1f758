"""The ISO 10161 side of the bridge: an APDU read into a bridge `Step` (and an ILL-Request into a
`BorrowingRequest`), and a `Step` written as an APDU for one leg of a transaction.

What an APDU carries that a Step has no field for is written into the Step's note as `label: value` text.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import attrs

import isoill
from illcore.request import BorrowingRequest, Patron, Service
from illnode.gateway.bridge import (
    CONDITIONS,
    OTHER_CONDITION,
    REASONS_RETRY,
    REASONS_UNFILLED,
    STATE_OF_STATUS,
    STATUS_OF_STATE,
    Kind,
    Side,
    Step,
    join_notes,
    kind_of_apdu,
)
from iso18626 import Status
from isoill.render import render

R = isoill.TransactionResults

__all__ = ["Leg10161", "apdu_for", "borrowing_request_of", "date10", "ill_request_for", "parse_date10",
           "service_date_time", "step_of_apdu", "system_id"]


@attrs.frozen(kw_only=True)
class Leg10161:
    """One ISO 10161 conversation of a gateway transaction: the transaction id both ends use, the two system
    ids, and extensions to carry on every APDU (APDU-Delivery-Info, a profile's own)."""

    transaction_id: isoill.TransactionId
    requester_id: isoill.SystemId | None = None
    responder_id: isoill.SystemId | None = None
    extensions: tuple[isoill.Extension, ...] = ()


def system_id(symbol: str, name: str | None = None) -> isoill.SystemId:
    """A System-Id with an institution symbol (and name)."""
    return isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol(symbol),
                      name_of_person_or_institution=isoill.NameOfInstitution(name) if name else None)


def date10(day: _dt.date) -> str:
    """ISO-Date (YYYYMMDD)."""
    return day.strftime("%Y%m%d")


_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")


def parse_date10(text: str | None) -> _dt.date | None:
    """An ISO-Date as a date; None for text that is not one (the caller keeps such text in a note)."""
    if not text:
        return None
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return _dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def service_date_time(at: _dt.datetime) -> isoill.ServiceDateTime:
    return isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=date10(at), time=at.strftime("%H%M%S")))


def _s(value: object) -> str | None:
    return None if value is None else str(value)


def isbn10(isbn: str) -> str | None:
    """`isbn` as ISO 10161's 10-character iSBN: an ISBN-10 without separators, or the ISBN-10 an ISBN-13 with
    prefix 978 equals (ISO 2108: same nine digits, the mod-11 check digit); None when it has none (979-)."""
    digits = re.sub(r"[\s-]", "", isbn).upper()
    if re.fullmatch(r"\d{9}[\dX]", digits):
        return digits
    if not re.fullmatch(r"978\d{10}", digits):
        return None
    body = digits[3:12]
    check = -sum((10 - i) * int(d) for i, d in enumerate(body)) % 11
    return body + ("X" if check == 10 else str(check))


def issn8(issn: str) -> str | None:
    """`issn` as ISO 10161's 8-character iSSN (the hyphen dropped), or None when it is not one."""
    digits = re.sub(r"[\s-]", "", issn).upper()
    return digits if re.fullmatch(r"\d{7}[\dX]", digits) else None


def _label(name: str, value: object) -> str | None:
    if value is None or value == () or value == "":
        return None
    items = value if isinstance(value, tuple) else (value,)
    text = "; ".join(render(v) if attrs.has(type(v)) else str(v) for v in items)
    return f"{name}: {' '.join(text.split())}"


# --- ILL-Request <-> BorrowingRequest ----------------------------------------------------------------------------

_MEDIUM = {isoill.ItemType.MONOGRAPH: "Book", isoill.ItemType.SERIAL: "Journal"}
_ITEM_TYPE = {"book": isoill.ItemType.MONOGRAPH, "journal": isoill.ItemType.SERIAL, "article": isoill.ItemType.SERIAL}


def _delivery_text(address: isoill.DeliveryAddress | None) -> str | None:
    if address is None:
        return None
    parts: list[str | None] = []
    post = address.postal_address
    if post is not None:
        name = post.name_of_person_or_institution
        parts += [_s(name.value) if name is not None else None,
                  *(_s(getattr(post, f)) for f in ("extended_postal_delivery_address", "street_and_number",
                                                   "post_office_box", "postal_code", "city", "region",
                                                   "country"))]
    if address.electronic_address is not None:
        parts.append(_s(address.electronic_address.telecom_service_address))
    return ", ".join(p for p in parts if p) or None


def borrowing_request_of(apdu: isoill.ILLRequest, *, request_id: str) -> BorrowingRequest:
    """The neutral request an ILL-Request carries; what has no field there goes into the note, labelled."""
    item = apdu.item_id
    services = apdu.ill_service_type
    service = Service.COPY if services and services[0] is isoill.ILLServiceType.COPY_NON_RETURNABLE else Service.LOAN
    client = apdu.client_id
    patron = None if client is None else Patron(id=_s(client.client_identifier), name=_s(client.client_name))
    search = apdu.search_type
    need = parse_date10(search.need_before_date) if search else None
    requester = apdu.requester_id or apdu.transaction_id.initial_requester_id
    symbol = requester.person_or_institution_symbol if requester else None
    vol, issue = _s(item.volume_issue), None
    medium = _MEDIUM.get(item.item_type) if item.item_type is not None else None
    if item.item_type is isoill.ItemType.SERIAL and item.title_of_article:
        medium = "Article"
    leftovers = [
        _label("ill-service-type", ", ".join(s.name.lower().replace("_", "-") for s in services[1:])
               if len(services) > 1 else None),
        _label("item-type", item.item_type.name.lower() if item.item_type is isoill.ItemType.OTHER else None),
        _label("held-medium-type", item.held_medium_type.name.lower() if item.held_medium_type else None),
        _label("call-number", item.call_number), _label("sponsoring-body", item.sponsoring_body),
        _label("publication-date-of-component", item.publication_date_of_component),
        _label("national-bibliography-no", item.national_bibliography_no),
        _label("system-no", item.system_no), _label("additional-no-letters", item.additional_no_letters),
        _label("verification-reference-source", item.verification_reference_source),
        _label("client-status", client.client_status if client else None),
        _label("need-before-date", search.need_before_date if search and need is None else None),
        _label("level-of-service", search.level_of_service if search else None),
        _label("expiry-date", search.expiry_date if search else None),
        _label("cost-info", apdu.cost_info_type), _label("billing-address", apdu.billing_address),
        _label("delivery-service", apdu.delivery_service),
        _label("copyright-compliance", apdu.copyright_compliance),
        _label("supply-medium", apdu.supply_medium_info_type),
        _label("place-on-hold", apdu.place_on_hold.name.lower()
               if apdu.place_on_hold is not isoill.PlaceOnHoldType.ACCORDING_TO_RESPONDER_POLICY else None),
        _label("forward-note", apdu.forward_note),
    ]
    return BorrowingRequest(
        request_id=request_id, requester=str(symbol.value) if symbol else "", service=service,
        title=_s(item.title), author=_s(item.author), subtitle=_s(item.sub_title),
        series_title=_s(item.series_title_number), edition=_s(item.edition), publisher=_s(item.publisher),
        place_of_publication=_s(item.place_of_publication), publication_date=_s(item.publication_date),
        medium=medium, title_of_component=_s(item.title_of_article),
        author_of_component=_s(item.author_of_article), volume=vol, issue=issue, pages=_s(item.pagination),
        isbn=(str(item.isbn),) if item.isbn else (), issn=(str(item.issn),) if item.issn else (),
        patron=patron, need_before=need, delivery_address=_delivery_text(apdu.delivery_address),
        note=join_notes(_s(apdu.requester_note), *leftovers))


def ill_request_for(req: BorrowingRequest, leg: Leg10161, at: _dt.datetime) -> isoill.ILLRequest:
    """The ILL-Request for a neutral request on one leg (the gateway asking a 10161 supplier)."""
    # Item-Id's iSBN is SIZE (10) and iSSN SIZE (8): the first identifier that fits (an ISBN-13 of the 978 range
    # rewritten as the ISBN-10 it equals) goes in the field, every other one in the note.
    isbn_from, isbn = next(((i, f) for i in req.isbn if (f := isbn10(i)) is not None), (None, None))
    issn_from, issn = next(((i, f) for i in req.issn if (f := issn8(i)) is not None), (None, None))
    item = isoill.ItemId(
        item_type=_ITEM_TYPE.get((req.medium or "").lower()), author=req.author, title=req.title,
        sub_title=req.subtitle, place_of_publication=req.place_of_publication, publisher=req.publisher,
        series_title_number=req.series_title, volume_issue=join_notes(req.volume, req.issue),
        edition=req.edition, publication_date=req.publication_date, author_of_article=req.author_of_component,
        title_of_article=req.title_of_component, pagination=req.pages,
        isbn=isbn, issn=issn)
    extra = [_label("isbn", ", ".join(i for i in req.isbn if i != isbn_from)),
             _label("issn", ", ".join(i for i in req.issn if i != issn_from)),
             _label("oclc-number", req.oclc_number), _label("patron-email", req.patron.email if req.patron else None),
             _label("medium", req.medium if req.medium and req.medium.lower() not in _ITEM_TYPE else None)]
    patron = req.patron
    service = isoill.ILLServiceType.COPY_NON_RETURNABLE if req.service is Service.COPY else isoill.ILLServiceType.LOAN
    return isoill.ILLRequest(
        transaction_id=leg.transaction_id, service_date_time=service_date_time(at), requester_id=leg.requester_id,
        responder_id=leg.responder_id, ill_service_type=(service,),
        delivery_address=isoill.DeliveryAddress(postal_address=isoill.PostalAddress(
            extended_postal_delivery_address=req.delivery_address)) if req.delivery_address else None,
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.REQUIRES),
        search_type=isoill.SearchType(need_before_date=date10(req.need_before)) if req.need_before else None,
        client_id=isoill.ClientId(client_name=patron.name, client_identifier=patron.id) if patron else None,
        item_id=item, requester_note=join_notes(req.note, *extra),
        ill_request_extensions=leg.extensions or None)


# --- Step -> APDU -------------------------------------------------------------------------------------------------

def _first(mapping: dict[Any, str], token: str | None) -> Any:
    for key, value in mapping.items():
        if token is not None and value.lower() == token.lower():
            return key
    return None


def _reason_note(step: Step, known: object) -> str | None:
    # an 18626 reason with no 10161 counterpart is kept as text
    return None if known is not None or step.reason is None else f"reason: {step.reason}"


def _date_due(step: Step, at: _dt.datetime) -> isoill.DateDue:
    return isoill.DateDue(date_due_field=date10(step.date_due or at.date()), renewable=step.renewable)


def _history(step: Step, leg: Leg10161, request: isoill.ILLRequest | None) -> isoill.HistoryReport:
    status = step.status or Status.REQUEST_RECEIVED
    recent = {isoill.CurrentState.SHIPPED: isoill.MostRecentService.SHIPPED,
              isoill.CurrentState.CHECKED_IN: isoill.MostRecentService.CHECKED_IN,
              isoill.CurrentState.CANCELLED: isoill.MostRecentService.CANCEL_REPLY,
              isoill.CurrentState.RECALL: isoill.MostRecentService.RECALL}.get(STATE_OF_STATUS[status],
                                                                     isoill.MostRecentService.ILL_ANSWER)
    day = date10(step.at)
    item = request.item_id if request else None
    return isoill.HistoryReport(
        date_requested=request.service_date_time.date_time_of_this_service.date if request else None,
        author=item.author if item else None, title=item.title if item else None,
        date_of_last_transition=day, most_recent_service=recent, date_of_most_recent_service=day,
        initiator_of_most_recent_service=leg.responder_id or isoill.SystemId(), most_recent_service_note=step.note)


def apdu_for(step: Step, leg: Leg10161, *, request: isoill.ILLRequest | None = None) -> isoill.APDU:
    """The APDU that carries `step` on this leg. `request` (the leg's ILL-Request) fills a status report's
    History-Report. Raises ValueError for a row that has no ISO 10161 form of its own (see Ways)."""
    at = step.at
    common: dict[str, Any] = {"transaction_id": leg.transaction_id, "service_date_time": service_date_time(at),
                              "requester_id": leg.requester_id, "responder_id": leg.responder_id}
    k = step.kind
    ext = leg.extensions or None

    def build(cls: type[isoill.APDU], **fields: Any) -> isoill.APDU:
        fields[cls.EXTENSIONS_FIELD] = ext
        return cls(**common, **fields)

    def answer(results: isoill.TransactionResults, explanation: isoill.ResultsExplanation | None,
               *notes: str | None) -> isoill.APDU:
        return build(isoill.ILLAnswer, transaction_results=results, results_explanation=explanation,
                     responder_note=join_notes(step.note, *notes))

    if k is Kind.REQUEST:
        if step.request is None:
            raise ValueError("a request step without its BorrowingRequest")
        return attrs.evolve(ill_request_for(step.request, leg, at), ill_request_extensions=ext)
    if k is Kind.WILL_SUPPLY:
        return answer(R.WILL_SUPPLY, isoill.WillSupplyResults(
            reason_will_supply=isoill.ReasonWillSupply.BEING_PROCESSED_FOR_SUPPLY,
            supply_date=date10(step.date) if step.date else None))
    if k is Kind.EXPECT_TO_SUPPLY:
        return answer(R.HOLD_PLACED, isoill.HoldPlacedResults(estimated_date_available=date10(step.date or at.date())),
                      None if step.date else "estimated date not given")
    if k is Kind.CONDITIONAL:
        codes = [_first(CONDITIONS, c) for c in step.conditions]
        first = next((c for c in codes if c is not None), isoill.Conditions.OTHER)
        rest = [c for c, code in zip(step.conditions, codes, strict=True) if code is not first and c != OTHER_CONDITION]
        return answer(R.CONDITIONAL, isoill.ConditionalResults(conditions=first),
                      _label("conditions", ", ".join(rest)))
    if k is Kind.RETRY:
        why = _first(REASONS_RETRY, step.reason)
        return answer(R.RETRY, isoill.RetryResults(reason_not_available=why,
                                              retry_date=date10(step.date) if step.date else None),
                      _reason_note(step, why))
    if k is Kind.UNFILLED:
        unfilled = _first(REASONS_UNFILLED, step.reason)
        return answer(R.UNFILLED, isoill.UnfilledResults(reason_unfilled=unfilled or isoill.ReasonUnfilled.OTHER),
                      _reason_note(step, unfilled))
    if k in (Kind.ACCEPT_CONDITIONS, Kind.REJECT_CONDITIONS):
        return build(isoill.ConditionalReply, answer=k is Kind.ACCEPT_CONDITIONS, requester_note=step.note)
    if k in (Kind.SHIPPED_LOAN, Kind.SHIPPED_COPY):
        loan = k is Kind.SHIPPED_LOAN
        return build(isoill.Shipped, shipped_service_type=isoill.ILLServiceType.LOAN if loan
                     else isoill.ILLServiceType.COPY_NON_RETURNABLE,
                     supply_details=isoill.SupplyDetails(date_shipped=date10(step.date or at.date()),
                                                    date_due=_date_due(step, at) if loan and step.date_due else None),
                     responder_note=step.note)
    if k is Kind.RECEIVED:
        return build(isoill.Received, date_received=date10(step.date or at.date()),
                     shipped_service_type=isoill.ILLServiceType.COPY_NON_RETURNABLE if step.service is Service.COPY
                     else isoill.ILLServiceType.LOAN, requester_note=step.note)
    if k in (Kind.RETURNED, Kind.RETURNED_FORWARD):
        return build(isoill.Returned, date_returned=date10(step.date or at.date()), requester_note=step.note)
    if k is Kind.CHECKED_IN:
        return build(isoill.CheckedIn, date_checked_in=date10(step.date or at.date()), responder_note=step.note)
    if k is Kind.CANCEL:
        return build(isoill.Cancel, requester_note=step.note)
    if k in (Kind.CANCEL_ACCEPTED, Kind.CANCEL_REFUSED):
        return build(isoill.CancelReply, answer=k is Kind.CANCEL_ACCEPTED, responder_note=step.note)
    if k is Kind.RENEW:
        return build(isoill.Renew, desired_due_date=date10(step.date_due) if step.date_due else None,
                     requester_note=step.note)
    if k in (Kind.RENEW_GRANTED, Kind.RENEW_REFUSED):
        granted = k is Kind.RENEW_GRANTED
        return build(isoill.RenewAnswer, answer=granted, date_due=_date_due(step, at) if granted else None,
                     responder_note=join_notes(step.note, None if step.date_due or not granted
                                               else "new due date not given"))
    if k is Kind.OVERDUE:
        return build(isoill.Overdue, date_due=_date_due(step, at), responder_note=step.note)
    if k is Kind.RECALL:
        return build(isoill.Recall, responder_note=step.note)
    if k in (Kind.LOST_BY_REQUESTER, Kind.LOST_BY_SUPPLIER):
        return build(isoill.Lost, note=step.note)
    if k in (Kind.DAMAGED_BY_REQUESTER, Kind.DAMAGED_BY_SUPPLIER):
        return build(isoill.Damaged, note=step.note)
    if k in (Kind.STATUS_QUERY, Kind.STATUS_QUERY_BY_SUPPLIER):
        return build(isoill.StatusQuery, note=step.note)
    if k is Kind.STATUS_REPORT:
        state = STATE_OF_STATUS[step.status or Status.REQUEST_RECEIVED]
        return build(isoill.StatusOrErrorReport, status_report=isoill.StatusReport(
            user_status_report=_history(step, leg, request), provider_status_report=state), note=step.note)
    if k is Kind.EXPIRED:
        return build(isoill.Expired)
    if k in _AS_MESSAGE:
        return build(isoill.Message, note=join_notes(_AS_MESSAGE[k], step.note) or "(no text)")
    raise ValueError(f"{k.value}: no ISO 10161 APDU of its own (the bridge writes it only towards ISO 18626)")


# Rows whose 10161 form is a Message: the prefix says what the 18626 message was.
_AS_MESSAGE: dict[Kind, str | None] = {
    Kind.MESSAGE_FROM_REQUESTER: None, Kind.MESSAGE_FROM_SUPPLIER: None,
    Kind.REQUEST_RECEIVED: "Request received by the supplier", Kind.HOLD_RETURN: "Hold return (the requester "
    "keeps the item a little longer)", Kind.SUPPLIER_HOLD_RETURN: "The supplier holds or releases the return",
}


# --- APDU -> Step ---------------------------------------------------------------------------------------------------

def _when(apdu: isoill.APDU) -> _dt.datetime:
    dt = apdu.service_date_time.date_time_of_this_service
    day = parse_date10(dt.date) or _dt.date(1970, 1, 1)
    time = dt.time or "000000"
    try:
        clock = _dt.time(int(time[0:2]), int(time[2:4]), int(time[4:6]))
    except ValueError:
        clock = _dt.time()
    return _dt.datetime.combine(day, clock, tzinfo=_dt.timezone.utc)


def _dated(label: str, text: str | None) -> tuple[_dt.date | None, str | None]:
    """A date field: parsed, or kept as labelled text when it is not an ISO-Date."""
    day = parse_date10(text)
    return day, (None if day is not None or not text else f"{label}: {text}")


def step_of_apdu(apdu: isoill.APDU, sender: Side, *, request_id: str = "") -> Step:
    """Read one APDU, sent by `sender`, into the bridge's neutral form (`request_id` names an ILL-Request's
    BorrowingRequest). Raises KeyError for an APDU that side never sends."""
    results = apdu.transaction_results if isinstance(apdu, isoill.ILLAnswer) else None
    answer = bool(apdu.answer) if isinstance(apdu, (isoill.ConditionalReply, isoill.CancelReply, isoill.RenewAnswer)) else None
    copy = isinstance(apdu, isoill.Shipped) and apdu.shipped_service_type is isoill.ILLServiceType.COPY_NON_RETURNABLE
    report = isinstance(apdu, isoill.StatusOrErrorReport) and apdu.status_report is not None
    kind = kind_of_apdu(apdu.APDU_TYPE, sender, results=results, answer=answer, copy=copy, status_report=report)
    at = _when(apdu)
    own = (getattr(apdu, "requester_note", None) or getattr(apdu, "responder_note", None)
           or getattr(apdu, "note", None))
    fields: dict[str, Any] = {}
    extra: list[str | None] = []
    if isinstance(apdu, isoill.ILLRequest):
        fields["request"] = borrowing_request_of(apdu, request_id=request_id)
        own = None  # already in the request's note
    elif isinstance(apdu, isoill.ILLAnswer):
        fields, extra = _answer_fields(apdu)
    elif isinstance(apdu, isoill.Shipped):
        details = apdu.supply_details
        fields["date"], bad = _dated("date-shipped", details.date_shipped)
        if details.date_due is not None:
            fields["date_due"], bad_due = _dated("date-due", details.date_due.date_due_field)
            fields["renewable"] = details.date_due.renewable
            extra.append(bad_due)
        extra += [bad, _label("cost", details.cost), _label("shipped-conditions", details.shipped_conditions.name
                                                             .lower() if details.shipped_conditions else None),
                  _label("shipped-via", details.shipped_via), _label("insured-for", details.insured_for),
                  _label("return-insurance-require", details.return_insurance_require),
                  _label("return-to-address", apdu.return_to_address),
                  _label("responder-address", apdu.responder_address)]
        fields["service"] = Service.COPY if copy else Service.LOAN
    elif isinstance(apdu, isoill.Received):
        fields["date"], bad = _dated("date-received", apdu.date_received)
        fields["service"] = (Service.COPY if apdu.shipped_service_type is isoill.ILLServiceType.COPY_NON_RETURNABLE
                             else Service.LOAN)
        extra.append(bad)
    elif isinstance(apdu, isoill.Returned):
        fields["date"], bad = _dated("date-returned", apdu.date_returned)
        extra += [bad, _label("returned-via", apdu.returned_via), _label("insured-for", apdu.insured_for)]
    elif isinstance(apdu, isoill.CheckedIn):
        fields["date"], bad = _dated("date-checked-in", apdu.date_checked_in)
        extra.append(bad)
    elif isinstance(apdu, (isoill.Overdue, isoill.RenewAnswer)) and apdu.date_due is not None:
        fields["date_due"], bad = _dated("date-due", apdu.date_due.date_due_field)
        fields["renewable"] = apdu.date_due.renewable
        extra.append(bad)
    elif isinstance(apdu, isoill.Renew):
        fields["date_due"], bad = _dated("desired-due-date", apdu.desired_due_date)
        extra.append(bad)
    elif isinstance(apdu, isoill.Damaged):
        extra.append(_label("damaged-details", apdu.damaged_details))
    elif isinstance(apdu, isoill.ForwardNotification):
        own = apdu.notification_note
        extra += [_label("forwarded to", apdu.responder_id), _label("responder-address", apdu.responder_address),
                  _label("intermediary", apdu.intermediary_id)]
    elif isinstance(apdu, isoill.StatusOrErrorReport):
        if apdu.status_report is not None:
            fields["status"] = STATUS_OF_STATE[apdu.status_report.provider_status_report]
            extra.append(_label("current-state", apdu.status_report.provider_status_report.name.lower()
                                .replace("_", "-")))
        extra += [_label("reason-no-report", apdu.reason_no_report.name.lower() if apdu.reason_no_report
                         else None), _label("error-report", apdu.error_report)]
    elif isinstance(apdu, isoill.Expired):
        extra.append("Expired: the supplier did not answer before the request expired")
    return Step(kind=kind, at=at, note=join_notes(_s(own), *extra), **fields)


def _answer_fields(apdu: isoill.ILLAnswer) -> tuple[dict[str, Any], list[str | None]]:
    why = apdu.results_explanation
    fields: dict[str, Any] = {}
    extra: list[str | None] = []
    if isinstance(why, isoill.UnfilledResults):
        fields["reason"] = REASONS_UNFILLED.get(why.reason_unfilled)
        if fields["reason"] is None:
            extra.append(_label("reason-unfilled", why.reason_unfilled.name.lower().replace("_", "-")))
    elif isinstance(why, isoill.RetryResults):
        if why.reason_not_available is not None:
            fields["reason"] = REASONS_RETRY.get(why.reason_not_available)
            if fields["reason"] is None:
                extra.append(_label("reason-not-available",
                                    why.reason_not_available.name.lower().replace("_", "-")))
        fields["date"], bad = _dated("retry-date", why.retry_date)
        extra.append(bad)
    elif isinstance(why, isoill.ConditionalResults):
        token = CONDITIONS.get(why.conditions)
        fields["conditions"] = (token or OTHER_CONDITION,)
        if token is None:
            extra.append(_label("conditions", why.conditions.name.lower().replace("_", "-")))
        extra += [_label("date-for-reply", why.date_for_reply),
                  _label("proposed-delivery-service", why.proposed_delivery_service)]
    elif isinstance(why, isoill.WillSupplyResults):
        fields["date"], bad = _dated("supply-date", why.supply_date)
        extra += [bad, _label("reason-will-supply", why.reason_will_supply.name.lower().replace("_", "-")
                              if why.reason_will_supply is not isoill.ReasonWillSupply.BEING_PROCESSED_FOR_SUPPLY
                              else None),
                  _label("return-to-address", why.return_to_address),
                  _label("electronic-delivery-service", why.electronic_delivery_service)]
    elif isinstance(why, isoill.HoldPlacedResults):
        fields["date"], bad = _dated("estimated-date-available", why.estimated_date_available)
        extra.append(bad)
    elif isinstance(why, isoill.LocationsResults):
        extra.append(_label("reason-locs-provided", why.reason_locs_provided.name.lower()
                            if why.reason_locs_provided else None))
    elif isinstance(why, isoill.EstimateResults):
        fields["reason"] = "CostExceedsMaxCost"
        extra.append(_label("cost-estimate", why.cost_estimate))
    if apdu.transaction_results is isoill.TransactionResults.ESTIMATE and why is None:
        fields["reason"] = "CostExceedsMaxCost"
    locations = getattr(why, "locations", None)
    extra += [_label("locations", locations), _label("send-to-list", apdu.send_to_list),
              _label("already-tried-list", apdu.already_tried_list)]
    return fields, extra
