"""The reference codec: ISO 10161 APDUs through pyasn1 and the hand-written spec in `isoill.asn1spec`.

This is the project's second, independent BER engine, kept for differential testing and for checking what a
peer sent against the ASN.1 text. It is slow; use `isoill.encode`/`isoill.decode` (the fast default codec)
for real traffic. `encode(apdu)` turns a model object into a pyasn1 value and writes it with
`asn1spec.encode_apdu` (definite minimal lengths, DEFAULT-valued components written, BOOLEAN TRUE as 0x01 --
the same canonical form as `isoill.Codec(outer_long_form=False)`); `decode(data)` reads with
`asn1spec.decode_apdu` and turns the pyasn1 value back into the model.

The bridge between the two is generic: it walks the model's BER metadata (`isoill.schema.field_specs` and the
type descriptors) and matches pyasn1 components and CHOICE alternatives by their ASN.1 names. Tags, lengths
and constraints come from the pyasn1 spec alone, so the two codecs share no tagging information. Unlike the
default codec, pyasn1 enforces the module's subtype constraints (SIZE, value ranges, PrintableString
alphabets), so values outside them are refused here.

An EXTERNAL's single-ASN1-type value of a registered extension type (`isoill.extensions`) is carried opaquely:
encoded by the default codec's extension encoder and, when decoding, resolved through the registry exactly as
the default codec does. Failures are `isoill.EncodeError` / `isoill.DecodeError` with the field path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, NoReturn

import attrs
from pyasn1.codec.ber import decoder
from pyasn1.type import univ
from pyasn1.type.base import noValue

from isoill import asn1spec
from isoill._ber.codec import default_codec, resolve_external
from isoill._model.apdus import APDU, APDU_BY_TYPE, APDU_NAMES
from isoill._model.values import EDIFACTString, External, RawBER, SingleASN1Type
from isoill.errors import DecodeError, EncodeError
from isoill.extensions import _registry as registry
from isoill.schema import (
    UNIVERSAL,
    AnyType,
    ASN1Type,
    Choice,
    Enumerated,
    ExternalType,
    IllStringType,
    Primitive,
    Sequence,
    SequenceOf,
    field_specs,
    identifier_octets,
)

__all__ = ["decode", "encode"]

# What a value that does not fit the spec or the model can raise while being converted.
_FAILURES = (asn1spec.PyAsn1Error, ValueError, TypeError, KeyError, AttributeError, UnicodeError, OverflowError)


class _Failure(Exception):
    """A conversion failure below the APDU, with the ASN.1 field path collected on the way out."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


def _fail(message: str) -> NoReturn:
    raise _Failure(message)


def _standalone_spec(t: ASN1Type) -> Any:
    """The pyasn1 type of a model type that appears untagged inside an ANY (Extension.item's EXTERNAL)."""
    if isinstance(t, ExternalType):
        return asn1spec.EXTERNAL()
    _fail(f"no pyasn1 type stands for {t.name} inside an ANY")


def _decode_exact(octets: bytes, spec: Any) -> Any:
    value, rest = decoder.decode(octets, asn1Spec=spec)
    if rest:
        _fail(f"{len(rest)} octets left after the {type(spec).__name__}")
    return value


def _component_template(seq: Any, name: str) -> Any:
    named = seq.componentType
    try:
        position = named.getPositionByName(name)
    except asn1spec.PyAsn1Error:
        _fail(f"the pyasn1 spec {type(seq).__name__} has no component {name!r}")
    return named.getTypeByPosition(position)


def _alternative(t: Choice, *, name: str | None = None, value: Any = None) -> Any:
    for alt in t.alternatives:
        if (alt.asn1_name == name) if name is not None else (type(value) is alt.py_type):
            return alt
    what = repr(name) if name is not None else type(value).__name__
    _fail(f"{t.name} has no alternative {what}")


def _wrapped(alt: Any, value: Any) -> Any:
    """The ASN.1 value inside a CHOICE alternative's Python value (the single field of a `wrap` holder)."""
    if not alt.wrap:
        return value
    inner = attrs.fields(alt.py_type)
    return getattr(value, inner[0].name) if inner else None


def _wrap(alt: Any, value: Any) -> Any:
    if not alt.wrap:
        return value
    return alt.py_type(value) if attrs.fields(alt.py_type) else alt.py_type()


