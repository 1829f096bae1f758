"""OCLC's registered extensions: the ILL Request Extension (1.0.10161.13.2), OCLC-Prism-ILL-Error (13.1),
OCLCILLService (4.1000.2.1), OCLCSpecificResults (8.1000.2.1) and OCLC-Shipped-Extension (13.1000.2.6).
"""

from __future__ import annotations

from enum import IntEnum

from attrs import field, frozen

from isoill._model.values import ILLString
from isoill.schema import ILL_STRING, INTEGER, Enumerated, Sequence, SequenceOf, opt, req

S = ILL_STRING
REQUEST_EXTENSION_OID = "1.0.10161.13.2"
PRISM_ERROR_OID = "1.0.10161.13.1"
SERVICE_OID = "1.0.10161.4.1000.2.1"
SPECIFIC_RESULTS_OID = "1.0.10161.8.1000.2.1"
SHIPPED_EXTENSION_OID = "1.0.10161.13.1000.2.6"


@frozen(kw_only=True)
class OCLCILLRequestExtension:
    """1.0.10161.13.2; OCLC's ISO server required it (all fields optional); superseded by IPIG 13.9."""

    client_department: ILLString | None = field(default=None, metadata=opt("clientDepartment", 0, S))
    payment_method: ILLString | None = field(default=None, metadata=opt("paymentMethod", 1, S))
    uniform_title: ILLString | None = field(default=None, metadata=opt("uniformTitle", 2, S))
    dissertation: ILLString | None = field(default=None, metadata=opt("dissertation", 3, S))
    issue_number: ILLString | None = field(default=None, metadata=opt("issueNumber", 4, S))
    volume: ILLString | None = field(default=None, metadata=opt("volume", 5, S))
    affiliations: ILLString | None = field(default=None, metadata=opt("affiliations", 6, S))
    source: ILLString | None = field(default=None, metadata=opt("source", 7, S))


class PrismIllErrorCode(IntEnum):
    MISSING_REQUIRED_FIELD = 1
    INVALID_FIELD_LENGTH = 2
    INVALID_FIELD_ID = 3
    INVALID_DATA_FORMAT = 4
    INVALID_INSTITUTION_SYMBOL = 5
    RESOURCE_LIMITATION = 6
    UNKNOWN_RESULT = 7


@frozen(kw_only=True)
class PrismIllError:
    prism_ill_field_id: int | None = field(default=None, metadata=opt("prism-Ill-Field-Id", 0, INTEGER,
                                                                      implicit=True))
    prism_ill_error_code: PrismIllErrorCode | None = field(
        default=None, metadata=opt("prism-Ill-Error-Code", 1, Enumerated(PrismIllErrorCode), implicit=True))
    prism_ill_error_text: ILLString | None = field(default=None, metadata=opt("prism-Ill-Error-Text", 2, S))


@frozen
class OCLCPrismIllError:
    """1.0.10161.13.1, a Status-Or-Error-Report extension: SEQUENCE OF error entries."""

    errors: tuple[PrismIllError, ...]


PRISM_ERROR = SequenceOf(Sequence(PrismIllError))


class OCLCILLServiceType(IntEnum):
    DIRECT_TO_PROFILE = 1
    DIRECT_TO_LENDER = 2
    DIRECT_TO_REVIEW = 3


@frozen(kw_only=True)
class OCLCILLService:
    """1.0.10161.4.1000.2.1, carried in ILL-Request responder-specific-service."""

    oclc_ill_service_type: OCLCILLServiceType = field(
        metadata=req("oCLCILLServiceType", 0, Enumerated(OCLCILLServiceType), implicit=True))


class OCLCSpecificStatus(IntEnum):
    REVIEW = 1
    REVIEW_IN_PROCESS = 2
    SAVED = 3


class ReasonInReview(IntEnum):
    REASON_UNKNOWN = 1
    REASON_OTHER = 2
    DIRECT_TO_REVIEW_SERVICE = 3
    NO_BIB_RECORD_NUMBERS = 4
    NO_BIB_RECORD_MATCHED = 5
    MULTIPLE_BIB_RECORDS_MATCHED = 6
    PROBLEM_MATCHING_BIB_RECORD = 7
    NO_PROFILES_DEFINED = 8
    NO_PROFILE_MATCHED = 9
    PROBLEM_MATCHING_PROFILE = 10
    HELD_BY_YOUR_LIBRARY = 11
    NO_VALID_LENDERS = 12
    FIRST_LENDER_INVALID = 13
    NOT_ENOUGH_LENDERS = 14
    SERIAL_ITEM = 15
    HOLDINGS_PATH_NOT_FOUND = 16
    INVALID_HOLDINGS_PATH = 17
    NO_CUSTOM_HOLDINGS = 18
    NO_PREFERRED_LENDERS = 19
    CONSTANT_DATA_NOT_FOUND = 20
    INVALID_NEED_BEFORE_DATE = 21
    INVALID_COPYRIGHT_COMPLIANCE = 22
    NO_SHIP_TO_ADDRESS = 23
    MAX_COST_INVALID_FOR_IFM = 24
    PRODUCE_OPTION_IN_PROFILE_OFF = 25
    NO_VERIFICATION = 26
    NO_TITLE = 27
    NO_MAIN_TITLE = 28
    HELD_BY_YOUR_CUSTOM_HOLDINGS_GROUP = 29
    HOLDINGS_GROUP_NOT_FOUND = 30
    POTENTIAL_DUPLICATE_REQUEST = 31


@frozen(kw_only=True)
class ReasonInReviewEntry:
    reason_in_review: ReasonInReview = field(
        metadata=req("reasonInReview", 0, Enumerated(ReasonInReview), implicit=True))
    reason_in_review_text: ILLString | None = field(default=None, metadata=opt("reasonInReviewText", 1, S))


@frozen(kw_only=True)
class OCLCSpecificResults:
    """1.0.10161.8.1000.2.1, carried in ILL-Answer responder-specific-results."""

    oclc_specific_status: OCLCSpecificStatus = field(
        metadata=req("oclcSpecificStatus", 0, Enumerated(OCLCSpecificStatus), implicit=True))
    reason_in_review_list: tuple[ReasonInReviewEntry, ...] | None = field(default=None, metadata=opt(
        "reasonInReviewList", 1, SequenceOf(Sequence(ReasonInReviewEntry)), implicit=True))


@frozen(kw_only=True)
class OCLCShippedExtension:
    """1.0.10161.13.1000.2.6."""

    payment_method: ILLString = field(metadata=req("paymentMethod", 0, S))
