"""IPIG-ILL-Request-Extension (1.0.10161.13.9): the IPIG profile's additions to an ILL-Request, a SEQUENCE OF
CHOICE of bibliographic and payment details. Every alternative is a small class so the CHOICE is unambiguous.
"""

from __future__ import annotations

from enum import IntEnum

from attrs import field, frozen

from isoill._model.values import ILLString
from isoill.schema import ILL_STRING, NULL, Alternative, Choice, Enumerated, Sequence, SequenceOf, opt, req

S = ILL_STRING
OID = "1.0.10161.13.9"


class RequestedMaterialFormat(IntEnum):
    ARCHIVAL_MATERIAL = 1
    AUDIO_CASSETTE = 2
    AUDIO_CD = 3
    COMPUTER_SOFTWARE = 4
    CONFERENCE_PROCEEDINGS = 5
    DVD = 6
    FILM8MM = 7
    FILM16_32MM = 8
    GOVERNMENT_DOCUMENT = 9
    KIT = 10
    LEGAL_DOCUMENT = 11
    MACHINE_READABLE_COMPUTER_FILE = 12
    MANUSCRIPT = 13
    MAP = 14
    MICROFORM = 15
    MONOGRAPH_BOUND = 16
    MONOGRAPH_UNBOUND = 17
    MONOGRAPH_ELECTRONIC = 18
    MONOGRAPH_BRAILLE = 19
    MUSIC_SCORE = 20
    NEWSPAPER_BOUND = 21
    NEWSPAPER_UNBOUND = 22
    NEWSPAPER_FILM = 23
    OFFICIAL_PUBLICATION = 24
    PATENT = 25
    PHD_DISSERTATION_OWN_INSTITUTION = 26
    PHD_DISSERTATION_OTHER_INSTITUTION = 27
    PHOTOGRAPH = 28
    SERIAL_BOUND = 29
    SERIAL_UNBOUND = 30
    SERIAL_MICROFILM = 31
    SERIAL_MICROFICHE = 32
    SERIAL_OPAQUE = 33
    SERIAL_ELECTONIC = 34  # sic, as registered
    SPECIAL_COLLECTION = 35
    STANDARD = 36
    TECHNICAL_REPORT = 37
    THESIS_OWN_INSTITUTION = 38
    THESIS_OTHER_INSTITUTION = 39
    TRANSLATION = 40
    VIDEOCASSETTE = 41
    VIDEODISC = 42
    VIDEORECORDING = 43
    VIDEOTAPE = 44
    OTHER = 45


def _null_choice(name: str, *alts: tuple[type, int, str]) -> Choice:
    return Choice(name, tuple(Alternative(cls, tag, NULL, implicit=True, wrap=True, asn1_name=asn1)
                              for cls, tag, asn1 in alts))


# --- Dissertation-Thesis ---------------------------------------------------------------------------------

@frozen
class PhDDissertation:
    pass


@frozen
class MastersThesis:
    pass


@frozen
class UndergraduateHonorsThesis:
    pass


@frozen
class OtherThesisType:
    value: ILLString


ThesisType = PhDDissertation | MastersThesis | UndergraduateHonorsThesis | OtherThesisType
THESIS_TYPE = Choice("Dissertation-Thesis.type", (
    *_null_choice("", (PhDDissertation, 1, "phD-dissertation"), (MastersThesis, 2, "masters-thesis"),
                  (UndergraduateHonorsThesis, 3, "undergraduate-honors-thesis")).alternatives,
    Alternative(OtherThesisType, 4, S, wrap=True, asn1_name="other"),
))


@frozen(kw_only=True)
class DissertationThesisDetails:
    granting_institution: ILLString | None = field(default=None, metadata=opt("granting-institution", 1, S))
    date_granted: ILLString | None = field(default=None, metadata=opt("date-granted", 2, S))


@frozen(kw_only=True)
class DissertationThesis:
    type: ThesisType | None = field(default=None, metadata=opt("type", 1, THESIS_TYPE))
    details: DissertationThesisDetails = field(
        metadata=req("details", 2, Sequence(DissertationThesisDetails), implicit=True))


@frozen(kw_only=True)
class RightsInformation:
    rights_information_country: ILLString = field(metadata=req("rights-information-country", 1, S))
    rights_information_type: ILLString = field(metadata=req("rights-information-type", 2, S))
    rights_information_value: ILLString = field(metadata=req("rights-information-value", 3, S))


# --- Payment-Type ------------------------------------------------------------------------------------------

@frozen
class ReciprocalAgreement:
    pass


@frozen
class Prepaid:
    pass


@frozen
class UNESCOVoucher:
    pass


@frozen
class ALIAVoucher:
    pass


@frozen
class IFLAVoucher:
    pass


@frozen
class OtherVoucherOrCoupon:
    value: ILLString


@frozen
class RLGShares:
    pass


@frozen
class OCLCIFM:
    pass


@frozen
class OtherPaymentScheme:
    value: ILLString


@frozen
class Cash:
    pass


@frozen
class Check:
    pass


@frozen
class Visa:
    pass


@frozen
class MasterCard:
    pass


@frozen
class AmericanExpress:
    pass


@frozen
class DinersClub:
    pass


@frozen
class OtherCard:
    value: ILLString


CardType = Visa | MasterCard | AmericanExpress | DinersClub | OtherCard
CARD_TYPE = Choice("credit-card.type", (
    *_null_choice("", (Visa, 1, "visa"), (MasterCard, 2, "master-card"), (AmericanExpress, 3, "american-express"),
                  (DinersClub, 4, "diners-club")).alternatives,
    Alternative(OtherCard, 5, S, wrap=True, asn1_name="other"),
))


