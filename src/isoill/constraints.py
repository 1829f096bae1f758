"""The subtype constraints of ISO-10161-ILL-1 (SIZE, value ranges, alphabets, permitted values, the ISO-Date and
ISO-Time forms, the OID of a known extension's EXTERNAL) as a table, and `validate()`, which lists the breaches.

`isoill.encode` and `Codec.encode` run `conforms()` (one cheap pass; `check()` explains a failure with its path)
before encoding unless told not to (`check=False`): a gateway relaying what a peer sent turns the check off.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from illcore.codegen import run_generated
from isoill import extensions
from isoill._model import apdus, types
from isoill._model.enums import ILLServiceType
from isoill._model.values import EDIFACTString, External, RawBER, SingleASN1Type
from isoill.extensions import _registry as registry
from isoill.extensions import delivery_info
from isoill.schema import VISIBLE_STRING, field_specs

_AMOUNT_ALPHABET = frozenset("0123456789 .,")


@attrs.frozen
class Constraint:
    """One constraint on one component: SIZE bounds, a value range, an alphabet or a set of permitted values."""

    size: tuple[int, int] | None = None
    value_range: tuple[int, int] | None = None
    alphabet: frozenset[str] | None = None
    permitted: frozenset[int] | None = None
    form: Callable[[str], object] | None = None
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


# YYYYMMDD and HHMMSS (second 60: a leap second is a valid time of day); [0-9], not \\d, which takes any digit.
_iso_date = re.compile("[0-9]{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])").fullmatch
_iso_time = re.compile("(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9]|60)").fullmatch


ISO_DATE = Constraint(form=_iso_date, text="ISO-Date (YYYYMMDD)")
ISO_TIME = Constraint(form=_iso_time, text="ISO-Time (HHMMSS)")


def _model_classes() -> Iterator[type]:
    for module in (apdus, types, *(getattr(extensions, n) for n in ("delivery_info", "ipig", "oclc", "references"))):
        for value in vars(module).values():
            if isinstance(value, type) and attrs.has(value) and value.__module__ == module.__name__:
                yield value


# Every VisibleString component of the module is an ISO-Date or an ISO-Time, told apart by its name
# (date, need-before-date, ... / time, delivery-time).
for _cls in _model_classes():
    for _attr, _spec in field_specs(_cls):
        if _spec.asn1 is VISIBLE_STRING:
            CONSTRAINTS.setdefault((_cls, _attr), ISO_DATE if "date" in _spec.asn1_name else ISO_TIME)


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
    if c.form is not None and (type(text) is not str or not c.form(text)):
        return True
    return c.permitted is not None and text not in c.permitted


def external_mismatch(ext: External) -> str | None:
    """Why a typed extension value does not fit its EXTERNAL's direct-reference (None when it fits)."""
    if type(ext.encoding) is not SingleASN1Type or type(ext.encoding.value) is RawBER:
        return None
    value_type = type(ext.encoding.value)
    entry = registry.lookup(ext.direct_reference) if ext.direct_reference is not None else None
    if entry is not None and entry.py_type is value_type:
        return None
    owner = next((e for e in registry.entries() if e.py_type is value_type), None)
    wanted = f"; a {value_type.__name__} goes under {owner.oid}" if owner is not None else ""
    if entry is None:
        return f"OID {ext.direct_reference} is not registered for a {value_type.__name__} value{wanted}"
    return (f"OID {ext.direct_reference} names {entry.name} ({entry.py_type.__name__}), "
            f"not a {value_type.__name__}{wanted}")


def validate(obj: Any, _path: tuple[str, ...] = (), *, edifact: bool = True) -> list[Violation]:
    """Every constraint violation inside `obj` (an APDU or any model object); empty when it conforms.

    With `edifact`, also reports EDIFACTStrings with characters outside the EDIFACT set.
    """
    return list(_walk(obj, _path, edifact))


def _walk(obj: Any, path: tuple[str, ...], edifact: bool = True) -> Iterator[Violation]:
    if isinstance(obj, EDIFACTString):
        if edifact and not obj.conforms:
            yield Violation(path, obj.value, "the EDIFACTString character set")
        return
    if isinstance(obj, (tuple, list)):
        for n, item in enumerate(obj):
            yield from _walk(item, (*path, str(n)), edifact)
        return
    if type(obj) is External:
        problem = external_mismatch(obj)
        if problem is not None:
            yield Violation((*path, "direct-reference"), obj.direct_reference, problem)
    if type(obj) is SingleASN1Type:
        yield from _walk(obj.value, path, edifact)
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
        yield from _walk(value, here, edifact)


def check(obj: Any, *, edifact: bool = True, path: tuple[str, ...] = ()) -> None:
    """Raise `isoill.EncodeError` naming the first violation and its path, if there is one."""
    from isoill.errors import EncodeError

    problems = validate(obj, path, edifact=edifact)
    if problems:
        first = problems[0]
        raise EncodeError(f"{first.value!r} breaks {first.constraint}"
                          + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""), path=first.path)


