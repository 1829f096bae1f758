"""pyasn1 types of ISO-10161-ILL-1 that the APDUs carry: item, delivery, results, reports, optional messages.

Written by hand from ill9702.asn (EXPLICIT TAGS: a bare [n] is explicit, [n] IMPLICIT is implicit).
"""

from __future__ import annotations

from pyasn1.type import constraint, namedtype, univ

from ._tags import enumerated, exp, imp
from .common import (
    EXTERNAL,
    Account_Number,
    Amount,
    Current_State,
    General_Problem,
    ILL_APDU_Type,
    ILL_String,
    Intermediary_Problem,
    ISO_Date,
    ISO_Time,
    Medium_Type,
    Postal_Address,
    Report_Source,
    Security_Problem,
    Shipped_Service_Type,
    Supply_Medium_Type,
    System_Address,
    System_Id,
    Transaction_Id_Problem,
    Transaction_Results,
    Transportation_Mode,
    Unable_To_Perform,
)


def _range(lo: int, hi: int) -> univ.Integer:
    return univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(lo, hi))


# ---- lists and locations ---------------------------------------------------------------------------


class Already_Tried_List_Type(univ.SequenceOf):
    componentType = System_Id()


class Already_Forwarded(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("responder-id", imp(System_Id(), 0)),
        namedtype.OptionalNamedType("responder-address", imp(System_Address(), 1)),
    )


class Location_Info(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("location-id", imp(System_Id(), 0)),
        namedtype.OptionalNamedType("location-address", imp(System_Address(), 1)),
        namedtype.OptionalNamedType("location-note", exp(ILL_String(), 2)),
    )


class Location_Infos(univ.SequenceOf):
    """SEQUENCE OF Location-Info (the 'locations' field of several result types)."""

    componentType = Location_Info()


class Send_To_List_Type_item(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("system-id", imp(System_Id(), 0)),
        namedtype.OptionalNamedType("account-number", exp(Account_Number(), 1)),
        namedtype.OptionalNamedType("system-address", imp(System_Address(), 2)),
    )


class Send_To_List_Type(univ.SequenceOf):
    componentType = Send_To_List_Type_item()


class Supplemental_Item_Description(univ.SequenceOf):
    componentType = EXTERNAL()


# ---- client, item, cost ----------------------------------------------------------------------------


class Client_Id(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("client-name", exp(ILL_String(), 0)),
        namedtype.OptionalNamedType("client-status", exp(ILL_String(), 1)),
        namedtype.OptionalNamedType("client-identifier", exp(ILL_String(), 2)),
    )


Item_Type = enumerated("Item_Type", ("monograph", 1), ("serial", 2), ("other", 3))


class Item_Id(univ.Sequence):
    # iSBN is ILL-String (SIZE (10)) and iSSN (SIZE (8)): size constraints on a CHOICE, not enforced here.
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("item-type", imp(Item_Type(), 0)),
        namedtype.OptionalNamedType("held-medium-type", imp(Medium_Type(), 1)),
        *(
            namedtype.OptionalNamedType(name, exp(ILL_String(), n))
            for n, name in enumerate(
                [
                    "call-number", "author", "title", "sub-title", "sponsoring-body", "place-of-publication",
                    "publisher", "series-title-number", "volume-issue", "edition", "publication-date",
                    "publication-date-of-component", "author-of-article", "title-of-article", "pagination",
                ],
                start=2,
            )
        ),  # fmt: skip
        namedtype.OptionalNamedType("national-bibliography-no", exp(EXTERNAL(), 17)),
        namedtype.OptionalNamedType("iSBN", exp(ILL_String(), 18)),
        namedtype.OptionalNamedType("iSSN", exp(ILL_String(), 19)),
        namedtype.OptionalNamedType("system-no", exp(EXTERNAL(), 20)),
        namedtype.OptionalNamedType("additional-no-letters", exp(ILL_String(), 21)),
        namedtype.OptionalNamedType("verification-reference-source", exp(ILL_String(), 22)),
    )