# ---- model -> pyasn1 ------------------------------------------------------------------------------------------


def _to_asn1(t: ASN1Type, value: Any, template: Any) -> Any:
    """The pyasn1 value of model value `value` (of type `t`) at a position whose pyasn1 type is `template`."""
    if isinstance(t, Sequence):
        return _sequence_to_asn1(t.cls, value, template)
    if isinstance(t, ExternalType):
        return _sequence_to_asn1(External, value, template)
    if isinstance(t, SequenceOf):
        if not isinstance(value, (tuple, list)):
            _fail(f"SEQUENCE OF needs a tuple, not {type(value).__name__}")
        out = template.clone()
        out.clear()  # an empty SEQUENCE OF is a value (written as 30 00), not an absent component
        element = template.componentType
        for n, item in enumerate(value):
            out.setComponentByPosition(n, _to_asn1(t.element, item, element))
        return out
    if isinstance(t, Choice):
        alt = _alternative(t, value=value)
        inner = _wrapped(alt, value)
        if isinstance(template, univ.Any):  # an ANY DEFINED BY whose model is a CHOICE (Extension.item)
            if isinstance(alt.asn1, AnyType):
                return template.clone(_any_octets(inner))
            return template.clone(asn1spec.encode_apdu(_to_asn1(alt.asn1, inner, _standalone_spec(alt.asn1))))
        if not isinstance(template, univ.Choice):
            _fail(f"{t.name} is a CHOICE in the model but {type(template).__name__} in the pyasn1 spec")
        out = template.clone()
        out.setComponentByName(alt.asn1_name, _to_asn1(alt.asn1, inner, _component_template(out, alt.asn1_name)))
        return out
    if isinstance(t, IllStringType):
        out = template.clone()
        if type(value) is str:
            out.setComponentByName("GeneralString", value)
        elif type(value) is EDIFACTString:
            out.setComponentByName("EDIFACTString", value.value)
        else:
            _fail(f"ILL-String must be str or EDIFACTString, not {type(value).__name__}")
        return out
    if isinstance(t, AnyType):
        return template.clone(_any_octets(value))
    if isinstance(t, Enumerated):
        if type(value) is bool or value not in set(t.enum):
            _fail(f"{value!r} is not a {t.name}")
        return template.clone(int(value))
    if isinstance(t, Primitive):
        return template.clone(_primitive_to_asn1(t, value))
    _fail(f"cannot convert a {t.name}")


def _primitive_to_asn1(t: Primitive, value: Any) -> Any:
    name = t.name
    if name == "INTEGER":
        if type(value) is bool or not isinstance(value, int):
            _fail(f"INTEGER expected, not {type(value).__name__}")
        return value
    if name == "BOOLEAN":
        if type(value) is not bool:
            _fail(f"BOOLEAN expected, not {type(value).__name__}")
        return value
    if name == "NULL":
        return b""
    if name == "OBJECT IDENTIFIER":
        if not isinstance(value, str):
            _fail(f"an OBJECT IDENTIFIER is dotted text, not {type(value).__name__}")
        return value
    if name in ("VisibleString", "PrintableString", "ObjectDescriptor"):
        if not isinstance(value, str):
            _fail(f"{name} expected, not {type(value).__name__}")
        return value
    if type(value) is not bytes:
        _fail(f"{name} must be bytes, not {type(value).__name__}")
    if name == "BIT STRING":  # the model holds the content octets: unused-bit count, then the bits
        if not value or value[0] > 7 or (value[0] and len(value) == 1):
            _fail("BIT STRING content must start with an unused-bit count 0..7")
        return univ.BitString.fromOctetString(value[1:], padding=value[0])
    return value  # OCTET STRING


def _extension_spec(oid: str) -> Any:
    """The hand-written pyasn1 type of a registered extension, or None (asn1spec has three of them)."""
    try:
        return asn1spec.EXTENSION_TYPES.get(univ.ObjectIdentifier(oid))
    except asn1spec.PyAsn1Error:
        return None


