"""The subtype constraints of ISO-10161-ILL-1 (SIZE, value ranges, permitted alphabets and values) as a table,
and `validate()`, which lists the places where a model object breaks them.

The codec does not enforce these: YAZ does not either, and a gateway must be able to relay what it received.
Applications that build APDUs call `validate()` (or `check()`) before sending.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from isoill._model import apdus, types
from isoill._model.enums import ILLServiceType
from isoill._model.values import EDIFACTString
from isoill.extensions import delivery_info
from isoill.schema import field_specs

_AMOUNT_ALPHABET = frozenset("0123456789 .,")


@attrs.frozen
class Constraint:
    """One constraint on one component: SIZE bounds, a value range, an alphabet or a set of permitted values."""

    size: tuple[int, int] | None = None
    value_range: tuple[int, int] | None = None
    alphabet: frozenset[str] | None = None
    permitted: frozenset[int] | None = None
    text: str = ""


_SHIPPED = Constraint(permitted=frozenset({ILLServiceType.LOAN, ILLServiceType.COPY_NON_RETURNABLE}),
                      text="Shipped-Service-Type ::= ILL-Service-Type (loan | copy-non-returnable)")

# (class, attribute) -> constraint, transcribed from ill9702 and the APDU-Delivery-Info module.
CONSTRAINTS: dict[tuple[type, str], Constraint] = {
    (apdus.ILLRequest, "ill_service_type"): Constraint(size=(1, 5), text="SEQUENCE SIZE (1..5)"),
    (apdus.ILLRequest, "supply_medium_info_type"): Constraint(size=(1, 7), text="SEQUENCE SIZE (1..7)"),
    (apdus.Shipped, "shipped_service_type"): _SHIPPED,
    (apdus.Received, "shipped_service_type"): _SHIPPED,
    (types.HistoryReport, "shipped_service_type"): _SHIPPED,
    (types.Amount, "currency_code"): Constraint(size=(3, 3), text="PrintableString (SIZE (3))"),
    (types.Amount, "monetary_value"): Constraint(size=(1, 10), alphabet=_AMOUNT_ALPHABET,
                                                 text="AmountString (SIZE (1..10)), digits, space, '.' and ','"),
    (types.SupplyDetails, "chargeable_units"): Constraint(value_range=(1, 9999), text="INTEGER (1..9999)"),
    (types.UnitsPerMediumType, "no_of_units"): Constraint(value_range=(1, 9999), text="INTEGER (1..9999)"),
    (types.ItemId, "isbn"): Constraint(size=(10, 10), text="ILL-String (SIZE (10))"),
    (types.ItemId, "issn"): Constraint(size=(8, 8), text="ILL-String (SIZE (8))"),
    (types.SearchType, "level_of_service"): Constraint(size=(1, 1), text="ILL-String (SIZE (1))"),
    (delivery_info.APDUDeliveryParameters, "encoding"): Constraint(size=(1, 3), text="SEQUENCE SIZE (1..3)"),
}


@attrs.frozen
class Violation:
    """Where a value breaks a constraint: the ASN.1 path, the value and what the module demands."""

    path: tuple[str, ...]
    value: Any
    constraint: str

    def __str__(self) -> str:
        return f"{'.'.join(self.path)}: {self.value!r} breaks {self.constraint}"


def _broken(c: Constraint, value: Any) -> bool:
    text: Any = value.value if isinstance(value, EDIFACTString) else value
    if c.size is not None:
        lo, hi = c.size
        if not lo <= len(text) <= hi:
            return True
    if c.value_range is not None and not c.value_range[0] <= text <= c.value_range[1]:
        return True
    if c.alphabet is not None and not set(text) <= c.alphabet:
        return True
    return c.permitted is not None and text not in c.permitted


def validate(obj: Any, _path: tuple[str, ...] = ()) -> list[Violation]:
    """Every constraint violation inside `obj` (an APDU or any model object); empty when it conforms.

    Also reports EDIFACTStrings with characters outside the EDIFACT set.
    """
    return list(_walk(obj, _path))


def _walk(obj: Any, path: tuple[str, ...]) -> Iterator[Violation]:
    if isinstance(obj, EDIFACTString):
        if not obj.conforms:
            yield Violation(path, obj.value, "the EDIFACTString character set")
        return
    if isinstance(obj, (tuple, list)):
        for n, item in enumerate(obj):
            yield from _walk(item, (*path, str(n)))
        return
    if not attrs.has(type(obj)):
        return
    specs = dict(field_specs(type(obj)))
    for a in attrs.fields(type(obj)):
        value = getattr(obj, a.name)
        if value is None:
            continue
        name = specs[a.name].asn1_name if a.name in specs else a.name
        here = (*path, name)
        constraint = CONSTRAINTS.get((type(obj), a.name))
        if constraint is not None and _broken(constraint, value):
            yield Violation(here, value, constraint.text)
        yield from _walk(value, here)


def check(obj: Any) -> None:
    """Raise `isoill.EncodeError` naming the first violation, if there is one."""
    from isoill.errors import EncodeError

    problems = validate(obj)
    if problems:
        first = problems[0]
        raise EncodeError(f"{first.value!r} breaks {first.constraint}"
                          + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), path=first.path)
