"""pyasn1 types of ISO-10161-ILL-1 shared by many APDUs: strings, ids, addresses, dates, EXTERNAL, Extension.

Written by hand from ill9702.asn (DEFINITIONS EXPLICIT TAGS); names follow the standard ('-' becomes '_').
"""

from __future__ import annotations

from pyasn1.type import char, constraint, namedtype, tag, univ, useful

from ._tags import enumerated, exp, imp

# ---- strings --------------------------------------------------------------------------------------

# The module's FROM constraint (A-Z a-z 0-9 space and .,-()/=!"%&*;<>'+:?). It is documented here and not
# attached to the type: YAZ neither checks nor respects it (its -S vectors hold '@'), and the reference codec
# must read what peers send. Check it with edifact_ok() where strictness is wanted.
EDIFACT_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz1234567890 .,-()/=!\"%&*;<>'+:?")


def edifact_ok(text: str) -> bool:
    return set(text) <= EDIFACT_ALPHABET


class EDIFACTString(char.VisibleString):
    pass


class GeneralString(char.GeneralString):
    # Deployed systems put UTF-8 octets in GeneralString (research 3.5); pyasn1 would use Latin-1.
    encoding = "utf-8"


class ILL_String(univ.Choice):
    # The ASN.1 alternatives have no identifiers; they are named after their types, as YAZ does.
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("GeneralString", GeneralString()),
        namedtype.NamedType("EDIFACTString", EDIFACTString()),
    )


class Account_Number(ILL_String):
    pass


class Security_Problem(ILL_String):
    pass


class Transportation_Mode(ILL_String):
    pass


class ISO_Date(char.VisibleString):
    pass  # YYYYMMDD (the length is a comment in the module, not a constraint)


class ISO_Time(char.VisibleString):
    pass  # HHMMSS


# ---- identities and addresses ----------------------------------------------------------------------


class Person_Or_Institution_Symbol(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("person-symbol", exp(ILL_String(), 0)),
        namedtype.NamedType("institution-symbol", exp(ILL_String(), 1)),
    )


class Name_Of_Person_Or_Institution(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("name-of-person", exp(ILL_String(), 0)),
        namedtype.NamedType("name-of-institution", exp(ILL_String(), 1)),
    )


class System_Id(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("person-or-institution-symbol", exp(Person_Or_Institution_Symbol(), 0)),
        namedtype.OptionalNamedType("name-of-person-or-institution", exp(Name_Of_Person_Or_Institution(), 1)),
    )


class System_Address(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("telecom-service-identifier", exp(ILL_String(), 0)),
        namedtype.OptionalNamedType("telecom-service-address", exp(ILL_String(), 1)),
    )


class Postal_Address(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("name-of-person-or-institution", exp(Name_Of_Person_Or_Institution(), 0)),
        namedtype.OptionalNamedType("extended-postal-delivery-address", exp(ILL_String(), 1)),
        namedtype.OptionalNamedType("street-and-number", exp(ILL_String(), 2)),
        namedtype.OptionalNamedType("post-office-box", exp(ILL_String(), 3)),
        namedtype.OptionalNamedType("city", exp(ILL_String(), 4)),
        namedtype.OptionalNamedType("region", exp(ILL_String(), 5)),
        namedtype.OptionalNamedType("country", exp(ILL_String(), 6)),
        namedtype.OptionalNamedType("postal-code", exp(ILL_String(), 7)),
    )


class Delivery_Address(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("postal-address", imp(Postal_Address(), 0)),
        namedtype.OptionalNamedType("electronic-address", imp(System_Address(), 1)),
    )


class Transaction_Id(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("initial-requester-id", imp(System_Id(), 0)),
        namedtype.NamedType("transaction-group-qualifier", exp(ILL_String(), 1)),
        namedtype.NamedType("transaction-qualifier", exp(ILL_String(), 2)),
        namedtype.OptionalNamedType("sub-transaction-qualifier", exp(ILL_String(), 3)),
    )


class Service_Date_Time_this(univ.Sequence):
    """The inline SEQUENCE of Service-Date-Time.date-time-of-this-service."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("date", imp(ISO_Date(), 0)),
        namedtype.OptionalNamedType("time", imp(ISO_Time(), 1)),
    )


class Service_Date_Time_original(univ.Sequence):
    """The inline SEQUENCE of Service-Date-Time.date-time-of-original-service."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("date", imp(ISO_Date(), 0)),
        namedtype.OptionalNamedType("time", imp(ISO_Time(), 1)),
    )


class Service_Date_Time(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("date-time-of-this-service", imp(Service_Date_Time_this(), 0)),
        namedtype.OptionalNamedType("date-time-of-original-service", imp(Service_Date_Time_original(), 1)),
    )


# ---- money -----------------------------------------------------------------------------------------


class AmountString(char.PrintableString):
    subtypeSpec = char.PrintableString.subtypeSpec + constraint.PermittedAlphabetConstraint(*"1234567890 .,")


class Amount(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "currency-code",
            imp(char.PrintableString().subtype(subtypeSpec=constraint.ValueSizeConstraint(3, 3)), 0),
        ),
        namedtype.NamedType(
            "monetary-value", imp(AmountString().subtype(subtypeSpec=constraint.ValueSizeConstraint(1, 10)), 1)
        ),
    )


# ---- EXTERNAL and Extension ------------------------------------------------------------------------


