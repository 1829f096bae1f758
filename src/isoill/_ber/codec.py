"""The default ISO 10161 codec: `Codec` (and module-level `encode`/`decode`) over the generated functions.

Decoding accepts definite (short and long form) and indefinite lengths in any mix, absent DEFAULTs and any
non-zero BOOLEAN; it is strict about everything else and raises only `DecodeError`. Encoding writes minimal
definite lengths, every DEFAULT-valued component, and a long-form outer length (see `outer_long_form`).
"""

from __future__ import annotations

from typing import Any

import attrs

from isoill._ber import primitives as ber
from isoill._ber.generator import PADDING, CodecOptions, Generator
from isoill._ber.primitives import DEFAULT_MAX_APDU_SIZE
from isoill._model.apdus import APDU, APDU_CLASSES, APDU_NAMES
from isoill._model.values import EDIFACTString, External, RawBER, SingleASN1Type
from isoill.errors import DecodeError, EncodeError
from isoill.extensions import _registry as registry
from isoill.schema import APPLICATION, identifier_octets, tag_key

# Anything else escaping a generated decoder would be a bug; it is still reported as a DecodeError.
_UNEXPECTED = (IndexError, ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError)


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


def _namespace(options: CodecOptions) -> dict[str, Any]:
    key = (options, registry.generation())
    ns = _GENERATED.get(key)
    if ns is not None:
        return ns
    decoders: dict[str, Any] = {}
    encoders: dict[type, Any] = {}

    def resolve_external(obj: External) -> External:
        # A registered OID's value becomes typed; if its content does not fit the type it stays raw (kept
        # byte for byte), because a peer's extension must never make the whole APDU undecodable.
        if obj.direct_reference is None or type(obj.encoding) is not SingleASN1Type:
            return obj
        fn = decoders.get(obj.direct_reference)
        raw = obj.encoding.value
        if fn is None or type(raw) is not RawBER:
            return obj
        try:
            return attrs.evolve(obj, encoding=SingleASN1Type(fn(raw.data)))
        except DecodeError:
            return obj

    def encode_any(value: Any) -> bytes:
        fn = encoders.get(type(value))
        if fn is None:
            raise TypeError(f"{type(value).__name__} is not a registered extension type (or RawBER)")
        result: bytes = fn(value)
        return result

    helpers = {"_visible": _visible, "_edifact": _edifact, "_resolve_external": resolve_external,
               "_encode_any": encode_any}
    gen = Generator(options, helpers)
    entries = registry.entries()
    for n, ext in enumerate(entries):
        gen.value_codec(str(n), ext.py_type, ext.asn1, ext.wrap)
    ns = gen.build([*APDU_CLASSES, External])
    for n, ext in enumerate(entries):
        decoders[ext.oid] = ns[f"xd_{n}"]
        encoders[ext.py_type] = ns[f"xe_{n}"]
    _GENERATED[key] = ns
    return ns


_GENERATED: dict[tuple[CodecOptions, int], dict[str, Any]] = {}


def _fn(ns: dict[str, Any], kind: str, cls: type) -> Any:
    return ns[f"{kind}_{cls.__module__.replace('.', '_')}_{cls.__qualname__.replace('.', '_')}"]