@frozen(kw_only=True)
class CreditCard:
    type: CardType = field(metadata=req("type", 1, CARD_TYPE))
    card_number: ILLString = field(metadata=req("card-number", 2, S))
    expiry_date: ILLString = field(metadata=req("expiry-date", 3, S))
    name_on_card: ILLString = field(metadata=req("name-on-card", 4, S))


@frozen(kw_only=True)
class DepositAccount:
    account_name: ILLString = field(metadata=req("account-name", 1, S))
    account_number: ILLString = field(metadata=req("account-number", 2, S))


@frozen(kw_only=True)
class BankElectronicPayment:
    bank_name: ILLString = field(metadata=req("bank-name", 1, S))
    bank_address: ILLString = field(metadata=req("bank-address", 2, S))
    routing_number: ILLString = field(metadata=req("routing-number", 3, S))
    account_number: ILLString = field(metadata=req("account-number", 4, S))


@frozen
class OtherPaymentType:
    value: ILLString


PaymentTypeItem = (ReciprocalAgreement | Prepaid | UNESCOVoucher | ALIAVoucher | IFLAVoucher | OtherVoucherOrCoupon
                   | RLGShares | OCLCIFM | OtherPaymentScheme | Cash | Check | CreditCard | DepositAccount
                   | BankElectronicPayment | OtherPaymentType)
PAYMENT_TYPE_ITEM = Choice("Payment-Type", (
    *_null_choice("", (ReciprocalAgreement, 1, "reciprocal-agreement"), (Prepaid, 2, "prepaid"),
                  (UNESCOVoucher, 3, "uNESCO-voucher"), (ALIAVoucher, 4, "aLIA-voucher"),
                  (IFLAVoucher, 5, "iFLA-voucher")).alternatives,
    Alternative(OtherVoucherOrCoupon, 6, S, wrap=True, asn1_name="other-voucher-or-coupon"),
    *_null_choice("", (RLGShares, 7, "rLG-shares"), (OCLCIFM, 8, "oCLC-iFM")).alternatives,
    Alternative(OtherPaymentScheme, 9, S, wrap=True, asn1_name="other-payment-scheme"),
    *_null_choice("", (Cash, 10, "cash"), (Check, 11, "check")).alternatives,
    Alternative(CreditCard, 12, Sequence(CreditCard), implicit=True, asn1_name="credit-card"),
    Alternative(DepositAccount, 13, Sequence(DepositAccount), implicit=True, asn1_name="deposit-account"),
    Alternative(BankElectronicPayment, 14, Sequence(BankElectronicPayment), implicit=True,
                asn1_name="bank-electronic-payment"),
    Alternative(OtherPaymentType, 15, S, wrap=True, asn1_name="other-payment-type"),
))


# --- the request extension's alternatives ----------------------------------------------------------------

@frozen
class UniformTitle:
    value: ILLString


@frozen
class MaterialType:
    value: RequestedMaterialFormat


@frozen
class ResponderSpecificInfo:
    value: ILLString


@frozen
class Volume:
    value: ILLString


@frozen
class IssueNumber:
    value: ILLString


@frozen
class Affiliations:
    value: ILLString


@frozen
class RequestedMaterialLanguage:
    """Item-Language ::= SEQUENCE OF ILL-String."""

    languages: tuple[ILLString, ...]


@frozen
class FormContentInfo:
    value: ILLString


@frozen
class PaymentMethod:
    """Payment-Type ::= SEQUENCE OF CHOICE."""

    payments: tuple[PaymentTypeItem, ...]


@frozen
class ThisEditionOnly:
    pass


@frozen
class UniqueItemId:
    value: ILLString


IPIGRequestItem = (UniformTitle | MaterialType | ResponderSpecificInfo | DissertationThesis | Volume | IssueNumber
                   | Affiliations | RequestedMaterialLanguage | FormContentInfo | PaymentMethod | ThisEditionOnly
                   | UniqueItemId | RightsInformation)
IPIG_REQUEST_ITEM = Choice("IPIG-ILL-Request-Extension", (
    Alternative(UniformTitle, 0, S, wrap=True, asn1_name="uniform-title"),
    Alternative(MaterialType, 1, Enumerated(RequestedMaterialFormat), wrap=True, asn1_name="material-type"),
    Alternative(ResponderSpecificInfo, 2, S, wrap=True, asn1_name="responder-specific-info"),
    Alternative(DissertationThesis, 3, Sequence(DissertationThesis), asn1_name="dissertation-thesis"),
    Alternative(Volume, 4, S, wrap=True, asn1_name="volume"),
    Alternative(IssueNumber, 5, S, wrap=True, asn1_name="issue-number"),
    Alternative(Affiliations, 6, S, wrap=True, asn1_name="affiliations"),
    Alternative(RequestedMaterialLanguage, 7, SequenceOf(S), wrap=True, asn1_name="requested-material-language"),
    Alternative(FormContentInfo, 8, S, wrap=True, asn1_name="form-content-info"),
    Alternative(PaymentMethod, 9, SequenceOf(PAYMENT_TYPE_ITEM), wrap=True, asn1_name="payment-method"),
    Alternative(ThisEditionOnly, 10, NULL, implicit=True, wrap=True, asn1_name="this-edition-only"),
    Alternative(UniqueItemId, 11, S, wrap=True, asn1_name="unique-item-iD"),
    Alternative(RightsInformation, 12, Sequence(RightsInformation), asn1_name="rights-info"),
))


@frozen
class IPIGILLRequestExtension:
    """1.0.10161.13.9: a SEQUENCE OF the alternatives above, in the order the requester gave them."""

    items: tuple[IPIGRequestItem, ...]


IPIG_REQUEST = SequenceOf(IPIG_REQUEST_ITEM)
