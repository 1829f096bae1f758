"""Deterministic mutations of real inputs, shared by the random driver (`fuzz.run`) and hypothesis (CI).

A mutation is a tuple `(kind, a, b)` of plain integers, so that hypothesis can draw and shrink it and a random
generator can produce it equally; `apply(data, ops, donors, fmt)` performs a list of them in order. Positions
are taken modulo the current length, so every tuple is valid for every input.

Besides generic byte mutations (flip, set, insert, delete, duplicate, truncate, splice with another seed) there
are structure-aware ones: for BER they rewrite a real TLV's length field (2 GB claims, indefinite, off by one,
non-minimal), its tag, repeat it, or wrap it in deep nesting; for XML they insert hostile tokens (DOCTYPE,
entities, CDATA, namespaces), repeat or drop whole elements and replace text content with odd values. Purely
random bytes rarely get past the first header; these reach the decoders' inner code.
"""

from __future__ import annotations

from collections.abc import Sequence

Op = tuple[int, int, int]

# Byte values that sit on BER boundaries (length forms, tag classes, EOC) or signedness edges.
INTERESTING_BYTES = (0x00, 0x01, 0x02, 0x1F, 0x20, 0x30, 0x3F, 0x40, 0x60, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84,
                     0x85, 0x9F, 0xA0, 0xBF, 0xC0, 0xFE, 0xFF)

# Replacement length fields for a TLV: what a hostile or broken peer claims.
BER_LENGTHS = (
    b"\x00", b"\x80", b"\x7f", b"\x81\x00", b"\x81\x7f", b"\x82\x00\x05", b"\x84\x7f\xff\xff\xff",
    b"\x84\xff\xff\xff\xff", b"\x84\x00\x00\x00\x01", b"\x85\x01\x00\x00\x00\x00", b"\x88" + b"\xff" * 8,
    b"\xff", b"\x84\x80\x00\x00\x00",
)

# Tokens spliced into XML: hostile constructs and syntax that stresses the parser and the repairs.
XML_TOKENS = (
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!DOCTYPE r SYSTEM "file:///etc/passwd">', b'<!ENTITY x SYSTEM "http://127.0.0.1:1/">', b"&a;", b"&x;",
    b"&#0;", b"&#x1;", b"&#xD800;", b"&amp;", b"&lt;", b"<![CDATA[x]]>", b"<![CDATA[", b"]]>", b"<?pi x?>",
    b"<!-- c -->", b"<!--", b'xmlns="urn:x"', b'xmlns:ill="urn:other"', b'xmlns:ill=""', b' ill:version="2021-2"',
    b' version="1.1"', b' scheme="s"', b' ill:scheme="s"', b' xsi:nil="true"', b' a="1" b="2" c="3"',
    b"<ill:extra>kept?</ill:extra>", b"<extra/>", b"<ill:note>n</ill:note>", b"</ill:header>",
    b"<ill:header>", b"<", b">", b"/>", b'"', b"'", b"=", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80",
    b"\x00", b"\r\n", b"\t", b" " * 64,
)

# Text content substituted between tags: edge values for dates, numbers, codes and booleans.
XML_VALUES = (
    b"", b" ", b"-1", b"0", b"99999999999999999999999999", b"1e308", b"NaN", b"-0.000", b"2024-13-45T99:99:99Z",
    b"2024-05-06T07:08:09+0000", b"2024-05-06 07:08", b"0001-01-01T00:00:00Z", b"9999-12-31T23:59:59.9999999999Z",
    b"true", b"True", b"Y", b"Loaned", b"loaned", b"Teleported", b"UnrecognizedDataValue", b"\xe2\x80\xae",
    b"\xf0\x9f\x93\x9a", b"x" * 300,
)

GENERIC_KINDS = 9
BER_KINDS = 5
XML_KINDS = 4


