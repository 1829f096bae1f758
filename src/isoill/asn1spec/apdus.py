"""pyasn1 types of the 20 ISO 10161 APDUs and the ILL-APDU CHOICE, written by hand from ill9702.asn.

Each APDU is [APPLICATION n] EXPLICIT around a SEQUENCE; fields keep the module's tags (unique across APDUs).
"""

from __future__ import annotations

from typing import Any

from pyasn1.type import namedtype, namedval, univ

from ._tags import application, exp, imp, sized
from .common import (
    EXTERNAL,
    Amount,
    Delivery_Address,
    Extensions,
    ILL_Service_Type,
    ILL_String,
    ISO_Date,
    Place_On_Hold_Type,
    Postal_Address,
    Reason_No_Report,
    Service_Date_Time,
    Shipped_Service_Type,
    System_Address,
    System_Id,
    Transaction_Id,
    Transaction_Results,
    Transaction_Type,
    Transportation_Mode,
)
from .types import (
    Already_Tried_List_Type,
    Client_Id,
    Cost_Info_Type,
    Damaged_Details,
    Date_Due,
    Delivery_Service,
    Error_Report,
    Item_Id,
    Requester_Optional_Messages_Type,
    Responder_Optional_Messages_Type,
    Results_Explanation,
    Search_Type,
    Send_To_List_Type,
    Status_Report,
    Supplemental_Item_Description,
    Supply_Details,
    Supply_Medium_Info_Type,
    Third_Party_Info_Type,
)


class Protocol_Version_Num(univ.Integer):
    """The inline INTEGER {version-1 (1), version-2 (2)} of every APDU (named numbers, not a constraint)."""

    namedValues = namedval.NamedValues(("version-1", 1), ("version-2", 2))


class ILL_Service_Types(univ.SequenceOf):
    componentType = ILL_Service_Type()


class Supply_Medium_Info_Types(univ.SequenceOf):
    componentType = Supply_Medium_Info_Type()


def _header(responder_mandatory: bool = False) -> list[Any]:
    """The five fields every APDU starts with ([0]..[4])."""
    responder = namedtype.NamedType if responder_mandatory else namedtype.OptionalNamedType
    return [
        namedtype.NamedType("protocol-version-num", imp(Protocol_Version_Num(), 0)),
        namedtype.NamedType("transaction-id", imp(Transaction_Id(), 1)),
        namedtype.NamedType("service-date-time", imp(Service_Date_Time(), 2)),
        namedtype.OptionalNamedType("requester-id", imp(System_Id(), 3)),
        responder("responder-id", imp(System_Id(), 4)),
    ]


def _note(name: str, mandatory: bool = False) -> Any:
    kind = namedtype.NamedType if mandatory else namedtype.OptionalNamedType
    return kind(name, exp(ILL_String(), 46))


def _extensions(name: str) -> Any:
    # [49] IMPLICIT SEQUENCE OF Extension in 19 APDUs; Overdue alone writes [49] without IMPLICIT (see there).
    return namedtype.OptionalNamedType(name, imp(Extensions(), 49))


def _supplemental() -> Any:
    return namedtype.OptionalNamedType("supplemental-item-description", imp(Supplemental_Item_Description(), 17))


