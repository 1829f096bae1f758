"""Small registered extensions about references and errors: Internal-Reference-Number (13.8),
Suppliers-Reference (13.7), Forwarded-Additional-Info (13.5) and IPIG-Additional-User-Error-Information (13.6).
"""

from __future__ import annotations

from attrs import field, frozen

from isoill._model.values import ILLString
from isoill.schema import ILL_STRING, INTEGER, Alternative, Choice, Sequence, SequenceOf, opt, req

S = ILL_STRING
INTERNAL_REFERENCE_OID = "1.0.10161.13.8"
SUPPLIERS_REFERENCE_OID = "1.0.10161.13.7"
FORWARDED_ADDITIONAL_INFO_OID = "1.0.10161.13.5"  # its type is Unfilled-Results, from the main module
ADDITIONAL_USER_ERROR_OID = "1.0.10161.13.6"


@frozen(kw_only=True)
class InternalReferenceType:
    reference_authority: ILLString | None = field(default=None, metadata=opt("reference-authority", 0, S))
    internal_reference: ILLString = field(metadata=req("internal-reference", 1, S))


@frozen(kw_only=True)
class InternalReference:
    requester_reference: InternalReferenceType | None = field(
        default=None, metadata=opt("requester-reference", 0, Sequence(InternalReferenceType), implicit=True))
    responder_reference: InternalReferenceType | None = field(
        default=None, metadata=opt("responder-reference", 1, Sequence(InternalReferenceType), implicit=True))


@frozen(kw_only=True)
class SuppliersReference:
    supplier_authority: ILLString = field(metadata=req("supplier-authority", 0, S))
    supplier_reference: ILLString = field(metadata=req("supplier-reference", 1, S))


@frozen(kw_only=True)
class ElementTruncated:
    element: ILLString = field(metadata=req("element", 0, S))
    truncated_value: ILLString = field(metadata=req("truncated-value", 1, S))


@frozen
class MissingRequiredElement:
    value: ILLString


@frozen(kw_only=True)
class UnsupportedFieldLength:
    element: ILLString = field(metadata=req("element", 0, S))
    min_length: int | None = field(default=None, metadata=opt("min-length", 1, INTEGER))
    max_length: int | None = field(default=None, metadata=opt("max-length", 2, INTEGER))


@frozen(kw_only=True)
class UnrecognizedData:
    element: ILLString = field(metadata=req("element", 0, S))
    data: ILLString | None = field(default=None, metadata=opt("data", 1, S))
    expected_format: ILLString | None = field(default=None, metadata=opt("expected-format", 2, S))
    supported_values: ILLString | None = field(default=None, metadata=opt("supported-values", 3, S))


@frozen
class InconsistentData:
    value: ILLString


@frozen
class OtherUserError:
    value: ILLString


AdditionalUserErrorItem = (ElementTruncated | MissingRequiredElement | UnsupportedFieldLength | UnrecognizedData
                           | InconsistentData | OtherUserError)
ADDITIONAL_USER_ERROR_ITEM = Choice("Additional-User-Error-Report-Info", (
    Alternative(ElementTruncated, 4, Sequence(ElementTruncated), implicit=True, asn1_name="element-truncated"),
    Alternative(MissingRequiredElement, 5, S, wrap=True, asn1_name="missing-required-element"),
    Alternative(UnsupportedFieldLength, 6, Sequence(UnsupportedFieldLength), implicit=True,
                asn1_name="unsupported-field-length"),
    Alternative(UnrecognizedData, 7, Sequence(UnrecognizedData), implicit=True, asn1_name="unrecognized-data"),
    Alternative(InconsistentData, 8, S, wrap=True, asn1_name="inconsistent-data"),
    Alternative(OtherUserError, 9, S, wrap=True, asn1_name="other"),
))


@frozen
class AdditionalUserErrorReportInfo:
    """1.0.10161.13.6: SEQUENCE OF CHOICE, details for a user error report."""

    items: tuple[AdditionalUserErrorItem, ...]


ADDITIONAL_USER_ERROR = SequenceOf(ADDITIONAL_USER_ERROR_ITEM)
