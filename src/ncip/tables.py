"""Declarative element tables of NCIP 2.02: each complex element's content model and each leaf's type.

The model (modelgen), our XSD (xsdgen), the reader and the writer are all derived from these two tables.
"""

from __future__ import annotations

import re

import attrs

NS = "http://www.niso.org/2008/ncip"
#: The `version` value we write: the schema location NISO publishes for 2.02.
VERSION_URI = "http://www.niso.org/schemas/ncip/v2_02/ncip_v2_02.xsd"

# Content models in the standard's order (Z39.83-1-2012 part 2, the 2.02 schema), in a DTD-like notation:
# "A B?" sequence, "(A | B)" choice, ? * + occurrences, EMPTY for a flag element, ANY* for Ext's open content.
# Only the services this library speaks, and every element they reach.
CONTENT = """
LookupUser: InitiationHeader? (UserId | AuthenticationInput+) UserElementType* LoanedItemsDesired? RequestedItemsDesired? UserFiscalAccountDesired? Ext?
AcceptItem: InitiationHeader? MandatedAction? RequestId RequestedActionType UserId? ItemId? (DateForReturn | IndeterminateLoanPeriodFlag | NonReturnableFlag)? RenewalNotPermitted? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields? PickupLocation? PickupExpiryDate? Ext?
RequestItem: InitiationHeader? MandatedAction? (UserId | AuthenticationInput+) (ItemId+ | (BibliographicId+ ItemId*)) RequestId? RequestType RequestScopeType ItemOptionalFields? ShippingInformation? EarliestDateNeeded? NeedBeforeDate? PickupLocation? PickupExpiryDate? AcknowledgedFeeAmount? PaidFeeAmount? AcknowledgedItemUseRestrictionType* ItemElementType* UserElementType* Ext?
CheckOutItem: InitiationHeader? MandatedAction? (UserId | AuthenticationInput+) ItemId RequestId? AcknowledgedFeeAmount? PaidFeeAmount? AcknowledgedItemUseRestrictionType* ShippingInformation? ResourceDesired? DesiredDateDue? ItemElementType* UserElementType* Ext?
CheckInItem: InitiationHeader? MandatedAction? ItemId ItemElementType* UserElementType* Ext?
CancelRequestItem: InitiationHeader? MandatedAction? (UserId | AuthenticationInput+) (ItemId | (RequestId ItemId?)) RequestType RequestScopeType? AcknowledgedFeeAmount? PaidFeeAmount? ItemElementType* UserElementType* Ext?
RenewItem: InitiationHeader? MandatedAction? (UserId | AuthenticationInput+) ItemId ItemElementType* UserElementType* DesiredDateDue? DesiredDateForReturn? AcknowledgedFeeAmount? PaidFeeAmount? AcknowledgedItemUseRestrictionType* Ext?
RecallItem: InitiationHeader? MandatedAction? ItemId DesiredDateDue? ShippingInformation? ItemElementType* UserElementType* Ext?
CreateUserFiscalTransaction: InitiationHeader? MandatedAction? (UserId | AuthenticationInput+) FiscalTransactionInformation Ext?
DeleteItem: InitiationHeader? MandatedAction? ItemId Ext?
LookupVersion: FromAgencyId ToAgencyId Ext?
LookupUserResponse: ResponseHeader? (Problem+ | (UserId UserFiscalAccount* LoanedItemsCount* LoanedItem* RequestedItemsCount* RequestedItem* UserOptionalFields?)) Ext?
AcceptItemResponse: ResponseHeader? (Problem+ | (RequestId ItemId?)) Ext?
RequestItemResponse: ResponseHeader? ((Problem+ RequiredFeeAmount? RequiredItemUseRestrictionType*) | ((ItemId | (RequestId ItemId?)) UserId RequestType RequestScopeType ShippingInformation? DateAvailable? HoldPickupDate? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
CheckOutItemResponse: ResponseHeader? ((Problem+ RequiredFeeAmount? RequiredItemUseRestrictionType*) | (ItemId UserId (DateDue | IndeterminateLoanPeriodFlag | NonReturnableFlag) RenewalCount? ElectronicResource? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
CheckInItemResponse: ResponseHeader? (Problem+ | (ItemId UserId? RoutingInformation? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
CancelRequestItemResponse: ResponseHeader? (Problem+ | ((ItemId | (RequestId ItemId?)) UserId FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
RenewItemResponse: ResponseHeader? ((Problem+ RequiredFeeAmount? RequiredItemUseRestrictionType*) | Pending | (ItemId UserId? DateDue? DateForReturn? RenewalCount? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
RecallItemResponse: ResponseHeader? (Problem+ | (ItemId UserId? DateDue? FiscalTransactionInformation? ItemOptionalFields? UserOptionalFields?)) Ext?
CreateUserFiscalTransactionResponse: ResponseHeader? (Problem+ | (UserId FiscalTransactionReferenceId)) Ext?
DeleteItemResponse: ResponseHeader? (Problem+ | ItemId) Ext?
LookupVersionResponse: FromAgencyId ToAgencyId (Problem+ | VersionSupported+) Ext?
Problem: ProblemType ProblemDetail? ProblemElement? ProblemValue? Ext?
InitiationHeader: FromSystemId? FromSystemAuthentication? FromAgencyId FromAgencyAuthentication? OnBehalfOfAgency? ToSystemId? ToAgencyId ApplicationProfileType? Ext?
ResponseHeader: FromSystemId? FromSystemAuthentication? FromAgencyId FromAgencyAuthentication? ToSystemId? ToAgencyId Ext?
FromAgencyId: AgencyId Ext?
ToAgencyId: AgencyId Ext?
OnBehalfOfAgency: AgencyId Ext?
UserId: AgencyId? UserIdentifierType? UserIdentifierValue Ext?
ItemId: AgencyId? ItemIdentifierType? ItemIdentifierValue Ext?
RequestId: AgencyId? RequestIdentifierType? RequestIdentifierValue Ext?
AuthenticationInput: AuthenticationInputData AuthenticationDataFormatType AuthenticationInputType Ext?
MandatedAction: DateEventOccurred Ext?
LoanedItemsDesired: EMPTY
RequestedItemsDesired: EMPTY
UserFiscalAccountDesired: EMPTY
IndeterminateLoanPeriodFlag: EMPTY
NonReturnableFlag: EMPTY
RenewalNotPermitted: EMPTY
ResourceDesired: EMPTY
SensitizationFlag: EMPTY
Ext: ANY*
FiscalTransactionInformation: FiscalActionType FiscalTransactionReferenceId? RelatedFiscalTransactionReferenceId* FiscalTransactionType ValidFromDate? ValidToDate? Amount PaymentMethodType? FiscalTransactionDescription? RequestId? ItemDetails? Ext?
FiscalTransactionReferenceId: AgencyId FiscalTransactionIdentifierValue Ext?
RelatedFiscalTransactionReferenceId: AgencyId FiscalTransactionIdentifierValue Ext?
Amount: CurrencyCode MonetaryValue Ext?
AcknowledgedFeeAmount: CurrencyCode MonetaryValue Ext?
PaidFeeAmount: CurrencyCode MonetaryValue Ext?
RequiredFeeAmount: CurrencyCode MonetaryValue Ext?
AccountBalance: CurrencyCode MonetaryValue Ext?
ItemOptionalFields: BibliographicDescription? ItemUseRestrictionType* CirculationStatus? HoldQueueLength? ItemDescription? Location* PhysicalCondition? ElectronicResource? SecurityMarker? SensitizationFlag? DateDue? Ext?
UserOptionalFields: NameInformation? UserAddressInformation* DateOfBirth? UserLanguage* UserPrivilege* BlockOrTrap* UserId* PreviousUserId* Ext?
BibliographicId: (BibliographicItemId | BibliographicRecordId) Ext?
BibliographicItemId: BibliographicItemIdentifier BibliographicItemIdentifierCode? Ext?
BibliographicRecordId: BibliographicRecordIdentifier (AgencyId | BibliographicRecordIdentifierCode) Ext?
BibliographicDescription: Author? AuthorOfComponent? BibliographicItemId? BibliographicRecordId* ComponentId? Edition? Pagination? PlaceOfPublication? PublicationDate? PublicationDateOfComponent? Publisher? SeriesTitleNumber? Title? TitleOfComponent? BibliographicLevel? SponsoringBody? ElectronicDataFormatType? Language? MediumType? Ext?
ComponentId: ComponentIdentifierType ComponentIdentifier Ext?
ShippingInformation: ShippingInstructions? ShippingNote? (PhysicalAddress | ElectronicAddress) Ext?
UserFiscalAccount: AccountBalance AccountDetails* Ext?
AccountDetails: AccrualDate FiscalTransactionInformation Ext?
LoanedItemsCount: (CirculationStatus | ItemUseRestrictionType) LoanedItemCountValue Ext?
LoanedItem: ItemId BibliographicId* ReminderLevel? (DateDue | IndeterminateLoanPeriodFlag) Amount? Title? MediumType? Ext?
RequestedItemsCount: (RequestType | CirculationStatus | ItemUseRestrictionType) RequestedItemCountValue Ext?
RequestedItem: (ItemId | (RequestId ItemId?)) BibliographicId* RequestType RequestStatusType DatePlaced PickupDate? PickupLocation? PickupExpiryDate? ReminderLevel? HoldQueuePosition? Title? MediumType? Ext?
ElectronicResource: ((ElectronicDataFormatType ActualResource) | ReferenceToResource) Ext?
RoutingInformation: RoutingInstructions Destination RequestType? UserId? NameInformation? Ext?
Destination: (Location | (BinNumber Location?)) Ext?
Pending: DateOfExpectedReply? Ext?
ItemDetails: ItemId BibliographicDescription DateCheckedOut? DateRenewed* (DateDue | IndeterminateLoanPeriodFlag | NonReturnableFlag)? DateReturned? Ext?
ItemDescription: CallNumber? CopyNumber? ItemDescriptionLevel? HoldingsInformation? NumberOfPieces? Ext?
HoldingsInformation: (StructuredHoldingsData+ | UnstructuredHoldingsData) Ext?
StructuredHoldingsData: (HoldingsChronology | (HoldingsEnumeration HoldingsChronology?)) Ext?
HoldingsChronology: ChronologyLevelInstance+ Ext?
HoldingsEnumeration: EnumerationLevelInstance+ Ext?
ChronologyLevelInstance: (ChronologyCaption | (ChronologyLevel ChronologyCaption?)) ChronologyValue Ext?
EnumerationLevelInstance: (EnumerationCaption | (EnumerationLevel EnumerationCaption? Ext?)) EnumerationValue Ext?
Location: LocationType LocationName ValidFromDate? ValidToDate? Ext?
LocationName: LocationNameInstance+ Ext?
LocationNameInstance: LocationNameLevel LocationNameValue Ext?
PhysicalCondition: PhysicalConditionType PhysicalConditionDetails? Ext?
NameInformation: (PersonalNameInformation | OrganizationNameInformation+) Ext?
PersonalNameInformation: (UnstructuredPersonalUserName | (StructuredPersonalUserName UnstructuredPersonalUserName?)) Ext?
StructuredPersonalUserName: Prefix? GivenName? Initials? Surname Suffix? Ext?
OrganizationNameInformation: OrganizationNameType OrganizationName Ext?
UserAddressInformation: UserAddressRoleType ValidFromDate? ValidToDate? (PhysicalAddress | ElectronicAddress) Ext?
PhysicalAddress: (StructuredAddress | UnstructuredAddress) PhysicalAddressType Ext?
StructuredAddress: ((LocationWithinBuilding? HouseName? (District | (PostOfficeBox District?) | (Street PostOfficeBox? District?))) | (Line1 Line2?)) Locality? Region? Country? PostalCode? CareOf? Ext?
UnstructuredAddress: UnstructuredAddressType UnstructuredAddressData Ext?
ElectronicAddress: ElectronicAddressType ElectronicAddressData Ext?
UserPrivilege: AgencyId AgencyUserPrivilegeType ValidFromDate? ValidToDate? UserPrivilegeFee? UserPrivilegeStatus? UserPrivilegeDescription? Ext?
UserPrivilegeFee: Amount PaymentMethodType? Ext?
UserPrivilegeStatus: UserPrivilegeStatusType DateOfUserPrivilegeStatus? Ext?
BlockOrTrap: AgencyId BlockOrTrapType ValidFromDate? ValidToDate? Ext?
PreviousUserId: AgencyId UserIdentifierValue ValidFromDate? ValidToDate? Ext?
"""