class EXTERNAL_encoding(univ.Choice):
    """EXTERNAL.encoding: single-ASN1-type [0] ANY (explicit), octet-aligned / arbitrary IMPLICIT."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("single-ASN1-type", exp(univ.Any(), 0)),
        namedtype.NamedType("octet-aligned", imp(univ.OctetString(), 1)),
        namedtype.NamedType("arbitrary", imp(univ.BitString(), 2)),
    )


class EXTERNAL(univ.Sequence):
    """X.208 EXTERNAL: [UNIVERSAL 8] IMPLICIT SEQUENCE (encoded 28 L ...)."""

    tagSet = tag.initTagSet(tag.Tag(tag.tagClassUniversal, tag.tagFormatConstructed, 8))
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("direct-reference", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("indirect-reference", univ.Integer()),
        namedtype.OptionalNamedType("data-value-descriptor", useful.ObjectDescriptor()),
        namedtype.NamedType("encoding", EXTERNAL_encoding()),
    )


class Extension(univ.Sequence):
    # item is ANY DEFINED BY identifier; identifier 1 means an EXTERNAL (ASMA Clarification 02). The spec keeps
    # the item as raw BER so unknown extensions survive; decode it with decode_external().
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("identifier", imp(univ.Integer(), 0)),
        namedtype.DefaultedNamedType("critical", imp(univ.Boolean(False), 1)),
        namedtype.NamedType("item", exp(univ.Any(), 2)),
    )


class Extensions(univ.SequenceOf):
    """SEQUENCE OF Extension, the type of every APDU's [49] field."""

    componentType = Extension()


# ---- enumerations used in several places -----------------------------------------------------------

ILL_APDU_Type = enumerated(
    "ILL_APDU_Type",
    ("iLL-REQUEST", 1), ("fORWARD-NOTIFICATION", 2), ("sHIPPED", 3), ("iLL-ANSWER", 4), ("cONDITIONAL-REPLY", 5),
    ("cANCEL", 6), ("cANCEL-REPLY", 7), ("rECEIVED", 8), ("rECALL", 9), ("rETURNED", 10), ("cHECKED-IN", 11),
    ("oVERDUE", 12), ("rENEW", 13), ("rENEW-ANSWER", 14), ("lOST", 15), ("dAMAGED", 16), ("mESSAGE", 17),
    ("sTATUS-QUERY", 18), ("sTATUS-OR-ERROR-REPORT", 19), ("eXPIRED", 20),
)  # fmt: skip

ILL_Service_Type = enumerated(
    "ILL_Service_Type",
    ("loan", 1), ("copy-non-returnable", 2), ("locations", 3), ("estimate", 4), ("responder-specific", 5),
)  # fmt: skip


# ILL-Service-Type (loan | copy-non-returnable): the subtype keeps exactly those two values.
Shipped_Service_Type = enumerated("Shipped_Service_Type", ("loan", 1), ("copy-non-returnable", 2))

Transaction_Type = enumerated("Transaction_Type", ("simple", 1), ("chained", 2), ("partitioned", 3))

Transaction_Results = enumerated(
    "Transaction_Results",
    ("conditional", 1), ("retry", 2), ("unfilled", 3), ("locations-provided", 4), ("will-supply", 5),
    ("hold-placed", 6), ("estimate", 7),
)  # fmt: skip

Medium_Type = enumerated(
    "Medium_Type",
    ("printed", 1), ("microform", 3), ("film-or-video-recording", 4), ("audio-recording", 5),
    ("machine-readable", 6), ("other", 7),
)  # fmt: skip

Supply_Medium_Type = enumerated(
    "Supply_Medium_Type",
    ("printed", 1), ("photocopy", 2), ("microform", 3), ("film-or-video-recording", 4), ("audio-recording", 5),
    ("machine-readable", 6), ("other", 7),
)  # fmt: skip

Place_On_Hold_Type = enumerated("Place_On_Hold_Type", ("yes", 1), ("no", 2), ("according-to-responder-policy", 3))

Current_State = enumerated(
    "Current_State",
    ("nOT-SUPPLIED", 1), ("pENDING", 2), ("iN-PROCESS", 3), ("fORWARD", 4), ("cONDITIONAL", 5),
    ("cANCEL-PENDING", 6), ("cANCELLED", 7), ("sHIPPED", 8), ("rECEIVED", 9), ("rENEW-PENDING", 10),
    ("nOT-RECEIVED-OVERDUE", 11), ("rENEW-OVERDUE", 12), ("oVERDUE", 13), ("rETURNED", 14), ("cHECKED-IN", 15),
    ("rECALL", 16), ("lOST", 17), ("uNKNOWN", 18),
)  # fmt: skip

Reason_No_Report = enumerated("Reason_No_Report", ("temporary", 1), ("permanent", 2))
Report_Source = enumerated("Report_Source", ("user", 1), ("provider", 2))
General_Problem = enumerated(
    "General_Problem",
    ("unrecognized-APDU", 1), ("mistyped-APDU", 2), ("badly-structured-APDU", 3),
    ("protocol-version-not-supported", 4), ("other", 5),
)  # fmt: skip
Transaction_Id_Problem = enumerated(
    "Transaction_Id_Problem",
    ("duplicate-transaction-id", 1), ("invalid-transaction-id", 2), ("unknown-transaction-id", 3),
)  # fmt: skip
Intermediary_Problem = enumerated("Intermediary_Problem", ("cannot-send-onward", 1))
Unable_To_Perform = enumerated("Unable_To_Perform", ("not-available", 1), ("resource-limitation", 2), ("other", 3))
