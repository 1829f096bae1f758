"""The BER decode emitter: writes `d_<class>(b, i, end, stop) -> (value, i)` for each SEQUENCE class, the
extension decoders `xd_<n>`, and the inline header reads they are made of (glossary in `isoill._ber.emit`).
"""

from __future__ import annotations

import attrs

from illcore.construct import is_plain, mutable_twin
from isoill._ber.emit import (
    EmitterBase,
    _field_keys,
    _is_constructed,
    _universal_key,
    _untagged_keys,
    function_name,
)
from isoill._model.values import External
from isoill.schema import (
    CONTEXT,
    DEFAULT,
    ILL_STRING,
    REQUIRED,
    AnyType,
    ASN1Type,
    Choice,
    Enumerated,
    ExternalType,
    FieldSpec,
    IllStringType,
    Primitive,
    Sequence,
    SequenceOf,
    field_specs,
    tag_key,
)

__all__ = ["DecodeEmitter"]


class HeaderReads(EmitterBase):
    """The TLV header reads every decoder is made of, with the common forms written inline.

    A Python call costs about as much as a dozen bytecodes, and a decode makes one header read per TLV (97 for
    a typical ILL-Request). So the common cases -- a one-octet tag with a short or `81 xx` length that fits, and
    where it pays a two-octet tag -- are written inline; anything else (longer or indefinite lengths,
    truncation) takes the out-of-line functions in isoill._ber.primitives, which also produce every error
    message, so errors are unchanged.
    """

    def _emit_header(self, ind: int, k: str, s_: str, e_: str, pos: str, bound: str) -> None:
        """`k, s, e = _hdr(b, pos, bound)`, with the common forms inline."""
        self.src.emit(ind, f"if {pos} < {bound}:")
        # Two-octet tags ([31] to [127]: the notes and extensions of every APDU) are inline here too.
        self._emit_inline_header(ind + 1, k, s_, e_, pos, bound, raw_high=False, two_octet_tags=True)
        self.src.emit(ind, "else:")
        self.src.emit(ind + 1, f"{k}, {s_}, {e_} = _hdr(b, {pos}, {bound})")

    def _emit_peek(self, ind: int, k: str, s_: str, e_: str, stop: str, end: str, raw_high: bool = False) -> None:
        """`k, s, e = _peek(b, i, stop, end)` where stop == end whenever end >= 0; at the end of a definite
        content only k (-1) is set, since s and e are not read then.

        With `raw_high`, a high-tag identifier (first octet xxx11111) may be left undecoded: k is then that
        first octet alone (one of _HF) and s, e are meaningless. No low-tag key can equal it, so a chain of
        tag tests may run on it; whatever needs the real tag calls `_emit_full_key` first (see _decode_body).
        """
        src = self.src
        src.emit(ind, f"if i < {end}:")
        self._emit_inline_header(ind + 1, k, s_, e_, "i", end, raw_high=raw_high, two_octet_tags=False)
        src.emit(ind, f"elif i == {end}: {k} = -1")
        src.emit(ind, f"else: {k}, {s_}, {e_} = _peek(b, i, {stop}, {end})")

    def _emit_inline_header(self, ind: int, k: str, s_: str, e_: str, pos: str, bound: str, *, raw_high: bool,
                            two_octet_tags: bool) -> None:
        """The header at `pos` (known to be < bound) read inline: a one-octet tag with a short or `81 xx`
        length, optionally a two-octet tag with a short length; anything else, and every error, through
        `_hdr`. Each octet is read once (a bytes subscript costs ~15 ns in CPython 3.11, several plain
        bytecodes). See _emit_peek for `raw_high`."""
        src = self.src
        src.emit(ind, f"{k} = b[{pos}]; {e_} = b[{pos} + 1]")
        src.emit(ind, f"if {e_} < 128:" if raw_high else f"if {e_} < 128 and {k} & 31 != 31:")
        src.emit(ind + 1, f"{s_} = {pos} + 2; {e_} += {s_}")
        src.emit(ind + 1, f"if {e_} > {bound}: {k}, {s_}, {e_} = _hdr(b, {pos}, {bound})")
        self._emit_long_length(ind, k, s_, e_, pos, bound)
        if two_octet_tags:
            src.emit(ind, f"elif {e_} < 128 and {pos} + 2 < {bound} and b[{pos} + 2] < 128:")
            src.emit(ind + 1, f"{k} = {k} << 16 | {e_}; {s_} = {pos} + 3; {e_} = {s_} + b[{pos} + 2]")
            src.emit(ind + 1, f"if {e_} > {bound}: {k}, {s_}, {e_} = _hdr(b, {pos}, {bound})")
        src.emit(ind, "else:")
        src.emit(ind + 1, f"{k}, {s_}, {e_} = _hdr(b, {pos}, {bound})")

    def _emit_long_length(self, ind: int, k: str, s_: str, e_: str, pos: str, bound: str) -> None:
        """An `elif` for a one-octet tag with a one-octet long-form length (81 xx): every SEQUENCE of 128 to
        255 octets, such as a typical Item-Id. `e` holds the first length octet, `k` the tag octet."""
        self.src.emit(ind, f"elif {e_} == 129 and {k} & 31 != 31 and {pos} + 2 < {bound}:")
        self.src.emit(ind + 1, f"{s_} = {pos} + 3; {e_} = {s_} + b[{pos} + 2]")
        self.src.emit(ind + 1, f"if {e_} > {bound}: {k}, {s_}, {e_} = _hdr(b, {pos}, {bound})")

    def _emit_full_key(self, ind: int, k: str, s_: str, e_: str, end: str) -> None:
        """After a `raw_high` peek: decode the whole identifier if only its first octet was read. This is the
        very `_hdr` call the full peek would have made (a raw key comes only from a definite content), so it
        gives the same key, or raises the same error, with `fld` still naming the same component."""
        self.src.emit(ind, f"if {k} in _HF: {k}, {s_}, {e_} = _hdr(b, i, {end})")

    def _emit_full_key_inline(self, ind: int, k: str, s_: str, e_: str, end: str) -> None:
        """`_emit_full_key` with a two-octet tag and a short length read inline (the notes and extensions of
        every APDU). A raw key means the peek saw a tag-number octet t < 128 and set e = i + 2 + t."""
        src = self.src
        src.emit(ind, f"if {k} in _HF:")
        src.emit(ind + 1, f"if i + 2 < {end} and b[i + 2] < 128:")
        src.emit(ind + 2, f"{k} = {k} << 16 | ({e_} - i - 2); {s_} = i + 3; {e_} = {s_} + b[i + 2]")
        src.emit(ind + 2, f"if {e_} > {end}: {k}, {s_}, {e_} = _hdr(b, i, {end})")
        src.emit(ind + 1, "else:")
        src.emit(ind + 2, f"{k}, {s_}, {e_} = _hdr(b, i, {end})")


