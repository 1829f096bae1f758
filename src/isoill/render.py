"""A readable text tree of any ISO 10161 model value (APDUs and every supporting type), with ASN.1 names.

Generic over attrs classes: names come from each field's BER metadata (`transaction-id`, `iLL-service-type`),
CHOICE alternatives print as `alternative-name: value`, enumerations as `name (number)`. No I/O here.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from isoill._model.apdus import APDU_NAMES
from isoill._model.values import EDIFACTString, RawBER
from isoill.schema import Choice, FieldSpec

INDENT = "  "


def apdu_name(apdu: object) -> str:
    """`ILL-Request`, `Shipped`, ... for an APDU instance (its class name for anything else)."""
    name = getattr(type(apdu), "ASN1_NAME", None)
    return name if isinstance(name, str) else type(apdu).__name__


def tag_name(octets: bytes) -> str:
    """The APDU name its first octet ([APPLICATION n]) announces, for octets not decoded ("octets" if none)."""
    number = octets[0] & 0x1F if octets and 0x60 <= octets[0] <= 0x7F else 0
    return APDU_NAMES[number] if 0 < number < len(APDU_NAMES) else "octets"


def render(value: object) -> str:
    """The text tree of `value` (an APDU or any model value), one component per line, no trailing newline."""
    lines: list[str] = []
    head = apdu_name(value) if attrs.has(type(value)) else ""
    if head:
        lines.append(head)
        _fields(value, 1, lines)
    else:
        lines.append(_scalar(value))
    return "\n".join(lines)


def _enum_text(value: enum.Enum) -> str:
    name = value.name.lower().replace("_", "-")
    return f"{name} ({value.value})" if isinstance(value, int) else name


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, enum.Enum):
        return _enum_text(value)
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, EDIFACTString):
        return f"EDIFACTString {_quote(value.value)}"
    if isinstance(value, RawBER):
        return f"BER {value.data.hex(' ')}"
    if isinstance(value, bytes):
        return f"octets {value.hex(' ')}" if value else "octets (empty)"
    if value is None:
        return "(absent)"
    return str(value)


def _quote(text: str) -> str:
    # repr-style escaping keeps control characters visible; double quotes read better than repr's single ones.
    inner = repr(text)[1:-1].replace('\\"', '"').replace("\\'", "'").replace('"', '\\"')
    return f'"{inner}"'


def _alternative_name(spec: FieldSpec | None, value: object) -> str | None:
    if spec is None or not isinstance(spec.asn1, Choice):
        return None
    for alt in spec.asn1.alternatives:
        if isinstance(value, alt.py_type):
            return alt.asn1_name or None
    return None


def _is_wrapper(value: Any) -> bool:
    # The one-field classes standing for a CHOICE alternative (PersonSymbol, SingleASN1Type, ...).
    fields = attrs.fields(type(value))
    return len(fields) == 1 and "ber" not in fields[0].metadata and fields[0].name == "value"


def _fields(obj: Any, depth: int, lines: list[str]) -> None:
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        if value is None:
            continue
        spec: FieldSpec | None = a.metadata.get("ber")
        name = spec.asn1_name if spec is not None else a.name.replace("_", "-")
        _component(name, spec, value, depth, lines)


def _component(name: str, spec: FieldSpec | None, value: Any, depth: int, lines: list[str]) -> None:
    pad = INDENT * depth
    alt = _alternative_name(spec, value)
    if alt is not None:
        if isinstance(value, (RawBER, EDIFACTString)):
            lines.append(f"{pad}{name}: {alt} {_scalar(value)}")
            return
        if attrs.has(type(value)) and _is_wrapper(value):
            inner = value.value
            typed = attrs.has(type(inner)) and not isinstance(inner, (RawBER, EDIFACTString))
            # A typed extension value: say which type it was decoded as.
            label = f"{name}: {alt} {type(inner).__name__}" if typed else f"{name}: {alt}"
            _component(label, None, inner, depth, lines)
            return
        if not attrs.has(type(value)):
            lines.append(f"{pad}{name}: {alt} {_scalar(value)}")
            return
        name = f"{name}: {alt}"
    if isinstance(value, tuple):
        lines.append(f"{pad}{name} ({len(value)})")
        for item in value:
            if attrs.has(type(item)) and not _is_wrapper(item):
                lines.append(f"{pad}{INDENT}-")
                _fields(item, depth + 2, lines)
            else:
                inner = item.value if attrs.has(type(item)) else item
                lines.append(f"{pad}{INDENT}- {_scalar(inner)}")
        return
    if attrs.has(type(value)) and not isinstance(value, (RawBER, EDIFACTString)):
        if _is_wrapper(value):
            _component(f"{name}: {type(value).__name__}", None, value.value, depth, lines)
            return
        if all(getattr(value, f.name) is None for f in attrs.fields(type(value))):
            lines.append(f"{pad}{name}: (empty)")
            return
        lines.append(f"{pad}{name}")
        _fields(value, depth + 1, lines)
        return
    lines.append(f"{pad}{name}: {_scalar(value)}")
