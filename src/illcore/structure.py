"""Strict checking of plain data (parsed JSON) against an attrs model, before cattrs structures it into objects.

Unknown keys, missing fields and bad enumeration values are reported with their path and the closest valid names.
"""

from __future__ import annotations

import difflib
import enum
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

_NONE = type(None)

# Raised for bad input: (message, path) -> an exception of the calling package's hierarchy.
ErrorFactory = Callable[[str, str], Exception]
# A package's own shape for a type: (checker, data, type, path) -> normalised data, or None for "not mine".
Special = Callable[["Checker", Any, Any, str], Any]
NOT_MINE = object()


def suggest(name: str, valid: Iterable[str]) -> str:
    """"; did you mean 'title'?" when a valid name is close to `name`, else ""."""
    close = difflib.get_close_matches(name, list(valid), n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def union_members(tp: Any) -> tuple[Any, ...]:
    """The non-None members of a Union/Optional annotation (empty for anything else)."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(tp) if a is not _NONE)
    return ()


def _hints(cls: type) -> dict[str, Any]:
    cached: dict[str, Any] | None = cls.__dict__.get("_structure_hints")
    if cached is None:
        cached = typing.get_type_hints(cls)
        type.__setattr__(cls, "_structure_hints", cached)
    return cached


@attrs.frozen
class Checker:
    """Checks data against a model type and returns it with enumeration values replaced by their members.

    strict: unknown keys are errors (when False they are dropped without a word, for programs that want that).
    enum_names: the extra spellings an enumeration accepts besides member names, e.g. the standard's names.
    special: the package's own shapes, tried before the generic rules.
    """

    error: ErrorFactory
    strict: bool = True
    enum_names: Callable[[type[enum.Enum]], Mapping[Any, enum.Enum]] = lambda cls: {}
    special: Special | None = None

    def fail(self, message: str, path: str, hint: str = "") -> Exception:
        """The package's error for `message` at `path` ("unknown field 'x' in ILLRequest.item_id; did you ...")."""
        return self.error(f"{message} in {path}{hint}" if path else message + hint, path)

    def check(self, data: Any, tp: Any, path: str) -> Any:
        if self.special is not None:
            out = self.special(self, data, tp, path)
            if out is not NOT_MINE:
                return out
        members = union_members(tp)
        if members and len(members) < len(typing.get_args(tp)):  # Optional[X]
            if data is None:
                return None
            inner = members[0] if len(members) == 1 else typing.Union[members]  # noqa: UP007 - built at run time
            return self.check(data, inner, path)
        if isinstance(tp, type) and attrs.has(tp):
            return self.check_class(data, tp, path)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return self.check_enum(data, tp, path)
        origin = typing.get_origin(tp)
        if origin in (tuple, list):
            if not isinstance(data, list):
                raise self.fail(f"expected a list, got {_kind(data)}", path)
            (item,) = typing.get_args(tp)[:1]
            return [self.check(x, item, f"{path}[{n}]") for n, x in enumerate(data)]
        if tp is bool and not isinstance(data, bool):
            raise self.fail(f"expected true or false, got {data!r}", path)
        if tp is int and (isinstance(data, bool) or not isinstance(data, int)):
            raise self.fail(f"expected an integer, got {data!r}", path)
        if tp is str and not isinstance(data, str):
            raise self.fail(f"expected a string, got {data!r}", path)
        return data

    def check_class(self, data: Any, cls: type, path: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(f"expected an object with the fields of {cls.__name__}, got {_kind(data)}", path)
        fields = {a.name: a for a in attrs.fields(cls)}
        hints = _hints(cls)
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key not in fields:
                if self.strict:
                    raise self.fail(f"unknown field {key!r}", path, suggest(str(key), fields))
                continue
            out[key] = self.check(value, hints[key], f"{path}.{key}")
        for name, a in fields.items():
            if name not in data and a.default is attrs.NOTHING:
                # (lenient mode dropped unknown keys: name the one that was probably meant)
                unknown = [str(k) for k in data if k not in fields]
                close = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
                raise self.fail(f"missing required field {name!r}", path,
                                f"; the data has {close[0]!r} instead" if close else "")
        return out

    def check_enum(self, data: Any, cls: type[enum.Enum], path: str) -> enum.Enum:
        names = self.enum_names(cls)
        if isinstance(data, str) and data in cls.__members__:
            return cls[data]
        if not isinstance(data, bool) and data in names:
            return names[data]
        try:
            if not isinstance(data, bool):
                return cls(data)
        except (ValueError, TypeError):
            pass
        words = [n for n in names if isinstance(n, str)] or list(cls.__members__)
        allowed = ", ".join(words)
        if any(isinstance(n, int) for n in names):
            allowed += " (or the number)"
        hint = suggest(data, [*words, *cls.__members__]) if isinstance(data, str) else ""
        raise self.fail(f"{data!r} is not a {cls.__name__}", path, f"; allowed: {allowed}{hint}")


def _kind(data: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(data), type(data).__name__)