def _any_octets(value: Any) -> bytes:
    """An ANY's complete TLV: RawBER as kept, or a registered extension value -- through its pyasn1 spec when
    asn1spec has one, otherwise written by the default codec's extension encoder (opaque to pyasn1)."""
    if type(value) is RawBER:
        return value.data
    entry = next((e for e in registry.entries() if e.py_type is type(value)), None)
    if entry is None:
        _fail(f"{type(value).__name__} is not a registered extension type (or RawBER)")
    spec = _extension_spec(entry.oid)
    if spec is not None:
        inner = getattr(value, attrs.fields(entry.py_type)[0].name) if entry.wrap else value
        return asn1spec.encode_apdu(_to_asn1(entry.asn1, inner, spec()))
    try:
        return default_codec().encode_value(value)
    except EncodeError as x:
        raise _Failure(f"{type(value).__name__}: {x}") from x


@contextlib.contextmanager
def _component(name: str) -> Iterator[None]:
    """A conversion failure inside component `name` gets it at the front of its path (any other exception
    a malformed value raises becomes such a failure)."""
    try:
        yield
    except _Failure as f:
        f.path.insert(0, name)
        raise
    except _FAILURES as x:
        failure = _Failure(f"{type(x).__name__}: {x}")
        failure.path.append(name)
        raise failure from x


def _sequence_to_asn1(cls: type, value: Any, template: Any) -> Any:
    if type(value) is not cls:
        _fail(f"{cls.__name__} expected, not {type(value).__name__}")
    if not isinstance(template, univ.Sequence):
        _fail(f"{cls.__name__} is a SEQUENCE in the model but {type(template).__name__} in the pyasn1 spec")
    out = template.clone()
    for attr, spec in field_specs(cls):
        name = spec.asn1_name
        with _component(name):
            x = getattr(value, attr)
            if x is None:
                if spec.presence == "required":
                    _fail(f"mandatory component {name} is missing")
                if spec.presence == "optional":
                    continue
                x = spec.default
            out.setComponentByName(name, _to_asn1(spec.asn1, x, _component_template(out, name)))
    return out


# ---- pyasn1 -> model ------------------------------------------------------------------------------------------


def _from_asn1(t: ASN1Type, value: Any) -> Any:
    """The model value of pyasn1 value `value`, read as model type `t`."""
    if isinstance(t, Sequence):
        return _sequence_from_asn1(t.cls, value)
    if isinstance(t, ExternalType):
        return _resolve_external(_sequence_from_asn1(External, value))
    if isinstance(t, SequenceOf):
        if value.isInconsistent:  # pyasn1 checks a SEQUENCE OF's SIZE only on demand (and when encoding)
            _fail(f"{type(value).__name__}: {value.isInconsistent}")
        return tuple(_from_asn1(t.element, item) for item in value)
    if isinstance(t, Choice):
        if isinstance(value, univ.Any):  # ANY DEFINED BY read as a CHOICE of untagged types (Extension.item)
            octets = bytes(value)
            for alt in t.alternatives:
                tag = alt.asn1.universal_tag()
                if tag is not None and octets[:1] == identifier_octets(UNIVERSAL, alt.asn1.constructed, tag):
                    return _wrap(alt, _from_asn1(alt.asn1, _decode_exact(octets, _standalone_spec(alt.asn1))))
            fallback = next((a for a in t.alternatives if isinstance(a.asn1, AnyType)), None)
            if fallback is None:
                _fail(f"no alternative of {t.name} fits the ANY value")
            return _wrap(fallback, RawBER(octets))
        if not isinstance(value, univ.Choice):
            _fail(f"{t.name} is a CHOICE in the model but {type(value).__name__} in the pyasn1 spec")
        alt = _alternative(t, name=value.getName())
        try:
            return _wrap(alt, _from_asn1(alt.asn1, value.getComponent()))
        except _Failure as f:
            f.path.insert(0, alt.asn1_name)
            raise
    if isinstance(t, IllStringType):
        name = value.getName()
        text = str(value.getComponent())
        if name == "GeneralString":
            return text
        if name == "EDIFACTString":
            return EDIFACTString(text)
        _fail(f"ILL-String has no alternative {name!r}")
    if isinstance(t, AnyType):
        return RawBER(bytes(value))
    if isinstance(t, Enumerated):
        return t.enum(int(value))
    if isinstance(t, Primitive):
        return _primitive_from_asn1(t, value)
    _fail(f"cannot convert a {t.name}")


