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

from illcore.structure import NOT_MINE, Checker, suggest
from isoill._model import apdus
from isoill._model.values import EDIFACTString, RawBER, SingleASN1Type
from isoill.errors import ILLError, StructureError
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


def enum_names(cls: type[Any]) -> dict[Any, Any]:
    """What JSON may give for a member: the name `isoill decode` prints (`will-supply`) and the number."""
    out: dict[Any, Any] = {m.name.lower().replace("_", "-"): m for m in cls}
    out.update({int(m): m for m in cls})
    return out


def _hex(checker: Checker, data: Any, path: str) -> None:
    if not isinstance(data, str):
        raise checker.fail(f"expected hexadecimal octets as a string, got {data!r}", path)
    try:
        bytes.fromhex(data)
    except ValueError:
        raise checker.fail(f"{data!r} is not hexadecimal octets", path) from None


def _special(checker: Checker, data: Any, tp: Any, path: str) -> Any:
    """The shapes of this model that the generic rules do not know: CHOICEs, octets, extension values."""
    if tp is bytes or tp is RawBER:
        _hex(checker, data, path)
        return data
    if tp is EDIFACTString:
        if not isinstance(data, str):
            raise checker.fail(f"expected the EDIFACTString's text, got {data!r}", path)
        try:
            EDIFACTString(data)
        except ValueError as x:
            raise checker.fail(str(x), path) from None
        return data
    if tp is SingleASN1Type:
        if not isinstance(data, dict) or set(data) != {"value"} or not isinstance(data["value"], dict) \
                or len(data["value"]) != 1:
            raise checker.fail('expected {"value": {"ExtensionClass": ...}} or {"value": {"RawBER": "hex"}}', path)
        ((name, inner),) = data["value"].items()
        known = {ext.py_type.__name__: ext.py_type for ext in registry.entries()}
        if name == "RawBER":
            _hex(checker, inner, f"{path}.value.RawBER")
            return data
        if name not in known:
            raise checker.fail(f"{name!r} is not a registered extension type", path,
                               suggest(name, [*known, "RawBER"]) or f"; known: {', '.join(sorted(known))}, RawBER")
        return {"value": {name: checker.check(inner, known[name], f"{path}.value.{name}")}}
    members = _union_members(tp)
    if len(members) > 1:
        if data is None and len(members) < len(typing.get_args(tp)):
            return None
        by_name = {m.__name__: m for m in members}
        if isinstance(data, str) and "str" in by_name:
            return data
        if not isinstance(data, dict) or len(data) != 1:
            choices = ", ".join(sorted(n for n in by_name if n != "str"))
            plain = "a string or " if "str" in by_name else ""
            raise checker.fail(f"expected {plain}one of {{{choices}}} as {{\"Name\": value}}, got {data!r}", path)
        ((name, inner),) = data.items()
        if name not in by_name or name == "str":
            raise checker.fail(f"{name!r} is not an alternative here", path,
                               suggest(str(name), by_name) or f"; allowed: {', '.join(sorted(by_name))}")
        return {name: checker.check(inner, by_name[name], f"{path}.{name}")}
    return NOT_MINE


def checker(*, strict: bool = True) -> Checker:
    """The input checker from_dict uses (strict: unknown keys are errors)."""
    return Checker(StructureError, strict=strict, enum_names=enum_names, special=_special)


_STRICT = checker()
_LENIENT = checker(strict=False)


def to_dict(obj: Any) -> dict[str, Any]:
    """An APDU (or any model object) as plain data; APDUs get a leading "type" key."""
    data: dict[str, Any] = CONVERTER.unstructure(obj, type(obj))
    if isinstance(obj, apdus.APDU):
        return {"type": type(obj).__name__, **data}
    return data


def apdu_class(name: Any) -> type[apdus.APDU]:
    """The APDU class for a "type" value: the class name (`ILLRequest`) or the standard's (`ILL-Request`)."""
    by_asn1 = {c.ASN1_NAME: c for c in apdus.APDU_CLASSES}
    found = _APDU_BY_NAME.get(name) or by_asn1.get(name) if isinstance(name, str) else None
    if found is None:
        hint = suggest(name, [*_APDU_BY_NAME, *by_asn1]) if isinstance(name, str) else ""
        raise StructureError(f"'type' must name an APDU class ({', '.join(_APDU_BY_NAME)}), not {name!r}{hint}",
                             "type")
    return found


def from_dict(data: dict[str, Any], cls: type | None = None, *, strict: bool = True) -> Any:
    """The inverse of to_dict; the class comes from `cls` or, for APDUs, from the "type" key.

    Raises `StructureError` naming the path for an unknown key (with the closest valid names), a missing
    required field or a value of the wrong kind. Enumerations take the names `isoill decode` prints
    (`will-supply`), the Python names (`WILL_SUPPLY`) and the numbers. `strict=False` drops unknown keys.
    """
    check = _STRICT if strict else _LENIENT
    if not isinstance(data, dict):
        raise StructureError(f"expected a JSON object, got {type(data).__name__}", "")
    if cls is None:
        body = dict(data)
        cls = apdu_class(body.pop("type", None))
    elif "type" in data and isinstance(cls, type) and issubclass(cls, apdus.APDU):
        body = dict(data)  # to_dict's own "type" key, which must agree with the class asked for
        if apdu_class(body.pop("type")) is not cls:
            raise StructureError(f"'type' is {data['type']!r}, not {cls.__name__}", "type")
    else:
        body = data
    body = check.check_class(body, cls, cls.__name__)
    try:
        return CONVERTER.structure(body, cls)
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
