"""Declarative element tables: for each ISO 18626 version, every complex type's children in schema order.

The reader, the writer, our XSDs (xsdgen) and the test strategies are all generated from these tables.
"""

from __future__ import annotations

import enum
from typing import Union

import attrs

from iso18626._model import codes as C
from iso18626._model import messages as M
from iso18626._model import parts as P
from iso18626._model import supplying as S

NS = "http://illtransactions.org/2013/iso18626"
VERSIONS = ("1.1", "1.2", "2021")

# Leaf kinds (XSD built-ins and the scheme/value pair). SVP_TEXT is a SchemeValue written as plain text
# (2021 physicalAddress/region), so it cannot carry a scheme.
STRING, DATETIME, INTEGER, NONNEG, DECIMAL, BOOLEAN, SVP, SVP_TEXT = (
    "string", "dateTime", "integer", "nonNegativeInteger", "decimal", "boolean", "svp", "svpText",
)


@attrs.frozen
class EnumKind:
    """A closed code list as one version defines it (`values` may omit newer members)."""

    cls: type[enum.Enum]
    type_name: str
    values: tuple[str, ...]


@attrs.frozen
class AddressKind:
    """The `address` wrapper: a choice of electronicAddress or physicalAddress."""

    electronic: Spec
    physical: Spec


Kind = Union[str, EnumKind, "Spec", AddressKind]


@attrs.frozen
class El:
    """One child element: XML name, model field, kind, occurrences (hi None = unbounded).

    `empty_none`: an empty element reads as None and a required one is written empty when None
    (multipleItemRequestId). `via`: name of a function building the value from the parent (v1.2 messageInfo).
    """

    xml: str
    field: str
    kind: Kind
    lo: int = 0
    hi: int | None = 1
    empty_none: bool = False
    via: str | None = None


@attrs.frozen
class Spec:
    """A complex type in one version: the model class and its children in order.

    `absorbs`: model fields written through another element's `via` (v1.2 SAM retry_info).
    """

    type_name: str
    cls: type
    elements: tuple[El, ...]
    absorbs: tuple[str, ...] = ()


def _e(xml: str, field: str, kind: Kind, lo: int = 0, hi: int | None = 1, **kw: object) -> El:
    return El(xml, field, kind, lo, hi, **kw)  # type: ignore[arg-type]


def _enum(cls: type[enum.Enum], type_name: str, version: str) -> EnumKind:
    vals = tuple(m.value for m in cls if version == "2021" or m not in C.ONLY_2021)
    return EnumKind(cls, type_name, vals)


