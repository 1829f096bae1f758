"""Model -> NCIP 2.02 XML text: a direct writer that walks each element's content model from the tables.

A choice is written through the alternative holding most of the message's values; fields in schema order.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from . import tables as T
from .errors import SerializeError
from .model import ProblemResponse
from .values import Ext, SchemeValue

PREFIX = "ncip"
_BY_XML: dict[str, dict[str, T.Field]] = {name: {f.xml: f for f in fields} for name, fields in T.FIELDS.items()}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


_SPECIAL = re.compile('[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _esc(text: str, path: str) -> str:
    if _SPECIAL.search(text) is None:  # most values: one C scan, no copy
        return text
    if _NOT_XML.search(text):
        raise SerializeError(f"{text[:40]!r} holds a character XML 1.0 cannot carry", path)
    return text.translate(_ESC)


def _names(p: T.Particle) -> list[str]:
    return [p.name] if isinstance(p, T.Ref) else [n for i in p.items for n in _names(i)]


def _is_set(value: Any) -> bool:
    # `value != ()` would call an attrs instance's __ne__: test the tuple case by type instead.
    return value is not None and value is not False and not (type(value) is tuple and not value)


def _has_choice(p: T.Particle) -> bool:
    return isinstance(p, T.Group) and (p.choice or any(map(_has_choice, p.items)))


# Elements whose content model is a plain sequence (no choice, each child once in it): written by walking a
# precomputed list of fields; the rest go through the general content-model walk.
_PLANS: dict[str, tuple[T.Field, ...]] = {
    name: T.FIELDS[name] for name, model in T.MODELS.items()
    if not _has_choice(model) and len(_names(model)) == len(set(_names(model)))}


class _Writer:
    __slots__ = ("out",)

    def __init__(self) -> None:
        self.out: list[str] = []

    def element(self, obj: Any, name: str, path: str) -> None:
        out = self.out
        plan = _PLANS.get(name)
        if plan is not None:
            out.append(f"<{PREFIX}:{name}>")
            for f in plan:
                value = getattr(obj, f.attr)
                if value is None or value is False:
                    if f.required:
                        raise SerializeError(f"{name} needs {f.xml}", f"{path}/{f.xml}")
                    continue
                if f.many:
                    for item in value:
                        self.value(f, item, f"{path}/{f.xml}")
                else:
                    self.value(f, value, f"{path}/{f.xml}")
            out.append(f"</{PREFIX}:{name}>")
            return
        out.append(f"<{PREFIX}:{name}>")
        used: dict[str, int] = {}
        self.particle(T.MODELS[name], obj, name, path, used)
        out.append(f"</{PREFIX}:{name}>")
        for f in T.FIELDS[name]:
            value = getattr(obj, f.attr)
            if _is_set(value) and used.get(f.xml, 0) < (len(value) if f.many else 1):
                # Two alternatives of a choice (or more repeats than allowed): never drop one silently.
                written = [n for n in used if n != f.xml]
                raise SerializeError(f"{f.xml} cannot be written beside {', '.join(written) or 'the rest'} "
                                     f"(the schema allows one alternative, or fewer repeats)", f"{path}/{f.xml}")

    def particle(self, p: T.Particle, obj: Any, name: str, path: str, used: dict[str, int]) -> None:
        if isinstance(p, T.Ref):
            self.ref(p, obj, name, path, used)
        elif not p.choice:
            for item in p.items:
                self.particle(item, obj, name, path, used)
        else:
            fields = _BY_XML[name]

            def score(branch: T.Particle) -> int:
                return sum(1 for n in _names(branch) if _is_set(getattr(obj, fields[n].attr)) and n not in used)

            def feasible(q: T.Particle) -> bool:
                if q.lo == 0:
                    return True
                if isinstance(q, T.Ref):
                    return _is_set(getattr(obj, fields[q.name].attr)) and q.name not in used
                return any(map(feasible, q.items)) if q.choice else all(map(feasible, q.items))

            # The alternative whose required elements are all there and which holds most of the values.
            best = max(p.items, key=lambda q: (feasible(q), score(q)))
            if score(best):
                self.particle(best, obj, name, path, used)
            elif p.lo and not any(q.lo == 0 for q in p.items):
                raise SerializeError(f"{name} needs one of {', '.join(dict.fromkeys(_names(p)))}", path)

    def ref(self, p: T.Ref, obj: Any, name: str, path: str, used: dict[str, int]) -> None:
        f = _BY_XML[name][p.name]
        value = getattr(obj, f.attr)
        start = used.get(p.name, 0)
        if f.many:
            items = value[start:] if p.hi is None else value[start:start + (p.hi or 1)]
        elif start or not _is_set(value):
            items = ()
        else:
            items = (value,)
        if not items:
            if f.required:
                raise SerializeError(f"{name} needs {p.name}", f"{path}/{p.name}")
            return
        used[p.name] = start + len(items)
        for item in items:
            self.value(f, item, f"{path}/{p.name}")

    def value(self, f: T.Field, value: Any, path: str) -> None:
        tag = f"{PREFIX}:{f.xml}"
        out = self.out
        kind = f.kind
        if kind == "complex":
            self.element(value, f.xml, path)
        elif kind == "flag":
            out.append(f"<{tag}/>")
        elif kind == T.SCHEME_VALUE:
            if not isinstance(value, SchemeValue):
                raise SerializeError(f"a code is needed, not {type(value).__name__}", path)
            scheme = f' {PREFIX}:Scheme="{_esc(value.scheme, path)}"' if value.scheme is not None else ""
            out.append(f"<{tag}{scheme}>{_esc(value.value, path)}</{tag}>")
        elif kind == T.STRING:
            out.append(f"<{tag}>{_esc(value, path)}</{tag}>")
        elif kind == T.DATETIME:
            if not isinstance(value, datetime):
                raise SerializeError(f"a datetime is needed, not {type(value).__name__}", path)
            out.append(f"<{tag}>{value.isoformat()}</{tag}>")
        elif kind == "ext":
            if not isinstance(value, Ext):
                raise SerializeError(f"an Ext is needed, not {type(value).__name__}", path)
            out.append(f"<{tag}>{''.join(value.elements)}</{tag}>")
        else:
            if isinstance(value, bool) or not isinstance(value, int):
                raise SerializeError(f"an integer is needed, not {value!r}", path)
            out.append(f"<{tag}>{value}</{tag}>")


def serialize(message: Any, *, version: str = T.VERSION_URI) -> bytes:
    """One NCIPMessage holding `message` (a service message or a ProblemResponse), as UTF-8 XML."""
    w = _Writer()
    out = w.out
    out.append(f'<?xml version="1.0" encoding="UTF-8"?>\n<{PREFIX}:NCIPMessage xmlns:{PREFIX}="{T.NS}" '
               f'{PREFIX}:version="{_esc(version, "/NCIPMessage")}">')
    if isinstance(message, ProblemResponse):
        if not message.problem:
            raise SerializeError("a ProblemResponse needs at least one Problem", "/NCIPMessage")
        for problem in message.problem:
            w.element(problem, "Problem", "/NCIPMessage/Problem")
    else:
        name = type(message).__name__
        if name not in T.MESSAGES or T.FIELDS.get(name) is None:
            raise SerializeError(f"{name} is not an NCIP message", "/NCIPMessage")
        w.element(message, name, f"/NCIPMessage/{name}")
    out.append(f"</{PREFIX}:NCIPMessage>")
    return "".join(out).encode("utf-8")