STRING, SCHEME_VALUE, DATETIME, INTEGER, POSITIVE, NONNEG = (
    "string", "SchemeValuePair", "dateTime", "integer", "positiveInteger", "nonNegativeInteger")

# Leaf elements by type. Codes (SchemeValuePair) are open lists in NCIP: any token, an optional Scheme URI.
LEAVES = {
    STRING: """ActualResource AuthenticationInputData Author AuthorOfComponent BibliographicItemIdentifier
        BibliographicRecordIdentifier BinNumber CallNumber CareOf ChronologyCaption ChronologyValue
        ComponentIdentifier CopyNumber Country District Edition ElectronicAddressData EnumerationCaption
        EnumerationValue FiscalTransactionDescription FiscalTransactionIdentifierValue FromAgencyAuthentication
        FromSystemAuthentication GivenName HouseName Initials ItemIdentifierValue Line1 Line2 Locality
        LocationNameValue LocationWithinBuilding OrganizationName Pagination PhysicalConditionDetails
        PlaceOfPublication PostOfficeBox PostalCode Prefix ProblemDetail ProblemElement ProblemValue
        PublicationDate PublicationDateOfComponent Publisher ReferenceToResource Region RequestIdentifierValue
        RoutingInstructions SeriesTitleNumber ShippingInstructions ShippingNote SponsoringBody Street Suffix
        Surname Title TitleOfComponent UnstructuredAddressData UnstructuredHoldingsData
        UnstructuredPersonalUserName UserIdentifierValue UserPrivilegeDescription VersionSupported""",
    SCHEME_VALUE: """AcknowledgedItemUseRestrictionType AgencyId AgencyUserPrivilegeType ApplicationProfileType
        AuthenticationDataFormatType AuthenticationInputType BibliographicItemIdentifierCode BibliographicLevel
        BibliographicRecordIdentifierCode BlockOrTrapType CirculationStatus ComponentIdentifierType CurrencyCode
        ElectronicAddressType ElectronicDataFormatType FiscalActionType FiscalTransactionType FromSystemId
        ItemDescriptionLevel ItemElementType ItemIdentifierType ItemUseRestrictionType Language LocationType
        MediumType OrganizationNameType PaymentMethodType PhysicalAddressType PhysicalConditionType
        PickupLocation ProblemType RequestIdentifierType RequestScopeType RequestStatusType RequestType
        RequestedActionType RequiredItemUseRestrictionType SecurityMarker ToSystemId UnstructuredAddressType
        UserAddressRoleType UserElementType UserIdentifierType UserLanguage UserPrivilegeStatusType""",
    DATETIME: """AccrualDate DateAvailable DateCheckedOut DateDue DateEventOccurred DateForReturn DateOfBirth
        DateOfExpectedReply DateOfUserPrivilegeStatus DatePlaced DateRenewed DateReturned DesiredDateDue
        DesiredDateForReturn EarliestDateNeeded HoldPickupDate NeedBeforeDate PickupDate PickupExpiryDate
        ValidFromDate ValidToDate""",
    POSITIVE: "ChronologyLevel EnumerationLevel HoldQueuePosition LocationNameLevel NumberOfPieces",
    INTEGER: "MonetaryValue",
    NONNEG: "HoldQueueLength LoanedItemCountValue ReminderLevel RenewalCount RequestedItemCountValue",
}
LEAF_KIND: dict[str, str] = {name: kind for kind, names in LEAVES.items() for name in names.split()}