class ILL_Request(univ.Sequence):
    tagSet = application(1)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.DefaultedNamedType("transaction-type", imp(Transaction_Type(1), 5)),
        namedtype.OptionalNamedType("delivery-address", imp(Delivery_Address(), 6)),
        namedtype.OptionalNamedType("delivery-service", Delivery_Service()),
        namedtype.OptionalNamedType("billing-address", imp(Delivery_Address(), 8)),
        namedtype.NamedType("iLL-service-type", imp(sized(ILL_Service_Types(), 1, 5), 9)),
        namedtype.OptionalNamedType("responder-specific-service", exp(EXTERNAL(), 10)),
        namedtype.NamedType("requester-optional-messages", imp(Requester_Optional_Messages_Type(), 11)),
        namedtype.OptionalNamedType("search-type", imp(Search_Type(), 12)),
        namedtype.OptionalNamedType("supply-medium-info-type", imp(sized(Supply_Medium_Info_Types(), 1, 7), 13)),
        namedtype.DefaultedNamedType("place-on-hold", imp(Place_On_Hold_Type(3), 14)),
        namedtype.OptionalNamedType("client-id", imp(Client_Id(), 15)),
        namedtype.NamedType("item-id", imp(Item_Id(), 16)),
        _supplemental(),
        namedtype.OptionalNamedType("cost-info-type", imp(Cost_Info_Type(), 18)),
        namedtype.OptionalNamedType("copyright-compliance", exp(ILL_String(), 19)),
        namedtype.OptionalNamedType("third-party-info-type", imp(Third_Party_Info_Type(), 20)),
        namedtype.DefaultedNamedType("retry-flag", imp(univ.Boolean(False), 21)),
        namedtype.DefaultedNamedType("forward-flag", imp(univ.Boolean(False), 22)),
        _note("requester-note"),
        namedtype.OptionalNamedType("forward-note", exp(ILL_String(), 47)),
        _extensions("iLL-request-extensions"),
    )


class Forward_Notification(univ.Sequence):
    tagSet = application(2)
    componentType = namedtype.NamedTypes(
        *_header(responder_mandatory=True),
        namedtype.OptionalNamedType("responder-address", imp(System_Address(), 24)),
        namedtype.NamedType("intermediary-id", imp(System_Id(), 25)),
        namedtype.OptionalNamedType("notification-note", exp(ILL_String(), 48)),
        _extensions("forward-notification-extensions"),
    )


class Shipped(univ.Sequence):
    tagSet = application(3)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.OptionalNamedType("responder-address", imp(System_Address(), 24)),
        namedtype.OptionalNamedType("intermediary-id", imp(System_Id(), 25)),
        namedtype.OptionalNamedType("supplier-id", imp(System_Id(), 26)),
        namedtype.OptionalNamedType("client-id", imp(Client_Id(), 15)),
        namedtype.DefaultedNamedType("transaction-type", imp(Transaction_Type(1), 5)),
        _supplemental(),
        namedtype.NamedType("shipped-service-type", imp(Shipped_Service_Type(), 27)),
        namedtype.OptionalNamedType("responder-optional-messages", imp(Responder_Optional_Messages_Type(), 28)),
        namedtype.NamedType("supply-details", imp(Supply_Details(), 29)),
        namedtype.OptionalNamedType("return-to-address", imp(Postal_Address(), 30)),
        _note("responder-note"),
        _extensions("shipped-extensions"),
    )


class ILL_Answer(univ.Sequence):
    tagSet = application(4)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("transaction-results", imp(Transaction_Results(), 31)),
        namedtype.OptionalNamedType("results-explanation", exp(Results_Explanation(), 32)),
        namedtype.OptionalNamedType("responder-specific-results", exp(EXTERNAL(), 33)),
        _supplemental(),
        namedtype.OptionalNamedType("send-to-list", imp(Send_To_List_Type(), 23)),
        namedtype.OptionalNamedType("already-tried-list", imp(Already_Tried_List_Type(), 34)),
        namedtype.OptionalNamedType("responder-optional-messages", imp(Responder_Optional_Messages_Type(), 28)),
        _note("responder-note"),
        _extensions("ill-answer-extensions"),
    )


class Conditional_Reply(univ.Sequence):
    tagSet = application(5)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("answer", imp(univ.Boolean(), 35)),
        _note("requester-note"),
        _extensions("conditional-reply-extensions"),
    )


class Cancel(univ.Sequence):
    tagSet = application(6)
    componentType = namedtype.NamedTypes(*_header(), _note("requester-note"), _extensions("cancel-extensions"))


class Cancel_Reply(univ.Sequence):
    tagSet = application(7)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("answer", imp(univ.Boolean(), 35)),
        _note("responder-note"),
        _extensions("cancel-reply-extensions"),
    )


class Received(univ.Sequence):
    tagSet = application(8)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.OptionalNamedType("supplier-id", imp(System_Id(), 26)),
        _supplemental(),
        namedtype.NamedType("date-received", imp(ISO_Date(), 36)),
        namedtype.NamedType("shipped-service-type", imp(Shipped_Service_Type(), 27)),
        _note("requester-note"),
        _extensions("received-extensions"),
    )