def _primitive_from_asn1(t: Primitive, value: Any) -> Any:
    name = t.name
    if name == "INTEGER":
        return int(value)
    if name == "BOOLEAN":
        return bool(value)
    if name == "NULL":
        return None
    if name in ("OBJECT IDENTIFIER", "VisibleString", "PrintableString", "ObjectDescriptor"):
        return str(value)
    if name == "BIT STRING":
        bits = len(value)
        unused = -bits % 8
        return bytes((unused,)) + (int(value) << unused).to_bytes((bits + unused) // 8, "big") if bits else b"\x00"
    return bytes(value)  # OCTET STRING


def _sequence_from_asn1(cls: type, value: Any) -> Any:
    if not isinstance(value, univ.Sequence):
        _fail(f"{cls.__name__} is a SEQUENCE in the model but {type(value).__name__} in the pyasn1 spec")
    kwargs: dict[str, Any] = {}
    known = set()
    for attr, spec in field_specs(cls):
        name = spec.asn1_name
        known.add(name)
        with _component(name):
            _component_template(value, name)
            component = value.getComponentByName(name, default=noValue, instantiate=False)
            if component is noValue or not component.isValue:
                if spec.presence == "required":
                    _fail(f"missing mandatory component {name}")
                kwargs[attr] = spec.default if spec.presence == "default" else None
            else:
                kwargs[attr] = _from_asn1(spec.asn1, component)
    for named in value.componentType.namedTypes:
        if named.name not in known:
            component = value.getComponentByName(named.name, default=noValue, instantiate=False)
            if component is not noValue and component.isValue:
                _fail(f"component {named.name} of the pyasn1 spec has no field in {cls.__name__}")
    try:
        return cls(**kwargs)
    except _FAILURES as x:
        _fail(f"{cls.__name__}: {type(x).__name__}: {x}")


def _resolve_external(obj: External) -> External:
    """A registered OID's single-ASN1-type value becomes typed (one that does not fit its type stays RawBER,
    as in the default codec): read by pyasn1 when asn1spec has the extension's type, otherwise through the
    default codec's own registry resolution."""
    if obj.direct_reference is None or type(obj.encoding) is not SingleASN1Type:
        return obj
    entry = registry.lookup(obj.direct_reference)
    raw = obj.encoding.value
    if entry is None or type(raw) is not RawBER:
        return obj
    spec = _extension_spec(entry.oid)
    if spec is not None:
        try:
            value = _from_asn1(entry.asn1, _decode_exact(raw.data, spec()))
            if entry.wrap:
                value = entry.py_type(value)
        except (_Failure, *_FAILURES):
            return obj
        return attrs.evolve(obj, encoding=SingleASN1Type(value))
    # The same resolution the default codec's generated decoders call on every EXTERNAL (one implementation).
    return resolve_external(obj)


# ---- the codec ------------------------------------------------------------------------------------------------


def encode(apdu: APDU) -> bytes:
    """Encode one APDU model object through pyasn1; raises EncodeError (with .path) when it cannot."""
    cls = APDU_BY_TYPE.get(getattr(type(apdu), "APDU_TYPE", -1))
    if cls is None or type(apdu) is not cls:
        raise EncodeError(f"{type(apdu).__name__} is not an ISO 10161 APDU class")
    name = APDU_NAMES[cls.APDU_TYPE]
    try:
        value = _sequence_to_asn1(cls, apdu, asn1spec.APDU_TYPES[cls.APDU_TYPE - 1]())
        return asn1spec.encode_apdu(value)
    except _Failure as f:
        raise EncodeError(f.message, path=[name, *f.path]) from f
    except _FAILURES as x:
        raise EncodeError(f"{type(x).__name__}: {x}", path=[name]) from x


def decode(data: bytes | bytearray | memoryview) -> APDU:
    """Decode exactly one BER-encoded APDU through pyasn1; raises DecodeError (with .path) when it cannot."""
    try:
        choice = asn1spec.decode_apdu(bytes(data))
    except _FAILURES as x:
        raise DecodeError(f"{type(x).__name__}: {x}") from x
    body = choice.getComponent()
    apdu_type = asn1spec.APDU_TYPES.index(type(body)) + 1
    cls = APDU_BY_TYPE[apdu_type]
    try:
        result: APDU = _sequence_from_asn1(cls, body)
    except _Failure as f:
        raise DecodeError(f.message, path=[APDU_NAMES[apdu_type], *f.path]) from f
    except _FAILURES as x:
        raise DecodeError(f"{type(x).__name__}: {x}", path=[APDU_NAMES[apdu_type]]) from x
    return result