class Cost_Info_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("account-number", exp(Account_Number(), 0)),
        namedtype.OptionalNamedType("maximum-cost", imp(Amount(), 1)),
        namedtype.DefaultedNamedType("reciprocal-agreement", imp(univ.Boolean(False), 2)),
        namedtype.DefaultedNamedType("will-pay-fee", imp(univ.Boolean(False), 3)),
        namedtype.DefaultedNamedType("payment-provided", imp(univ.Boolean(False), 4)),
    )


class Third_Party_Info_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.DefaultedNamedType("permission-to-forward", imp(univ.Boolean(False), 0)),
        namedtype.DefaultedNamedType("permission-to-chain", imp(univ.Boolean(False), 1)),
        namedtype.DefaultedNamedType("permission-to-partition", imp(univ.Boolean(False), 2)),
        namedtype.DefaultedNamedType("permission-to-change-send-to-list", imp(univ.Boolean(False), 3)),
        namedtype.OptionalNamedType("initial-requester-address", imp(System_Address(), 4)),
        namedtype.DefaultedNamedType(
            "preference", imp(enumerated("Preference", ("ordered", 1), ("unordered", 2))(2), 5)
        ),
        namedtype.OptionalNamedType("send-to-list", imp(Send_To_List_Type(), 6)),
        namedtype.OptionalNamedType("already-tried-list", imp(Already_Tried_List_Type(), 7)),
    )


# ---- optional messages, search, supply medium -------------------------------------------------------

Requires_Desires_Neither = enumerated("Requires_Desires_Neither", ("requires", 1), ("desires", 2), ("neither", 3))


class Requester_Optional_Messages_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("can-send-RECEIVED", imp(univ.Boolean(), 0)),
        namedtype.NamedType("can-send-RETURNED", imp(univ.Boolean(), 1)),
        namedtype.NamedType("requester-SHIPPED", imp(Requires_Desires_Neither(), 2)),
        namedtype.NamedType("requester-CHECKED-IN", imp(Requires_Desires_Neither(), 3)),
    )


class Responder_Optional_Messages_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("can-send-SHIPPED", imp(univ.Boolean(), 0)),
        namedtype.NamedType("can-send-CHECKED-IN", imp(univ.Boolean(), 1)),
        namedtype.NamedType("responder-RECEIVED", imp(Requires_Desires_Neither(), 2)),
        namedtype.NamedType("responder-RETURNED", imp(Requires_Desires_Neither(), 3)),
    )


Expiry_Flag = enumerated("Expiry_Flag", ("need-Before-Date", 1), ("other-Date", 2), ("no-Expiry", 3))


class Search_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("level-of-service", exp(ILL_String(), 0)),  # (SIZE (1)), not enforced
        namedtype.OptionalNamedType("need-before-date", imp(ISO_Date(), 1)),
        namedtype.DefaultedNamedType("expiry-flag", imp(Expiry_Flag(3), 2)),
        namedtype.OptionalNamedType("expiry-date", imp(ISO_Date(), 3)),
    )


class Supply_Medium_Info_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("supply-medium-type", imp(Supply_Medium_Type(), 0)),
        namedtype.OptionalNamedType("medium-characteristics", exp(ILL_String(), 1)),
    )


# ---- delivery ---------------------------------------------------------------------------------------


class E_Delivery_Service_seq(univ.Sequence):
    """The inline SEQUENCE of Electronic-Delivery-Service.e-delivery-service."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("e-delivery-mode", imp(univ.ObjectIdentifier(), 0)),
        namedtype.NamedType("e-delivery-parameters", exp(univ.Any(), 1)),
    )


class Document_Type_seq(univ.Sequence):
    """The inline SEQUENCE of Electronic-Delivery-Service.document-type."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("document-type-id", imp(univ.ObjectIdentifier(), 2)),
        namedtype.NamedType("document-type-parameters", exp(univ.Any(), 3)),
    )


