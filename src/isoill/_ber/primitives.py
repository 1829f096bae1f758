"""BER tag/length/value primitives used by the generated codecs: header reading with bounds checks,
lengths, INTEGER and OBJECT IDENTIFIER contents, and walking a value of unknown type to its end.

Decoding works on immutable `bytes` with integer offsets (cheaper than memoryview here, see perf notes);
no length is ever trusted before it is checked against the data actually present.
"""

from __future__ import annotations

from isoill.errors import DecodeError

# The one default bound on an APDU's size, for the codec (`Codec(max_apdu_size=...)`) and the framer
# (`Framer(max_size=...)`, `net.Limits`): big enough for any real APDU (a request with long notes is a few kB);
# decoding holds about 17x the input in objects, so a gateway that raises it should know that.
DEFAULT_MAX_APDU_SIZE = 1024 * 1024

# A value of unknown type (ANY, an unregistered extension) is walked iteratively; this bounds its nesting.
MAX_SKIP_DEPTH = 64
# Tag numbers and long-form lengths beyond these are refused rather than interpreted.
MAX_TAG_OCTETS = 3
MAX_LENGTH_OCTETS = 4

# One-octet short-form lengths, prebuilt.
SHORT_LENGTHS = tuple(bytes((n,)) for n in range(128))
# Long-form lengths of one octet (81 xx), prebuilt: every value of 128 to 255 octets, and the outer length of
# every APDU that size, needs one.
LONG_LENGTHS_1 = tuple(bytes((0x81, n)) for n in range(256))
# Contents of small non-negative INTEGER / ENUMERATED values, prebuilt.
SMALL_INTS = tuple(bytes((n,)) for n in range(128))


def header(b: bytes, i: int, stop: int) -> tuple[int, int, int]:
    """Read the identifier and length octets at `i`; returns (tag key, content start, content end).

    The content end is -1 for an indefinite length. Everything must lie before `stop`.
    """
    # The generated decoders read one-octet tags with short lengths inline and call this for the rest. Of
    # that rest, the forms real peers send are answered first, in a few bytecodes: a long length of one or two
    # octets (any value of 128 octets or more), an indefinite length (YAZ's choice for such values) and a
    # two-octet tag ([31] to [127]) with a short length. Anything else, and every error, is the general path.
    if i + 2 < stop:
        t = b[i]
        n = b[i + 1]
        if t & 0x1F != 0x1F:
            if n == 0x81:
                end = i + 3 + b[i + 2]
                if end <= stop:
                    return t, i + 3, end
            elif n == 0x82 and i + 3 < stop:
                end = i + 4 + (b[i + 2] << 8 | b[i + 3])
                if end <= stop:
                    return t, i + 4, end
            elif n == 0x80 and t & 0x20:
                return t, i + 2, -1
        elif n < 0x80:
            m = b[i + 2]
            if m < 0x80 and i + 3 + m <= stop:
                return t << 16 | n, i + 3, i + 3 + m
    return header_general(b, i, stop)


def header_general(b: bytes, i: int, stop: int) -> tuple[int, int, int]:
    """`header` without its shortcuts: every form, and every error message."""
    if i >= stop:
        raise DecodeError("unexpected end of data: expected a tag", offset=i)
    t = b[i]
    j = i + 1
    if t & 0x1F == 0x1F:
        number = 0
        count = 0
        while True:
            if j >= stop:
                raise DecodeError("unexpected end of data inside a tag", offset=j)
            c = b[j]
            j += 1
            count += 1
            if count > MAX_TAG_OCTETS or (count == 1 and c == 0x80):
                raise DecodeError("tag number too large or not minimally encoded", offset=i)
            number = (number << 7) | (c & 0x7F)
            if not c & 0x80:
                break
        key = (t << 16) | number
    else:
        key = t
    if j >= stop:
        raise DecodeError("unexpected end of data: expected a length", offset=j)
    n = b[j]
    j += 1
    if n < 0x80:
        end = j + n
    elif n == 0x80:
        if not t & 0x20:
            raise DecodeError("indefinite length on a primitive value", offset=j - 1)
        return key, j, -1
    else:
        count = n & 0x7F
        if count > MAX_LENGTH_OCTETS or count == 0x7F:
            raise DecodeError(f"length of {count} octets is not supported", offset=j - 1)
        if j + count > stop:
            raise DecodeError("unexpected end of data inside a length", offset=j)
        end = j + count + int.from_bytes(b[j:j + count], "big")
        j += count
    if end > stop:
        raise DecodeError(f"length {end - j} runs past the end of the enclosing data ({stop - j} octets left)",
                          offset=i)
    return key, j, end


def peek(b: bytes, i: int, stop: int, end: int) -> tuple[int, int, int]:
    """The next element's header inside a constructed value, or (-1, i, i) at the end of its content.

    `end` is the content end (-1 when indefinite: then the end is the end-of-contents octets 00 00).
    """
    if end >= 0:
        if i >= end:
            return -1, i, i
    elif i + 1 < stop and b[i] == 0:
        if b[i + 1] != 0:
            raise DecodeError("malformed end-of-contents octets", offset=i)
        return -1, i, i
    return header(b, i, stop)


