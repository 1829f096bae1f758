"""The supporting types of ISO-10161-ILL-1 (everything below the APDUs) as frozen attrs classes.

Field order is the standard's order; the `metadata` of each field is the BER table entry (see isoill.schema).
CHOICEs are unions of small classes with a module-level descriptor named after the ASN.1 type.
"""

from __future__ import annotations

from attrs import field, frozen

from isoill._model import enums as E
from isoill._model.values import External, ILLString, RawBER
from isoill.schema import (
    ANY,
    BOOLEAN,
    EXTERNAL_T,
    ILL_STRING,
    INTEGER,
    NULL,
    OBJECT_IDENTIFIER,
    PRINTABLE_STRING,
    VISIBLE_STRING,
    Alternative,
    Choice,
    Enumerated,
    Sequence,
    SequenceOf,
    dflt,
    opt,
    req,
)

S = ILL_STRING
DATE = VISIBLE_STRING  # ISO-Date ::= VisibleString ("YYYYMMDD")
TIME = VISIBLE_STRING  # ISO-Time ::= VisibleString ("HHMMSS")


# --- Person-Or-Institution-Symbol, Name-Of-Person-Or-Institution, System-Id, System-Address ---------------

@frozen
class PersonSymbol:
    value: ILLString


@frozen
class InstitutionSymbol:
    value: ILLString


PersonOrInstitutionSymbol = PersonSymbol | InstitutionSymbol
PERSON_OR_INSTITUTION_SYMBOL = Choice("Person-Or-Institution-Symbol", (
    Alternative(PersonSymbol, 0, S, wrap=True, asn1_name="person-symbol"),
    Alternative(InstitutionSymbol, 1, S, wrap=True, asn1_name="institution-symbol"),
))


@frozen
class NameOfPerson:
    value: ILLString


@frozen
class NameOfInstitution:
    value: ILLString


NameOfPersonOrInstitution = NameOfPerson | NameOfInstitution
NAME_OF_PERSON_OR_INSTITUTION = Choice("Name-Of-Person-Or-Institution", (
    Alternative(NameOfPerson, 0, S, wrap=True, asn1_name="name-of-person"),
    Alternative(NameOfInstitution, 1, S, wrap=True, asn1_name="name-of-institution"),
))


@frozen(kw_only=True)
class SystemId:
    person_or_institution_symbol: PersonOrInstitutionSymbol | None = field(
        default=None, metadata=opt("person-or-institution-symbol", 0, PERSON_OR_INSTITUTION_SYMBOL))
    name_of_person_or_institution: NameOfPersonOrInstitution | None = field(
        default=None, metadata=opt("name-of-person-or-institution", 1, NAME_OF_PERSON_OR_INSTITUTION))


@frozen(kw_only=True)
class SystemAddress:
    telecom_service_identifier: ILLString | None = field(
        default=None, metadata=opt("telecom-service-identifier", 0, S))
    telecom_service_address: ILLString | None = field(default=None, metadata=opt("telecom-service-address", 1, S))


# --- Transaction-Id, Service-Date-Time -----------------------------------------------------------------------

@frozen(kw_only=True)
class TransactionId:
    initial_requester_id: SystemId | None = field(
        default=None, metadata=opt("initial-requester-id", 0, Sequence(SystemId), implicit=True))
    transaction_group_qualifier: ILLString = field(metadata=req("transaction-group-qualifier", 1, S))
    transaction_qualifier: ILLString = field(metadata=req("transaction-qualifier", 2, S))
    sub_transaction_qualifier: ILLString | None = field(
        default=None, metadata=opt("sub-transaction-qualifier", 3, S))


@frozen(kw_only=True)
class DateTime:
    """The anonymous SEQUENCE { date [0] ISO-Date, time [1] ISO-Time OPTIONAL } of Service-Date-Time."""

    date: str = field(metadata=req("date", 0, DATE, implicit=True))
    time: str | None = field(default=None, metadata=opt("time", 1, TIME, implicit=True))


@frozen(kw_only=True)
class ServiceDateTime:
    date_time_of_this_service: DateTime = field(
        metadata=req("date-time-of-this-service", 0, Sequence(DateTime), implicit=True))
    date_time_of_original_service: DateTime | None = field(
        default=None, metadata=opt("date-time-of-original-service", 1, Sequence(DateTime), implicit=True))


