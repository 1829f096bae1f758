"""The sans-IO framer: whole APDUs out of arbitrarily chunked streams; limits and bad framing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import isoill
from isoill.stream import Framer, FramingError

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
APDUS = [p.read_bytes() for p in sorted(VECTORS.glob("*.ber"))]
STREAM = b"".join(APDUS)


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


def feed_all(framer: Framer, chunks: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for c in chunks:
        out += framer.feed(c)
    return out


# --- generated BER: APPLICATION-tagged trees in random mixtures of definite and indefinite lengths ---------

def _length(n: int, form: int) -> bytes:
    if form == 0 and n < 128:
        return bytes((n,))
    body = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return bytes((0x80 | len(body),)) + body


@st.composite
def tlv(draw: st.DrawFn, depth: int = 0) -> bytes:
    if depth >= 4 or draw(st.booleans()):
        content = draw(st.binary(max_size=40))
        tag = draw(st.sampled_from([0x04, 0x1B, 0x80, 0x81, 0x9F]))
        ident = bytes((tag, 0x2E)) if tag == 0x9F else bytes((tag,))
        return ident + _length(len(content), draw(st.integers(0, 1))) + content
    children = draw(st.lists(tlv(depth + 1), max_size=4))
    content = b"".join(children)
    ident = draw(st.sampled_from([b"\x30", b"\xa0", b"\xbf\x31"]))
    if draw(st.booleans()):
        return ident + b"\x80" + content + b"\x00\x00"
    return ident + _length(len(content), draw(st.integers(0, 1))) + content


@st.composite
def apdu(draw: st.DrawFn) -> bytes:
    inner = draw(tlv(1))
    ident = bytes((0x60 | draw(st.integers(1, 20)),))
    if draw(st.booleans()):
        return ident + b"\x80" + inner + b"\x00\x00"
    return ident + _length(len(inner), draw(st.integers(0, 1))) + inner


@settings(max_examples=300, deadline=None)
@given(st.lists(apdu(), min_size=1, max_size=6), st.lists(st.integers(0, 10_000), max_size=30))
def test_generated_streams_any_chunking(apdus: list[bytes], cuts: list[int]) -> None:
    data = b"".join(apdus)
    framer = Framer()
    assert feed_all(framer, chunked(data, cuts)) == apdus
    assert framer.buffered == 0
    assert framer.offset == len(data)
    framer.eof()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, len(STREAM)), max_size=60))
def test_yaz_vectors_back_to_back_any_chunking(cuts: list[int]) -> None:
    assert feed_all(Framer(), chunked(STREAM, cuts)) == APDUS


def test_one_octet_at_a_time_and_each_apdu_decodes() -> None:
    framer = Framer()
    out: list[bytes] = []
    for i in range(len(STREAM)):
        out += framer.feed(STREAM[i:i + 1])
    assert out == APDUS
    # The framer hands over exactly what the codec accepts, APDU by APDU.
    assert [isoill.decode(a) for a in out] == [isoill.decode(a) for a in APDUS]


def test_indefinite_yaz_request_split_everywhere() -> None:
    data = (VECTORS / "illclient-request-plain.ber").read_bytes()
    assert data[:2] == b"\x61\x80"
    for cut in range(1, len(data)):
        framer = Framer()
        assert framer.feed(data[:cut]) == []
        assert framer.in_apdu
        assert framer.feed(data[cut:] + data[:3]) == [data]
        assert framer.buffered == 3


def test_size_limit_on_definite_length_before_content_arrives() -> None:
    framer = Framer(max_size=1000)
    with pytest.raises(FramingError, match="exceeds the limit"):
        framer.feed(b"\x61\x82\x10\x00")  # claims 4096 octets; only the header was sent


def test_size_limit_on_indefinite_length() -> None:
    framer = Framer(max_size=100)
    with pytest.raises(FramingError, match="exceeds the limit"):
        framer.feed(b"\x61\x80\x30\x80" + b"\x04\x10" + bytes(16) * 1 + (b"\x04\x10" + bytes(16)) * 6)


def test_size_limit_accepts_exactly_max_size() -> None:
    body = b"\x04\x03abc"
    data = b"\x61" + bytes((len(body),)) + body
    assert Framer(max_size=len(data)).feed(data) == [data]
    with pytest.raises(FramingError):
        Framer(max_size=len(data) - 1).feed(data)


def test_nesting_depth_limit() -> None:
    deep = b"\x61\x80" + b"\x30\x80" * 40 + b"\x00\x00" * 41
    with pytest.raises(FramingError, match="nesting deeper than 32"):
        Framer().feed(deep)
    assert Framer(max_depth=41).feed(deep) == [deep]


@pytest.mark.parametrize("junk, reason", [
    (b"GET / HTTP/1.1\r\n\r\n", "APPLICATION"),
    (b"\x00\x00", "end-of-contents"),
    (b"\x30\x03\x02\x01\x01", "APPLICATION"),
    (b"\x61\x80\x00\x05", "malformed end-of-contents"),
    (b"\x61\x85\x01\x02\x03\x04\x05", "length of 5 octets"),
    (b"\x61\x80\x04\x80", "indefinite length on a primitive"),
])
def test_bad_framing_is_an_error_and_sticks(junk: bytes, reason: str) -> None:
    framer = Framer()
    with pytest.raises(FramingError, match=reason):
        framer.feed(junk)
    with pytest.raises(FramingError):
        framer.feed(APDUS[0])  # no resynchronisation after bad framing


def test_error_offset_counts_earlier_apdus() -> None:
    framer = Framer()
    framer.feed(APDUS[0])
    with pytest.raises(FramingError) as info:
        framer.feed(b"\x00\x00")
    assert info.value.offset == len(APDUS[0])


def test_apdus_before_bad_framing_in_one_feed_come_first_then_the_error() -> None:
    framer = Framer()
    assert framer.feed(APDUS[0] + APDUS[1] + b"\x00\x00" + APDUS[2]) == [APDUS[0], APDUS[1]]
    assert framer.failed
    assert framer.error is not None and framer.error.offset == len(APDUS[0]) + len(APDUS[1])
    with pytest.raises(FramingError, match="end-of-contents") as info:
        framer.feed(b"")
    assert info.value is framer.error
    with pytest.raises(FramingError):
        framer.feed(APDUS[0])  # still no resynchronisation
    with pytest.raises(FramingError, match="end-of-contents"):
        framer.eof()


def test_pending_framing_error_is_raised_by_eof() -> None:
    framer = Framer()
    assert not framer.failed and framer.error is None
    assert framer.feed(APDUS[0] + b"GET / HTTP/1.1\r\n") == [APDUS[0]]
    with pytest.raises(FramingError, match="APPLICATION"):
        framer.eof()


@given(st.lists(apdu(), min_size=1, max_size=4), st.sampled_from([b"\x00\x00", b"GET /", b"\x30\x00"]),
       st.lists(st.integers(0, 10_000), max_size=8))
@settings(max_examples=100, deadline=None)
def test_every_apdu_before_bad_framing_is_returned_whatever_the_chunking(
        apdus: list[bytes], junk: bytes, cuts: list[int]) -> None:
    data = b"".join(apdus) + junk
    framer = Framer()
    out: list[bytes] = []
    with pytest.raises(FramingError):
        for c in chunked(data, cuts):
            out += framer.feed(c)
        framer.eof()
    assert out == apdus


def test_application_only_can_be_relaxed() -> None:
    data = b"\x30\x03\x02\x01\x01"
    assert Framer(application_only=False).feed(data) == [data]


def test_eof_inside_an_apdu() -> None:
    framer = Framer()
    framer.feed(APDUS[1][:-1])
    with pytest.raises(FramingError, match="closed inside an APDU"):
        framer.eof()
    clean = Framer()
    clean.feed(APDUS[1])
    clean.eof()  # between APDUs: nothing lost


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Framer(max_size=0)
    with pytest.raises(ValueError):
        Framer(max_depth=0)