class Codec:
    """A configured BER codec for ISO 10161 APDUs.

    charset: how GeneralString octets map to `str` ("utf-8" by default; "latin-1" for legacy peers).
    outer_long_form: write the APDU's outer length in long form even when short would do, so that no APDU
        starts with four printable octets (YAZ-based peers take those for HTTP and stall).
    damaged_details_tag: 5 as YAZ does, or 51 as the NLC text has; both are always accepted when decoding.
    strict_edifact: refuse to encode an EDIFACTString with characters outside the EDIFACT set (off by default:
        YAZ itself sends '@' in EDIFACTString, and what was received must re-encode unchanged).
    max_apdu_size: larger inputs are refused before any decoding.
    """

    def __init__(self, *, charset: str = "utf-8", outer_long_form: bool = True, damaged_details_tag: int = 5,
                 strict_edifact: bool = False, max_apdu_size: int = DEFAULT_MAX_APDU_SIZE) -> None:
        "x".encode(charset)  # fail early on an unknown charset name (LookupError)
        if damaged_details_tag not in (5, 51):
            raise ValueError("damaged_details_tag must be 5 or 51")
        self.options = CodecOptions(charset=charset, damaged_details_tag=damaged_details_tag,
                                    strict_edifact=strict_edifact)
        self.outer_long_form = outer_long_form
        self.max_apdu_size = max_apdu_size
        self._generation = -1
        self._load()

    def _load(self) -> None:
        ns = _namespace(self.options)
        self._generation = registry.generation()
        self._decoders = {tag_key(APPLICATION, True, cls.APDU_TYPE): (APDU_NAMES[cls.APDU_TYPE], _fn(ns, "d", cls))
                          for cls in APDU_CLASSES}
        self._encoders = {cls: (identifier_octets(APPLICATION, True, cls.APDU_TYPE), _fn(ns, "e", cls))
                          for cls in APDU_CLASSES}
        self._ns = ns

    def decode(self, data: bytes | bytearray | memoryview) -> APDU:
        """Decode exactly one APDU; raises DecodeError (with .offset and .path) for anything else."""
        if self._generation != registry.generation():
            self._load()
        n = len(data)
        if n > self.max_apdu_size:
            raise DecodeError(f"APDU of {n} octets exceeds the limit of {self.max_apdu_size}", offset=0)
        b = bytes(data) + PADDING  # see generator.PADDING: everything below is bounded by n
        name = "ILL-APDU"
        try:
            k, s, e = ber.header(b, 0, n)
            entry = self._decoders.get(k)
            if entry is None:
                raise DecodeError(f"{ber.describe_key(k)} is not an ILL APDU tag (expected [APPLICATION 1] to"
                                  " [APPLICATION 20], constructed)", offset=0)
            name, fn = entry
            stop = e if e >= 0 else n
            k2, s2, e2 = ber.header(b, s, stop)
            if k2 != 0x30:
                raise DecodeError(f"expected the SEQUENCE inside {name}'s explicit APPLICATION tag, found "
                                  f"{ber.describe_key(k2)} (an implicitly tagged APDU?)", offset=s)
            obj, i = fn(b, s2, e2, stop)
            if i != e:
                i = ber.close_explicit(b, i, e, n)
            if i != n:
                raise DecodeError(f"{n - i} octets after the end of the APDU", offset=i)
            result: APDU = obj
            return result
        except DecodeError as x:
            x.path.insert(0, name)
            raise
        except _UNEXPECTED as x:  # pragma: no cover - a codec bug; the contract is still DecodeError
            raise DecodeError(f"undecodable input ({type(x).__name__}: {x})", path=[name]) from x

    def encode(self, apdu: APDU) -> bytes:
        """Encode one APDU model object; raises EncodeError (with .path) for values that cannot be encoded."""
        if self._generation != registry.generation():
            self._load()
        entry = self._encoders.get(type(apdu))
        if entry is None:
            raise EncodeError(f"{type(apdu).__name__} is not an ISO 10161 APDU class")
        octets, fn = entry
        try:
            content: bytes = fn(apdu)
        except EncodeError as x:
            x.path.insert(0, APDU_NAMES[apdu.APDU_TYPE])
            raise
        seq = b"\x30" + ber.length(len(content)) + content
        n = len(seq)
        outer = ber.long_length(n) if self.outer_long_form else ber.length(n)
        return octets + outer + seq

    def encode_value(self, value: Any) -> bytes:
        """Encode a registered extension value (or any SEQUENCE model object) as one complete TLV."""
        if self._generation != registry.generation():
            self._load()
        ext = next((x for x in registry.entries() if x.py_type is type(value)), None)
        if ext is not None:
            fn = self._ns["_encode_any"]
            out: bytes = fn(value)
            return out
        content: bytes = _fn(self._ns, "e", type(value))(value)
        return b"\x30" + ber.length(len(content)) + content


_DEFAULT: list[Codec] = []


def default_codec() -> Codec:
    if not _DEFAULT:
        _DEFAULT.append(Codec())
    return _DEFAULT[0]


def decode(data: bytes | bytearray | memoryview) -> APDU:
    """Decode one BER-encoded ISO 10161 APDU into its model object (isoill.ILLRequest, isoill.Shipped, ...)."""
    return default_codec().decode(data)


def encode(apdu: APDU) -> bytes:
    """Encode one APDU model object as BER, the way YAZ peers expect it."""
    return default_codec().encode(apdu)