# --- addresses and delivery --------------------------------------------------------------------------------

@frozen(kw_only=True)
class PostalAddress:
    name_of_person_or_institution: NameOfPersonOrInstitution | None = field(
        default=None, metadata=opt("name-of-person-or-institution", 0, NAME_OF_PERSON_OR_INSTITUTION))
    extended_postal_delivery_address: ILLString | None = field(
        default=None, metadata=opt("extended-postal-delivery-address", 1, S))
    street_and_number: ILLString | None = field(default=None, metadata=opt("street-and-number", 2, S))
    post_office_box: ILLString | None = field(default=None, metadata=opt("post-office-box", 3, S))
    city: ILLString | None = field(default=None, metadata=opt("city", 4, S))
    region: ILLString | None = field(default=None, metadata=opt("region", 5, S))
    country: ILLString | None = field(default=None, metadata=opt("country", 6, S))
    postal_code: ILLString | None = field(default=None, metadata=opt("postal-code", 7, S))


@frozen(kw_only=True)
class DeliveryAddress:
    postal_address: PostalAddress | None = field(
        default=None, metadata=opt("postal-address", 0, Sequence(PostalAddress), implicit=True))
    electronic_address: SystemAddress | None = field(
        default=None, metadata=opt("electronic-address", 1, Sequence(SystemAddress), implicit=True))


@frozen(kw_only=True)
class EDeliveryService:
    """Electronic-Delivery-Service.e-delivery-service: a mode OID and its parameters (ANY, kept raw)."""

    e_delivery_mode: str = field(metadata=req("e-delivery-mode", 0, OBJECT_IDENTIFIER, implicit=True))
    e_delivery_parameters: RawBER = field(metadata=req("e-delivery-parameters", 1, ANY))


@frozen(kw_only=True)
class DocumentType:
    """Electronic-Delivery-Service.document-type."""

    document_type_id: str = field(metadata=req("document-type-id", 2, OBJECT_IDENTIFIER, implicit=True))
    document_type_parameters: RawBER = field(metadata=req("document-type-parameters", 3, ANY))


EDeliveryDetails = SystemAddress | SystemId
E_DELIVERY_DETAILS = Choice("Electronic-Delivery-Service.e-delivery-details", (
    Alternative(SystemAddress, 0, Sequence(SystemAddress), implicit=True, asn1_name="e-delivery-address"),
    Alternative(SystemId, 1, Sequence(SystemId), implicit=True, asn1_name="e-delivery-id"),
))


@frozen(kw_only=True)
class ElectronicDeliveryService:
    e_delivery_service: EDeliveryService | None = field(
        default=None, metadata=opt("e-delivery-service", 0, Sequence(EDeliveryService), implicit=True))
    document_type: DocumentType | None = field(
        default=None, metadata=opt("document-type", 1, Sequence(DocumentType), implicit=True))
    e_delivery_description: ILLString | None = field(
        default=None, metadata=opt("e-delivery-description", 4, S))
    e_delivery_details: EDeliveryDetails = field(metadata=req("e-delivery-details", 5, E_DELIVERY_DETAILS))
    name_or_code: ILLString | None = field(default=None, metadata=opt("name-or-code", 6, S))
    delivery_time: str | None = field(default=None, metadata=opt("delivery-time", 7, TIME, implicit=True))


@frozen
class PhysicalDelivery:
    """Delivery-Service / shipped-via physical-delivery: a Transportation-Mode (ILL-String)."""

    value: ILLString


@frozen
class ElectronicDelivery:
    """Delivery-Service electronic-delivery: SEQUENCE OF Electronic-Delivery-Service."""

    services: tuple[ElectronicDeliveryService, ...]


DeliveryService = PhysicalDelivery | ElectronicDelivery
DELIVERY_SERVICE = Choice("Delivery-Service", (
    Alternative(PhysicalDelivery, 7, S, wrap=True, asn1_name="physical-delivery"),
    Alternative(ElectronicDelivery, 50, SequenceOf(Sequence(ElectronicDeliveryService)), implicit=True,
                wrap=True, asn1_name="electronic-delivery"),
))

