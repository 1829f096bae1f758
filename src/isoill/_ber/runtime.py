"""The runtime contract of the generated BER code: every name a generated function may call or read, what it
does, and where it comes from. The emitters write only these names (plus the constants they register).

A generated decoder runs as `d_<class>(b, i, end, stop) -> (value, i)` over `b`, the input plus `PADDING`; a
generated encoder as `e_<class>(value) -> bytes`; an extension's as `xd_<n>(octets) -> value` and
`xe_<n>(value) -> bytes`. Besides each other (called by name), they use:

| name | what it is |
| --- | --- |
| `DecodeError`, `EncodeError` | the errors they raise (`isoill.errors`); `.path` gets the component names |
| `RawBER`, `External`, `SingleASN1Type`, `EDIFACTString` | model values built directly |
| `_EDI` | the EDIFACT character set (encoder check with `strict_edifact`) |
| `_hdr(b, i, stop)` | a full, checked header read: (tag key, content start, content end or -1) |
| `_peek(b, i, stop, end)` | the next component's header, or -1 at the end of a definite or indefinite content |
| `_close(b, i, end, stop)` | past the end of an explicit wrapper / indefinite content (checks the 00 00) |
| `_tlvend(b, h, e, s, stop)` | the end of a value of unknown type (ANY), walked iteratively |
| `_dint`, `_eint` | INTEGER contents <-> int |
| `_doid`, `_oids`, `_eoid` | OBJECT IDENTIFIER contents <-> dotted str, with the cache of seen contents |
| `_L`, `_ll`, `_I` | prebuilt short lengths, the long-form length writer, prebuilt small INTEGER contents |
| `_desc(key)` | a tag key in words, for error messages |
| `_FAIL` | the exceptions a wrong Python value raises inside an encoder (turned into EncodeError) |
| `_new`, `_PAD`, `_HF` | object.__new__ (mutable twins), the padding, the first octets of high tags |
| `_visible(b, s, e)` | VisibleString / PrintableString contents as str (DecodeError outside ASCII) |
| `_edifact(b, s, e)` | EDIFACTString contents, kept as received |
| `_explicit_ill_string(b, s, e, stop)` | the general path of `[n] EXPLICIT ILL-String` (itself generated) |
| `_resolve_external(ext)` | a decoded EXTERNAL with a registered OID made typed (else left raw) |
| `_encode_any(value)` | a registered extension value as its TLV |

`_resolve_external` is the one EXTERNAL resolution of the package: `isoill.reference` (the pyasn1 reference
codec) calls the same function rather than keeping a second one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from isoill._ber import primitives as ber
from isoill._model.values import EDIFACT_CHARACTERS, EDIFACTString, External, RawBER, SingleASN1Type
from isoill.errors import DecodeError, EncodeError

__all__ = ["ENCODE_FAILURES", "PADDING", "external_hooks", "names"]

# Every buffer a generated decoder reads has these octets appended after its last real octet (`stop`): the
# fast paths may then read up to two octets past a bound without an index check, and whatever they read there
# only makes a length comparison fail, sending the value down the general, fully checked path. Every bound
# (`stop`, `end`) still refers to the real data, so the padding is never decoded.
PADDING = b"\x00\x00"

# Exceptions a wrong value type in a user's model can raise inside generated encoders.
ENCODE_FAILURES = (TypeError, AttributeError, ValueError, KeyError, OverflowError, UnicodeError, IndexError)


def _visible(b: bytes, s: int, e: int) -> str:
    try:
        return b[s:e].decode("ascii")
    except UnicodeDecodeError as u:
        raise DecodeError("VisibleString/PrintableString octet outside ASCII", offset=s + u.start) from None


def _edifact(b: bytes, s: int, e: int) -> EDIFACTString:
    # Peers (YAZ among them) put characters outside the EDIFACT set, such as '@', into EDIFACTString:
    # a received value is kept as it came so that it round-trips (see EDIFACTString.conforms).
    text = _visible(b, s, e)
    # An ASCII str is printable exactly when it keeps to VisibleString (0x20-0x7E), which is all the
    # EDIFACTString constructor checks; so the object is built without running that check again.
    if not text.isprintable():
        raise DecodeError("EDIFACTString holds a control character", offset=s)
    obj = _NEW(EDIFACTString)
    _SET_EDIFACT_VALUE(obj, text)
    return obj


_NEW = object.__new__
_SET_EDIFACT_VALUE = EDIFACTString.__dict__["value"].__set__


def names() -> dict[str, Any]:
    """A fresh namespace holding the fixed part of the contract (everything but the two extension hooks)."""
    return {
        "DecodeError": DecodeError, "EncodeError": EncodeError, "RawBER": RawBER, "External": External,
        "SingleASN1Type": SingleASN1Type, "EDIFACTString": EDIFACTString, "_EDI": EDIFACT_CHARACTERS,
        "_hdr": ber.header, "_peek": ber.peek, "_close": ber.close_explicit, "_tlvend": ber.tlv_end,
        "_dint": ber.decode_int, "_doid": ber.decode_oid_cached, "_oids": ber.OID_CACHE, "_eint": ber.encode_int,
        "_eoid": ber.encode_oid_cached, "_L": ber.SHORT_LENGTHS, "_ll": ber.long_length, "_I": ber.SMALL_INTS,
        "_desc": ber.describe_key, "_FAIL": ENCODE_FAILURES, "_new": object.__new__, "_PAD": PADDING,
        "_HF": frozenset(t for t in range(256) if t & 0x1F == 0x1F),
        "_visible": _visible, "_edifact": _edifact,
    }


def external_hooks(decoder: Callable[[str], Callable[[bytes], Any] | None],
                   encoder: Callable[[type], Callable[[Any], bytes] | None]) -> dict[str, Any]:
    """`_resolve_external` and `_encode_any` over lookups of an extension's generated functions (by OID, by
    Python type), which a lazy generator fills on first use."""

    def resolve_external(obj: External) -> External:
        # A registered OID's value becomes typed; if its content does not fit the type it stays raw (kept
        # byte for byte), because a peer's extension must never make the whole APDU undecodable.
        if obj.direct_reference is None or type(obj.encoding) is not SingleASN1Type:
            return obj
        raw = obj.encoding.value
        if type(raw) is not RawBER:
            return obj
        fn = decoder(obj.direct_reference)
        if fn is None:
            return obj
        try:
            return attrs.evolve(obj, encoding=SingleASN1Type(fn(raw.data)))
        except DecodeError:
            return obj

    def encode_any(value: Any) -> bytes:
        fn = encoder(type(value))
        if fn is None:
            raise TypeError(f"{type(value).__name__} is not a registered extension type (or RawBER)")
        return fn(value)

    return {"_resolve_external": resolve_external, "_encode_any": encode_any}