#: The services (request, response) this library reads and writes, in the order of the issue.
SERVICES = ("LookupUser", "AcceptItem", "RequestItem", "CheckOutItem", "CheckInItem", "CancelRequestItem",
            "RenewItem", "RecallItem", "CreateUserFiscalTransaction", "DeleteItem", "LookupVersion")
#: NCIP 1 services that NCIP 2.02 dropped: modelled so a lenient read can keep them, refused by a strict one.
NOT_IN_202 = frozenset({"LookupVersion", "LookupVersionResponse"})
MESSAGES = tuple(n for s in SERVICES for n in (s, s + "Response"))


@attrs.frozen
class Ref:
    """One element reference in a content model, with its occurrences (hi None = unbounded)."""

    name: str
    lo: int = 1
    hi: int | None = 1


@attrs.frozen
class Group:
    """A sequence or a choice of particles, with its occurrences."""

    choice: bool
    items: tuple[Particle, ...]
    lo: int = 1
    hi: int | None = 1


Particle = Ref | Group


@attrs.frozen
class Field:
    """One model field of a complex element: XML name, Python name, leaf kind or "complex"/"flag"/"any",
    whether it repeats (a tuple) and whether every valid document has it (no default)."""

    xml: str
    attr: str
    kind: str
    many: bool
    required: bool