ShippedVia = PhysicalDelivery | ElectronicDeliveryService
SHIPPED_VIA = Choice("Supply-Details.shipped-via", (
    Alternative(PhysicalDelivery, 5, S, wrap=True, asn1_name="physical-delivery"),
    Alternative(ElectronicDeliveryService, 50, Sequence(ElectronicDeliveryService), implicit=True,
                asn1_name="electronic-delivery"),
))


# --- request parameters ---------------------------------------------------------------------------------------

_REQ = Enumerated(E.MessageRequirement)


@frozen(kw_only=True)
class RequesterOptionalMessagesType:
    can_send_received: bool = field(metadata=req("can-send-RECEIVED", 0, BOOLEAN, implicit=True))
    can_send_returned: bool = field(metadata=req("can-send-RETURNED", 1, BOOLEAN, implicit=True))
    requester_shipped: E.MessageRequirement = field(metadata=req("requester-SHIPPED", 2, _REQ, implicit=True))
    requester_checked_in: E.MessageRequirement = field(
        metadata=req("requester-CHECKED-IN", 3, _REQ, implicit=True))


@frozen(kw_only=True)
class ResponderOptionalMessagesType:
    can_send_shipped: bool = field(metadata=req("can-send-SHIPPED", 0, BOOLEAN, implicit=True))
    can_send_checked_in: bool = field(metadata=req("can-send-CHECKED-IN", 1, BOOLEAN, implicit=True))
    responder_received: E.MessageRequirement = field(metadata=req("responder-RECEIVED", 2, _REQ, implicit=True))
    responder_returned: E.MessageRequirement = field(metadata=req("responder-RETURNED", 3, _REQ, implicit=True))


@frozen(kw_only=True)
class SearchType:
    level_of_service: ILLString | None = field(default=None, metadata=opt("level-of-service", 0, S))
    need_before_date: str | None = field(default=None, metadata=opt("need-before-date", 1, DATE, implicit=True))
    expiry_flag: E.ExpiryFlag = field(default=E.ExpiryFlag.NO_EXPIRY, metadata=dflt(
        "expiry-flag", 2, Enumerated(E.ExpiryFlag), E.ExpiryFlag.NO_EXPIRY, implicit=True))
    expiry_date: str | None = field(default=None, metadata=opt("expiry-date", 3, DATE, implicit=True))


@frozen(kw_only=True)
class SupplyMediumInfoType:
    supply_medium_type: E.SupplyMediumType = field(
        metadata=req("supply-medium-type", 0, Enumerated(E.SupplyMediumType), implicit=True))
    medium_characteristics: ILLString | None = field(default=None, metadata=opt("medium-characteristics", 1, S))


@frozen(kw_only=True)
class ClientId:
    client_name: ILLString | None = field(default=None, metadata=opt("client-name", 0, S))
    client_status: ILLString | None = field(default=None, metadata=opt("client-status", 1, S))
    client_identifier: ILLString | None = field(default=None, metadata=opt("client-identifier", 2, S))


@frozen(kw_only=True)
class ItemId:
    item_type: E.ItemType | None = field(default=None, metadata=opt("item-type", 0, Enumerated(E.ItemType),
                                                                    implicit=True))
    held_medium_type: E.MediumType | None = field(
        default=None, metadata=opt("held-medium-type", 1, Enumerated(E.MediumType), implicit=True))
    call_number: ILLString | None = field(default=None, metadata=opt("call-number", 2, S))
    author: ILLString | None = field(default=None, metadata=opt("author", 3, S))
    title: ILLString | None = field(default=None, metadata=opt("title", 4, S))
    sub_title: ILLString | None = field(default=None, metadata=opt("sub-title", 5, S))
    sponsoring_body: ILLString | None = field(default=None, metadata=opt("sponsoring-body", 6, S))
    place_of_publication: ILLString | None = field(default=None, metadata=opt("place-of-publication", 7, S))
    publisher: ILLString | None = field(default=None, metadata=opt("publisher", 8, S))
    series_title_number: ILLString | None = field(default=None, metadata=opt("series-title-number", 9, S))
    volume_issue: ILLString | None = field(default=None, metadata=opt("volume-issue", 10, S))
    edition: ILLString | None = field(default=None, metadata=opt("edition", 11, S))
    publication_date: ILLString | None = field(default=None, metadata=opt("publication-date", 12, S))
    publication_date_of_component: ILLString | None = field(
        default=None, metadata=opt("publication-date-of-component", 13, S))
    author_of_article: ILLString | None = field(default=None, metadata=opt("author-of-article", 14, S))
    title_of_article: ILLString | None = field(default=None, metadata=opt("title-of-article", 15, S))
    pagination: ILLString | None = field(default=None, metadata=opt("pagination", 16, S))
    national_bibliography_no: External | None = field(
        default=None, metadata=opt("national-bibliography-no", 17, EXTERNAL_T))
    isbn: ILLString | None = field(default=None, metadata=opt("iSBN", 18, S))
    issn: ILLString | None = field(default=None, metadata=opt("iSSN", 19, S))
    system_no: External | None = field(default=None, metadata=opt("system-no", 20, EXTERNAL_T))
    additional_no_letters: ILLString | None = field(default=None, metadata=opt("additional-no-letters", 21, S))
    verification_reference_source: ILLString | None = field(
        default=None, metadata=opt("verification-reference-source", 22, S))