def kinds(fmt: str) -> int:
    """The number of mutation kinds for a format ("ber" or "xml")."""
    return GENERIC_KINDS + (BER_KINDS if fmt == "ber" else XML_KINDS)


def apply(data: bytes, ops: Sequence[Op], donors: Sequence[bytes], fmt: str) -> bytes:
    """Apply each mutation in turn; `donors` are other seeds for splicing, `fmt` selects the aware ones."""
    buf = bytearray(data)
    for kind, a, b in ops:
        kind %= kinds(fmt)
        if kind < GENERIC_KINDS:
            _generic(buf, kind, a, b, donors)
        elif fmt == "ber":
            _ber(buf, kind - GENERIC_KINDS, a, b)
        else:
            _xml(buf, kind - GENERIC_KINDS, a, b)
    return bytes(buf)


def _generic(buf: bytearray, kind: int, a: int, b: int, donors: Sequence[bytes]) -> None:
    n = len(buf)
    if n == 0:
        if kind in (3, 8) or not donors:
            buf.append(b & 0xFF)
        else:
            buf.extend(donors[b % len(donors)])
        return
    i = a % n
    if kind == 0:  # flip one bit
        buf[i] ^= 1 << (b & 7)
    elif kind == 1:  # set one byte
        buf[i] = b & 0xFF
    elif kind == 2:  # an interesting byte
        buf[i] = INTERESTING_BYTES[b % len(INTERESTING_BYTES)]
    elif kind == 3:  # insert a few bytes
        buf[i:i] = bytes((b >> (8 * k)) & 0xFF for k in range(1 + (b >> 40) % 4))
    elif kind == 4:  # delete a range
        del buf[i:i + 1 + b % 32]
    elif kind == 5:  # duplicate a range in place
        chunk = bytes(buf[i:i + 1 + b % 64])
        buf[i:i] = chunk
    elif kind == 6:  # truncate
        del buf[i:]
    elif kind == 7:  # splice a piece of another real input
        if donors:
            d = donors[b % len(donors)]
            if d:
                s = (b >> 8) % len(d)
                buf[i:i + (b >> 24) % 64] = d[s:s + 1 + (b >> 16) % 256]
    else:  # overwrite with a run of one byte (zeros, 0xff: EOCs and long-form lengths)
        buf[i:i + 1 + b % 16] = bytes((INTERESTING_BYTES[(b >> 8) % len(INTERESTING_BYTES)],)) * (1 + b % 16)


def ber_headers(data: bytes | bytearray, limit: int = 4096) -> list[tuple[int, int, int, int]]:
    """The TLVs found by a forgiving walk: (tag start, length start, content start, content end or -1).

    Descends into constructed values; stops quietly at the first octet it cannot read as a header.
    """
    out: list[tuple[int, int, int, int]] = []
    stack = [(0, len(data))]
    while stack and len(out) < limit:
        i, stop = stack.pop()
        while i < stop and len(out) < limit:
            t = data[i]
            j = i + 1
            if t & 0x1F == 0x1F:
                while j < stop and data[j] & 0x80:
                    j += 1
                j += 1
            if j >= stop:
                break
            lpos = j
            n = data[j]
            j += 1
            if n < 0x80:
                end = j + n
            elif n == 0x80:
                end = -1
            else:
                k = n & 0x7F
                if k > 4 or j + k > stop:
                    break
                end = j + k + int.from_bytes(data[j:j + k], "big")
                j += k
            if end > stop:
                break
            if t == 0 and n == 0:  # end-of-contents
                i = j
                continue
            out.append((i, lpos, j, end))
            if t & 0x20:
                if end >= 0:
                    stack.append((end, stop))
                    i, stop = j, end
                    continue
                i = j  # indefinite: keep walking the same level; EOCs are skipped above
                continue
            if end < 0:
                break
            i = end
    return out


