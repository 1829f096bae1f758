"""Element tree -> model: one table-driven reader for every complex element, by child name.

The schema (strict) or the lenient pre-pass has fixed namespaces; this reads values and reports what it had to skip.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from lxml import etree

from . import tables as T
from .errors import NEEDED_DATA_MISSING, ValidationError
from .model import CLASSES
from .repairs import Repair
from .values import Ext, SchemeValue

_Q = "{" + T.NS + "}"
_SCHEME = _Q + "Scheme"


class ReadContext:
    """Per-read state: strictness and the repairs made so far."""

    __slots__ = ("max_depth", "repairs", "service", "strict")

    def __init__(self, strict: bool, service: str | None = None, max_depth: int = 40):
        self.strict = strict
        self.max_depth = max_depth
        self.repairs: list[Repair] = []
        self.service = service

    def bad(self, detail: str, path: str, element: str | None = None, problem_type: str | None = None
            ) -> ValidationError:
        if problem_type is None:
            return ValidationError(detail, path, element=element, service=self.service)
        return ValidationError(detail, path, element=element, service=self.service, problem_type=problem_type)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _where(el: Any, parent: str) -> str:
    return f"{parent}/{local_name(el.tag)}"


def _text(el: Any, parent: str, ctx: ReadContext) -> str:
    if len(el):
        raise ctx.bad(f"{local_name(el.tag)} holds elements where text is expected", _where(el, parent),
                      local_name(el.tag))
    return el.text or ""


def _integer(lo: int | None) -> Callable[[Any, str, ReadContext], int]:
    def read(el: Any, parent: str, ctx: ReadContext) -> int:
        text = _text(el, parent, ctx).strip()
        try:
            value = int(text)
        except ValueError:
            raise ctx.bad(f"{text!r} is not an integer", _where(el, parent), local_name(el.tag)) from None
        if lo is not None and value < lo:
            raise ctx.bad(f"{value} is below {lo}", _where(el, parent), local_name(el.tag))
        return value
    return read


def _datetime(el: Any, parent: str, ctx: ReadContext) -> datetime:
    text = _text(el, parent, ctx).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ctx.bad(f"{text!r} is not an xs:dateTime", _where(el, parent), local_name(el.tag)) from None


def _scheme_value(el: Any, parent: str, ctx: ReadContext) -> SchemeValue:
    return SchemeValue(_text(el, parent, ctx), el.get(_SCHEME))


def _ext(el: Any, parent: str, ctx: ReadContext) -> Ext:
    out = []
    for inner in el.iter():  # Ext content is open: bound its depth here (the schema cannot)
        level = sum(1 for _ in inner.iterancestors())
        if level > ctx.max_depth:
            raise ctx.bad(f"elements nested deeper than {ctx.max_depth}", _where(el, parent))
    for ch in el:
        if not isinstance(ch.tag, str):
            continue
        # A standalone copy without the namespace declarations it does not use, so the kept text is the same
        # whatever envelope it came in (and comes back in after a round trip).
        twin = copy.deepcopy(ch)
        twin.tail = None
        etree.cleanup_namespaces(twin)
        out.append(etree.tostring(twin, encoding="unicode", with_tail=False))
    return Ext(tuple(out))


def _flag(el: Any, parent: str, ctx: ReadContext) -> bool:
    return True


_LEAF_READERS: dict[str, Callable[[Any, str, ReadContext], Any]] = {
    T.STRING: _text, T.SCHEME_VALUE: _scheme_value, T.DATETIME: _datetime, T.INTEGER: _integer(None),
    T.POSITIVE: _integer(1), T.NONNEG: _integer(0), "ext": _ext, "flag": _flag,
}
# Per complex element: namespaced child tag -> (attribute, child name or None for a leaf, leaf reader, repeats);
# and the required attributes. Built once so that reading is dictionary lookups.
_Plan = tuple[str, "str | None", "Callable[[Any, str, ReadContext], Any] | None", bool]
_PLANS: dict[str, dict[str, _Plan]] = {
    name: {_Q + f.xml: (f.attr, f.xml if f.kind == "complex" else None, _LEAF_READERS.get(f.kind), f.many)
           for f in fields}
    for name, fields in T.FIELDS.items()}
_REQUIRED: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple((f.attr, f.xml) for f in fields if f.required) for name, fields in T.FIELDS.items()}


def read_element(el: Any, name: str, path: str, ctx: ReadContext, depth: int = 2) -> Any:
    """Read the complex element `el` (named `name`, at element `path`) into its model class."""
    if depth > ctx.max_depth:
        raise ctx.bad(f"elements nested deeper than {ctx.max_depth}", path)
    plan = _PLANS[name]
    kwargs: dict[str, Any] = {}
    # Text between elements: the schema refuses it, so only a lenient read (which may skip the schema) looks.
    lenient = not ctx.strict
    if lenient:
        text = el.text
        if text and not text.isspace():
            _stray(text, path, ctx)
    for ch in el[:]:  # one C call for the children, then plain list iteration
        tag = ch.tag
        if not isinstance(tag, str):
            continue
        if lenient:
            tail = ch.tail
            if tail and not tail.isspace():
                _stray(tail, path, ctx)
        entry = plan.get(tag)
        if entry is None:
            child = local_name(tag)
            raise ctx.bad(f"{child} is not an element of {name}", f"{path}/{child}", child)
        attr, complex_name, leaf, many = entry
        if complex_name is not None:
            value = read_element(ch, complex_name, f"{path}/{complex_name}", ctx, depth + 1)
        else:
            value = leaf(ch, path, ctx)  # type: ignore[misc]
        if many:
            got = kwargs.get(attr)
            if got is None:
                kwargs[attr] = [value]
            else:
                got.append(value)
        elif attr in kwargs:
            child = local_name(tag)
            if ctx.strict:
                raise ctx.bad(f"{child} may occur once in {name}", f"{path}/{child}", child)
            ctx.repairs.append(Repair("duplicate-element", f"{path}/{child}", f"a second {child}; the first is used"))
        else:
            kwargs[attr] = value
    for attr, xml in _REQUIRED[name]:
        if attr not in kwargs:
            raise ctx.bad(f"{name} lacks its required {xml}", path, xml, NEEDED_DATA_MISSING)
    return CLASSES[name](**kwargs)


def _stray(text: str, path: str, ctx: ReadContext) -> None:
    if ctx.strict:
        raise ctx.bad(f"text {text.strip()[:40]!r} where only elements are allowed", path)
    ctx.repairs.append(Repair("stray-text", path, repr(text.strip()[:80])))