@frozen(kw_only=True)
class Amount:
    currency_code: str | None = field(default=None, metadata=opt("currency-code", 0, PRINTABLE_STRING,
                                                                 implicit=True))
    monetary_value: str = field(metadata=req("monetary-value", 1, PRINTABLE_STRING, implicit=True))


@frozen(kw_only=True)
class CostInfoType:
    account_number: ILLString | None = field(default=None, metadata=opt("account-number", 0, S))
    maximum_cost: Amount | None = field(default=None, metadata=opt("maximum-cost", 1, Sequence(Amount),
                                                                   implicit=True))
    reciprocal_agreement: bool = field(default=False, metadata=dflt("reciprocal-agreement", 2, BOOLEAN, False,
                                                                    implicit=True))
    will_pay_fee: bool = field(default=False, metadata=dflt("will-pay-fee", 3, BOOLEAN, False, implicit=True))
    payment_provided: bool = field(default=False, metadata=dflt("payment-provided", 4, BOOLEAN, False,
                                                                implicit=True))


@frozen(kw_only=True)
class SendToListEntry:
    """An element of Send-To-List-Type (an anonymous SEQUENCE in the module)."""

    system_id: SystemId = field(metadata=req("system-id", 0, Sequence(SystemId), implicit=True))
    account_number: ILLString | None = field(default=None, metadata=opt("account-number", 1, S))
    system_address: SystemAddress | None = field(
        default=None, metadata=opt("system-address", 2, Sequence(SystemAddress), implicit=True))


SEND_TO_LIST_TYPE = SequenceOf(Sequence(SendToListEntry))
ALREADY_TRIED_LIST_TYPE = SequenceOf(Sequence(SystemId))


@frozen(kw_only=True)
class ThirdPartyInfoType:
    permission_to_forward: bool = field(default=False, metadata=dflt("permission-to-forward", 0, BOOLEAN, False,
                                                                     implicit=True))
    permission_to_chain: bool = field(default=False, metadata=dflt("permission-to-chain", 1, BOOLEAN, False,
                                                                   implicit=True))
    permission_to_partition: bool = field(default=False, metadata=dflt(
        "permission-to-partition", 2, BOOLEAN, False, implicit=True))
    permission_to_change_send_to_list: bool = field(default=False, metadata=dflt(
        "permission-to-change-send-to-list", 3, BOOLEAN, False, implicit=True))
    initial_requester_address: SystemAddress | None = field(
        default=None, metadata=opt("initial-requester-address", 4, Sequence(SystemAddress), implicit=True))
    preference: E.Preference = field(default=E.Preference.UNORDERED, metadata=dflt(
        "preference", 5, Enumerated(E.Preference), E.Preference.UNORDERED, implicit=True))
    send_to_list: tuple[SendToListEntry, ...] | None = field(
        default=None, metadata=opt("send-to-list", 6, SEND_TO_LIST_TYPE, implicit=True))
    already_tried_list: tuple[SystemId, ...] | None = field(
        default=None, metadata=opt("already-tried-list", 7, ALREADY_TRIED_LIST_TYPE, implicit=True))


# --- shipping -------------------------------------------------------------------------------------------------

@frozen(kw_only=True)
class DateDue:
    date_due_field: str = field(metadata=req("date-due-field", 0, DATE, implicit=True))
    renewable: bool = field(default=True, metadata=dflt("renewable", 1, BOOLEAN, True, implicit=True))


