"""Hypothesis strategies for every ISO 10161 model type, derived from the same schema metadata as the codec."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

import isoill
from isoill import schema as S
from isoill._model.values import (
    EDIFACT_CHARACTERS,
    Arbitrary,
    EDIFACTString,
    External,
    OctetAligned,
    RawBER,
    SingleASN1Type,
)
from isoill.constraints import CONSTRAINTS, ISO_DATE, ISO_TIME, Constraint
from isoill.extensions import _registry as registry
from isoill.schema import field_specs

# GeneralString text: anything UTF-8 can carry (no lone surrogates), short enough to keep examples fast.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
VISIBLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10)
EDIFACT = st.text(st.sampled_from(sorted(EDIFACT_CHARACTERS)), max_size=10).map(EDIFACTString)
ILL_STRING = st.one_of(TEXT, TEXT, EDIFACT)


@st.composite
def oids(draw: st.DrawFn) -> str:
    first = draw(st.integers(0, 2))
    second = draw(st.integers(0, 39 if first < 2 else 200))
    # Arcs below 2**31: YAZ keeps arcs in a signed 32-bit int and rejects larger ones (unit tests cover those).
    rest = draw(st.lists(st.integers(0, 2**31 - 1), max_size=5))
    return ".".join(str(a) for a in [first, second, *rest])


def _tlv(tag: int, content: bytes) -> bytes:
    from isoill._ber.primitives import length

    return bytes((tag,)) + length(len(content)) + content


# An ANY value: a complete TLV (primitive, or a small constructed one).
RAW_BER = st.one_of(
    st.binary(max_size=20).map(lambda b: RawBER(_tlv(0x04, b))),
    st.lists(st.binary(max_size=8), max_size=3).map(
        lambda parts: RawBER(_tlv(0x30, b"".join(_tlv(0x04, p) for p in parts)))),
)

_CACHE: dict[Any, st.SearchStrategy[Any]] = {}


def for_type(t: S.ASN1Type) -> st.SearchStrategy[Any]:
    key = id(t) if not isinstance(t, S.Sequence) else ("seq", t.cls)
    if key not in _CACHE:
        _CACHE[key] = st.deferred(lambda: _build(t))
    return _CACHE[key]


def _build(t: S.ASN1Type) -> st.SearchStrategy[Any]:
    if isinstance(t, S.Primitive):
        return {
            "INTEGER": st.integers(-(2**40), 2**40),
            "BOOLEAN": st.booleans(),
            "NULL": st.none(),
            "OBJECT IDENTIFIER": oids(),
            "VisibleString": VISIBLE,
            "PrintableString": st.text(st.sampled_from("ABCXYZ0123456789 .,"), max_size=10),
            "ObjectDescriptor": st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=10),
            "OCTET STRING": st.binary(max_size=20),
            "BIT STRING": st.binary(max_size=8).map(lambda b: b"\x00" + b),
        }[t.name]
    if isinstance(t, S.IllStringType):
        return ILL_STRING
    if isinstance(t, S.Enumerated):
        return st.sampled_from(list(t.enum))
    if isinstance(t, S.AnyType):
        return RAW_BER
    if isinstance(t, S.ExternalType):
        return externals()
    if isinstance(t, S.SequenceOf):
        return st.lists(for_type(t.element), max_size=3).map(tuple)
    if isinstance(t, S.Sequence):
        return model(t.cls)
    if isinstance(t, S.Choice):
        options = []
        for alt in t.alternatives:
            if alt.wrap:
                inner = [a.name for a in attrs.fields(alt.py_type)]
                if not inner:
                    options.append(st.just(alt.py_type()))
                else:
                    options.append(for_type(alt.asn1).map(alt.py_type))
            elif alt.py_type is External:
                options.append(externals())
            else:
                options.append(for_type(alt.asn1))
        return st.one_of(options)
    raise TypeError(t)


# ISO-Date and ISO-Time values as the module defines them (the encoder checks them).
ISO_DATES = st.dates().map(lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}")
ISO_TIMES = st.times().map(lambda t: f"{t.hour:02d}{t.minute:02d}{t.second:02d}")


def _sized_text(lo: int, hi: int, alphabet: frozenset[str] | None) -> st.SearchStrategy[Any]:
    if alphabet is not None:
        return st.text(st.sampled_from(sorted(alphabet)), min_size=lo, max_size=hi)
    return st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), min_size=lo, max_size=hi),
                     st.text(st.sampled_from(sorted(EDIFACT_CHARACTERS)), min_size=lo, max_size=hi).map(EDIFACTString))


def _constrained(t: S.ASN1Type, c: Constraint) -> st.SearchStrategy[Any]:
    """Values of type `t` that keep to the module's constraint `c` (so that every drawn APDU encodes)."""
    if c is ISO_DATE:
        return ISO_DATES
    if c is ISO_TIME:
        return ISO_TIMES
    if c.permitted is not None:
        return st.sampled_from(sorted(c.permitted))
    if c.value_range is not None:
        return st.integers(*c.value_range)
    assert c.size is not None, c
    lo, hi = c.size
    if isinstance(t, S.SequenceOf):
        return st.lists(for_type(t.element), min_size=lo, max_size=min(hi, lo + 2)).map(tuple)
    if isinstance(t, S.Primitive):  # PrintableString: the strategy's alphabet, sized
        return st.text(st.sampled_from(sorted(c.alphabet or "ABCXYZ0123456789")), min_size=lo, max_size=hi)
    return _sized_text(lo, hi, c.alphabet)


def model(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a model class: mandatory fields always, OPTIONAL ones sometimes, DEFAULTs either way.

    Components the module constrains (sizes, ranges, ISO-Date/ISO-Time) get values that keep to it.
    """
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for attr, spec in field_specs(cls):
        constraint = CONSTRAINTS.get((cls, attr))
        value = for_type(spec.asn1) if constraint is None else _constrained(spec.asn1, constraint)
        if spec.presence == S.REQUIRED:
            kwargs[attr] = value
        else:
            kwargs[attr] = st.one_of(st.none(), value) if spec.presence == S.OPTIONAL else value
    return st.builds(cls, **kwargs)


@st.composite
def externals(draw: st.DrawFn) -> External:
    kind = draw(st.integers(0, 3))
    if kind == 0 and registry.entries():  # a registered, typed extension value
        ext = draw(st.sampled_from(list(registry.entries())))
        value = draw(for_type(ext.asn1))
        if ext.wrap:
            value = ext.py_type(value)
        return External(direct_reference=ext.oid, encoding=SingleASN1Type(value))
    encoding = draw(st.one_of(
        RAW_BER.map(SingleASN1Type),
        st.binary(max_size=10).map(OctetAligned),
        st.binary(max_size=6).map(lambda b: Arbitrary(b"\x00" + b)),
    ))
    # Unregistered OIDs only: a registered one would (rightly) decode to its typed value. Always an OID: the
    # module asks for "direct reference style", every peer sends it, and YAZ rejects an EXTERNAL without one.
    return External(
        direct_reference=draw(oids().filter(lambda o: registry.lookup(o) is None)),
        indirect_reference=draw(st.one_of(st.none(), st.integers(0, 1000))),
        # No data-value-descriptor: no ILL peer sends one, and YAZ reads it with the wrong tag (GraphicString
        # instead of ObjectDescriptor), so it would reject our correct encoding. Unit tests cover it.
        encoding=encoding,
    )


APDUS = st.one_of([model(cls) for cls in isoill.APDU_CLASSES])
