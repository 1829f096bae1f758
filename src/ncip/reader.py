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
_BY_XML: dict[str, dict[str, T.Field]] = {name: {f.xml: f for f in fields} for name, fields in T.FIELDS.items()}


class ReadContext:
    """Per-read state: strictness and the repairs made so far."""

    __slots__ = ("repairs", "service", "strict")

    def __init__(self, strict: bool, service: str | None = None):
        self.strict = strict
        self.repairs: list[Repair] = []
        self.service = service

    def bad(self, detail: str, path: str, element: str | None = None, problem_type: str | None = None
            ) -> ValidationError:
        if problem_type is None:
            return ValidationError(detail, path, element=element, service=self.service)
        return ValidationError(detail, path, element=element, service=self.service, problem_type=problem_type)


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: Any, path: str, ctx: ReadContext) -> str:
    if len(el):
        raise ctx.bad(f"{local_name(el.tag)} holds elements where text is expected", path, local_name(el.tag))
    return el.text or ""


def _integer(lo: int | None) -> Callable[[Any, str, ReadContext], int]:
    def read(el: Any, path: str, ctx: ReadContext) -> int:
        text = _text(el, path, ctx).strip()
        try:
            value = int(text)
        except ValueError:
            raise ctx.bad(f"{text!r} is not an integer", path, local_name(el.tag)) from None
        if lo is not None and value < lo:
            raise ctx.bad(f"{value} is below {lo}", path, local_name(el.tag))
        return value
    return read


def _datetime(el: Any, path: str, ctx: ReadContext) -> datetime:
    text = _text(el, path, ctx).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ctx.bad(f"{text!r} is not an xs:dateTime", path, local_name(el.tag)) from None


def _scheme_value(el: Any, path: str, ctx: ReadContext) -> SchemeValue:
    return SchemeValue(_text(el, path, ctx), el.get(_SCHEME))


def _ext(el: Any, path: str, ctx: ReadContext) -> Ext:
    out = []
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


_LEAF_READERS: dict[str, Callable[[Any, str, ReadContext], Any]] = {
    T.STRING: _text, T.SCHEME_VALUE: _scheme_value, T.DATETIME: _datetime, T.INTEGER: _integer(None),
    T.POSITIVE: _integer(1), T.NONNEG: _integer(0), "ext": _ext,
}


def read_element(el: Any, name: str, path: str, ctx: ReadContext) -> Any:
    """Read the complex element `el` (named `name`) into its model class."""
    fields = _BY_XML[name]
    kwargs: dict[str, Any] = {}
    if el.text and el.text.strip():
        _stray(el.text, path, ctx)
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str):
            continue
        child = local_name(tag)
        child_path = f"{path}/{child}"
        if ch.tail and ch.tail.strip():
            _stray(ch.tail, path, ctx)
        f = fields.get(child)
        if f is None:
            raise ctx.bad(f"{child} is not an element of {name}", child_path, child)
        if f.kind == "complex":
            value = read_element(ch, child, child_path, ctx)
        elif f.kind == "flag":
            value = True
        else:
            value = _LEAF_READERS[f.kind](ch, child_path, ctx)
        if f.many:
            kwargs.setdefault(f.attr, []).append(value)
        elif f.attr in kwargs:
            if ctx.strict:
                raise ctx.bad(f"{child} may occur once in {name}", child_path, child)
            ctx.repairs.append(Repair("duplicate-element", child_path, f"a second {child}; the first is used"))
        else:
            kwargs[f.attr] = value
    for f in T.FIELDS[name]:
        if f.required and f.attr not in kwargs:
            raise ctx.bad(f"{name} lacks its required {f.xml}", path, f.xml, NEEDED_DATA_MISSING)
    return CLASSES[name](**kwargs)


def _stray(text: str, path: str, ctx: ReadContext) -> None:
    if ctx.strict:
        raise ctx.bad(f"text {text.strip()[:40]!r} where only elements are allowed", path)
    ctx.repairs.append(Repair("stray-text", path, repr(text.strip()[:80])))