class E_Delivery_Details(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("e-delivery-address", imp(System_Address(), 0)),
        namedtype.NamedType("e-delivery-id", imp(System_Id(), 1)),
    )


class Electronic_Delivery_Service(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("e-delivery-service", imp(E_Delivery_Service_seq(), 0)),
        namedtype.OptionalNamedType("document-type", imp(Document_Type_seq(), 1)),
        namedtype.OptionalNamedType("e-delivery-description", exp(ILL_String(), 4)),
        namedtype.NamedType("e-delivery-details", exp(E_Delivery_Details(), 5)),
        namedtype.OptionalNamedType("name-or-code", exp(ILL_String(), 6)),
        namedtype.OptionalNamedType("delivery-time", imp(ISO_Time(), 7)),
    )


class Electronic_Delivery_Services(univ.SequenceOf):
    componentType = Electronic_Delivery_Service()


class Delivery_Service(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("physical-delivery", exp(Transportation_Mode(), 7)),
        namedtype.NamedType("electronic-delivery", imp(Electronic_Delivery_Services(), 50)),
    )


class Date_Due(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("date-due-field", imp(ISO_Date(), 0)),
        namedtype.DefaultedNamedType("renewable", imp(univ.Boolean(True), 1)),
    )


class Units_Per_Medium_Type(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("medium", exp(Supply_Medium_Type(), 0)),
        namedtype.NamedType("no-of-units", exp(_range(1, 9999), 1)),
    )


class Units_Per_Medium_Types(univ.SequenceOf):
    componentType = Units_Per_Medium_Type()


