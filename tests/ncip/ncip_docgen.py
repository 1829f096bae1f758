"""Random NCIP 2.02 documents built straight from the content models (not through ncip's writer), and mutations.

Used by the differential test: our XSD and the official one must agree on every document.
"""

from __future__ import annotations

import random
from typing import Any

from lxml import etree

from ncip import tables as T

NS = T.NS
Q = "{" + NS + "}"
_TEXT = ["a", "Smith & Sons", "<tag>", "Ünïcødé", "  spaced  ", "x" * 30, "42", ""]
_DATES = ["2024-05-06T07:08:09Z", "2024-05-06T07:08:09+02:00", "2024-05-06T07:08:09", "2030-12-31T23:59:59.5Z"]
_SCHEMES = [None, "http://www.niso.org/ncip/v1_0/schemes/agencyelementtype/agencyelementtype.scm"]


def _leaf(el: Any, kind: str, rng: random.Random) -> None:
    if kind == T.STRING:
        el.text = rng.choice(_TEXT)
    elif kind == T.SCHEME_VALUE:
        el.text = rng.choice(_TEXT[:4])
        scheme = rng.choice(_SCHEMES)
        if scheme:
            el.set(Q + "Scheme", scheme)
    elif kind == T.DATETIME:
        el.text = rng.choice(_DATES)
    elif kind == T.INTEGER:
        el.text = str(rng.randint(-5, 10_000))
    elif kind == T.POSITIVE:
        el.text = str(rng.randint(1, 99))
    else:
        el.text = str(rng.randint(0, 99))


def _count(lo: int, hi: int | None, rng: random.Random, depth: int) -> int:
    top = hi if hi is not None else lo + 2
    if depth > 6:
        return lo
    return rng.randint(lo, max(lo, top))


def _fill(parent: Any, p: T.Particle, rng: random.Random, depth: int) -> None:
    n = _count(p.lo, p.hi, rng, depth)
    for _ in range(n):
        if isinstance(p, T.Ref):
            _element(parent, p.name, rng, depth + 1)
        elif p.choice:
            _fill(parent, T.Group(False, (rng.choice(p.items),)), rng, depth)
        else:
            for item in p.items:
                _fill(parent, item, rng, depth)


def _element(parent: Any, name: str, rng: random.Random, depth: int) -> Any:
    el = etree.SubElement(parent, Q + name)
    if name == "Ext":
        if rng.random() < 0.5:  # the wildcard is strict: only declared elements validate in Ext
            etree.SubElement(el, Q + "ProblemDetail").text = "extension"
    elif name in T.EMPTY:
        pass
    elif name in T.MODELS:
        _fill(el, T.MODELS[name], rng, depth)
    else:
        _leaf(el, T.LEAF_KIND[name], rng)
    return el


def document(name: str, rng: random.Random) -> Any:
    """A valid NCIPMessage holding a random `name` (a message, or "Problem" for a bare Problem response)."""
    root = etree.Element(Q + "NCIPMessage", nsmap={"ns1": NS})
    root.set(Q + "version", T.VERSION_URI)
    for _ in range(rng.randint(1, 3) if name == "Problem" else 1):
        _element(root, name, rng, 0)
    return root


def mutate(root: Any, rng: random.Random) -> tuple[str, Any]:
    """One random mutation of a copy of `root` (which may or may not stay valid): (what, new root)."""
    import copy

    doc = copy.deepcopy(root)
    elements = [e for e in doc.iter() if isinstance(e.tag, str) and e is not doc
                and e.getparent() is not None and e.getparent().tag != Q + "Ext"]
    target = rng.choice(elements)
    parent = target.getparent()
    what = rng.choice(["drop", "duplicate", "swap", "unknown", "rename", "no-namespace", "bad-integer",
                       "unqualified-scheme", "text", "empty"])
    if what == "drop":
        parent.remove(target)
    elif what == "duplicate":
        target.addnext(copy.deepcopy(target))
    elif what == "swap":
        nxt = target.getnext()
        if nxt is not None:
            parent.remove(nxt)
            target.addprevious(nxt)
    elif what == "unknown":
        target.addnext(etree.Element(Q + "NoSuchElement"))
    elif what == "rename":
        target.tag = Q + rng.choice(list(T.LEAF_KIND) + list(T.MODELS))
    elif what == "no-namespace":
        target.tag = target.tag.split("}", 1)[1]
    elif what == "bad-integer":
        target.text = rng.choice(["1.5", "-1", "0", "x", " 7 "])
    elif what == "unqualified-scheme":
        target.set("Scheme", "urn:x")
    elif what == "text":
        target.text = "stray"
    else:
        for ch in list(target):
            target.remove(ch)
        target.text = None
    return what, doc
