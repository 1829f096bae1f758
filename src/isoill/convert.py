"""dict/JSON conversion of the ISO 10161 model with cattrs (used by the CLI and by applications).

Shape: field names as in the model, absent and DEFAULT-valued components omitted, enums by name, CHOICEs
externally tagged as {"ClassName": value} (a plain string stays a GeneralString), octets as hex, and an APDU
as {"type": "ILLRequest", ...fields}.
"""

from __future__ import annotations

import json
import types
import typing
from enum import IntEnum
from typing import Any

import attrs
import cattrs

from isoill._model import apdus
from isoill._model.values import EDIFACTString, RawBER, SingleASN1Type
from isoill.errors import ILLError
from isoill.extensions import _registry as registry

_NONE = type(None)


def _union_members(t: Any) -> tuple[Any, ...]:
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(t) if a is not _NONE)
    return ()


def _is_choice(t: Any) -> bool:
    return len(_union_members(t)) > 1


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(omit_if_default=True)

    conv.register_unstructure_hook(bytes, lambda b: b.hex())
    conv.register_structure_hook(bytes, lambda v, _: bytes.fromhex(v))
    conv.register_unstructure_hook(RawBER, lambda r: r.data.hex())
    conv.register_structure_hook(RawBER, lambda v, _: RawBER(bytes.fromhex(v)))
    conv.register_unstructure_hook(EDIFACTString, lambda s: s.value)
    conv.register_structure_hook(EDIFACTString, lambda v, _: EDIFACTString(v))

    def enum_unstructure(e: IntEnum) -> str:
        return e.name

    def enum_structure(v: Any, cls: type[IntEnum]) -> IntEnum:
        return cls[v] if isinstance(v, str) else cls(v)

    conv.register_unstructure_hook(IntEnum, enum_unstructure)
    conv.register_structure_hook(IntEnum, enum_structure)

    def choice_unstructure(value: Any) -> Any:
        if value is None or type(value) is str:
            return value
        return {type(value).__name__: conv.unstructure(value, type(value))}

    def choice_structure_factory(t: Any) -> Any:
        members = {m.__name__: m for m in _union_members(t)}

        def structure(value: Any, _: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, str) and "str" in members:
                return value
            if not isinstance(value, dict) or len(value) != 1:
                raise ValueError(f"expected one of {sorted(members)} as {{name: value}}, got {value!r}")
            ((name, inner),) = value.items()
            if name not in members:
                raise ValueError(f"{name!r} is not one of {sorted(members)}")
            return conv.structure(inner, members[name])

        return structure

    conv.register_unstructure_hook_func(_is_choice, lambda value: choice_unstructure(value))
    conv.register_structure_hook_factory(_is_choice, choice_structure_factory)

    # single-ASN1-type carries a registered extension's value or RawBER: tag it with the class name.
    def single_unstructure(v: SingleASN1Type) -> Any:
        return {"value": {type(v.value).__name__: conv.unstructure(v.value, type(v.value))}}

    def single_structure(v: Any, _: Any) -> SingleASN1Type:
        ((name, inner),) = v["value"].items()
        if name == "RawBER":
            return SingleASN1Type(RawBER(bytes.fromhex(inner)))
        for ext in registry.entries():
            if ext.py_type.__name__ == name:
                return SingleASN1Type(conv.structure(inner, ext.py_type))
        raise ValueError(f"{name!r} is not a registered extension type")

    conv.register_unstructure_hook(SingleASN1Type, single_unstructure)
    conv.register_structure_hook(SingleASN1Type, single_structure)
    return conv


CONVERTER = _make_converter()
_APDU_BY_NAME = {cls.__name__: cls for cls in apdus.APDU_CLASSES}


def to_dict(obj: Any) -> dict[str, Any]:
    """An APDU (or any model object) as plain data; APDUs get a leading "type" key."""
    data: dict[str, Any] = CONVERTER.unstructure(obj, type(obj))
    if isinstance(obj, apdus.APDU):
        return {"type": type(obj).__name__, **data}
    return data


def from_dict(data: dict[str, Any], cls: type | None = None) -> Any:
    """The inverse of to_dict; the class comes from `cls` or, for APDUs, from the "type" key."""
    try:
        if cls is None:
            body = dict(data)
            name = body.pop("type", None)
            if name not in _APDU_BY_NAME:
                raise ILLError(f"'type' must name an APDU class ({', '.join(_APDU_BY_NAME)}), not {name!r}")
            cls = _APDU_BY_NAME[name]
            return CONVERTER.structure(body, cls)
        return CONVERTER.structure(data, cls)
    except ILLError:
        raise
    except Exception as x:  # cattrs reports through ExceptionGroups; flatten to one typed error
        raise ILLError(f"cannot build {getattr(cls, '__name__', 'APDU')} from the data: "
                       f"{_explain(x)}") from x


def _explain(x: BaseException) -> str:
    group = getattr(x, "exceptions", None)  # an ExceptionGroup (cattrs), without naming the 3.11 builtin
    if isinstance(group, (list, tuple)):
        notes = [str(n) for n in getattr(x, "__notes__", [])]
        inner = "; ".join(_explain(e) for e in group)
        return " ".join([*notes, inner]).strip()
    notes = getattr(x, "__notes__", [])
    return (f"{type(x).__name__}: {x}" + (f" ({'; '.join(notes)})" if notes else "")).strip()


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(obj), indent=indent, ensure_ascii=False)


def from_json(text: str | bytes, cls: type | None = None) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as x:
        raise ILLError(f"not JSON: {x}") from None
    if not isinstance(data, dict):
        raise ILLError("the JSON must be an object")
    return from_dict(data, cls)


def is_model(obj: Any) -> bool:
    return attrs.has(type(obj))
