"""The BER encode emitter: writes `e_<class>(value) -> bytes` for each SEQUENCE class and the extension
encoders `xe_<n>`: definite lengths, DEFAULTs always written, prebuilt header tables (glossary in `emit`).
"""

from __future__ import annotations

import attrs

from isoill._ber import primitives as ber
from isoill._ber.emit import EmitterBase, _is_constructed, _universal_octets, function_name
from isoill._model.values import External
from isoill.schema import (
    BOOLEAN,
    CONTEXT,
    ILL_STRING,
    OPTIONAL,
    REQUIRED,
    AnyType,
    ASN1Type,
    Choice,
    Enumerated,
    ExternalType,
    IllStringType,
    Primitive,
    Sequence,
    SequenceOf,
    field_specs,
    identifier_octets,
)

__all__ = ["EncodeEmitter"]


class EncodeEmitter(EmitterBase):
    """Writes the encoders: one function per SEQUENCE class (small ones inline), each appending the TLV of
    every component to a list and joining it; `fld` names the component an error is in."""

    def value_encoder(self, name: str, py_type: type, asn1: ASN1Type, wrap: bool) -> None:
        """`xe_<name>(value) -> bytes`: one complete TLV of an extension type (see `value_decoder`)."""
        s = self.src
        s._n = 0
        s.emit(0, f"def xe_{name}(x):")
        if wrap:
            inner = attrs.fields(py_type)[0].name
            s.emit(1, f"x = x.{inner}")
        self._encode_untagged(asn1, "x", "t", 1)
        s.emit(1, "return t")
        s.emit(0, "")

    def _encoder(self, cls: type) -> None:
        s = self.src
        ename = function_name("e", cls)
        s._n = 0
        s.emit(0, f"def {ename}(v):")
        s.emit(1, "fld = None")
        s.emit(1, "try:")
        s.emit(2, "p = []")
        self._encode_body(cls, 2, "v", "x", "p", "fld")
        s.emit(2, "return b''.join(p)")
        s.emit(1, "except EncodeError as x:")
        s.emit(2, "if fld is not None: x.path.insert(0, fld)")
        s.emit(2, "raise")
        s.emit(1, "except _FAIL as x:")
        s.emit(2, "raise EncodeError(type(x).__name__ + ': ' + str(x), path=[f for f in (fld,) if f]) from x")
        s.emit(0, "")

    def _encode_body(self, cls: type, ind0: int, v: str, x: str, p: str, fld: str) -> None:
        """Append the TLV of each component of the SEQUENCE value `v` to the list `p`; `x` holds the
        component being written and `fld` its name (for an error's path)."""
        s = self.src
        for attr, spec in field_specs(cls):
            t = spec.asn1
            if spec.presence == OPTIONAL:
                # `fld` is only needed where an error can arise: not for an absent component.
                s.emit(ind0, f"{x} = {v}.{attr}")
                s.emit(ind0, f"if {x} is not None:")
                ind = ind0 + 1
                s.emit(ind, f"{fld} = {spec.asn1_name!r}")
            else:
                s.emit(ind0, f"{fld} = {spec.asn1_name!r}")
                s.emit(ind0, f"{x} = {v}.{attr}")
                if spec.presence == REQUIRED:
                    s.emit(ind0, f"if {x} is None: raise EncodeError('mandatory component {spec.asn1_name} is missing')")
                else:  # DEFAULT: always written (YAZ rejects an absent DEFAULT)
                    s.emit(ind0, f"if {x} is None: {x} = {s.const(spec.default, 'D')}")
                ind = ind0
            mark = s.mark()
            tlv = s.var("t")
            tag = spec.tag
            if spec.alt_tags:  # a component whose tag the standard's texts disagree on: the codec chooses
                tag = s.options.damaged_details_tag
                if tag not in (spec.tag, *spec.alt_tags):
                    raise ValueError(f"{spec.asn1_name} can be tagged {(spec.tag, *spec.alt_tags)}, not {tag}")
            if tag is None:
                self._encode_untagged(t, x, tlv, ind)
            elif spec.implicit and isinstance(t, Enumerated):
                # The whole TLV of each member, prebuilt (a bool would find 0/1's entry: refused first).
                ident = identifier_octets(spec.tag_class, False, tag)
                table = s.const({int(m): ident + ber.length(len(ber.encode_int(int(m)))) + ber.encode_int(int(m))
                                 for m in t.enum}, "N")
                s.emit(ind, f"{tlv} = None if type({x}) is bool else {table}.get({x})")
                s.emit(ind, f"if {tlv} is None: raise ValueError(repr({x}) + ' is not a {t.name}')")
            elif spec.implicit and t is BOOLEAN:  # TRUE as 01, the value this codec has always written
                ident = identifier_octets(spec.tag_class, False, tag)
                yes, no = s.const(ident + b"\x01\x01", "T"), s.const(ident + b"\x01\x00", "T")
                s.emit(ind, f"if {x} is True: {tlv} = {yes}")
                s.emit(ind, f"elif {x} is False: {tlv} = {no}")
                s.emit(ind, f"else: raise TypeError('BOOLEAN expected, not ' + type({x}).__name__)")
            elif spec.implicit:
                c = s.var("c")
                self._encode_content(t, x, c, ind)
                self._wrap(identifier_octets(spec.tag_class, _is_constructed(t), tag), c, tlv, ind)
            elif isinstance(t, IllStringType):
                self._encode_explicit_string(identifier_octets(spec.tag_class, True, tag), x, tlv, ind)
            else:
                c = s.var("c")
                self._encode_untagged(t, x, c, ind)
                self._wrap(identifier_octets(spec.tag_class, True, tag), c, tlv, ind)
            s.emit(ind, f"{p}.append({tlv})")
            s.release(mark)

    def _encode_inline(self, cls: type, v: str, out: str, ind: int) -> None:
        """`out = <encoder of cls>(v)`, written inline (see _inline), with the same error paths."""
        s = self.src
        x, p, fld = s.var("x"), s.var("p"), s.var("fld")
        s.emit(ind, f"{fld} = None")
        s.emit(ind, "try:")
        s.emit(ind + 1, f"{p} = []")
        self._inlining.append(cls)
        try:
            self._encode_body(cls, ind + 1, v, x, p, fld)
        finally:
            self._inlining.pop()
        s.emit(ind + 1, f"{out} = b''.join({p})")
        s.emit(ind, "except EncodeError as x:")
        s.emit(ind + 1, f"if {fld} is not None: x.path.insert(0, {fld})")
        s.emit(ind + 1, "raise")
        s.emit(ind, "except _FAIL as x:")
        s.emit(ind + 1, f"raise EncodeError(type(x).__name__ + ': ' + str(x), path=[f for f in ({fld},) if f])"
                        " from x")

    def _encode_explicit_string(self, octets: bytes, x: str, out: str, ind: int) -> None:
        """`[n] EXPLICIT ILL-String` holding a str: the four header octets of both TLVs depend only on the
        encoded length, so for lengths below 126 they come prebuilt from a table (one index, one concat)."""
        s = self.src
        c = s.var("c")
        table = s.table(("string", octets), lambda: tuple(octets + bytes((m + 2, 0x1B, m)) for m in range(126)))
        s.emit(ind, f"if type({x}) is str and (n := len({c} := {x}.encode({self._charset_arg()}))) < 126:")
        s.emit(ind + 1, f"{out} = {table}[n] + {c}")
        s.emit(ind, "else:")
        c2 = s.var("c")
        self._encode_untagged(ILL_STRING, x, c2, ind + 1)
        self._wrap(octets, c2, out, ind + 1)

    def _wrap(self, octets: bytes, c: str, out: str, ind: int) -> None:
        """`out = identifier + length + c`. For short lengths the identifier and length octets come prebuilt
        from a per-identifier table indexed by the length: one len(), one index, one concatenation."""
        s = self.src
        o = s.const(octets, "T")
        table = s.table(("wrap", octets), lambda: tuple(octets + bytes((m,)) for m in range(128)))
        s.emit(ind, f"{out} = {table}[n] + {c} if (n := len({c})) < 128 else {o} + _ll(n) + {c}")

    def _encode_untagged(self, t: ASN1Type, x: str, out: str, ind: int) -> None:
        """Code that sets `out` to the complete TLV of value x in its untagged form."""
        s = self.src
        if isinstance(t, IllStringType):
            c = s.var("c")
            s.emit(ind, f"if type({x}) is str:")
            s.emit(ind + 1, f"{c} = {x}.encode({self._charset_arg()})")
            self._wrap(b"\x1b", c, out, ind + 1)
            s.emit(ind, f"elif type({x}) is EDIFACTString:")
            if s.options.strict_edifact:
                s.emit(ind + 1, f"if not {x}.conforms: raise ValueError('EDIFACTString ' + repr({x}.value) +"
                                " ' has characters outside the EDIFACT set')")
            s.emit(ind + 1, f"{c} = {x}.value.encode('ascii')")
            self._wrap(b"\x1a", c, out, ind + 1)
            s.emit(ind, "else:")
            s.emit(ind + 1, f"raise TypeError('ILL-String must be str or EDIFACTString, not ' + type({x}).__name__)")
            return
        if isinstance(t, Choice):
            first = True
            for alt in t.alternatives:
                cls = s.const(alt.py_type, "K")
                s.emit(ind, f"{'if' if first else 'elif'} type({x}) is {cls}:")
                first = False
                mark = s.mark()
                y = x
                if alt.wrap:
                    inner = [a.name for a in attrs.fields(alt.py_type)]
                    y = f"{x}.{inner[0]}" if inner else "None"
                if alt.tag is None:
                    self._encode_untagged(alt.asn1, y, out, ind + 1)
                elif alt.implicit:
                    c = s.var("c")
                    self._encode_content(alt.asn1, y, c, ind + 1)
                    self._wrap(identifier_octets(CONTEXT, _is_constructed(alt.asn1), alt.tag), c, out, ind + 1)
                else:
                    c = s.var("c")
                    self._encode_untagged(alt.asn1, y, c, ind + 1)
                    self._wrap(identifier_octets(CONTEXT, True, alt.tag), c, out, ind + 1)
                s.release(mark)
            s.emit(ind, "else:")
            s.emit(ind + 1, f"raise TypeError('{t.name} cannot be ' + type({x}).__name__)")
            return
        if isinstance(t, AnyType):
            s.emit(ind, f"{out} = {x}.data if type({x}) is RawBER else _encode_any({x})")
            return
        c = s.var("c")
        self._encode_content(t, x, c, ind)
        self._wrap(_universal_octets(t), c, out, ind)

    def _encode_content(self, t: ASN1Type, x: str, out: str, ind: int) -> None:
        s = self.src
        if isinstance(t, Primitive):
            name = t.name
            if name == "INTEGER":
                s.emit(ind, f"if type({x}) is bool: raise TypeError('INTEGER expected, not bool')")
                s.emit(ind, f"{out} = _eint({x})")
            elif name == "BOOLEAN":
                s.emit(ind, f"if {x} is True: {out} = b'\\x01'")
                s.emit(ind, f"elif {x} is False: {out} = b'\\x00'")
                s.emit(ind, f"else: raise TypeError('BOOLEAN expected, not ' + type({x}).__name__)")
            elif name == "NULL":
                s.emit(ind, f"{out} = b''")
            elif name == "OBJECT IDENTIFIER":
                s.emit(ind, f"{out} = _eoid({x})")
            elif name in ("VisibleString", "PrintableString"):
                s.emit(ind, f"{out} = {x}.encode('ascii')")
            elif name == "ObjectDescriptor":
                s.emit(ind, f"{out} = {x}.encode('latin-1')")
            else:
                s.emit(ind, f"if type({x}) is not bytes: raise TypeError('{name} must be bytes')")
                s.emit(ind, f"{out} = {x}")
        elif isinstance(t, Enumerated):
            allowed = s.const(frozenset(int(m) for m in t.enum), "S")
            s.emit(ind, f"if {x} not in {allowed} or type({x}) is bool:")
            s.emit(ind + 1, f"raise ValueError(repr({x}) + ' is not a {t.name}')")
            s.emit(ind, f"{out} = _eint({x})")
        elif isinstance(t, (Sequence, ExternalType)):
            cls = t.cls if isinstance(t, Sequence) else External
            ename = self.want_encoder(cls)
            k = s.const(cls, "K")
            s.emit(ind, f"if type({x}) is not {k}: raise TypeError('{cls.__name__} expected, not ' +"
                        f" type({x}).__name__)")
            if isinstance(t, Sequence) and self._inline(cls):
                self._encode_inline(cls, x, out, ind)
            else:
                s.emit(ind, f"{out} = {ename}({x})")
        elif isinstance(t, SequenceOf):
            parts, y, item = s.var("ps"), s.var("y"), s.var("t")
            s.emit(ind, f"if not isinstance({x}, (tuple, list)): raise TypeError('SEQUENCE OF needs a tuple')")
            s.emit(ind, f"{parts} = []")
            s.emit(ind, f"for {y} in {x}:")
            self._encode_untagged(t.element, y, item, ind + 1)
            s.emit(ind + 1, f"{parts}.append({item})")
            s.emit(ind, f"{out} = b''.join({parts})")
        else:
            raise TypeError(f"{t.name} cannot be implicitly tagged")