# --- the fast pass the encoder runs ---------------------------------------------------------------------------
# One small generated function per class, visiting only the components that are constrained or can hold a
# constrained component further down (known from the type hints), so that most of an APDU is never touched.
# EDIFACT conformance is the codec's own option (strict_edifact), not part of this pass.

_ANY = object()  # a hint of typing.Any: anything (an extension's value) can be inside


def _hint_classes(hint: Any, out: set[Any]) -> None:
    if hint is Any:
        out.add(_ANY)
    elif isinstance(hint, type) and attrs.has(hint):
        out.add(hint)
    for arg in typing.get_args(hint):
        _hint_classes(arg, out)


def _reach(cls: type, seen: set[Any]) -> set[Any]:
    if cls in seen:
        return seen
    seen.add(cls)
    if cls is _ANY:
        return seen
    for hint in typing.get_type_hints(cls).values():
        direct: set[Any] = set()
        _hint_classes(hint, direct)
        for inner in direct:
            _reach(inner, seen)
    return seen


def _matters(classes: set[Any]) -> bool:
    constrained = {cls for cls, _ in CONSTRAINTS}
    return any(c is _ANY or c is External or c in constrained for c in classes)


def _compile(cls: type) -> Callable[[Any], bool]:
    if cls is tuple or cls is list:
        return lambda seq: all(conforms(x) for x in seq)
    if cls is SingleASN1Type:
        return lambda v: conforms(v.value)
    if not attrs.has(cls) or not _matters(_reach(cls, set())):
        return lambda v: True
    lines = ["def check(o):"]
    consts: dict[str, Any] = {"conforms": conforms}
    _emit(cls, "o", 1, lines, consts, (cls,))
    lines.append("    return True")
    run_generated("\n".join(lines), f"ISO 10161 constraint check {cls.__name__}", consts)
    fn: Callable[[Any], bool] = consts["check"]
    return fn


def _emit(cls: type, var: str, depth: int, lines: list[str], consts: dict[str, Any],
          stack: tuple[type, ...]) -> None:
    """Source lines checking the object in `var` (of class `cls`). A component whose hint is one class is
    checked inline (guarded by its exact type; anything else goes through `conforms`), saving a call per level."""
    pad = "    " * depth
    hints = typing.get_type_hints(cls)
    if cls is External:
        consts["_mismatch"] = external_mismatch
        lines.append(f"{pad}if _mismatch({var}) is not None: return False")
    for a in attrs.fields(cls):
        constraint = CONSTRAINTS.get((cls, a.name))
        inner: set[Any] = set()
        _hint_classes(hints[a.name], inner)
        descend = _matters(set().union(*(_reach(c, set()) for c in inner if c is not _ANY)) | (inner & {_ANY}))
        if constraint is None and not descend:
            continue
        v = f"v{len(consts)}"
        consts[v] = None  # reserves the name
        lines.append(f"{pad}{v} = {var}.{a.name}")
        lines.append(f"{pad}if {v} is not None:")
        if constraint is not None:
            lines.extend(f"{pad}    {test}" for test in _tests(constraint, v, consts))
        if not descend:
            continue
        only = next(iter(inner)) if len(inner) == 1 else None
        is_single = (only is not None and only is not _ANY and only not in stack and only is not External
                     and typing.get_origin(hints[a.name]) is not tuple and len(stack) < 8)
        if is_single:
            assert only is not None
            consts[f"T{v}"] = only
            lines.append(f"{pad}    if type({v}) is T{v}:")
            _emit(only, v, depth + 2, lines, consts, (*stack, only))
            lines.append(f"{pad}    elif not conforms({v}): return False")
        else:
            lines.append(f"{pad}    if not conforms({v}): return False")


def _tests(c: Constraint, v: str, consts: dict[str, Any]) -> list[str]:
    """The constraint's checks as source lines on `v` (the same rules as `_broken`, without its generality)."""
    out = []
    text = f"({v} if type({v}) is str else {v}.value)"
    if c.form is not None:
        consts[f"F{v}"] = c.form
        out.append(f"if type({v}) is not str or F{v}({v}) is None: return False")
    if c.size is not None:
        lo, hi = c.size
        out.append(f"if not {lo} <= len({text} if type({v}) is not tuple else {v}) <= {hi}: return False")
    if c.value_range is not None:
        lo, hi = c.value_range
        out.append(f"if not {lo} <= {v} <= {hi}: return False")
    if c.alphabet is not None:
        consts[f"A{v}"] = c.alphabet
        out.append(f"if not A{v}.issuperset({text}): return False")
    if c.permitted is not None:
        consts[f"P{v}"] = c.permitted
        out.append(f"if {v} not in P{v}: return False")
    return out


_CHECKERS: dict[type, Callable[[Any], bool]] = {}


def conforms(obj: Any) -> bool:
    """True when `validate(obj, edifact=False)` would be empty; the cheap pass the encoder runs."""
    fn = _CHECKERS.get(type(obj))
    if fn is None:
        fn = _CHECKERS[type(obj)] = _compile(type(obj))
    return fn(obj)