class Recall(univ.Sequence):
    tagSet = application(9)
    componentType = namedtype.NamedTypes(*_header(), _note("responder-note"), _extensions("recall-extensions"))


class Returned(univ.Sequence):
    tagSet = application(10)
    componentType = namedtype.NamedTypes(
        *_header(),
        _supplemental(),
        namedtype.NamedType("date-returned", imp(ISO_Date(), 37)),
        namedtype.OptionalNamedType("returned-via", exp(Transportation_Mode(), 38)),
        namedtype.OptionalNamedType("insured-for", imp(Amount(), 39)),
        _note("requester-note"),
        _extensions("returned-extensions"),
    )


class Checked_In(univ.Sequence):
    tagSet = application(11)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("date-checked-in", imp(ISO_Date(), 40)),
        _note("responder-note"),
        _extensions("checked-in-extensions"),
    )


class Overdue(univ.Sequence):
    tagSet = application(12)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("date-due", imp(Date_Due(), 41)),
        _note("responder-note"),
        # The module writes `[49] SEQUENCE OF Extension` here, without IMPLICIT: BF 31 L 30 L (30 ...)...
        namedtype.OptionalNamedType("overdue-extensions", exp(Extensions(), 49)),
    )


class Renew(univ.Sequence):
    tagSet = application(13)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.OptionalNamedType("desired-due-date", imp(ISO_Date(), 42)),
        _note("requester-note"),
        _extensions("renew-extensions"),
    )


class Renew_Answer(univ.Sequence):
    tagSet = application(14)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.NamedType("answer", imp(univ.Boolean(), 35)),
        namedtype.OptionalNamedType("date-due", imp(Date_Due(), 41)),
        _note("responder-note"),
        _extensions("renew-answer-extensions"),
    )


class Lost(univ.Sequence):
    tagSet = application(15)
    componentType = namedtype.NamedTypes(*_header(), _note("note"), _extensions("lost-extensions"))


class Damaged(univ.Sequence):
    tagSet = application(16)
    componentType = namedtype.NamedTypes(
        *_header(),
        # [5] as in ill9702.asn and YAZ; the NLC text has [51] (research 1.5). This spec follows the module.
        namedtype.OptionalNamedType("damaged-details", imp(Damaged_Details(), 5)),
        _note("note"),
        _extensions("damaged-extensions"),
    )


class Message(univ.Sequence):
    tagSet = application(17)
    componentType = namedtype.NamedTypes(*_header(), _note("note", mandatory=True), _extensions("message-extensions"))


class Status_Query(univ.Sequence):
    tagSet = application(18)
    componentType = namedtype.NamedTypes(*_header(), _note("note"), _extensions("status-query-extensions"))


class Status_Or_Error_Report(univ.Sequence):
    tagSet = application(19)
    componentType = namedtype.NamedTypes(
        *_header(),
        namedtype.OptionalNamedType("reason-no-report", imp(Reason_No_Report(), 43)),
        namedtype.OptionalNamedType("status-report", imp(Status_Report(), 44)),
        namedtype.OptionalNamedType("error-report", imp(Error_Report(), 45)),
        _note("note"),
        _extensions("status-or-error-report-extensions"),
    )


class Expired(univ.Sequence):
    tagSet = application(20)
    componentType = namedtype.NamedTypes(*_header(), _extensions("expired-extensions"))


APDU_TYPES: tuple[Any, ...] = (
    ILL_Request, Forward_Notification, Shipped, ILL_Answer, Conditional_Reply, Cancel, Cancel_Reply, Received,
    Recall, Returned, Checked_In, Overdue, Renew, Renew_Answer, Lost, Damaged, Message, Status_Query,
    Status_Or_Error_Report, Expired,
)  # fmt: skip
"""The APDU classes in [APPLICATION n] order (index n-1)."""


class ILL_APDU(univ.Choice):
    # The module's CHOICE has no identifiers; alternatives are named after the ASN.1 type names.
    componentType = namedtype.NamedTypes(
        *(namedtype.NamedType(cls.__name__.replace("_", "-"), cls()) for cls in APDU_TYPES)
    )