class DecodeEmitter(HeaderReads):
    """Writes the decoders: one function per SEQUENCE class (small ones inline in their parent), each reading
    components by tag, with `fld` naming the component an error is in."""

    def _emit_construct(self, ind: int, out: str, cls: type, args: list[str]) -> None:
        """`out = cls(field=arg, ...)` for the field values `args` (in field order).

        attrs' generated __init__ for a frozen kw_only class matches every keyword and stores each field through
        object.__setattr__ by name. Where that __init__ does nothing else -- no validator, converter or
        __attrs_post_init__, and no slots beyond the fields -- the decoder builds the object through its mutable
        twin (illcore.construct): each store is then a specialised slot store, and one __class__ assignment
        at the end makes it an ordinary, identical instance of cls. Measured against one slot-descriptor call per
        field, this is 0.95x the time for one field, 0.6x for three and 0.43x for six.
        """
        src = self.src
        k = src.const(cls, "K")
        fields = attrs.fields(cls)
        if not is_plain(cls):
            src.emit(ind, f"{out} = {k}({', '.join(f'{f.name}={a}' for f, a in zip(fields, args, strict=True))})")
            return
        src.emit(ind, f"{out} = _new({src.const(mutable_twin(cls), 'T')})")
        for f, a in zip(fields, args, strict=True):
            src.emit(ind, f"{out}.{f.name} = {a}")
        src.emit(ind, f"{out}.__class__ = {k}")

    def explicit_ill_string_function(self) -> None:
        """`_explicit_ill_string(b, s, e, stop) -> (value, i)`: the general path of an `[n] EXPLICIT
        ILL-String` whose content is s..e (-1: indefinite) -- what `_decode_explicit` writes for any other
        explicitly tagged type, written once instead of at each of the hundreds of such components."""
        s = self.src
        s._n = 0
        k, s2, e2, st = s.var("k"), s.var("s"), s.var("e"), s.var("st")
        s.emit(0, "def _explicit_ill_string(b, s, e, stop):")
        s.emit(1, f"{st} = e if e >= 0 else stop")
        self._emit_header(1, k, s2, e2, "s", st)
        self._decode_untagged(ILL_STRING, k, "s", s2, e2, st, "v", 1)
        s.emit(1, "if i != e: i = _close(b, i, e, stop)")
        s.emit(1, "return v, i")
        s.emit(0, "")

    def value_decoder(self, name: str, py_type: type, asn1: ASN1Type, wrap: bool) -> None:
        """`xd_<name>(raw) -> value`: one complete TLV of an extension type. With `wrap`, `py_type` holds the
        ASN.1 value in its single field."""
        s = self.src
        cls = s.const(py_type, "K")
        s._n = 0
        s.emit(0, f"def xd_{name}(b):")
        s.emit(1, "stop = len(b); b += _PAD")
        s.emit(1, "k, s, e = _hdr(b, 0, stop)")
        self._decode_untagged(asn1, "k", "0", "s", "e", "stop", "v", 1)
        s.emit(1, "if i != stop: raise DecodeError(str(stop - i) + ' octets after the value', offset=i)")
        s.emit(1, f"return {cls}(v)" if wrap else "return v")
        s.emit(0, "")

    def _decoder(self, cls: type) -> None:
        s = self.src
        dname = function_name("d", cls)
        s._n = 0
        s.emit(0, f"def {dname}(b, i, end, stop):")
        s.emit(1, "if end >= 0: stop = end")
        s.emit(1, "fld = None")
        s.emit(1, "try:")
        self._decode_body(cls, 2, "k", "s", "e", "end", "stop", "fld", "obj")
        s.emit(2, "return obj, (end if end >= 0 else i + 2)")
        s.emit(1, "except DecodeError as x:")
        s.emit(2, "if fld is not None: x.path.insert(0, fld)")
        s.emit(2, "raise")
        s.emit(0, "")

    def _decode_body(self, cls: type, ind: int, k: str, s_: str, e_: str, end: str, stop: str, fld: str,
                     out: str) -> None:
        """The components of one SEQUENCE from i to its content end `end` (-1: indefinite, bounded by
        `stop`); sets `out` to the model object and leaves i after the last component. Which component an
        error is in goes to `fld` (None outside any component)."""
        s = self.src
        specs = field_specs(cls)
        # A SEQUENCE's components are told apart by equality tests of k against their (nearly always
        # one-octet) tags, so the peeks here leave high tags raw (5 fewer bytecodes per component); the real
        # key is decoded before a high-tag test and before k goes into an error message.
        self._emit_peek(ind, k, s_, e_, stop, end, raw_high=True)
        args = []
        for attr, spec in specs:
            v = s.var("v_" + attr + "_") if self._inlining else f"v_{attr}"
            args.append(v)
            t = self._field_type(cls, attr, spec)
            keys = _field_keys(spec, t)
            cond = " or ".join(f"{k} == {key}" for key in keys)
            # `fld` names the component an error is in. It is set only where an error can arise -- inside the
            # component's branch, or where it is found missing -- not for each absent optional component.
            if any(key > 0xFF for key in keys):
                self._emit_full_key_inline(ind, k, s_, e_, end)
            s.emit(ind, f"if {cond}:")
            s.emit(ind + 1, f"{fld} = {spec.asn1_name!r}")
            mark = s.mark()
            self._decode_field(spec, t, v, ind + 1, k, s_, e_, stop)
            s.release(mark)
            self._emit_peek(ind + 1, k, s_, e_, stop, end, raw_high=True)
            s.emit(ind, "else:")
            if spec.presence == REQUIRED:
                self._emit_full_key(ind + 1, k, s_, e_, end)
                s.emit(ind + 1, f"{fld} = {spec.asn1_name!r}")
                s.emit(ind + 1, f"raise DecodeError('missing mandatory component {spec.asn1_name} (found ' +"
                                f" _desc({k}) + ')', offset=i)")
            elif spec.presence == DEFAULT:
                s.emit(ind + 1, f"{v} = {s.const(spec.default, 'D')}")
            else:
                s.emit(ind + 1, f"{v} = None")
        s.emit(ind, f"if {k} != -1:")
        self._emit_full_key(ind + 1, k, s_, e_, end)
        s.emit(ind + 1, f"{fld} = None")
        s.emit(ind + 1, f"raise DecodeError('unexpected ' + _desc({k}) + ' in {cls.__name__}', offset=i)")
        self._emit_construct(ind, out, cls, args)
        if cls is External:
            s.emit(ind, f"{out} = _resolve_external({out})")

    def _decode_inline(self, cls: type, s_: str, e_: str, stop: str, out: str, ind: int) -> None:
        s = self.src
        k, s2, e2, end, st, fld = (s.var(p) for p in ("k", "s", "e", "end", "st", "fld"))
        s.emit(ind, f"i = {s_}; {end} = {e_}; {st} = {e_} if {e_} >= 0 else {stop}; {fld} = None")
        s.emit(ind, "try:")
        self._inlining.append(cls)
        try:
            self._decode_body(cls, ind + 1, k, s2, e2, end, st, fld, out)
        finally:
            self._inlining.pop()
        s.emit(ind + 1, f"if {end} < 0: i += 2")
        s.emit(ind, "except DecodeError as x:")
        s.emit(ind + 1, f"if {fld} is not None: x.path.insert(0, {fld})")
        s.emit(ind + 1, "raise")

    def _field_type(self, cls: type, attr: str, spec: FieldSpec) -> ASN1Type:
        return spec.asn1

    def _decode_field(self, spec: FieldSpec, t: ASN1Type, out: str, ind: int, k: str, s_: str, e_: str,
                      stop: str) -> None:
        """Code for one present component; the header (k, s, e) is parsed and i is at its start."""
        if spec.tag is None:
            self._decode_untagged(t, k, "i", s_, e_, stop, out, ind)
        elif spec.implicit:
            self._decode_content(t, s_, e_, stop, out, ind)
        else:
            self._decode_explicit(t, s_, e_, stop, out, ind)

    def _emit_general_string(self, out: str, start: str, end: str, ind: int) -> None:
        """Code decoding the GeneralString octets start..end into `out` with the codec's charset; a bad octet
        becomes a DecodeError at its own offset."""
        s = self.src
        s.emit(ind, "try:")
        s.emit(ind + 1, f"{out} = b[{start}:{end}].decode({self._charset_arg()})")
        s.emit(ind, "except UnicodeDecodeError as u:")
        s.emit(ind + 1, f"raise DecodeError('GeneralString is not valid {s.options.charset}: ' + u.reason,"
                        f" offset={start} + u.start) from None")

    def _decode_explicit(self, t: ASN1Type, s_: str, e_: str, stop: str, out: str, ind: int) -> None:
        s = self.src
        k2, s2, e2, st2 = s.var("k"), s.var("s"), s.var("e"), s.var("st")
        if isinstance(t, IllStringType):
            # Most components of every APDU are `[n] ILL-String`, nearly always a GeneralString with a short
            # length that exactly fills the explicit wrapper: that whole TLV is one test and one slice. (A long
            # form length octet is >= 128, so the chained comparison also rules it out. An empty or one-octet
            # wrapper reads octets past its end, at most into the padding, and fails the length comparison.)
            # Everything else (EDIFACTString, long or indefinite forms, every error) is one shared function.
            s.emit(ind, f"if b[{s_}] == 27 and b[{s_} + 1] == {e_} - {s_} - 2 < 128:")
            self._emit_general_string(out, f"{s_} + 2", e_, ind + 1)
            s.emit(ind + 1, f"i = {e_}")
            s.emit(ind, "else:")
            s.emit(ind + 1, f"{out}, i = _explicit_ill_string(b, {s_}, {e_}, {stop})")
            return
        s.emit(ind, f"{st2} = {e_} if {e_} >= 0 else {stop}")
        self._emit_header(ind, k2, s2, e2, s_, st2)
        self._decode_untagged(t, k2, s_, s2, e2, st2, out, ind)
        s.emit(ind, f"if i != {e_}: i = _close(b, i, {e_}, {stop})")

    def _decode_untagged(self, t: ASN1Type, k: str, h: str, s_: str, e_: str, stop: str, out: str,
                         ind: int) -> None:
        """Decode a value in its own (untagged) form whose header is parsed; sets `out` and `i`."""
        s = self.src
        if isinstance(t, IllStringType):
            s.emit(ind, f"if {k} == 27:")
            self._emit_general_string(out, s_, e_, ind + 1)
            s.emit(ind, f"elif {k} == 26:")
            s.emit(ind + 1, f"{out} = _edifact(b, {s_}, {e_})")
            s.emit(ind, "else:")
            s.emit(ind + 1, f"raise DecodeError('expected GeneralString or EDIFACTString, found ' + _desc({k}),"
                            f" offset={h})")
            s.emit(ind, f"i = {e_}")
            return
        if isinstance(t, Choice):
            self._decode_choice(t, k, h, s_, e_, stop, out, ind)
            return
        if isinstance(t, AnyType):
            end = s.var("z")
            s.emit(ind, f"{end} = _tlvend(b, {h}, {e_}, {s_}, {stop})")
            s.emit(ind, f"{out} = RawBER(b[{h}:{end}])")
            s.emit(ind, f"i = {end}")
            return
        key = _universal_key(t)
        s.emit(ind, f"if {k} != {key}:")
        s.emit(ind + 1, f"raise DecodeError('expected {t.name}, found ' + _desc({k}), offset={h})")
        self._decode_content(t, s_, e_, stop, out, ind)

    def _decode_choice(self, t: Choice, k: str, h: str, s_: str, e_: str, stop: str, out: str, ind: int) -> None:
        s = self.src
        first = True
        fallback = None
        for alt in t.alternatives:
            if isinstance(alt.asn1, AnyType) and alt.tag is None:
                fallback = alt
                continue
            if alt.tag is None:
                keys = _untagged_keys(alt.asn1)
            else:
                keys = [tag_key(CONTEXT, True if not alt.implicit else _is_constructed(alt.asn1), alt.tag)]
            s.emit(ind, f"{'if' if first else 'elif'} {' or '.join(f'{k} == {x}' for x in keys)}:")
            first = False
            mark = s.mark()
            tmp = s.var("a")
            if alt.tag is None:
                self._decode_untagged(alt.asn1, k, h, s_, e_, stop, tmp, ind + 1)
            elif alt.implicit:
                self._decode_content(alt.asn1, s_, e_, stop, tmp, ind + 1)
            else:
                self._decode_explicit(alt.asn1, s_, e_, stop, tmp, ind + 1)
            if alt.wrap:
                self._emit_construct(ind + 1, out, alt.py_type, [] if alt.asn1.name == "NULL" else [tmp])
            else:
                s.emit(ind + 1, f"{out} = {tmp}")
            s.release(mark)
        s.emit(ind, "else:")
        if fallback is not None:
            self._decode_untagged(fallback.asn1, k, h, s_, e_, stop, out, ind + 1)
        else:
            s.emit(ind + 1, f"raise DecodeError('no alternative of {t.name} has tag ' + _desc({k}), offset={h})")

    def _decode_content(self, t: ASN1Type, s_: str, e_: str, stop: str, out: str, ind: int) -> None:
        """Decode the contents s..e of a value of type t (tag already checked); sets `out` and `i`."""
        s = self.src
        if isinstance(t, Primitive):
            name = t.name
            if name == "INTEGER":  # one content octet 0..127 inline
                s.emit(ind, f"{out} = b[{s_}] if {e_} - {s_} == 1 and b[{s_}] < 128 else _dint(b, {s_}, {e_})")
            elif name == "BOOLEAN":
                s.emit(ind, f"if {e_} - {s_} != 1: raise DecodeError('BOOLEAN must have one content octet',"
                            f" offset={s_})")
                s.emit(ind, f"{out} = b[{s_}] != 0")
            elif name == "NULL":
                s.emit(ind, f"if {e_} != {s_}: raise DecodeError('NULL with content octets', offset={s_})")
                s.emit(ind, f"{out} = None")
            elif name == "OBJECT IDENTIFIER":  # the few OIDs a peer uses recur: cached by content octets
                s.emit(ind, f"{out} = _oids.get(b[{s_}:{e_}])")
                s.emit(ind, f"if {out} is None: {out} = _doid(b, {s_}, {e_})")
            elif name in ("VisibleString", "PrintableString"):
                s.emit(ind, "try:")
                s.emit(ind + 1, f"{out} = b[{s_}:{e_}].decode('ascii')")
                s.emit(ind, "except UnicodeDecodeError:")
                s.emit(ind + 1, f"{out} = _visible(b, {s_}, {e_})  # raises the DecodeError")
            elif name == "ObjectDescriptor":
                s.emit(ind, f"{out} = b[{s_}:{e_}].decode('latin-1')")
            else:  # OCTET STRING, BIT STRING: the content octets
                s.emit(ind, f"{out} = b[{s_}:{e_}]")
            s.emit(ind, f"i = {e_}")
        elif isinstance(t, Enumerated):
            m = s.const({int(x): x for x in t.enum}, "M")
            # Values 0..127 are one content octet: a 256-entry tuple indexed by that octet (None where the
            # octet is not a member, or is negative) saves the integer decode and a dict call.
            table = s.const(tuple(t.enum(n) if 0 <= n < 128 and n in {int(x) for x in t.enum} else None
                                  for n in range(256)), "E")
            s.emit(ind, f"{out} = {table}[b[{s_}]] if {e_} - {s_} == 1 else None")
            s.emit(ind, f"if {out} is None:")
            s.emit(ind + 1, f"{out} = {m}.get(_dint(b, {s_}, {e_}))")
            s.emit(ind + 1, f"if {out} is None:")
            s.emit(ind + 2, f"raise DecodeError('value ' + str(_dint(b, {s_}, {e_})) + ' is not a {t.name}',"
                            f" offset={s_})")
            s.emit(ind, f"i = {e_}")
        elif isinstance(t, Sequence):
            dname = self.want_decoder(t.cls)
            if self._inline(t.cls):
                self._decode_inline(t.cls, s_, e_, stop, out, ind)
                return
            s.emit(ind, f"{out}, i = {dname}(b, {s_}, {e_}, {stop})")
        elif isinstance(t, ExternalType):
            dname = self.want_decoder(External)
            s.emit(ind, f"{out}, i = {dname}(b, {s_}, {e_}, {stop})")
        elif isinstance(t, SequenceOf):
            lst, j, st, k2, s2, e2, item = (s.var(p) for p in ("l", "j", "st", "k", "s", "e", "it"))
            s.emit(ind, f"{lst} = []")
            s.emit(ind, f"{st} = {e_} if {e_} >= 0 else {stop}")
            s.emit(ind, f"i = {s_}")
            s.emit(ind, "while True:")
            self._emit_peek(ind + 1, k2, s2, e2, st, e_)
            s.emit(ind + 1, f"if {k2} == -1: break")
            s.emit(ind + 1, f"{j} = i")
            self._decode_untagged(t.element, k2, j, s2, e2, st, item, ind + 1)
            s.emit(ind + 1, f"{lst}.append({item})")
            s.emit(ind, f"{out} = tuple({lst})")
            s.emit(ind, f"i = {e_} if {e_} >= 0 else i + 2")
        else:
            raise TypeError(f"{t.name} cannot be implicitly tagged")