@frozen(kw_only=True)
class UnitsPerMediumType:
    medium: E.SupplyMediumType = field(metadata=req("medium", 0, Enumerated(E.SupplyMediumType)))
    no_of_units: int = field(metadata=req("no-of-units", 1, INTEGER))


@frozen(kw_only=True)
class SupplyDetails:
    date_shipped: str | None = field(default=None, metadata=opt("date-shipped", 0, DATE, implicit=True))
    date_due: DateDue | None = field(default=None, metadata=opt("date-due", 1, Sequence(DateDue), implicit=True))
    chargeable_units: int | None = field(default=None, metadata=opt("chargeable-units", 2, INTEGER,
                                                                    implicit=True))
    cost: Amount | None = field(default=None, metadata=opt("cost", 3, Sequence(Amount), implicit=True))
    shipped_conditions: E.ShippedConditions | None = field(
        default=None, metadata=opt("shipped-conditions", 4, Enumerated(E.ShippedConditions), implicit=True))
    shipped_via: ShippedVia | None = field(default=None, metadata=opt("shipped-via", None, SHIPPED_VIA))
    insured_for: Amount | None = field(default=None, metadata=opt("insured-for", 6, Sequence(Amount),
                                                                  implicit=True))
    return_insurance_require: Amount | None = field(
        default=None, metadata=opt("return-insurance-require", 7, Sequence(Amount), implicit=True))
    no_of_units_per_medium: tuple[UnitsPerMediumType, ...] | None = field(
        default=None,
        metadata=opt("no-of-units-per-medium", 8, SequenceOf(Sequence(UnitsPerMediumType)), implicit=True))


# --- ILL-Answer results -----------------------------------------------------------------------------------------

@frozen(kw_only=True)
class LocationInfo:
    location_id: SystemId = field(metadata=req("location-id", 0, Sequence(SystemId), implicit=True))
    location_address: SystemAddress | None = field(
        default=None, metadata=opt("location-address", 1, Sequence(SystemAddress), implicit=True))
    location_note: ILLString | None = field(default=None, metadata=opt("location-note", 2, S))


LOCATIONS = SequenceOf(Sequence(LocationInfo))


@frozen(kw_only=True)
class ConditionalResults:
    conditions: E.Conditions = field(metadata=req("conditions", 0, Enumerated(E.Conditions), implicit=True))
    date_for_reply: str | None = field(default=None, metadata=opt("date-for-reply", 1, DATE, implicit=True))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 2, LOCATIONS,
                                                                                  implicit=True))
    proposed_delivery_service: DeliveryService | None = field(
        default=None, metadata=opt("proposed-delivery-service", None, DELIVERY_SERVICE))


@frozen(kw_only=True)
class RetryResults:
    reason_not_available: E.ReasonNotAvailable | None = field(
        default=None, metadata=opt("reason-not-available", 0, Enumerated(E.ReasonNotAvailable), implicit=True))
    retry_date: str | None = field(default=None, metadata=opt("retry-date", 1, DATE, implicit=True))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 2, LOCATIONS,
                                                                                  implicit=True))


@frozen(kw_only=True)
class UnfilledResults:
    reason_unfilled: E.ReasonUnfilled = field(
        metadata=req("reason-unfilled", 0, Enumerated(E.ReasonUnfilled), implicit=True))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 1, LOCATIONS,
                                                                                  implicit=True))


@frozen(kw_only=True)
class LocationsResults:
    reason_locs_provided: E.ReasonLocsProvided | None = field(
        default=None, metadata=opt("reason-locs-provided", 0, Enumerated(E.ReasonLocsProvided), implicit=True))
    locations: tuple[LocationInfo, ...] = field(metadata=req("locations", 1, LOCATIONS, implicit=True))


@frozen(kw_only=True)
class WillSupplyResults:
    reason_will_supply: E.ReasonWillSupply = field(
        metadata=req("reason-will-supply", 0, Enumerated(E.ReasonWillSupply)))
    supply_date: str | None = field(default=None, metadata=opt("supply-date", 1, DATE))
    return_to_address: PostalAddress | None = field(
        default=None, metadata=opt("return-to-address", 2, Sequence(PostalAddress)))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 3, LOCATIONS,
                                                                                  implicit=True))
    electronic_delivery_service: ElectronicDeliveryService | None = field(
        default=None, metadata=opt("electronic-delivery-service", 4, Sequence(ElectronicDeliveryService)))