_TOKEN = re.compile(r"\s*(?:([A-Za-z][A-Za-z0-9]*)|(.))")
_OCC = {"?": (0, 1), "*": (0, None), "+": (1, None)}


def snake(name: str) -> str:
    """UserIdentifierValue -> user_identifier_value; Line1 -> line1."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _parse_model(text: str) -> Group:
    tokens = [(m.group(1), m.group(2)) for m in _TOKEN.finditer(text) if m.group(1) or m.group(2)]
    pos = 0

    def occurs() -> tuple[int, int | None]:
        nonlocal pos
        if pos < len(tokens) and tokens[pos][1] in _OCC:
            pos += 1
            return _OCC[tokens[pos - 1][1]]
        return 1, 1

    def group(closing: str) -> Group:
        nonlocal pos
        items: list[Particle] = []
        alternatives: list[Particle] = []
        while pos < len(tokens) and tokens[pos][1] != closing:
            name, punct = tokens[pos]
            pos += 1
            if name:
                lo, hi = occurs()
                items.append(Ref(name, lo, hi))
            elif punct == "(":
                inner = group(")")
                pos += 1
                lo, hi = occurs()
                items.append(attrs.evolve(inner, lo=lo, hi=hi))
            elif punct == "|":
                alternatives.append(_one(items))
                items = []
            else:  # pragma: no cover - the table is ours
                raise ValueError(f"bad content model token {punct!r} in {text!r}")
        if alternatives:
            return Group(True, (*alternatives, _one(items)))
        return Group(False, tuple(items))

    return group("")


def _one(items: list[Particle]) -> Particle:
    return items[0] if len(items) == 1 else Group(False, tuple(items))


def _mul(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a * b


def _fields(model: Group) -> list[Field]:
    """Flatten a content model into fields: a name's count is summed over a sequence and maximised over a
    choice; required means present in every valid document."""
    counts: dict[str, tuple[int, int | None]] = {}

    def walk(p: Particle) -> dict[str, tuple[int, int | None]]:
        if isinstance(p, Ref):
            return {p.name: (p.lo, p.hi)}
        parts = [walk(i) for i in p.items]
        out: dict[str, tuple[int, int | None]] = {}
        for part in parts:
            for name in part:
                if name not in out:
                    out[name] = (0, 0)
        for name in out:
            los = [part.get(name, (0, 0))[0] for part in parts]
            his = [part.get(name, (0, 0))[1] for part in parts]
            if p.choice:
                lo: int = min(los)
                hi: int | None = None if None in his else max(h for h in his if h is not None)
            else:
                lo = sum(los)
                hi = None if None in his else sum(h for h in his if h is not None)
            out[name] = (lo * p.lo, _mul(hi, p.hi))
        return out

    counts = walk(model)
    fields = []
    for name, (lo, hi) in counts.items():
        kind = LEAF_KIND.get(name, "complex")
        if name in _EMPTY:
            kind = "flag"
        elif name == "Ext":
            kind = "ext"
        many = hi is None or hi > 1
        fields.append(Field(name, snake(name), kind, many, lo >= 1 and not many and kind != "flag"))
    return fields


def _load() -> tuple[dict[str, Group], set[str]]:
    models: dict[str, Group] = {}
    empty: set[str] = set()
    for line in CONTENT.strip().splitlines():
        name, _, text = line.partition(":")
        if name.startswith("NCIPMessage-"):
            continue
        text = text.strip()
        if text == "EMPTY":
            empty.add(name)
        elif text != "ANY*":
            models[name] = _parse_model(text)
    return models, empty


MODELS, _EMPTY = _load()
EMPTY = frozenset(_EMPTY)
FIELDS: dict[str, tuple[Field, ...]] = {name: tuple(_fields(m)) for name, m in MODELS.items()}
