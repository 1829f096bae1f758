"""The two hand-written value classes of the NCIP model: a code with its scheme, and verbatim Ext content.

Every other model class is generated from the element tables (see modelgen.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs


@attrs.frozen
class SchemeValue:
    """An NCIP SchemeValuePair: a code (NCIP code lists are open) and the optional Scheme URI it is from."""

    value: str
    scheme: str | None = None

    def __str__(self) -> str:
        return self.value


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Ext:
    """An `Ext` element: each child element's XML, kept verbatim (with the namespaces it uses)."""

    elements: tuple[str, ...] = attrs.field(default=(), converter=_strings)


def scheme_value(value: SchemeValue | str) -> SchemeValue:
    """Converter: a bare string is a code without a scheme."""
    return value if isinstance(value, SchemeValue) else SchemeValue(value)


def optional_scheme_value(value: SchemeValue | str | None) -> SchemeValue | None:
    """Converter for optional codes: None stays None."""
    return None if value is None else scheme_value(value)


def scheme_values(values: Iterable[SchemeValue | str]) -> tuple[SchemeValue, ...]:
    """Converter for repeated codes."""
    return tuple(scheme_value(v) for v in values)


def items(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter for repeated elements: any iterable (a list, a generator) becomes a tuple."""
    return tuple(values)
