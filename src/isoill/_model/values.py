"""Value classes below the APDU level that are not ASN.1 SEQUENCEs of the module: EDIFACTString, raw BER
(ANY and unknown extensions kept byte for byte) and EXTERNAL with its three encodings.
"""

from __future__ import annotations

from typing import Any

import attrs
from attrs import field, frozen

from isoill.schema import (
    ANY,
    INTEGER,
    OBJECT_DESCRIPTOR,
    OBJECT_IDENTIFIER,
    OCTET_STRING,
    Alternative,
    Choice,
    opt,
    req,
)
from isoill.schema import BIT_STRING as _BIT_STRING

# The character set of EDIFACTString (ill9702: A-Z a-z 0-9 space and .,-()/=!"%&*;<>'+:?).
EDIFACT_CHARACTERS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,-()/=!\"%&*;<>'+:?"
)


VISIBLE_CHARACTERS = frozenset(chr(c) for c in range(0x20, 0x7F))


def _check_visible(instance: Any, attribute: Any, value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"EDIFACTString holds a str, not {type(value).__name__}")
    bad = set(value) - VISIBLE_CHARACTERS
    if bad:
        raise ValueError(f"EDIFACTString is a VisibleString and cannot hold {''.join(sorted(bad))!r}")


@frozen
class EDIFACTString:
    """The EDIFACTString alternative of ILL-String (a VisibleString with a restricted character set).

    A plain `str` is the GeneralString alternative; use this class where a peer needs EDIFACTString.
    The constructor accepts any VisibleString, because peers (YAZ among them) send characters such as '@'
    that the EDIFACT set lacks and those must round-trip; `conforms` tells whether the value keeps to the set,
    and `Codec(strict_edifact=True)` refuses to encode one that does not.
    """

    value: str = field(validator=_check_visible)

    @property
    def conforms(self) -> bool:
        """True when every character is in the EDIFACTString set of ill9702."""
        return set(self.value) <= EDIFACT_CHARACTERS

    def __str__(self) -> str:
        return self.value


ILLString = str | EDIFACTString


@frozen
class RawBER:
    """A complete BER TLV kept as received (ANY values, unknown EXTERNAL contents); re-emitted byte for byte."""

    data: bytes

    def __repr__(self) -> str:
        return f"RawBER({self.data.hex()})"


@frozen
class SingleASN1Type:
    """EXTERNAL encoding single-ASN1-type [0]: a registered extension's typed value, or RawBER when unknown."""

    value: Any


@frozen
class OctetAligned:
    """EXTERNAL encoding octet-aligned [1] IMPLICIT OCTET STRING."""

    value: bytes


@frozen
class Arbitrary:
    """EXTERNAL encoding arbitrary [2] IMPLICIT BIT STRING: the content octets (first octet = unused bits)."""

    value: bytes


ExternalEncoding = SingleASN1Type | OctetAligned | Arbitrary

EXTERNAL_ENCODING = Choice(
    "EXTERNAL.encoding",
    (
        Alternative(SingleASN1Type, 0, ANY, wrap=True, asn1_name="single-ASN1-type"),
        Alternative(OctetAligned, 1, OCTET_STRING, implicit=True, wrap=True, asn1_name="octet-aligned"),
        Alternative(Arbitrary, 2, _BIT_STRING, implicit=True, wrap=True, asn1_name="arbitrary"),
    ),
)


@frozen(kw_only=True)
class External:
    """EXTERNAL ([UNIVERSAL 8] IMPLICIT SEQUENCE). `direct_reference` is a dotted OID string.

    For an OID in the extension registry, `encoding` is `SingleASN1Type(<typed value>)`; otherwise the
    value stays `SingleASN1Type(RawBER(...))` and is re-emitted exactly.
    """

    direct_reference: str | None = field(default=None, metadata=opt("direct-reference", None, OBJECT_IDENTIFIER))
    indirect_reference: int | None = field(default=None, metadata=opt("indirect-reference", None, INTEGER))
    data_value_descriptor: str | None = field(
        default=None, metadata=opt("data-value-descriptor", None, OBJECT_DESCRIPTOR)
    )
    encoding: ExternalEncoding = field(metadata=req("encoding", None, EXTERNAL_ENCODING))

    @classmethod
    def of(cls, oid: str, value: Any) -> External:
        """An EXTERNAL in the style every ILL peer uses: direct-reference plus single-ASN1-type."""
        return cls(direct_reference=oid, encoding=SingleASN1Type(value))

    @property
    def value(self) -> Any:
        """The single-ASN1-type value (typed or RawBER), or the octets of the other encodings."""
        return self.encoding.value


def is_model(obj: object) -> bool:
    return attrs.has(type(obj))