def _ber(buf: bytearray, kind: int, a: int, b: int) -> None:
    tlvs = ber_headers(buf)
    if not tlvs:
        buf[0:0] = b"\x30\x80"
        return
    tag, lpos, start, end = tlvs[a % len(tlvs)]
    if kind == 0:  # replace the length field
        new = BER_LENGTHS[b % len(BER_LENGTHS)]
        if b & 0x100 and end >= 0:  # or claim one octet more/less than present
            new = _length(max(0, end - start + (1 if b & 0x200 else -1)))
        buf[lpos:start] = new
    elif kind == 1:  # change the tag: class, constructed bit or number
        which = b % 4
        if which == 0:
            buf[tag] ^= 0x20
        elif which == 1:
            buf[tag] = (buf[tag] & 0x3F) | ((b >> 8) & 0xC0)
        elif which == 2:
            buf[tag] = (buf[tag] & 0xE0) | ((b >> 8) % 31)
        else:
            buf[tag:tag + 1] = bytes(((buf[tag] | 0x1F), 0x81 + (b >> 8) % 0x7E, (b >> 16) & 0x7F))
    elif kind == 2:  # repeat the TLV (element counts, duplicate fields)
        stop = end if end >= 0 else min(len(buf), start + 64)
        piece = bytes(buf[tag:stop])
        buf[stop:stop] = piece * (1 + b % 8)
    elif kind == 3:  # wrap it in deep nesting, definite or indefinite
        depth = 1 + b % 200
        stop = end if end >= 0 else len(buf)
        inner = bytes(buf[tag:stop])
        if b & 0x10000:
            wrapped = b"\xa0\x80" * depth + inner + b"\x00\x00" * depth
        else:
            wrapped = inner
            for _ in range(depth):
                wrapped = b"\xa0" + _length(len(wrapped)) + wrapped
        buf[tag:stop] = wrapped
    else:  # drop the content but keep the header (lengths now disagree with the data)
        stop = end if end >= 0 else len(buf)
        del buf[start:stop]


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def _tag_spans(buf: bytearray) -> list[tuple[int, int]]:
    """(start, end) of each `<...>` markup, found by a plain scan (no parsing: the input may be broken)."""
    spans = []
    i = buf.find(b"<")
    while i >= 0 and len(spans) < 4096:
        j = buf.find(b">", i)
        if j < 0:
            break
        spans.append((i, j + 1))
        i = buf.find(b"<", j)
    return spans


def _xml(buf: bytearray, kind: int, a: int, b: int) -> None:
    spans = _tag_spans(buf)
    if kind == 0 or not spans:  # insert a hostile token at a markup boundary or anywhere
        token = XML_TOKENS[b % len(XML_TOKENS)]
        if spans and b & 0x100:
            s, e = spans[a % len(spans)]
            pos = e if b & 0x200 else s
            if token.startswith(b" ") and not b & 0x200:  # an attribute: put it inside the tag
                pos = e - 2 if buf[e - 2:e - 1] == b"/" else e - 1
        else:
            pos = a % (len(buf) + 1)
        buf[pos:pos] = token
        return
    s, e = spans[a % len(spans)]
    # The element's end: the next closing tag at the same name, or just this tag when self-closing/unmatched.
    name = bytes(buf[s + 1:e - 1]).split(b" ", 1)[0].rstrip(b"/")
    close = buf.find(b"</" + name + b">", e) if name and not name.startswith((b"/", b"?", b"!")) else -1
    stop = close + len(name) + 3 if close >= 0 and not buf[e - 2:e - 1] == b"/" else e
    if kind == 1:  # repeat the element (element counts)
        piece = bytes(buf[s:stop])
        buf[stop:stop] = piece * (1 + b % 64)
    elif kind == 2:  # drop the element
        del buf[s:stop]
    else:  # replace the text after this tag
        nxt = buf.find(b"<", e)
        if nxt < 0:
            nxt = len(buf)
        buf[e:nxt] = XML_VALUES[b % len(XML_VALUES)]
