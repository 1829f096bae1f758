"""dict/JSON-ready conversion of messages with cattrs, kept apart from the model modules.

`to_dict(msg)` / `from_dict(data, cls)`: enums as tokens, datetimes as xs:dateTime text, Decimals as text.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs

from iso18626._model.parts import Address, ElectronicAddress, PhysicalAddress
from iso18626._model.timestamps import format_datetime, strict_datetime

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


def from_dict(data: dict[str, Any], cls: type[T]) -> T:
    """Rebuild a model object of class `cls` from `to_dict` output."""
    return converter.structure(data, cls)
