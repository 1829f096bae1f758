"""The declarative description of ISO-10161-ILL-1 types: ASN.1 type descriptors and per-field BER metadata.

Model classes carry a `FieldSpec` in each attrs field's metadata; the code generator (`isoill._ber`) and the
dict/JSON converters read nothing else, so the model modules are the one table of the whole module.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import attrs

# Tag classes, as the two high bits of the identifier octet.
UNIVERSAL = 0x00
APPLICATION = 0x40
CONTEXT = 0x80
CONSTRUCTED = 0x20


class ASN1Type:
    """Base of the type descriptors. `constructed` says whether the untagged encoding is constructed."""

    constructed = False
    name = "?"

    def universal_tag(self) -> int | None:
        """The UNIVERSAL tag number of the untagged form, or None for CHOICE/ANY (no single tag)."""
        return None


@attrs.frozen
class Primitive(ASN1Type):
    """INTEGER, BOOLEAN, NULL, OBJECT IDENTIFIER, the string types and OCTET STRING."""

    name: str
    tag: int

    def universal_tag(self) -> int | None:
        return self.tag


INTEGER = Primitive("INTEGER", 2)
BOOLEAN = Primitive("BOOLEAN", 1)
NULL = Primitive("NULL", 5)
OBJECT_IDENTIFIER = Primitive("OBJECT IDENTIFIER", 6)
OCTET_STRING = Primitive("OCTET STRING", 4)
BIT_STRING = Primitive("BIT STRING", 3)
OBJECT_DESCRIPTOR = Primitive("ObjectDescriptor", 7)
# ISO-Date, ISO-Time and the Amount strings are VisibleString/PrintableString: kept as text, never parsed,
# so that whatever a peer sent is re-sent unchanged.
VISIBLE_STRING = Primitive("VisibleString", 26)
PRINTABLE_STRING = Primitive("PrintableString", 19)


@attrs.frozen
class IllStringType(ASN1Type):
    """ILL-String ::= CHOICE { GeneralString, EDIFACTString }: `str` or `isoill.EDIFACTString`."""

    name: str = "ILL-String"


ILL_STRING = IllStringType()


@attrs.frozen
class Enumerated(ASN1Type):
    """ENUMERATED, mapped onto an IntEnum class."""

    enum: type[IntEnum]

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.enum.__name__

    def universal_tag(self) -> int | None:
        return 10


@attrs.frozen
class Sequence(ASN1Type):
    """SEQUENCE: an attrs class whose fields carry `FieldSpec` metadata, in encoding order."""

    cls: type
    constructed = True

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.cls.__name__

    def universal_tag(self) -> int | None:
        return 16


@attrs.frozen
class SequenceOf(ASN1Type):
    """SEQUENCE OF: a tuple of the element type."""

    element: ASN1Type
    constructed = True

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"SEQUENCE OF {self.element.name}"

    def universal_tag(self) -> int | None:
        return 16


@attrs.frozen
class Alternative:
    """One CHOICE alternative: the Python type that stands for it and how it is tagged.

    `wrap` is True when `py_type` is a small attrs class holding the value in its single field (needed where two
    alternatives would otherwise have the same Python type, e.g. person-symbol and institution-symbol).
    """

    py_type: type
    tag: int | None
    asn1: ASN1Type
    implicit: bool = False
    wrap: bool = False
    asn1_name: str = ""


@attrs.frozen
class Choice(ASN1Type):
    """CHOICE: a union of the alternatives' Python types; the value's type picks the alternative."""

    name: str
    alternatives: tuple[Alternative, ...]


@attrs.frozen
class AnyType(ASN1Type):
    """ANY (DEFINED BY ...): kept as the raw TLV octets (`isoill.RawBER`), re-emitted byte for byte."""

    name: str = "ANY"


ANY = AnyType()


@attrs.frozen
class ExternalType(ASN1Type):
    """EXTERNAL ([UNIVERSAL 8] IMPLICIT SEQUENCE); known direct-references decode through the registry."""

    name: str = "EXTERNAL"
    constructed = True

    def universal_tag(self) -> int | None:
        return 8


EXTERNAL_T = ExternalType()


# --- presence of a SEQUENCE component --------------------------------------------------------------------

REQUIRED = "required"
OPTIONAL = "optional"
DEFAULT = "default"


@attrs.frozen
class FieldSpec:
    """How one SEQUENCE component is tagged and whether it must be present.

    `tag` None means untagged. `alt_tags` lists further tag numbers accepted when decoding (the two readings of
    Damaged.damaged-details); the encoder always writes `tag` unless the codec is told otherwise.
    """

    asn1_name: str
    tag: int | None
    asn1: ASN1Type
    implicit: bool
    presence: str
    default: Any = None
    tag_class: int = CONTEXT
    alt_tags: tuple[int, ...] = ()


def _meta(name: str, tag: int | None, asn1: ASN1Type, implicit: bool, presence: str, default: Any = None,
          alt_tags: tuple[int, ...] = ()) -> dict[str, FieldSpec]:
    if implicit and isinstance(asn1, (Choice, IllStringType, AnyType)):
        raise TypeError(f"{name}: a CHOICE or ANY cannot be IMPLICITly tagged")
    return {"ber": FieldSpec(name, tag, asn1, implicit, presence, default, CONTEXT, alt_tags)}


def req(name: str, tag: int | None, asn1: ASN1Type, *, implicit: bool = False) -> dict[str, FieldSpec]:
    """Metadata for a mandatory component."""
    return _meta(name, tag, asn1, implicit, REQUIRED)


def opt(name: str, tag: int | None, asn1: ASN1Type, *, implicit: bool = False,
        alt_tags: tuple[int, ...] = ()) -> dict[str, FieldSpec]:
    """Metadata for an OPTIONAL component (None when absent)."""
    return _meta(name, tag, asn1, implicit, OPTIONAL, alt_tags=alt_tags)


def dflt(name: str, tag: int | None, asn1: ASN1Type, default: Any, *, implicit: bool = False) -> dict[str, FieldSpec]:
    """Metadata for a component with a DEFAULT: always encoded (YAZ needs it), its absence decodes as default."""
    return _meta(name, tag, asn1, implicit, DEFAULT, default)


def field_specs(cls: type) -> tuple[tuple[str, FieldSpec], ...]:
    """(attribute name, FieldSpec) for every field of a model class, in encoding order."""
    cached: tuple[tuple[str, FieldSpec], ...] | None = cls.__dict__.get("_ber_fields")
    if cached is not None:
        return cached
    out = tuple((a.name, a.metadata["ber"]) for a in attrs.fields(cls) if "ber" in a.metadata)
    type.__setattr__(cls, "_ber_fields", out)
    return out


def identifier_octets(tag_class: int, constructed: bool, number: int) -> bytes:
    """The identifier octets of a tag (low or high tag number form)."""
    first = tag_class | (CONSTRUCTED if constructed else 0)
    if number < 31:
        return bytes((first | number,))
    digits = [number & 0x7F]
    number >>= 7
    while number:
        digits.append(0x80 | (number & 0x7F))
        number >>= 7
    return bytes((first | 0x1F, *reversed(digits)))


def tag_key(tag_class: int, constructed: bool, number: int) -> int:
    """The integer the decoder compares tags by: the identifier octet, or (octet << 16 | number) for high tags."""
    first = tag_class | (CONSTRUCTED if constructed else 0)
    if number < 31:
        return first | number
    return ((first | 0x1F) << 16) | number
