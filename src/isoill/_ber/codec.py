"""The default ISO 10161 codec: `Codec` (and module-level `encode`/`decode`) over the generated functions.

Decoding accepts definite (short and long form) and indefinite lengths in any mix, absent DEFAULTs and any
non-zero BOOLEAN; it is strict about everything else and raises only `DecodeError`. Encoding writes minimal
definite lengths, every DEFAULT-valued component, and a long-form outer length (see `outer_long_form`).
"""

from __future__ import annotations

from typing import Any

from isoill import constraints
from isoill._ber import primitives as ber
from isoill._ber.generator import PADDING, CodecOptions, Generator
from isoill._ber.primitives import DEFAULT_MAX_APDU_SIZE
from isoill._model.apdus import APDU, APDU_CLASSES, APDU_NAMES
from isoill._model.values import External
from isoill.errors import DecodeError, EncodeError
from isoill.extensions import _registry as registry
from isoill.schema import APPLICATION, identifier_octets, tag_key

# Anything else escaping a generated decoder would be a bug; it is still reported as a DecodeError.
_UNEXPECTED = (IndexError, ValueError, TypeError, KeyError, AttributeError, OverflowError, RecursionError)


def generated(options: CodecOptions) -> Generator:
    """The (lazy) generated functions for these options and the current extension registry, shared by every
    codec with the same options."""
    key = (options, registry.generation())
    gen = _GENERATED.get(key)
    if gen is None:
        gen = _GENERATED.setdefault(key, Generator(options))
    return gen


_GENERATED: dict[tuple[CodecOptions, int], Generator] = {}


def resolve_external(obj: External) -> External:
    """A decoded EXTERNAL whose OID is registered, with its value typed (kept raw if it does not fit): the one
    resolution the codec and `isoill.reference` share."""
    resolved: External = generated(default_codec().options).ns["_resolve_external"](obj)
    return resolved


def generated_source(options: CodecOptions | None = None) -> str:
    """All the generated source for `options` (default: the default codec's), generating whatever was not yet:
    for reading. `illcore.codegen.dump_generated(dir)` writes every piece generated so far as files."""
    gen = generated(options or CodecOptions())
    gen.generate_all([*APDU_CLASSES, External])
    return gen.source()


class Codec:
    """A configured BER codec for ISO 10161 APDUs.

    charset: how GeneralString octets map to `str` ("utf-8" by default; "latin-1" for legacy peers).
    outer_long_form: write the APDU's outer length in long form even when short would do, so that no APDU
        starts with four printable octets (YAZ-based peers take those for HTTP and stall).
    damaged_details_tag: 5 as YAZ does, or 51 as the NLC text has; both are always accepted when decoding.
    strict_edifact: refuse to encode an EDIFACTString with characters outside the EDIFACT set (off by default:
        YAZ itself sends '@' in EDIFACTString, and what was received must re-encode unchanged).
    max_apdu_size: larger inputs are refused before any decoding.
    check: before encoding, check the values against the module's constraints (`isoill.constraints`: sizes,
        ranges, ISO-Date/ISO-Time forms, a known extension's OID) and raise EncodeError with the path; off for
        a gateway that must relay what a peer sent as it came (also per call: `encode(apdu, check=False)`).
    """

    def __init__(self, *, charset: str = "utf-8", outer_long_form: bool = True, damaged_details_tag: int = 5,
                 strict_edifact: bool = False, max_apdu_size: int = DEFAULT_MAX_APDU_SIZE,
                 check: bool = True) -> None:
        "x".encode(charset)  # fail early on an unknown charset name (LookupError)
        if damaged_details_tag not in (5, 51):
            raise ValueError("damaged_details_tag must be 5 or 51")
        self.options = CodecOptions(charset=charset, damaged_details_tag=damaged_details_tag,
                                    strict_edifact=strict_edifact)
        self.outer_long_form = outer_long_form
        self.max_apdu_size = max_apdu_size
        self.check = check
        self._generation = -1
        self._load()

    def _load(self) -> None:
        gen = generated(self.options)
        self._generation = registry.generation()
        # Each APDU's function is generated on first use: until then its entry is a stub that generates it,
        # puts the real function in its place and calls it.
        self._decoders = {tag_key(APPLICATION, True, cls.APDU_TYPE): (APDU_NAMES[cls.APDU_TYPE],
                                                                        self._stub(gen, cls, decode=True))
                          for cls in APDU_CLASSES}
        self._encoders = {cls: (identifier_octets(APPLICATION, True, cls.APDU_TYPE), self._stub(gen, cls, decode=False))
                          for cls in APDU_CLASSES}
        self._gen = gen

    def _stub(self, gen: Generator, cls: type[APDU], *, decode: bool) -> Any:
        def first_use(*args: Any) -> Any:
            if decode:
                fn: Any = gen.decoder(cls)
                key = tag_key(APPLICATION, True, cls.APDU_TYPE)
                self._decoders[key] = (self._decoders[key][0], fn)
            else:
                fn = gen.encoder(cls)
                self._encoders[cls] = (self._encoders[cls][0], fn)
            return fn(*args)
        return first_use

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

    def encode(self, apdu: APDU, *, check: bool | None = None) -> bytes:
        """Encode one APDU model object; raises EncodeError (with .path) for values that cannot be encoded
        or, when checking (the codec's `check` unless given), that break the module's constraints."""
        if self._generation != registry.generation():
            self._load()
        entry = self._encoders.get(type(apdu))
        if entry is None:
            raise EncodeError(f"{type(apdu).__name__} is not an ISO 10161 APDU class")
        if (self.check if check is None else check) and not constraints.conforms(apdu):
            constraints.check(apdu, edifact=False, path=(APDU_NAMES[apdu.APDU_TYPE],))
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
            fn = self._gen.ns["_encode_any"]
            out: bytes = fn(value)
            return out
        content: bytes = self._gen.encoder(type(value))(value)
        return b"\x30" + ber.length(len(content)) + content


_DEFAULT: list[Codec] = []


def default_codec() -> Codec:
    if not _DEFAULT:
        _DEFAULT.append(Codec())
    return _DEFAULT[0]


def decode(data: bytes | bytearray | memoryview) -> APDU:
    """Decode one BER-encoded ISO 10161 APDU into its model object (isoill.ILLRequest, isoill.Shipped, ...)."""
    return default_codec().decode(data)


def encode(apdu: APDU, *, check: bool = True) -> bytes:
    """Encode one APDU model object as BER, the way YAZ peers expect it.

    `check` (default) first checks the values against the module's constraints (EncodeError with the path).
    """
    return default_codec().encode(apdu, check=check)
