"""pyasn1 types of three registered ILL extensions: APDU-Delivery-Info (1.0.10161.13.3), the OCLC ILL Request
Extension (1.0.10161.13.2) and IPIG-ILL-Request-Extension (1.0.10161.13.9), from the ASMA register texts.

Their modules have no tagging default, so the ASN.1 default (EXPLICIT) applies to every bare [n].
"""

from __future__ import annotations

from pyasn1.type import namedtype, univ

from ._tags import enumerated, exp, imp, sized
from .common import ILL_String, System_Address, System_Id

OID_OCLC_ILL_REQUEST_EXTENSION = univ.ObjectIdentifier("1.0.10161.13.2")
OID_APDU_DELIVERY_INFO = univ.ObjectIdentifier("1.0.10161.13.3")
OID_IPIG_ILL_REQUEST_EXTENSION = univ.ObjectIdentifier("1.0.10161.13.9")

# ---- ILL-APDU-Delivery-Info, 1.0.10161.13.3 ---------------------------------------------------------

APDU_Encoding = enumerated("APDU_Encoding", ("eDIFACT", 1), ("bER-IN-MIME", 2), ("bER", 3))


class APDU_Encodings(univ.SequenceOf):
    componentType = APDU_Encoding()


class System_Ids(univ.SequenceOf):
    componentType = System_Id()


class APDU_Delivery_Parameters(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("encoding", imp(sized(APDU_Encodings(), 1, 3), 0)),
        namedtype.NamedType("transport", imp(System_Address(), 1)),
        namedtype.OptionalNamedType("aliases", imp(System_Ids(), 2)),
    )


class APDU_Delivery_Parameters_List(univ.SequenceOf):
    componentType = APDU_Delivery_Parameters()


class APDU_Delivery_Info(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("sender-info", imp(APDU_Delivery_Parameters_List(), 0)),
        namedtype.NamedType("recipient-info", imp(APDU_Delivery_Parameters_List(), 1)),
        namedtype.OptionalNamedType("transponder-info", imp(APDU_Delivery_Parameters_List(), 2)),
    )


# ---- OCLCILLRequestExtension, 1.0.10161.13.2 ----------------------------------------------------------


class OCLCILLRequestExtension(univ.Sequence):
    componentType = namedtype.NamedTypes(
        *(
            namedtype.OptionalNamedType(name, exp(ILL_String(), n))
            for n, name in enumerate(
                [
                    "clientDepartment", "paymentMethod", "uniformTitle", "dissertation", "issueNumber", "volume",
                    "affiliations", "source",
                ]
            )
        )  # fmt: skip
    )


# ---- IPIG-ILL-Request-Extension, 1.0.10161.13.9 ---------------------------------------------------------

Requested_Material_Format = enumerated(
    "Requested_Material_Format",
    *(
        (name, n)
        for n, name in enumerate(
            [
                "archival-material", "audio-cassette", "audio-cD", "computer-software", "conference-proceedings",
                "dVD", "film8mm", "film16-32mm", "government-document", "kit", "legal-document",
                "machine-readable-computer-file", "manuscript", "map", "microform", "monograph-bound",
                "monograph-unbound", "monograph-electronic", "monograph-braille", "music-score", "newspaper-bound",
                "newspaper-unbound", "newspaper-film", "official-publication", "patent",
                "phD-dissertation-own-institution", "phD-dissertation-other-institution", "photograph",
                "serial-bound", "serial-unbound", "serial-microfilm", "serial-microfiche", "serial-opaque",
                "serial-electonic", "special-collection", "standard", "technical-report", "thesis-own-institution",
                "thesis-other-institution", "translation", "videocassette", "videodisc", "videorecording",
                "videotape", "other",
            ],
            start=1,
        )
    ),
)  # fmt: skip