@frozen(kw_only=True)
class HoldPlacedResults:
    estimated_date_available: str = field(metadata=req("estimated-date-available", 0, DATE, implicit=True))
    hold_placed_medium_type: E.MediumType | None = field(
        default=None, metadata=opt("hold-placed-medium-type", 1, Enumerated(E.MediumType), implicit=True))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 2, LOCATIONS,
                                                                                  implicit=True))


@frozen(kw_only=True)
class EstimateResults:
    cost_estimate: ILLString = field(metadata=req("cost-estimate", 0, S))
    locations: tuple[LocationInfo, ...] | None = field(default=None, metadata=opt("locations", 1, LOCATIONS,
                                                                                  implicit=True))


ResultsExplanation = (ConditionalResults | RetryResults | UnfilledResults | LocationsResults
                      | WillSupplyResults | HoldPlacedResults | EstimateResults)
RESULTS_EXPLANATION = Choice("ILL-Answer.results-explanation", (
    Alternative(ConditionalResults, 1, Sequence(ConditionalResults), asn1_name="conditional-results"),
    Alternative(RetryResults, 2, Sequence(RetryResults), asn1_name="retry-results"),
    Alternative(UnfilledResults, 3, Sequence(UnfilledResults), asn1_name="unfilled-results"),
    Alternative(LocationsResults, 4, Sequence(LocationsResults), asn1_name="locations-results"),
    Alternative(WillSupplyResults, 5, Sequence(WillSupplyResults), asn1_name="will-supply-results"),
    Alternative(HoldPlacedResults, 6, Sequence(HoldPlacedResults), asn1_name="hold-placed-results"),
    Alternative(EstimateResults, 7, Sequence(EstimateResults), asn1_name="estimate-results"),
))


# --- Status-Or-Error-Report ---------------------------------------------------------------------------------------

@frozen(kw_only=True)
class AlreadyForwarded:
    responder_id: SystemId = field(metadata=req("responder-id", 0, Sequence(SystemId), implicit=True))
    responder_address: SystemAddress | None = field(
        default=None, metadata=opt("responder-address", 1, Sequence(SystemAddress), implicit=True))


@frozen
class SecurityProblem:
    value: ILLString


UserErrorReport = AlreadyForwarded | E.IntermediaryProblem | SecurityProblem | E.UnableToPerform
USER_ERROR_REPORT = Choice("User-Error-Report", (
    Alternative(AlreadyForwarded, 0, Sequence(AlreadyForwarded), implicit=True, asn1_name="already-forwarded"),
    Alternative(E.IntermediaryProblem, 1, Enumerated(E.IntermediaryProblem), implicit=True,
                asn1_name="intermediary-problem"),
    Alternative(SecurityProblem, 2, S, wrap=True, asn1_name="security-problem"),
    Alternative(E.UnableToPerform, 3, Enumerated(E.UnableToPerform), implicit=True,
                asn1_name="unable-to-perform"),
))


@frozen(kw_only=True)
class StateTransitionProhibited:
    apdu_type: E.ILLAPDUType = field(metadata=req("aPDU-type", 0, Enumerated(E.ILLAPDUType), implicit=True))
    current_state: E.CurrentState = field(
        metadata=req("current-state", 1, Enumerated(E.CurrentState), implicit=True))


ProviderErrorReport = E.GeneralProblem | E.TransactionIdProblem | StateTransitionProhibited
PROVIDER_ERROR_REPORT = Choice("Provider-Error-Report", (
    Alternative(E.GeneralProblem, 0, Enumerated(E.GeneralProblem), implicit=True, asn1_name="general-problem"),
    Alternative(E.TransactionIdProblem, 1, Enumerated(E.TransactionIdProblem), implicit=True,
                asn1_name="transaction-id-problem"),
    Alternative(StateTransitionProhibited, 2, Sequence(StateTransitionProhibited), implicit=True,
                asn1_name="state-transition-prohibited"),
))


