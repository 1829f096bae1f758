"""Tagging helpers for the pyasn1 specs: context tags, IMPLICIT and EXPLICIT re-tagging, APPLICATION tags.

The ILL modules are EXPLICIT TAGS modules, so a bare `[n]` is exp() and only `[n] IMPLICIT` is imp().
"""

from __future__ import annotations

from typing import Any

from pyasn1.type import constraint, namedval, tag, univ


def ctx(n: int) -> Any:
    # The format bit is fixed by pyasn1: imp() keeps the base type's, exp() always makes it constructed.
    return tag.Tag(tag.tagClassContext, tag.tagFormatSimple, n)


def imp(t: Any, n: int) -> Any:
    """`[n] IMPLICIT T`."""
    return t.subtype(implicitTag=ctx(n))


def exp(t: Any, n: int) -> Any:
    """`[n] T` in an EXPLICIT TAGS module (and always for CHOICE, ANY and EXTERNAL)."""
    return t.subtype(explicitTag=ctx(n))


def application(n: int) -> Any:
    """`[APPLICATION n] SEQUENCE` in an EXPLICIT module: the APPLICATION tag wraps a UNIVERSAL 16."""
    return univ.Sequence.tagSet.tagExplicitly(tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, n))


def enumerated(name: str, *values: tuple[str, int]) -> Any:
    """An ENUMERATED type whose values are limited to the listed ones (the module has no extension markers)."""
    return type(
        name,
        (univ.Enumerated,),
        {
            "namedValues": namedval.NamedValues(*values),
            "subtypeSpec": univ.Enumerated.subtypeSpec + constraint.SingleValueConstraint(*(v for _, v in values)),
        },
    )


def sized(t: Any, lo: int, hi: int) -> Any:
    """`T (SIZE (lo..hi))`."""
    return t.subtype(subtypeSpec=constraint.ValueSizeConstraint(lo, hi))