def after(end: int, i: int) -> int:
    """The position after a constructed value whose content ended at `i` (skipping 00 00 if indefinite)."""
    return end if end >= 0 else i + 2


def close_explicit(b: bytes, i: int, end: int, stop: int) -> int:
    """Finish an explicit tag wrapper whose single inner value ended at `i`."""
    if end >= 0:
        if i != end:
            raise DecodeError(f"{end - i} unexpected octets after the value inside an explicit tag", offset=i)
        return end
    if i + 1 >= stop or b[i] != 0 or b[i + 1] != 0:
        raise DecodeError("expected end-of-contents after the value inside an explicit tag", offset=i)
    return i + 2


def skip_indefinite(b: bytes, i: int, stop: int) -> int:
    """Walk the content of an indefinite-length value starting at `i`; returns the position after its 00 00."""
    depth = 1
    while depth:
        if i + 1 < stop and b[i] == 0 and b[i + 1] == 0:
            depth -= 1
            i += 2
            continue
        _, s, e = header(b, i, stop)
        if e < 0:
            depth += 1
            if depth > MAX_SKIP_DEPTH:
                raise DecodeError(f"nesting deeper than {MAX_SKIP_DEPTH} levels", offset=i)
            i = s
        else:
            i = e
    return i


def tlv_end(b: bytes, h: int, e: int, s: int, stop: int) -> int:
    """The end of the TLV whose header starts at h (content s..e, e == -1 when indefinite)."""
    return e if e >= 0 else skip_indefinite(b, s, stop)


def long_length(n: int) -> bytes:
    """A definite length octet sequence, long form (used for n >= 128, and for the outer APDU length)."""
    if n < 256:
        return LONG_LENGTHS_1[n]
    if n < 65536:
        return b"\x82" + n.to_bytes(2, "big")
    body = n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")
    return bytes((0x80 | len(body),)) + body


def length(n: int) -> bytes:
    return SHORT_LENGTHS[n] if n < 128 else long_length(n)


def encode_int(n: int) -> bytes:
    """Minimal two's-complement contents of an INTEGER."""
    if 0 <= n < 128:
        return SMALL_INTS[n]
    return n.to_bytes((n + (n < 0)).bit_length() // 8 + 1, "big", signed=True)


def decode_int(b: bytes, s: int, e: int) -> int:
    if e <= s:
        raise DecodeError("INTEGER with no content octets", offset=s)
    return int.from_bytes(b[s:e], "big", signed=True)


def encode_oid(oid: str) -> bytes:
    try:
        arcs = [int(a) for a in oid.split(".")]
    except ValueError:
        raise ValueError(f"not a dotted OBJECT IDENTIFIER: {oid!r}") from None
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40) or min(arcs) < 0:
        raise ValueError(f"not a valid OBJECT IDENTIFIER: {oid!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def decode_oid(b: bytes, s: int, e: int) -> str:
    if e <= s:
        raise DecodeError("OBJECT IDENTIFIER with no content octets", offset=s)
    if e - s > 128:
        raise DecodeError("OBJECT IDENTIFIER longer than 128 octets", offset=s)
    arcs: list[int] = []
    value = 0
    for j in range(s, e):
        c = b[j]
        if value == 0 and c == 0x80:
            raise DecodeError("OBJECT IDENTIFIER arc not minimally encoded", offset=j)
        value = (value << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(value)
            value = 0
    if b[e - 1] & 0x80:
        raise DecodeError("OBJECT IDENTIFIER ends inside an arc", offset=e - 1)
    first = arcs[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(a) for a in head + arcs[1:])


# Decoded OBJECT IDENTIFIERs by content octets. Peers use a handful of OIDs (extensions, EXTERNAL references);
# the cache stops growing at OID_CACHE_SIZE entries so that a hostile peer cannot make it grow without bound.
OID_CACHE: dict[bytes, str] = {}
OID_CACHE_SIZE = 256


def decode_oid_cached(b: bytes, s: int, e: int) -> str:
    oid = decode_oid(b, s, e)
    if len(OID_CACHE) < OID_CACHE_SIZE:
        OID_CACHE[b[s:e]] = oid
    return oid


# The same for encoding: dotted OID text -> content octets, for the OIDs this process has encoded (bounded alike,
# since the text can come from a decoded, peer-chosen value).
OID_OCTETS_CACHE: dict[str, bytes] = {}


def encode_oid_cached(oid: str) -> bytes:
    octets = OID_OCTETS_CACHE.get(oid)
    if octets is None:
        octets = encode_oid(oid)
        if len(OID_OCTETS_CACHE) < OID_CACHE_SIZE:
            OID_OCTETS_CACHE[oid] = octets
    return octets


def describe_key(key: int) -> str:
    """A readable name for a tag key, for error messages: [APPLICATION 1], [46], UNIVERSAL 27, ..."""
    if key < 0:
        return "end of content"
    if key > 0xFF:
        first, number = key >> 16, key & 0xFFFF
    else:
        first, number = key, key & 0x1F
    cls = {0x00: "UNIVERSAL ", 0x40: "APPLICATION ", 0x80: "", 0xC0: "PRIVATE "}[first & 0xC0]
    form = " constructed" if first & 0x20 else ""
    return f"[{cls}{number}]{form}"
