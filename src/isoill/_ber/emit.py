"""What both BER emitters share: the codec options, the source being built (`Source`), the tag helpers, and
`EmitterBase`, which knows which functions are wanted; the glossary below names the generated code's variables.

Glossary of the generated code. Emitter methods take the *names* of these variables as strings, because one
emitter writes them at different nesting levels, where they are numbered (`k3`, `s3`, `e3`, ...):

| variable | meaning |
| --- | --- |
| `b` | the input octets plus `PADDING` (immutable bytes; sliced only to take a value) |
| `i` | the read position: the next octet to look at; a decoder returns it after the value |
| `k` | the tag key of the header just read (`schema.tag_key`: class, constructed bit and number in one int); -1 at the end of a content; after a `raw_high` peek possibly only the first octet of a high tag (one of `_HF`) |
| `s`, `e` | the content start and content end of that header (`e` = -1: indefinite length) |
| `h` | where the header of the value being decoded starts (error offsets, RawBER slices) |
| `end` | the content end of the enclosing SEQUENCE (-1: indefinite, then ended by 00 00) |
| `stop`, `st` | the hard bound nothing may be read past: `end` when definite, else the enclosing bound |
| `fld` | the ASN.1 name of the component being decoded or encoded, put on an error's `.path` |
| `v_<field>` | the decoded value of one component of the SEQUENCE being built |
| `obj`, `out` | the value being produced (a model object, a tuple for SEQUENCE OF) |
| `v`, `x` | in encoders: the SEQUENCE value, and the component value being written |
| `p`, `ps` | in encoders: the list of TLVs joined at the end |
| `t`, `c`, `n` | in encoders: a complete TLV, a content, its length |
| `_C*` `_K*` `_H*` `_M*` `_E*` `_D*` `_N*` `_S*` `_T*` | constants registered with `Source.const` / `table`: values, classes, header tables, enum maps and tables, defaults, prebuilt enum TLVs, allowed sets, twins / octets |

Everything else a generated function calls is listed in `isoill._ber.runtime` (the runtime contract).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

import attrs

from isoill._ber.runtime import names
from isoill._model.values import External
from isoill.schema import (
    CONTEXT,
    UNIVERSAL,
    AnyType,
    ASN1Type,
    Choice,
    ExternalType,
    FieldSpec,
    IllStringType,
    Sequence,
    SequenceOf,
    field_specs,
    identifier_octets,
    tag_key,
)

__all__ = ["CodecOptions", "EmitterBase", "Source", "function_name"]


@attrs.frozen
class CodecOptions:
    """What a codec is generated for. Each distinct set of options gets its own generated functions."""

    charset: str = "utf-8"
    damaged_details_tag: int = 5
    strict_edifact: bool = False


def _is_constructed(t: ASN1Type) -> bool:
    return isinstance(t, (Sequence, SequenceOf, ExternalType))


def _universal_key(t: ASN1Type) -> int:
    tag = t.universal_tag()
    if tag is None:
        raise TypeError(f"{t.name} has no universal tag")
    return tag_key(UNIVERSAL, _is_constructed(t), tag)


def _universal_octets(t: ASN1Type) -> bytes:
    tag = t.universal_tag()
    assert tag is not None
    return identifier_octets(UNIVERSAL, _is_constructed(t), tag)


def _field_keys(spec: FieldSpec, t: ASN1Type) -> list[int]:
    """The tag keys that announce this component when decoding."""
    if spec.tag is None:
        return _untagged_keys(t)
    constructed = True if not spec.implicit else _is_constructed(t)
    return [tag_key(spec.tag_class, constructed, n) for n in (spec.tag, *spec.alt_tags)]


def _untagged_keys(t: ASN1Type) -> list[int]:
    if isinstance(t, IllStringType):
        return [0x1B, 0x1A]
    if isinstance(t, Choice):
        keys: list[int] = []
        for alt in t.alternatives:
            if isinstance(alt.asn1, AnyType) and alt.tag is None:
                raise TypeError("an untagged CHOICE with an ANY alternative cannot be a SEQUENCE component")
            if alt.tag is None:
                keys += _untagged_keys(alt.asn1)
            else:
                keys.append(tag_key(CONTEXT, True if not alt.implicit else _is_constructed(alt.asn1), alt.tag))
        return keys
    return [_universal_key(t)]


class Source:
    """Accumulates generated source (`lines`, taken and cleared by each compile) and the globals it refers to
    (`ns`: the runtime contract, then every constant registered with `const` / `table`)."""

    def __init__(self, options: CodecOptions) -> None:
        self.options = options
        self.lines: list[str] = []
        self.ns: dict[str, Any] = names()
        self._consts: dict[Any, str] = {}
        self._tables: dict[tuple[str, bytes], str] = {}
        self._n = 0

    def const(self, value: Any, prefix: str = "C") -> str:
        key = (type(value), value) if isinstance(value, (bytes, int, str)) else id(value)
        name = self._consts.get(key)
        if name is None:
            name = f"_{prefix}{len(self._consts)}"
            self._consts[key] = name
            self.ns[name] = value
        return name

    def table(self, key: tuple[str, bytes], build: Callable[[], tuple[bytes, ...]]) -> str:
        """A prebuilt header table, shared by every use of the same identifier octets."""
        name = self._tables.get(key)
        if name is None:
            name = self._tables[key] = self.const(build(), "H")
        return name

    def var(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    # Local variable names are numbered per function, and the temporaries of one component are reused by
    # the next: a function with more than 256 locals pays an EXTENDED_ARG on every access to the others.
    def mark(self) -> int:
        return self._n

    def release(self, mark: int) -> None:
        """Every variable numbered after `mark` is dead from here on: its name can be given out again."""
        self._n = mark

    def emit(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


def function_name(kind: str, cls: type) -> str:
    """The generated function of `cls`: kind "d" decodes, "e" encodes."""
    return f"{kind}_{cls.__module__.replace('.', '_')}_{cls.__qualname__.replace('.', '_')}"


class EmitterBase:
    """State both emitters use: the source, the functions wanted but not yet written, and the inlining stack."""

    # A SEQUENCE whose decoder is small is decoded inline in its parent's function (System-Id, Date-Time,
    # Amount, ...): that saves a call, a tuple return and its unpacking per value. The inline copy runs
    # in its own try block that adds its component to an error's path exactly as its own function would.
    INLINE_MAX_FIELDS = 3
    INLINE_MAX_DEPTH = 1

    def __init__(self, options: CodecOptions) -> None:
        self.src = Source(options)
        self.pending_decoders: list[type] = []
        self.pending_encoders: list[type] = []
        self.wanted: set[tuple[str, type]] = set()
        self._inlining: list[type] = []  # the SEQUENCEs being written inline, outermost first

    def want_decoder(self, cls: type) -> str:
        """The name of cls's decoder, queued for generation if it is not written yet."""
        if ("d", cls) not in self.wanted:
            self.wanted.add(("d", cls))
            self.pending_decoders.append(cls)
        return function_name("d", cls)

    def want_encoder(self, cls: type) -> str:
        """The name of cls's encoder, queued for generation if it is not written yet."""
        if ("e", cls) not in self.wanted:
            self.wanted.add(("e", cls))
            self.pending_encoders.append(cls)
        return function_name("e", cls)

    def _inline(self, cls: type) -> bool:
        if cls is External or cls in self._inlining or len(self._inlining) >= self.INLINE_MAX_DEPTH:
            return False
        return len(field_specs(cls)) <= self.INLINE_MAX_FIELDS

    def _charset_arg(self) -> str:
        """The argument for str.encode / bytes.decode: none for UTF-8 (their default, and then no codec name
        is looked up: about 10% faster per call), else the charset's name."""
        charset = self.src.options.charset
        return "" if codecs.lookup(charset).name == "utf-8" else repr(charset)
