"""dict/JSON-ready conversion of messages with cattrs, kept apart from the model modules.

`to_dict(msg)` / `from_dict(data, cls)`: enums as tokens, datetimes as xs:dateTime text, Decimals as text;
`from_dict` checks the data first (unknown keys, missing fields, code values) and names the path of a fault.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs

from illcore.structure import NOT_MINE, Checker
from iso18626._model.parts import Address, ElectronicAddress, PhysicalAddress
from iso18626._model.timestamps import format_datetime, strict_datetime
from iso18626.errors import StructureError

T = TypeVar("T")

converter = cattrs.Converter(omit_if_default=True)
converter.register_unstructure_hook(datetime, format_datetime)
converter.register_structure_hook(datetime, lambda v, _: v if isinstance(v, datetime) else strict_datetime(v))
converter.register_unstructure_hook(Decimal, str)
converter.register_structure_hook(Decimal, lambda v, _: Decimal(str(v)))


def _unstructure_address(addr: Address) -> dict[str, Any]:
    key = "electronic_address" if isinstance(addr, ElectronicAddress) else "physical_address"
    return {key: converter.unstructure(addr, type(addr))}


def _structure_address(data: dict[str, Any], _: Any) -> Address:
    if "electronic_address" in data:
        return converter.structure(data["electronic_address"], ElectronicAddress)
    return converter.structure(data["physical_address"], PhysicalAddress)


converter.register_unstructure_hook(ElectronicAddress | PhysicalAddress, _unstructure_address)
converter.register_structure_hook(ElectronicAddress | PhysicalAddress, _structure_address)


def to_dict(msg: Any) -> dict[str, Any]:
    """A message (or any model part) as plain data: field names as keys, absent fields left out."""
    if not attrs.has(type(msg)):
        raise TypeError(f"not an ISO 18626 model object: {type(msg).__name__}")
    out: dict[str, Any] = converter.unstructure(msg, type(msg))
    return out


def _enum_names(cls: type[enum.Enum]) -> dict[Any, enum.Enum]:
    return {m.value: m for m in cls}  # the XSD token (`WillSupply`); the Python name is accepted as well


def _special(checker: Checker, data: Any, tp: Any, path: str) -> Any:
    if tp is datetime:
        if isinstance(data, datetime):
            return data
        try:
            strict_datetime(data)
        except (ValueError, TypeError) as x:
            raise checker.fail(f"{data!r} is not an xs:dateTime ({x})", path) from None
        return data
    if tp is Decimal:
        try:
            Decimal(str(data))
        except ArithmeticError:
            raise checker.fail(f"{data!r} is not a decimal number", path) from None
        if isinstance(data, bool) or not isinstance(data, (str, int, float, Decimal)):
            raise checker.fail(f"{data!r} is not a decimal number", path)
        return data
    if tp == ElectronicAddress | PhysicalAddress:
        # to_dict writes an address in a list wrapped ({"physical_address": {...}}) and a single one plain;
        # a plain one is told by its fields, as cattrs does.
        shapes = {"electronic_address": ElectronicAddress, "physical_address": PhysicalAddress}
        if not isinstance(data, dict):
            raise checker.fail('expected an address object ({"physical_address": {...}} or its fields)', path)
        if len(data) == 1 and next(iter(data)) in shapes:
            ((key, inner),) = data.items()
            return {key: checker.check(inner, shapes[key], f"{path}.{key}")}
        plain = ElectronicAddress if any(str(k).startswith("electronic_address") for k in data) else PhysicalAddress
        return checker.check(data, plain, path)
    return NOT_MINE


def from_dict(data: dict[str, Any], cls: type[T], *, strict: bool = True) -> T:
    """Rebuild a model object of class `cls` from `to_dict` output.

    Raises `iso18626.StructureError` naming the path for an unknown key (with the closest valid names), a
    missing required field or a code that is not in its list (codes take the XSD token, `WillSupply`, or the
    Python name, `WILL_SUPPLY`). `strict=False` drops unknown keys.
    """
    checker = Checker(StructureError, strict=strict, enum_names=_enum_names, special=_special)
    body = checker.check_class(data, cls, cls.__name__)
    try:
        return converter.structure(body, cls)
    except Exception as x:  # cattrs reports through ExceptionGroups: one typed error instead
        raise StructureError(f"cannot build {cls.__name__} from the data: {x!r}", cls.__name__) from x