class Dissertation_Thesis_type(univ.Choice):
    """The inline CHOICE of Dissertation-Thesis.type."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("phD-dissertation", imp(univ.Null(), 1)),
        namedtype.NamedType("masters-thesis", imp(univ.Null(), 2)),
        namedtype.NamedType("undergraduate-honors-thesis", imp(univ.Null(), 3)),
        namedtype.NamedType("other", exp(ILL_String(), 4)),
    )


class Dissertation_Thesis_Details(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("granting-institution", exp(ILL_String(), 1)),
        namedtype.OptionalNamedType("date-granted", exp(ILL_String(), 2)),
    )


class Dissertation_Thesis(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("type", exp(Dissertation_Thesis_type(), 1)),
        namedtype.NamedType("details", imp(Dissertation_Thesis_Details(), 2)),
    )


class Item_Language(univ.SequenceOf):
    componentType = ILL_String()


class Credit_Card_type(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("visa", imp(univ.Null(), 1)),
        namedtype.NamedType("master-card", imp(univ.Null(), 2)),
        namedtype.NamedType("american-express", imp(univ.Null(), 3)),
        namedtype.NamedType("diners-club", imp(univ.Null(), 4)),
        namedtype.NamedType("other", exp(ILL_String(), 5)),
    )


class Credit_Card(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("type", exp(Credit_Card_type(), 1)),
        namedtype.NamedType("card-number", exp(ILL_String(), 2)),
        namedtype.NamedType("expiry-date", exp(ILL_String(), 3)),
        namedtype.NamedType("name-on-card", exp(ILL_String(), 4)),
    )


class Deposit_Account(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("account-name", exp(ILL_String(), 1)),
        namedtype.NamedType("account-number", exp(ILL_String(), 2)),
    )


class Bank_Electronic_Payment(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("bank-name", exp(ILL_String(), 1)),
        namedtype.NamedType("bank-address", exp(ILL_String(), 2)),
        namedtype.NamedType("routing-number", exp(ILL_String(), 3)),
        namedtype.NamedType("account-number", exp(ILL_String(), 4)),
    )


class Payment_Type_item(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("reciprocal-agreement", imp(univ.Null(), 1)),
        namedtype.NamedType("prepaid", imp(univ.Null(), 2)),
        namedtype.NamedType("uNESCO-voucher", imp(univ.Null(), 3)),
        namedtype.NamedType("aLIA-voucher", imp(univ.Null(), 4)),
        namedtype.NamedType("iFLA-voucher", imp(univ.Null(), 5)),
        namedtype.NamedType("other-voucher-or-coupon", exp(ILL_String(), 6)),
        namedtype.NamedType("rLG-shares", imp(univ.Null(), 7)),
        namedtype.NamedType("oCLC-iFM", imp(univ.Null(), 8)),
        namedtype.NamedType("other-payment-scheme", exp(ILL_String(), 9)),
        namedtype.NamedType("cash", imp(univ.Null(), 10)),
        namedtype.NamedType("check", imp(univ.Null(), 11)),
        namedtype.NamedType("credit-card", imp(Credit_Card(), 12)),
        namedtype.NamedType("deposit-account", imp(Deposit_Account(), 13)),
        namedtype.NamedType("bank-electronic-payment", imp(Bank_Electronic_Payment(), 14)),
        namedtype.NamedType("other-payment-type", exp(ILL_String(), 15)),
    )


class Payment_Type(univ.SequenceOf):
    componentType = Payment_Type_item()


class Rights_Information(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("rights-information-country", exp(ILL_String(), 1)),
        namedtype.NamedType("rights-information-type", exp(ILL_String(), 2)),
        namedtype.NamedType("rights-information-value", exp(ILL_String(), 3)),
    )


class IPIG_ILL_Request_Extension_item(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("uniform-title", exp(ILL_String(), 0)),
        namedtype.NamedType("material-type", exp(Requested_Material_Format(), 1)),
        namedtype.NamedType("responder-specific-info", exp(ILL_String(), 2)),
        namedtype.NamedType("dissertation-thesis", exp(Dissertation_Thesis(), 3)),
        namedtype.NamedType("volume", exp(ILL_String(), 4)),
        namedtype.NamedType("issue-number", exp(ILL_String(), 5)),
        namedtype.NamedType("affiliations", exp(ILL_String(), 6)),
        namedtype.NamedType("requested-material-language", exp(Item_Language(), 7)),
        namedtype.NamedType("form-content-info", exp(ILL_String(), 8)),
        namedtype.NamedType("payment-method", exp(Payment_Type(), 9)),
        namedtype.NamedType("this-edition-only", imp(univ.Null(), 10)),
        namedtype.NamedType("unique-item-iD", exp(ILL_String(), 11)),
        namedtype.NamedType("rights-info", exp(Rights_Information(), 12)),
    )


class IPIG_ILL_Request_Extension(univ.SequenceOf):
    componentType = IPIG_ILL_Request_Extension_item()


EXTENSION_TYPES = {
    OID_OCLC_ILL_REQUEST_EXTENSION: OCLCILLRequestExtension,
    OID_APDU_DELIVERY_INFO: APDU_Delivery_Info,
    OID_IPIG_ILL_REQUEST_EXTENSION: IPIG_ILL_Request_Extension,
}
"""direct-reference OID -> pyasn1 type of the single-ASN1-type value."""
