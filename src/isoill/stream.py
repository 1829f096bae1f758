"""Sans-IO framer for ISO 10161 over TCP: feed received bytes, get whole APDUs (raw BER octets) back.

APDUs arrive back to back with no prefix; an APDU ends where its outer TLV ends (definite length) or at its
matching end-of-contents octets (indefinite). Works incrementally: each octet is examined at most once.
"""

from __future__ import annotations

from isoill._ber.primitives import DEFAULT_MAX_APDU_SIZE, header
from isoill.errors import DecodeError

__all__ = ["DEFAULT_MAX_APDU_SIZE", "DEFAULT_MAX_DEPTH", "Framer", "FramingError"]

# Nesting of indefinite-length values the framer walks; YAZ nests about 8 deep in an ILL-Request.
DEFAULT_MAX_DEPTH = 32

# identifier octet + at most 3 more tag octets + length octet + at most 4 length octets (see isoill._ber.primitives).
_MAX_HEADER = 9
_PAD = bytes(_MAX_HEADER)


class FramingError(DecodeError):
    """The byte stream is not a sequence of BER APDUs; nothing more can be read from this connection."""


# The request lines and the response status line of HTTP/1.x, the HTTP/2 connection preface, and the HTML or
# XML body an HTTP/0.9-style error answer starts with (Python's http.server answers BER that way).
_HTTP_STARTS = tuple(m.encode() + b" " for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
                                                 "CONNECT", "TRACE")) + (b"HTTP/", b"PRI * HTTP/2", b"<!DOCTYPE",
                                                                         b"<!doctype", b"<html", b"<HTML", b"<?xml")
HTTP_HINT = "use `isoill 18626` for ISO 18626 over HTTP"


def looks_like_http(octets: bytes) -> bool:
    """Whether the first octets a peer sent are HTTP (a request line, a status line or the HTTP/2 preface)."""
    return octets.startswith(_HTTP_STARTS)


class Framer:
    """Splits a byte stream into APDUs.

    `feed(data)` returns the APDUs completed by `data` (possibly none, possibly several), each as the exact
    octets received. Bad framing raises `FramingError`; if `data` completed APDUs before the bad octets, those
    APDUs are returned first and the error is kept in `error` and raised by the next `feed()` or `eof()`, so a
    caller handles the good APDUs and then sees the failure (check `error` to act on it without waiting for
    more input). After a `FramingError` the framer refuses more input: a stream has no resynchronisation
    point, so the connection must be closed. `offset` counts octets consumed, for error messages.

    `application_only` (default) requires each APDU to start with a constructed [APPLICATION n] tag, which
    every ILL APDU does; it turns stray text (an HTTP request, a telnet line) into an immediate error.
    """

    def __init__(self, *, max_size: int = DEFAULT_MAX_APDU_SIZE, max_depth: int = DEFAULT_MAX_DEPTH,
                 application_only: bool = True) -> None:
        if max_size < 2 or max_depth < 1:
            raise ValueError("max_size must be at least 2 and max_depth at least 1")
        self.max_size = max_size
        self.max_depth = max_depth
        self.application_only = application_only
        self._buf = bytearray()
        self._pos = 0  # next octet to examine inside the current (partial) APDU, relative to _buf
        # Open indefinite-length values around _pos (0 between APDUs and inside a definite-length APDU).
        self._depth = 0
        self._consumed = 0
        self._error: FramingError | None = None

    @property
    def offset(self) -> int:
        """Octets of the stream fully consumed (returned as APDUs) so far."""
        return self._consumed

    @property
    def buffered(self) -> int:
        """Octets received but not yet part of a returned APDU."""
        return len(self._buf)

    @property
    def error(self) -> FramingError | None:
        """The framing error, once the stream is known to be bad (even before `feed`/`eof` has raised it)."""
        return self._error

    @property
    def failed(self) -> bool:
        """True once the stream is known to be bad: nothing more can be read from it."""
        return self._error is not None

    @property
    def in_apdu(self) -> bool:
        """True when part of an APDU has been received (closing now would lose it)."""
        return bool(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add received octets; return the APDUs they complete. Raises `FramingError` on bad framing, unless
        APDUs were completed before it in this call: then they are returned and the error is raised next time."""
        if self._error is not None:
            raise self._error
        self._buf += data
        out: list[bytes] = []
        try:
            while self._buf:
                end = self._advance()
                if end is None:
                    break
                out.append(bytes(self._buf[:end]))
                del self._buf[:end]
                self._consumed += end
                self._pos = 0
                self._depth = 0
        except FramingError as exc:
            self._error = exc
            if not out:
                raise
        return out

    def eof(self) -> None:
        """The peer closed the stream: raises `FramingError` if an APDU was cut off or the stream was bad."""
        if self._error is not None:
            raise self._error
        if self._buf:
            self._error = FramingError(f"connection closed inside an APDU ({len(self._buf)} octets received)",
                                       offset=self._consumed)
            raise self._error

    # --- internals ------------------------------------------------------------------------------------------

    def _fail(self, message: str, at: int) -> FramingError:
        return FramingError(message, offset=self._consumed + at)

    def _header(self, i: int) -> tuple[int, int, int] | None:
        """(first identifier octet, content start, content end or -1) at i, None if incomplete.

        Runs `ber.header` on a zero-padded copy of the header octets: padding never makes a header invalid,
        so any error is in the received octets, and a header that reaches into the padding is incomplete.
        """
        chunk = bytes(self._buf[i:i + _MAX_HEADER])
        if not chunk:
            return None
        try:
            _, s, e = header(chunk + _PAD, 0, 1 << 62)
        except DecodeError as exc:
            raise self._fail(f"bad BER header: {exc.args[0] if exc.args else exc}", i) from None
        if s > len(chunk):
            return None
        return chunk[0], i + s, (i + e if e >= 0 else -1)

    def _advance(self) -> int | None:
        """Walk as far as the buffer allows; the end of the first APDU, or None if it is not complete yet."""
        if not self._depth:
            h = self._header(0)
            if h is None:
                return None
            first, start, end = h
            if first == 0 and end == start:
                raise self._fail("end-of-contents octets where an APDU should start", 0)
            if self.application_only and first & 0xE0 != 0x60:
                raise self._fail(f"expected a constructed [APPLICATION n] tag, got octet 0x{first:02x}", 0)
            if end >= 0:
                # Refused before its octets are buffered: the length alone is over the limit.
                if end > self.max_size:
                    raise self._fail(f"APDU of {end} octets exceeds the limit of {self.max_size}", 0)
                return end if len(self._buf) >= end else None
            self._depth = 1
            self._pos = start
        return self._walk()

    def _walk(self) -> int | None:
        # Inside an indefinite-length APDU: step over definite children whole (the codec checks their insides;
        # their octets need not have arrived yet) and descend into indefinite ones until the depth returns to 0.
        buf = self._buf
        while True:
            i = self._pos
            if i > self.max_size:
                raise self._fail(f"APDU exceeds the limit of {self.max_size} octets", 0)
            if len(buf) < i + 2:
                return None
            if buf[i] == 0:
                if buf[i + 1] != 0:
                    raise self._fail("malformed end-of-contents octets", i)
                self._depth -= 1
                self._pos = i + 2
                if not self._depth:
                    return self._pos
                continue
            h = self._header(i)
            if h is None:
                return None
            _, start, end = h
            if end < 0:
                self._depth += 1
                if self._depth > self.max_depth:
                    raise self._fail(f"indefinite-length nesting deeper than {self.max_depth}", i)
                self._pos = start
            else:
                self._pos = end