class Shipped_Via(univ.Choice):
    """The untagged CHOICE of Supply-Details.shipped-via."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("physical-delivery", exp(Transportation_Mode(), 5)),
        namedtype.NamedType("electronic-delivery", imp(Electronic_Delivery_Service(), 50)),
    )


Shipped_Conditions = enumerated(
    "Shipped_Conditions",
    ("library-use-only", 22), ("no-reproduction", 23), ("client-signature-required", 24),
    ("special-collections-supervision-required", 25), ("other", 27),
)  # fmt: skip


class Supply_Details(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("date-shipped", imp(ISO_Date(), 0)),
        namedtype.OptionalNamedType("date-due", imp(Date_Due(), 1)),
        namedtype.OptionalNamedType("chargeable-units", imp(_range(1, 9999), 2)),
        namedtype.OptionalNamedType("cost", imp(Amount(), 3)),
        namedtype.OptionalNamedType("shipped-conditions", imp(Shipped_Conditions(), 4)),
        namedtype.OptionalNamedType("shipped-via", Shipped_Via()),
        namedtype.OptionalNamedType("insured-for", imp(Amount(), 6)),
        namedtype.OptionalNamedType("return-insurance-require", imp(Amount(), 7)),
        namedtype.OptionalNamedType("no-of-units-per-medium", imp(Units_Per_Medium_Types(), 8)),
    )


# ---- ILL-Answer results -----------------------------------------------------------------------------

Conditions = enumerated(
    "Conditions",
    ("cost-exceeds-limit", 13), ("charges", 14), ("prepayment-required", 15), ("lacks-copyright-compliance", 16),
    ("library-use-only", 22), ("no-reproduction", 23), ("client-signature-required", 24),
    ("special-collections-supervision-required", 25), ("other", 27), ("responder-specific", 28),
    ("proposed-delivery-service", 30),
)  # fmt: skip


class Conditional_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("conditions", imp(Conditions(), 0)),
        namedtype.OptionalNamedType("date-for-reply", imp(ISO_Date(), 1)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 2)),
        namedtype.OptionalNamedType("proposed-delivery-service", Delivery_Service()),
    )


Reason_Not_Available = enumerated(
    "Reason_Not_Available",
    ("in-use-on-loan", 1), ("in-process", 2), ("on-order", 6), ("volume-issue-not-yet-available", 7),
    ("at-bindery", 8), ("cost-exceeds-limit", 13), ("charges", 14), ("prepayment-required", 15),
    ("lacks-copyright-compliance", 16), ("not-found-as-cited", 17), ("on-hold", 19), ("other", 27),
    ("responder-specific", 28),
)  # fmt: skip


class Retry_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("reason-not-available", imp(Reason_Not_Available(), 0)),
        namedtype.OptionalNamedType("retry-date", imp(ISO_Date(), 1)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 2)),
    )


Reason_Unfilled = enumerated(
    "Reason_Unfilled",
    ("in-use-on-loan", 1), ("in-process", 2), ("lost", 3), ("non-circulating", 4), ("not-owned", 5),
    ("on-order", 6), ("volume-issue-not-yet-available", 7), ("at-bindery", 8), ("lacking", 9),
    ("not-on-shelf", 10), ("on-reserve", 11), ("poor-condition", 12), ("cost-exceeds-limit", 13), ("charges", 14),
    ("prepayment-required", 15), ("lacks-copyright-compliance", 16), ("not-found-as-cited", 17),
    ("locations-not-found", 18), ("on-hold", 19), ("policy-problem", 20), ("mandatory-messaging-not-supported", 21),
    ("expiry-not-supported", 22), ("requested-delivery-services-not-supported", 23),
    ("preferred-delivery-time-not-possible", 24), ("other", 27), ("responder-specific", 28),
)  # fmt: skip


class Unfilled_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("reason-unfilled", imp(Reason_Unfilled(), 0)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 1)),
    )


Reason_Locs_Provided = enumerated(
    "Reason_Locs_Provided",
    ("in-use-on-loan", 1), ("in-process", 2), ("lost", 3), ("non-circulating", 4), ("not-owned", 5),
    ("on-order", 6), ("volume-issue-not-yet-available", 7), ("at-bindery", 8), ("lacking", 9),
    ("not-on-shelf", 10), ("on-reserve", 11), ("poor-condition", 12), ("cost-exceeds-limit", 13), ("on-hold", 19),
    ("other", 27), ("responder-specific", 28),
)  # fmt: skip


class Locations_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("reason-locs-provided", imp(Reason_Locs_Provided(), 0)),
        namedtype.NamedType("locations", imp(Location_Infos(), 1)),
    )


Reason_Will_Supply = enumerated(
    "Reason_Will_Supply",
    ("in-use-on-loan", 1), ("in-process", 2), ("on-order", 6), ("at-bindery", 8), ("on-hold", 19),
    ("being-processed-for-supply", 26), ("other", 27), ("responder-specific", 28), ("electronic-delivery", 30),
)  # fmt: skip


class Will_Supply_Results(univ.Sequence):
    # Only locations [3] is IMPLICIT; the other tags are explicit (EXPLICIT TAGS module).
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("reason-will-supply", exp(Reason_Will_Supply(), 0)),
        namedtype.OptionalNamedType("supply-date", exp(ISO_Date(), 1)),
        namedtype.OptionalNamedType("return-to-address", exp(Postal_Address(), 2)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 3)),
        namedtype.OptionalNamedType("electronic-delivery-service", exp(Electronic_Delivery_Service(), 4)),
    )


class Hold_Placed_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("estimated-date-available", imp(ISO_Date(), 0)),
        namedtype.OptionalNamedType("hold-placed-medium-type", imp(Medium_Type(), 1)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 2)),
    )


class Estimate_Results(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("cost-estimate", exp(ILL_String(), 0)),
        namedtype.OptionalNamedType("locations", imp(Location_Infos(), 1)),
    )


class Results_Explanation(univ.Choice):
    """The inline CHOICE of ILL-Answer.results-explanation (each alternative explicitly tagged)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("conditional-results", exp(Conditional_Results(), 1)),
        namedtype.NamedType("retry-results", exp(Retry_Results(), 2)),
        namedtype.NamedType("unfilled-results", exp(Unfilled_Results(), 3)),
        namedtype.NamedType("locations-results", exp(Locations_Results(), 4)),
        namedtype.NamedType("will-supply-results", exp(Will_Supply_Results(), 5)),
        namedtype.NamedType("hold-placed-results", exp(Hold_Placed_Results(), 6)),
        namedtype.NamedType("estimate-results", exp(Estimate_Results(), 7)),
    )


