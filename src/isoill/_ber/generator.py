"""Generates specialised BER encoder and decoder functions from the declarative model (isoill.schema metadata),
lazily: a function is written, compiled and cached the first time a codec with these options needs it.

One function per SEQUENCE class and direction, built as Python source (the attrs technique): no per-APDU
hand-written code, no per-field interpretation at run time. Tags, lengths of constants and enum maps are baked
into the source as literals and globals. Asking for one APDU's decoder writes it and every decoder it calls that
is not written yet, as one piece compiled under its own file name (`illcore.codegen`: tracebacks and pdb show
the generated lines). The emitters are `DecodeEmitter` and `EncodeEmitter`; their glossary is in `emit`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from illcore.codegen import run_generated
from isoill._ber.decode_emitter import DecodeEmitter
from isoill._ber.emit import CodecOptions, function_name
from isoill._ber.encode_emitter import EncodeEmitter
from isoill._ber.runtime import PADDING, external_hooks
from isoill.extensions import _registry as registry

__all__ = ["PADDING", "CodecOptions", "DecoderFn", "EncoderFn", "Generator", "enum_values"]

DecoderFn = Callable[[bytes, int, int, int], tuple[Any, int]]
EncoderFn = Callable[[Any], bytes]


class Generator(DecodeEmitter, EncodeEmitter):
    """The generated functions of one set of codec options and one generation of the extension registry.

    `decoder(cls)` / `encoder(cls)` return the function for a SEQUENCE class, writing what is missing first;
    `extension_decoder(oid)` / `extension_encoder(type)` the same for a registered extension (None if it is not
    registered); `generate_all()` writes everything; `source()` is everything written so far. Thread-safe.
    """

    def __init__(self, options: CodecOptions) -> None:
        super().__init__(options)
        self.ns = self.src.ns
        self.ns.update(external_hooks(self.extension_decoder, self.extension_encoder))
        self.entries = registry.entries()
        self._pieces: list[str] = []
        self._lock = threading.RLock()
        self._explicit_ill_string_written = False

    def decoder(self, cls: type) -> DecoderFn:
        fn = self.ns.get(function_name("d", cls))
        if fn is None:
            with self._lock:
                self.want_decoder(cls)
                self._flush(f"BER decoder {cls.__name__}")
            fn = self.ns[function_name("d", cls)]
        return fn  # type: ignore[no-any-return]

    def encoder(self, cls: type) -> EncoderFn:
        fn = self.ns.get(function_name("e", cls))
        if fn is None:
            with self._lock:
                self.want_encoder(cls)
                self._flush(f"BER encoder {cls.__name__}")
            fn = self.ns[function_name("e", cls)]
        return fn  # type: ignore[no-any-return]

    def extension_decoder(self, oid: str) -> Callable[[bytes], Any] | None:
        for n, ext in enumerate(self.entries):
            if ext.oid == oid:
                return self._extension("xd", n, ext)
        return None

    def extension_encoder(self, py_type: type) -> Callable[[Any], bytes] | None:
        for n, ext in enumerate(self.entries):
            if ext.py_type is py_type:
                return self._extension("xe", n, ext)
        return None

    def _extension(self, kind: str, n: int, ext: registry.ExtensionType) -> Callable[..., Any]:
        name = f"{kind}_{n}"
        fn = self.ns.get(name)
        if fn is None:
            with self._lock:
                if name not in self.ns:
                    if kind == "xd":
                        self.value_decoder(str(n), ext.py_type, ext.asn1, ext.wrap)
                    else:
                        self.value_encoder(str(n), ext.py_type, ext.asn1, ext.wrap)
                    self._flush(f"BER extension {ext.name}")
            fn = self.ns[name]
        return fn  # type: ignore[no-any-return]

    def generate_all(self, roots: list[type]) -> None:
        """Write the decoder and encoder of every class reachable from `roots`, and of every extension."""
        for cls in roots:
            self.decoder(cls)
            self.encoder(cls)
        for n, ext in enumerate(self.entries):
            self._extension("xd", n, ext)
            self._extension("xe", n, ext)

    def source(self) -> str:
        """Every piece of source written so far, in order."""
        with self._lock:
            return "\n".join(self._pieces)

    def _flush(self, what: str) -> None:
        """Write every function asked for so far (and those they call), compile the piece, run it into ns."""
        if not self._explicit_ill_string_written:  # any decoding code may call it: written in the first piece
            self.explicit_ill_string_function()
            self._explicit_ill_string_written = True
        while self.pending_decoders or self.pending_encoders:
            if self.pending_decoders:
                self._decoder(self.pending_decoders.pop())
            else:
                self._encoder(self.pending_encoders.pop())
        if not self.src.lines:
            return
        piece = "\n".join(self.src.lines)
        self.src.lines = []
        run_generated(piece, what, self.ns)
        self._pieces.append(piece)


def enum_values(enum: type[IntEnum]) -> frozenset[int]:
    return frozenset(int(m) for m in enum)
