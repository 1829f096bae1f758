"""Writes this project's NCIP 2.02 XSD (schemas/ncip-v2_02.xsd) from the element tables.

`python -m ncip.xsdgen schemas` regenerates it (and the package copy); a test checks the committed file is current.
"""

from __future__ import annotations

import sys

from . import tables as T

FILE = "ncip-v2_02.xsd"
_XS = {T.STRING: "xs:string", T.SCHEME_VALUE: "n:SchemeValuePair", T.DATETIME: "xs:dateTime",
       T.INTEGER: "xs:integer", T.POSITIVE: "xs:positiveInteger", T.NONNEG: "xs:nonNegativeInteger"}


def _occ(lo: int, hi: int | None) -> str:
    out = "" if lo == 1 else f' minOccurs="{lo}"'
    if hi != 1:
        out += ' maxOccurs="unbounded"' if hi is None else f' maxOccurs="{hi}"'
    return out


def _particle(p: T.Particle, indent: str) -> list[str]:
    if isinstance(p, T.Ref):
        return [f'{indent}<xs:element ref="n:{p.name}"{_occ(p.lo, p.hi)}/>']
    tag = "xs:choice" if p.choice else "xs:sequence"
    out = [f"{indent}<{tag}{_occ(p.lo, p.hi)}>"]
    for item in p.items:
        out += _particle(item, indent + "  ")
    return out + [f"{indent}</{tag}>"]


def _reachable() -> list[str]:
    """Element names reachable from the 2.02 messages we support, in table order."""
    seen: set[str] = set()
    stack = [m for m in T.MESSAGES if m not in T.NOT_IN_202] + ["Problem"]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        model = T.MODELS.get(name)
        if model is not None:
            stack += [f.xml for f in T.FIELDS[name]]
    seen.add("Ext")
    order = list(T.MODELS) + sorted(T.EMPTY) + ["Ext"] + sorted(T.LEAF_KIND)
    return [n for n in dict.fromkeys(order) if n in seen]


def generate() -> str:
    """The XSD text."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- NCIP 2.02 (Z39.83-1-2012), the services isoill speaks: generated from src/ncip/tables.py by",
        "     ncip.xsdgen; do not edit. -->",
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"',
        f'           xmlns:n="{T.NS}" targetNamespace="{T.NS}"',
        '           elementFormDefault="qualified" attributeFormDefault="qualified">',
        '  <xs:element name="NCIPMessage">',
        "    <xs:complexType>",
        "      <xs:choice>",
    ]
    out += [f'        <xs:element ref="n:{m}"/>' for m in T.MESSAGES if m not in T.NOT_IN_202]
    out += [
        '        <xs:element ref="n:Problem" maxOccurs="unbounded"/>',
        "      </xs:choice>",
        '      <xs:attribute name="version" type="xs:string" use="required"/>',
        "    </xs:complexType>",
        "  </xs:element>",
    ]
    for name in _reachable():
        if name in T.MODELS:
            out += [f'  <xs:element name="{name}">', "    <xs:complexType>"]
            model = T.MODELS[name]
            out += _particle(model if model.choice or len(model.items) != 1 else T.Group(False, model.items),
                             "      ")
            out += ["    </xs:complexType>", "  </xs:element>"]
        elif name in T.EMPTY:
            out.append(f'  <xs:element name="{name}"><xs:complexType/></xs:element>')
        elif name == "Ext":
            out += ['  <xs:element name="Ext">', "    <xs:complexType><xs:sequence>",
                    '      <xs:any minOccurs="0" maxOccurs="unbounded"/>',
                    "    </xs:sequence></xs:complexType>", "  </xs:element>"]
        else:
            out.append(f'  <xs:element name="{name}" type="{_XS[T.LEAF_KIND[name]]}"/>')
    out += [
        '  <xs:complexType name="SchemeValuePair">',
        "    <xs:simpleContent>",
        '      <xs:extension base="xs:string">',
        '        <xs:attribute name="Scheme" type="xs:anyURI"/>',
        "      </xs:extension>",
        "    </xs:simpleContent>",
        "  </xs:complexType>",
        "</xs:schema>",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str]) -> int:  # pragma: no cover - maintenance entry point
    from pathlib import Path

    for target in (argv[1:] or ["schemas", "src/ncip/schemas"]):
        (Path(target) / FILE).write_text(generate(), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv))