# ---- Damaged, status and error reports ---------------------------------------------------------------


class Damaged_Portion(univ.Choice):
    """The inline CHOICE of Damaged-Details.damaged-portion."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("complete-document", imp(univ.Null(), 1)),
        namedtype.NamedType("specific-units", imp(univ.SequenceOf(componentType=univ.Integer()), 2)),
    )


class Damaged_Details(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("document-type-id", imp(univ.ObjectIdentifier(), 0)),
        namedtype.NamedType("damaged-portion", Damaged_Portion()),
    )


Most_Recent_Service = enumerated(
    "Most_Recent_Service",
    ("iLL-REQUEST", 1), ("fORWARD", 21), ("fORWARD-NOTIFICATION", 2), ("sHIPPED", 3), ("iLL-ANSWER", 4),
    ("cONDITIONAL-REPLY", 5), ("cANCEL", 6), ("cANCEL-REPLY", 7), ("rECEIVED", 8), ("rECALL", 9),
    ("rETURNED", 10), ("cHECKED-IN", 11), ("rENEW-ANSWER", 14), ("lOST", 15), ("dAMAGED", 16), ("mESSAGE", 17),
    ("sTATUS-QUERY", 18), ("sTATUS-OR-ERROR-REPORT", 19), ("eXPIRED", 20),
)  # fmt: skip


class History_Report(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("date-requested", imp(ISO_Date(), 0)),
        namedtype.OptionalNamedType("author", exp(ILL_String(), 1)),
        namedtype.OptionalNamedType("title", exp(ILL_String(), 2)),
        namedtype.OptionalNamedType("author-of-article", exp(ILL_String(), 3)),
        namedtype.OptionalNamedType("title-of-article", exp(ILL_String(), 4)),
        namedtype.NamedType("date-of-last-transition", imp(ISO_Date(), 5)),
        namedtype.NamedType("most-recent-service", imp(Most_Recent_Service(), 6)),
        namedtype.NamedType("date-of-most-recent-service", imp(ISO_Date(), 7)),
        namedtype.NamedType("initiator-of-most-recent-service", imp(System_Id(), 8)),
        namedtype.OptionalNamedType("shipped-service-type", imp(Shipped_Service_Type(), 9)),
        namedtype.OptionalNamedType("transaction-results", imp(Transaction_Results(), 10)),
        namedtype.OptionalNamedType("most-recent-service-note", exp(ILL_String(), 11)),
    )


class Status_Report(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("user-status-report", imp(History_Report(), 0)),
        namedtype.NamedType("provider-status-report", imp(Current_State(), 1)),
    )


class State_Transition_Prohibited(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("aPDU-type", imp(ILL_APDU_Type(), 0)),
        namedtype.NamedType("current-state", imp(Current_State(), 1)),
    )


class User_Error_Report(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("already-forwarded", imp(Already_Forwarded(), 0)),
        namedtype.NamedType("intermediary-problem", imp(Intermediary_Problem(), 1)),
        namedtype.NamedType("security-problem", exp(Security_Problem(), 2)),
        namedtype.NamedType("unable-to-perform", imp(Unable_To_Perform(), 3)),
    )


class Provider_Error_Report(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("general-problem", imp(General_Problem(), 0)),
        namedtype.NamedType("transaction-id-problem", imp(Transaction_Id_Problem(), 1)),
        namedtype.NamedType("state-transition-prohibited", imp(State_Transition_Prohibited(), 2)),
    )


class Error_Report(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("correlation-information", exp(ILL_String(), 0)),
        namedtype.NamedType("report-source", imp(Report_Source(), 1)),
        namedtype.OptionalNamedType("user-error-report", exp(User_Error_Report(), 2)),
        namedtype.OptionalNamedType("provider-error-report", exp(Provider_Error_Report(), 3)),
    )

