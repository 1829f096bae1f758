"""The extension registry: which OBJECT IDENTIFIER names which ASN.1 type and Python class.

EXTERNALs whose direct-reference is registered decode to typed values; any other OID stays RawBER and is
re-emitted byte for byte. Registering a type invalidates the generated codecs so the next use regenerates them.
"""

from __future__ import annotations

import attrs

from isoill.schema import ASN1Type, Sequence


@attrs.frozen
class ExtensionType:
    """One registered extension: its OID, a short name, the model class and its ASN.1 shape.

    `wrap` says `py_type` is a one-field holder around a value that is not itself a SEQUENCE
    (e.g. IPIG-ILL-Request-Extension, a SEQUENCE OF CHOICE).
    """

    oid: str
    name: str
    py_type: type
    asn1: ASN1Type
    wrap: bool = False


_ENTRIES: dict[str, ExtensionType] = {}
_generation = [0]


def register(oid: str, name: str, py_type: type, asn1: ASN1Type | None = None, *, wrap: bool = False) -> None:
    """Make EXTERNALs with this direct-reference decode to `py_type` (a SEQUENCE class unless `asn1` is given)."""
    for other in _ENTRIES.values():
        if other.py_type is py_type and other.oid != oid:
            raise ValueError(f"{py_type.__name__} is already registered for {other.oid}")
    _ENTRIES[oid] = ExtensionType(oid, name, py_type, asn1 if asn1 is not None else Sequence(py_type), wrap)
    _generation[0] += 1


def entries() -> tuple[ExtensionType, ...]:
    return tuple(_ENTRIES.values())


def lookup(oid: str) -> ExtensionType | None:
    return _ENTRIES.get(oid)


def generation() -> int:
    """Changes whenever the registry does (part of the generated-codec cache key)."""
    return _generation[0]
