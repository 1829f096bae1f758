"""Readers for trees the schema has accepted: each child is taken by its place in the version's sequence.

Our XSD of a version is generated from the same element tables (xsdgen), so in a document valid against it
every complex type holds its children in table order, each required one exactly once, and nothing else. A
required child is then read without looking at its tag, an optional one after one tag test, and no test
is ever repeated. That matters because lxml builds a tag string ("{namespace}name") anew for every element
proxy, the largest per-element cost of the general readers (reader.READERS), which must accept anything.

Use these readers only on a tree that has just validated against `version`; everything else (lenient reads
of invalid documents) goes through reader.READERS, which yields the same model for a valid tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from illcore.codegen import run_generated
from iso18626._model import tables as T
from iso18626._xml.readers import GENERATED, READ_AS, Q, construct, read_kind, value_lines

#: version -> message element tag -> reader(message element, None) -> message
VALID_READERS: dict[str, dict[str, Callable[[Any, None], Any]]] = {}
_REFRESH = "t = k[i].tag if i < n else None"  # the tag of the next child (None past the end)


def _read_lines(el: T.El, target: str, names: dict[int, str], env: dict[str, Any]) -> list[str]:
    """Statements reading the child `ch` (known to be element `el`) into `target`."""
    kind = el.kind
    if isinstance(kind, T.Spec):
        return [f"{target} = {names[id(kind)]}(ch, c)"]
    if isinstance(kind, T.AddressKind):  # a valid address holds exactly one of the two
        return ["a = ch[0]", f"{target} = {names[id(kind.electronic)]}(a, c) if a.tag == _ELECTRONIC "
                f"else {names[id(kind.physical)]}(a, c)"]
    return value_lines(read_kind(kind), el.field, False, target, env)  # nullable only matters to lenient reads


def _source(spec: T.Spec, names: dict[int, str], env: dict[str, Any]) -> str:
    """The source of one reader, named _NAME_ (filled in once the source is known to be new)."""
    cls = READ_AS.get(spec.cls, spec.cls)
    fields = {f.name: f for f in attrs.fields(cls) if f.name != "extras"}
    els = spec.elements
    forced = [el.lo == 1 and el.hi == 1 for el in els]
    for el in els:  # what the tables hold today; a new shape needs code here first
        if el.lo > 1 or (el.lo == 1 and el.hi != 1) or (el.hi != 1 and fields[el.field].default != ()):
            raise AssertionError(f"{spec.type_name}/{el.xml}: occurrences the positional reader cannot take")
    lines = ["def _NAME_(e, c):"]
    by_index = all(forced) and len(els) <= 4  # e[j] walks j siblings: cheaper than a list for a few
    if not by_index:
        lines.append("    k = e[:]")
        if not all(forced):
            lines.append("    n = len(k)")
    var = {el.field: f"f_{el.field}" for el in els}
    for j, el in enumerate(els):
        if not forced[j]:
            absent = "_ABSENT" if fields[el.field].default is attrs.NOTHING else "None"
            lines.append(f"    {var[el.field]} = {absent}")
    pos: int | None = 0  # the index of the next child while it is still a constant
    fresh = False  # whether t holds the tag of k[i]
    for j, el in enumerate(els):
        v = var[el.field]
        if forced[j]:
            if pos is None:
                lines += ["    ch = k[i]", "    i += 1"]
            else:
                lines.append(f"    ch = {'e' if by_index else 'k'}[{pos}]")
                pos += 1
            lines += ["    " + s for s in _read_lines(el, v, names, env)]
            fresh = False
            continue
        if pos is not None:
            lines.append(f"    i = {pos}")
            pos = None
        if not fresh:
            lines.append("    " + _REFRESH)
        more = j + 1 < len(els) and not forced[j + 1]  # whether the next element needs t
        tuple_field = fields[el.field].default == ()
        body = ["ch = k[i]", "i += 1"]
        if el.hi == 1:
            lines.append(f"    if t == {Q + el.xml!r}:")
            if tuple_field:
                body += _read_lines(el, "x", names, env) + [f"{v} = [x]"]
            else:
                body += _read_lines(el, v, names, env)
            if more:
                body.append(_REFRESH)
            fresh = more
        else:
            lines.append(f"    while t == {Q + el.xml!r}:")
            body += _read_lines(el, "x", names, env)
            body += [f"if {v} is None: {v} = [x]", f"else: {v}.append(x)", _REFRESH]
            fresh = True
        lines += ["        " + s for s in body]
    values: dict[str, str] = {}
    by_field = {el.field: (j, el) for j, el in enumerate(els)}
    for name, f in fields.items():
        if name not in by_field:  # not in this version
            if f.default is attrs.NOTHING:
                raise AssertionError(f"{spec.type_name}: required field {name} has no element")
            values[name] = "()" if f.default == () else "None"
            continue
        j, el = by_field[name]
        v = var[name]
        if forced[j]:
            values[name] = v
        elif f.default == ():
            values[name] = f"() if {v} is None else tuple({v})"
        else:
            if f.default is attrs.NOTHING:  # required in the model, optional in this version
                lines.append(f"    if {v} is _ABSENT: raise missing(e, {el.xml!r})")
            values[name] = v
    values["extras"] = "()"
    return "\n".join(lines + construct(cls, values, env)) + "\n"


def _generate() -> None:
    env = GENERATED
    by_source: dict[str, str] = {}  # versions that agree on a type share one reader

    def define(spec: T.Spec, names: dict[int, str]) -> None:
        if id(spec) in names:
            return
        for el in spec.elements:  # the parts first: a reader's source names the readers of its parts
            if isinstance(el.kind, T.Spec):
                define(el.kind, names)
            elif isinstance(el.kind, T.AddressKind):
                define(el.kind.electronic, names)
                define(el.kind.physical, names)
        src = _source(spec, names, env)
        name = by_source.get(src)
        if name is None:
            name = by_source[src] = f"p{len(by_source)}_{spec.type_name}"
            run_generated(src.replace("_NAME_", name, 1), f"iso18626 positional reader {name}", env)
        names[id(spec)] = name

    for version in T.VERSIONS:
        names: dict[int, str] = {}
        for spec in T.MESSAGES[version].values():
            define(spec, names)
        VALID_READERS[version] = {Q + tag: env[names[id(spec)]] for tag, spec in T.MESSAGES[version].items()}


_generate()
