"""Reference schema and codec for ISO 10161 (module ISO-10161-ILL-1 and three extensions) in pyasn1.

Hand-written from the ASN.1 text alone, independent of the fast codec; decode_apdu/encode_apdu are pyasn1 BER.
"""

from __future__ import annotations

from typing import Any

from pyasn1 import error
from pyasn1.codec.ber import decoder, encoder
from pyasn1.type import univ
from pyasn1.type.base import noValue

from .apdus import (
    APDU_TYPES,
    ILL_APDU,
    Cancel,
    Cancel_Reply,
    Checked_In,
    Conditional_Reply,
    Damaged,
    Expired,
    Forward_Notification,
    ILL_Answer,
    ILL_Request,
    Lost,
    Message,
    Overdue,
    Protocol_Version_Num,
    Recall,
    Received,
    Renew,
    Renew_Answer,
    Returned,
    Shipped,
    Status_Or_Error_Report,
    Status_Query,
)
from .common import EXTERNAL, Extension, ILL_String, System_Id, Transaction_Id, edifact_ok
from .extensions import (
    EXTENSION_TYPES,
    OID_APDU_DELIVERY_INFO,
    OID_IPIG_ILL_REQUEST_EXTENSION,
    OID_OCLC_ILL_REQUEST_EXTENSION,
    APDU_Delivery_Info,
    IPIG_ILL_Request_Extension,
    OCLCILLRequestExtension,
)

__all__ = [
    "APDU_TYPES", "EXTENSION_TYPES", "EXTERNAL", "ILL_APDU", "APDU_Delivery_Info", "Cancel", "Cancel_Reply",
    "Checked_In", "Conditional_Reply", "Damaged", "Expired", "Extension", "Forward_Notification", "ILL_Answer",
    "ILL_Request", "ILL_String", "IPIG_ILL_Request_Extension", "Lost", "Message", "OCLCILLRequestExtension",
    "OID_APDU_DELIVERY_INFO", "OID_IPIG_ILL_REQUEST_EXTENSION", "OID_OCLC_ILL_REQUEST_EXTENSION", "Overdue",
    "Protocol_Version_Num", "Recall", "Received", "Renew", "Renew_Answer", "Returned", "Shipped",
    "Status_Or_Error_Report", "Status_Query", "System_Id", "Transaction_Id", "decode_apdu", "decode_extension",
    "decode_external", "edifact_ok", "encode_apdu", "PyAsn1Error",
]  # fmt: skip

PyAsn1Error = error.PyAsn1Error


class _SequenceEncoderKeepingDefaults(encoder.SequenceEncoder):
    """pyasn1's BER SequenceEncoder leaves out components equal to their DEFAULT; YAZ then rejects the APDU
    ("Required data element missing"), so this one writes every present or defaulted component."""

    def encodeValue(self, value: Any, asn1Spec: Any, encodeFun: Any, **options: Any) -> tuple[bytes, bool, bool]:
        if asn1Spec is not None:  # the spec-plus-Python-value path is not used by this module
            return super().encodeValue(value, asn1Spec, encodeFun, **options)  # type: ignore[no-any-return]
        if value.isInconsistent:
            raise error.PyAsn1Error(f"{value.__class__.__name__} is inconsistent: {value.isInconsistent}")
        out = b""
        for idx, named in enumerate(value.componentType.namedTypes):
            # instantiate=False: asking for an absent OPTIONAL must not conjure an empty value into the output.
            component = value.getComponentByPosition(idx, default=noValue, instantiate=False)
            if component is noValue or not component.isValue:
                if named.isDefaulted:
                    component = named.asn1Object
                elif named.isOptional:
                    continue
                else:
                    raise error.PyAsn1Error(f"{value.__class__.__name__}: mandatory {named.name!r} is absent")
            out += encodeFun(component, None, **options)
        return out, True, True


class _MinimalIntegerEncoder(encoder.IntegerEncoder):
    """pyasn1 0.6.5 writes -2**(8k-1) with a redundant leading FF (-128 as FF 80, -2**31 as FF 80 00 00 00),
    which X.690 8.3.2 forbids (the first nine bits must not all be ones); this one writes the minimal form."""

    def encodeValue(self, value: Any, asn1Spec: Any, encodeFun: Any, **options: Any) -> tuple[bytes, bool, bool]:
        n = int(value)
        return n.to_bytes((n if n >= 0 else ~n).bit_length() // 8 + 1, "big", signed=True), False, True


_TYPE_MAP = dict(encoder.TYPE_MAP)
_TYPE_MAP[univ.Sequence.typeId] = _SequenceEncoderKeepingDefaults()
_TAG_MAP = dict(encoder.TAG_MAP)
_TAG_MAP[univ.Sequence.tagSet] = _SequenceEncoderKeepingDefaults()
for _integer in (univ.Integer, univ.Enumerated):
    _TYPE_MAP[_integer.typeId] = _MinimalIntegerEncoder()
    _TAG_MAP[_integer.tagSet] = _MinimalIntegerEncoder()
_encode = encoder.Encoder(_TAG_MAP, _TYPE_MAP)


def _decode_exact(data: bytes, spec: Any, what: str) -> Any:
    value, rest = decoder.decode(bytes(data), asn1Spec=spec)
    if rest:
        raise error.PyAsn1Error(f"{len(rest)} octets left after the {what}")
    return value


def decode_apdu(data: bytes) -> Any:
    """One BER-encoded APDU -> ILL_APDU (a CHOICE; getName() says which APDU). Raises PyAsn1Error."""
    return _decode_exact(data, ILL_APDU(), "APDU")


def encode_apdu(value: Any) -> bytes:
    """ILL_APDU or one APDU value -> BER: definite lengths, DEFAULT-valued fields written (as YAZ needs)."""
    return bytes(_encode(value))


def decode_external(item: Any) -> Any:
    """The raw contents of Extension.item (or any EXTERNAL's BER) -> EXTERNAL."""
    return _decode_exact(bytes(item), EXTERNAL(), "EXTERNAL")


def decode_extension(extension: Any) -> tuple[str, Any]:
    """An Extension value -> (direct-reference OID as dotted text, decoded value or the raw single-ASN1-type
    bytes when the OID is not one of EXTENSION_TYPES)."""
    ext = decode_external(extension["item"])
    oid = ext["direct-reference"]
    body = ext["encoding"]["single-ASN1-type"]
    spec = EXTENSION_TYPES.get(oid)
    if spec is None:
        return str(oid), bytes(body)
    return str(oid), _decode_exact(bytes(body), spec(), str(oid))