@frozen(kw_only=True)
class ErrorReport:
    correlation_information: ILLString = field(metadata=req("correlation-information", 0, S))
    report_source: E.ReportSource = field(metadata=req("report-source", 1, Enumerated(E.ReportSource),
                                                       implicit=True))
    user_error_report: UserErrorReport | None = field(
        default=None, metadata=opt("user-error-report", 2, USER_ERROR_REPORT))
    provider_error_report: ProviderErrorReport | None = field(
        default=None, metadata=opt("provider-error-report", 3, PROVIDER_ERROR_REPORT))


@frozen(kw_only=True)
class HistoryReport:
    date_requested: str | None = field(default=None, metadata=opt("date-requested", 0, DATE, implicit=True))
    author: ILLString | None = field(default=None, metadata=opt("author", 1, S))
    title: ILLString | None = field(default=None, metadata=opt("title", 2, S))
    author_of_article: ILLString | None = field(default=None, metadata=opt("author-of-article", 3, S))
    title_of_article: ILLString | None = field(default=None, metadata=opt("title-of-article", 4, S))
    date_of_last_transition: str = field(metadata=req("date-of-last-transition", 5, DATE, implicit=True))
    most_recent_service: E.MostRecentService = field(
        metadata=req("most-recent-service", 6, Enumerated(E.MostRecentService), implicit=True))
    date_of_most_recent_service: str = field(metadata=req("date-of-most-recent-service", 7, DATE, implicit=True))
    initiator_of_most_recent_service: SystemId = field(
        metadata=req("initiator-of-most-recent-service", 8, Sequence(SystemId), implicit=True))
    shipped_service_type: E.ILLServiceType | None = field(
        default=None, metadata=opt("shipped-service-type", 9, Enumerated(E.ILLServiceType), implicit=True))
    transaction_results: E.TransactionResults | None = field(
        default=None, metadata=opt("transaction-results", 10, Enumerated(E.TransactionResults), implicit=True))
    most_recent_service_note: ILLString | None = field(
        default=None, metadata=opt("most-recent-service-note", 11, S))


@frozen(kw_only=True)
class StatusReport:
    user_status_report: HistoryReport = field(
        metadata=req("user-status-report", 0, Sequence(HistoryReport), implicit=True))
    provider_status_report: E.CurrentState = field(
        metadata=req("provider-status-report", 1, Enumerated(E.CurrentState), implicit=True))


# --- Damaged, Extension ------------------------------------------------------------------------------------------

@frozen
class CompleteDocument:
    """Damaged-Details.damaged-portion complete-document [1] IMPLICIT NULL."""


@frozen
class SpecificUnits:
    """Damaged-Details.damaged-portion specific-units [2] IMPLICIT SEQUENCE OF INTEGER."""

    units: tuple[int, ...]


DamagedPortion = CompleteDocument | SpecificUnits
DAMAGED_PORTION = Choice("Damaged-Details.damaged-portion", (
    Alternative(CompleteDocument, 1, NULL, implicit=True, wrap=True, asn1_name="complete-document"),
    Alternative(SpecificUnits, 2, SequenceOf(INTEGER), implicit=True, wrap=True, asn1_name="specific-units"),
))


@frozen(kw_only=True)
class DamagedDetails:
    document_type_id: str | None = field(default=None, metadata=opt("document-type-id", 0, OBJECT_IDENTIFIER,
                                                                    implicit=True))
    damaged_portion: DamagedPortion = field(metadata=req("damaged-portion", None, DAMAGED_PORTION))


# Extension.item is ANY DEFINED BY identifier; identifier 1 (the only one in use) means an EXTERNAL.
EXTENSION_ITEM = Choice("Extension.item", (
    Alternative(External, None, EXTERNAL_T, asn1_name="EXTERNAL"),
    Alternative(RawBER, None, ANY, asn1_name="ANY"),
))


@frozen(kw_only=True)
class Extension:
    identifier: int = field(default=1, metadata=req("identifier", 0, INTEGER, implicit=True))
    critical: bool = field(default=False, metadata=dflt("critical", 1, BOOLEAN, False, implicit=True))
    item: External | RawBER = field(metadata=req("item", 2, EXTENSION_ITEM))


EXTENSIONS = SequenceOf(Sequence(Extension))
SUPPLEMENTAL_ITEM_DESCRIPTION = SequenceOf(EXTERNAL_T)