def _build(version: str) -> dict[str, Spec]:
    """All specs of one version, keyed by type name; the six messages under their element names."""
    v12 = version != "2021"
    v11 = version == "1.1"

    def en(cls: type[enum.Enum], name: str) -> EnumKind:
        return _enum(cls, name, version)

    action = en(C.Action, "type_action")
    yes_no = en(C.YesNo, "type_yesNo")
    service_type = en(C.ServiceType, "type_serviceType")
    error_type = en(C.ErrorType, "type_errorType")
    many = None
    sort = INTEGER if v12 else NONNEG

    agency = Spec("AgencyId", P.AgencyId, (
        _e("agencyIdType", "agency_id_type", SVP, 1), _e("agencyIdValue", "agency_id_value", STRING, 1)))
    costs = Spec("Costs", P.Costs, (
        _e("currencyCode", "currency_code", SVP, 1), _e("monetaryValue", "monetary_value", DECIMAL, 1)))
    auth = Spec("Authentication", P.RequestingAgencyAuthentication, (
        _e("accountId", "account_id", STRING), _e("securityCode", "security_code", STRING)))
    electronic = Spec("ElectronicAddress", P.ElectronicAddress, (
        _e("electronicAddressType", "electronic_address_type", SVP, 1),
        _e("electronicAddressData", "electronic_address_data", STRING, 1)))
    physical = Spec("PhysicalAddress", P.PhysicalAddress, (
        _e("line1", "line1", STRING), _e("line2", "line2", STRING), _e("locality", "locality", STRING),
        _e("postalCode", "postal_code", STRING), _e("region", "region", SVP if v12 else SVP_TEXT),
        _e("country", "country", SVP)))
    address = AddressKind(electronic, physical)
    item_id_parts = (_e("bibliographicItemIdentifier", "bibliographic_item_identifier", STRING, 1),
                     _e("bibliographicItemIdentifierCode", "bibliographic_item_identifier_code", SVP, 1))
    item_id = Spec("BibliographicItemId", P.BibliographicItemId,
                   item_id_parts if v12 else item_id_parts[::-1])
    record_id = Spec("BibliographicRecordId", P.BibliographicRecordId, (
        _e("bibliographicRecordIdentifierCode", "bibliographic_record_identifier_code", SVP, 1),
        _e("bibliographicRecordIdentifier", "bibliographic_record_identifier", STRING, 1)))
    bib = Spec("BibliographicInfo", P.BibliographicInfo, tuple(x for x in (
        _e("supplierUniqueRecordId", "supplier_unique_record_id", STRING),
        _e("title", "title", STRING), _e("author", "author", STRING),
        None if v12 else _e("authorId", "author_id", STRING),
        _e("subtitle", "subtitle", STRING), _e("seriesTitle", "series_title", STRING),
        _e("edition", "edition", STRING), _e("titleOfComponent", "title_of_component", STRING),
        _e("authorOfComponent", "author_of_component", STRING),
        _e("volume", "volume", STRING, 0, 1 if v12 else many),
        _e("issue", "issue", STRING), _e("pagesRequested", "pages_requested", STRING),
        _e("estimatedNoPages", "estimated_no_pages", STRING),
        _e("bibliographicItemId", "bibliographic_item_id", item_id, 0, many),
        _e("sponsor", "sponsor", STRING), _e("informationSource", "information_source", STRING),
        _e("bibliographicRecordId", "bibliographic_record_id", record_id, 0, many)) if x))
    publication = Spec("PublicationInfo", P.PublicationInfo, tuple(x for x in (
        _e("publisher", "publisher", STRING), None if v12 else _e("publisherId", "publisher_id", STRING),
        _e("publicationType", "publication_type", SVP), _e("publicationDate", "publication_date", STRING),
        _e("placeOfPublication", "place_of_publication", STRING)) if x))
    service = Spec("ServiceInfo", P.ServiceInfo, tuple(x for x in (
        _e("requestType", "request_type", en(C.RequestType, "type_requestType")),
        None if v11 else _e("requestSubType", "request_sub_type",
                            en(C.RequestSubType, "type_requestSubType"), 0, 3 if v12 else many),
        _e("requestingAgencyPreviousRequestId", "requesting_agency_previous_request_id", STRING),
        _e("serviceType", "service_type", service_type, 1),
        _e("serviceLevel", "service_level", SVP),
        _e("preferredFormat" if v12 else "itemFormat", "item_format", SVP),
        _e("needBeforeDate", "need_before_date", DATETIME),
        _e("copyrightCompliance", "copyright_compliance", SVP),
        _e("anyEdition", "any_edition", yes_no),
        None if v12 else _e("preferredEdition", "preferred_edition",
                            en(C.PreferredEdition, "type_preferredEdition")),
        None if v12 else _e("loanCondition", "loan_condition", SVP, 0, many),
        None if v11 else _e("startDate", "start_date", DATETIME),
        None if v11 else _e("endDate", "end_date", DATETIME),
        _e("note", "note", STRING)) if x))
    supplier = Spec("SupplierInfo", P.SupplierInfo, (
        _e("sortOrder", "sort_order", sort), _e("supplierCode", "supplier_code", agency),
        _e("supplierDescription", "supplier_description", STRING),
        _e("bibliographicRecordId", "bibliographic_record_id", record_id),
        _e("callNumber", "call_number", STRING), _e("summaryHoldings", "summary_holdings", STRING),
        _e("availabilityNote", "availability_note", STRING)))
    requested_delivery = Spec("RequestedDeliveryInfo", P.RequestedDeliveryInfo, tuple(x for x in (
        _e("sortOrder", "sort_order", sort), _e("address", "address", address),
        None if v12 else _e("deliveryMethod", "delivery_method", SVP),
        None if v12 else _e("courierName", "courier_name", SVP)) if x))
    agency_info = Spec("RequestingAgencyInfo", P.RequestingAgencyInfo, (
        _e("name", "name", STRING), _e("contactName", "contact_name", STRING),
        _e("address", "address", address, 0, many)))
    patron = Spec("PatronInfo", P.PatronInfo, (
        _e("patronId", "patron_id", STRING), _e("surname", "surname", STRING),
        _e("givenName", "given_name", STRING), _e("patronType", "patron_type", SVP),
        _e("sendToPatron", "send_to_patron", yes_no), _e("address", "address", address, 0, many)))
    billing = Spec("BillingInfo", P.BillingInfo, (
        _e("paymentMethod", "payment_method", SVP), _e("maximumCosts", "maximum_costs", costs),
        _e("billingMethod", "billing_method", SVP), _e("billingName", "billing_name", STRING),
        _e("address", "address", address)))

    mir = _e("multipleItemRequestId", "multiple_item_request_id", STRING, 0 if v11 else 1, empty_none=True)
    if v12:
        header = Spec("Header", M.Header, tuple(x for x in (
            _e("supplyingAgencyId", "supplying_agency_id", agency, 1),
            _e("requestingAgencyId", "requesting_agency_id", agency, 1),
            None if v11 else mir,
            _e("timestamp", "timestamp", DATETIME, 1),
            _e("requestingAgencyRequestId", "requesting_agency_request_id", STRING, 1),
            _e("supplyingAgencyRequestId", "supplying_agency_request_id", STRING),
            _e("requestingAgencyAuthentication", "requesting_agency_authentication", auth))
            if x))
        request_header = sam_header = ram_header = header
    else:
        sup = _e("supplyingAgencyId", "supplying_agency_id", agency, 1)
        req = _e("requestingAgencyId", "requesting_agency_id", agency, 1)
        cons = _e("consortialId", "consortial_id", agency)
        ts = _e("timestamp", "timestamp", DATETIME, 1)
        rid = _e("requestingAgencyRequestId", "requesting_agency_request_id", STRING, 1)
        sid = _e("supplyingAgencyRequestId", "supplying_agency_request_id", STRING)
        au = _e("requestingAgencyAuthentication", "requesting_agency_authentication", auth)
        request_header = Spec("RequestHeader", M.Header, (
            attrs.evolve(sup, lo=0), req, cons,
            _e("multipleItemRequestId", "multiple_item_request_id", STRING, empty_none=True), ts, rid, au))
        sam_header = Spec("SupplyingAgencyMessageHeader", M.Header, (sup, req, ts, rid, sid))
        ram_header = Spec("RequestingAgencyMessageHeader", M.Header, (sup, req, cons, ts, rid, sid, au))

    conf_header = Spec("ConfirmationHeader", M.ConfirmationHeader, tuple(x for x in (
        _e("supplyingAgencyId", "supplying_agency_id", agency),
        _e("requestingAgencyId", "requesting_agency_id", agency),
        _e("timestamp", "timestamp", DATETIME, 1),
        _e("requestingAgencyRequestId", "requesting_agency_request_id", STRING),
        _e("multipleItemRequestId", "multiple_item_request_id", STRING, empty_none=True)
        if version == "1.2" else None,
        _e("timestampReceived", "timestamp_received", DATETIME, 1),
        _e("messageStatus", "message_status", en(C.MessageStatus, "type_messageStatus"), 1)) if x))
    error_data = Spec("ErrorData", M.ErrorData, (
        _e("errorType", "error_type", error_type, 1), _e("errorValue", "error_value", STRING)))
    reason = en(C.ReasonForMessage, "type_reasonForMessage")
    mi_common = (
        _e("reasonForMessage", "reason_for_message", reason, 1),
        _e("answerYesNo", "answer_yes_no", yes_no), _e("note", "note", STRING),
        _e("reasonUnfilled", "reason_unfilled", SVP), _e("reasonRetry", "reason_retry", SVP))
    if v12:
        message_info = Spec("MessageInfo", S.MessageInfoV12, mi_common + (
            _e("offeredCosts", "offered_costs", costs), _e("retryAfter", "retry_after", DATETIME),
            _e("retryBefore", "retry_before", DATETIME)))
    else:
        message_info = Spec("MessageInfo", S.MessageInfo, mi_common)
    status_info = Spec("StatusInfo", S.StatusInfo, (
        _e("status", "status", en(C.Status, "type_status"), 1),
        _e("expectedDeliveryDate", "expected_delivery_date", DATETIME),
        _e("dueDate", "due_date", DATETIME), _e("lastChange", "last_change", DATETIME, 1)))
    retry = Spec("RetryInfo", S.RetryInfo, (
        _e("loanCondition", "loan_condition", SVP, 0, many), _e("edition", "edition", STRING, 0, many),
        _e("itemFormat", "item_format", SVP, 0, many), _e("volume", "volume", STRING, 0, many),
        _e("serviceType", "service_type", service_type),
        _e("serviceLevel", "service_level", SVP, 0, many),
        _e("deliveryMethod", "delivery_method", SVP, 0, many),
        _e("courierName", "courier_name", SVP, 0, many),
        _e("offeredCosts", "offered_costs", costs, 0, many),
        _e("paymentMethod", "payment_method", SVP, 0, many),
        _e("retryBefore", "retry_before", DATETIME), _e("retryAfter", "retry_after", DATETIME)))
    if v12:
        delivery = Spec("DeliveryInfo", S.DeliveryInfo, (
            _e("dateSent", "date_sent", DATETIME, 1), _e("itemId", "item_id", STRING),
            _e("sentVia", "delivery_method", SVP), _e("sentToPatron", "sent_to_patron", BOOLEAN),
            _e("loanCondition", "loan_condition", SVP), _e("deliveredFormat", "item_format", SVP),
            _e("deliveryCosts", "delivery_costs", costs)))
    else:
        delivery = Spec("DeliveryInfo", S.DeliveryInfo, (
            _e("dateSent", "date_sent", DATETIME, 1), _e("itemId", "item_id", STRING, 0, many),
            _e("URL", "url", STRING), _e("deliveryMethod", "delivery_method", SVP),
            _e("address", "address", address), _e("sentToPatron", "sent_to_patron", BOOLEAN),
            _e("loanCondition", "loan_condition", SVP, 0, many), _e("itemFormat", "item_format", SVP),
            _e("serviceType", "service_type", service_type),
            _e("deliveryCosts", "delivery_costs", costs, 0, many),
            _e("paymentMethod", "payment_method", SVP)))
    shipping = Spec("ShippingInfo", S.ShippingInfo, (
        _e("courierName", "courier_name", SVP), _e("trackingId", "tracking_id", STRING, 0, many),
        _e("insurance", "insurance", yes_no), _e("insuranceThirdParty", "insurance_third_party", yes_no),
        _e("thirdPartyName", "third_party_name", STRING),
        _e("insuranceCosts", "insurance_costs", costs, 0, many)))
    return_info = Spec("ReturnInfo", S.ReturnInfo, (
        _e("returnAgencyId", "return_agency_id", agency), _e("name", "name", STRING),
        _e("physicalAddress", "physical_address", physical)))

    err_hi = 1 if v12 else many
    specs = {
        "request": Spec("Request", M.Request, (
            _e("header", "header", request_header, 1), _e("bibliographicInfo", "bibliographic_info", bib, 1),
            _e("publicationInfo", "publication_info", publication),
            _e("serviceInfo", "service_info", service, 0 if v12 else 1),
            _e("supplierInfo", "supplier_info", supplier, 0, many),
            _e("requestedDeliveryInfo", "requested_delivery_info", requested_delivery, 0, many),
            _e("requestingAgencyInfo", "requesting_agency_info", agency_info),
            _e("patronInfo", "patron_info", patron), _e("billingInfo", "billing_info", billing))),
        "requestConfirmation": Spec("RequestConfirmation", M.RequestConfirmation, (
            _e("confirmationHeader", "confirmation_header", conf_header, 1),
            _e("errorData", "error_data", error_data, 0, err_hi))),
        "supplyingAgencyMessage": Spec("SupplyingAgencyMessage", M.SupplyingAgencyMessage, tuple(x for x in (
            _e("header", "header", sam_header, 1),
            _e("messageInfo", "message_info", message_info, 1, via="message_info_v12" if v12 else None),
            _e("statusInfo", "status_info", status_info, 1),
            None if v12 else _e("retryInfo", "retry_info", retry),
            _e("deliveryInfo", "delivery_info", delivery),
            None if v12 else _e("shippingInfo", "shipping_info", shipping),
            _e("returnInfo", "return_info", return_info)) if x), absorbs=("retry_info",) if v12 else ()),
        "supplyingAgencyMessageConfirmation": Spec(
            "SupplyingAgencyMessageConfirmation", M.SupplyingAgencyMessageConfirmation, (
                _e("confirmationHeader", "confirmation_header", conf_header, 1),
                _e("reasonForMessage", "reason_for_message", reason),
                _e("errorData", "error_data", error_data, 0, err_hi))),
        "requestingAgencyMessage": Spec("RequestingAgencyMessage", M.RequestingAgencyMessage, (
            _e("header", "header", ram_header, 1), _e("action", "action", action, 1),
            _e("note", "note", STRING))),
        "requestingAgencyMessageConfirmation": Spec(
            "RequestingAgencyMessageConfirmation", M.RequestingAgencyMessageConfirmation, (
                _e("confirmationHeader", "confirmation_header", conf_header, 1),
                _e("action", "action", action), _e("errorData", "error_data", error_data, 0, err_hi))),
    }
    return specs


#: version -> message element name -> Spec
MESSAGES: dict[str, dict[str, Spec]] = {v: _build(v) for v in VERSIONS}

#: message class -> its element name
ELEMENT_OF: dict[type, str] = {spec.cls: name for name, spec in MESSAGES["1.2"].items()}


def all_specs(version: str) -> list[Spec]:
    """Every complex-type spec reachable from the messages of one version, each once, parents first."""
    seen: dict[int, Spec] = {}
    order: list[Spec] = []

    def visit(spec: Spec) -> None:
        if id(spec) in seen:
            return
        seen[id(spec)] = spec
        order.append(spec)
        for el in spec.elements:
            if isinstance(el.kind, Spec):
                visit(el.kind)
            elif isinstance(el.kind, AddressKind):
                visit(el.kind.electronic)
                visit(el.kind.physical)

    for spec in MESSAGES[version].values():
        visit(spec)
    return order


def is_tuple_field(cls: type, field: str) -> bool:
    """Repeated model fields default to ()."""
    return bool(getattr(attrs.fields(cls), field).default == ())
