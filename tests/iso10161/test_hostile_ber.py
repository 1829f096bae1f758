"""Hostile BER for the codec (`isoill.decode`) and the TCP framer (`isoill.stream.Framer`).

What a peer on an open port 1611 can send: lengths claiming gigabytes, nesting tens of thousands deep, an
indefinite length that never ends, headers outside the supported forms, huge element counts. Each must be
refused fast with the typed error (DecodeError / FramingError) and without allocating from a claimed length;
what is valid but unknown (extensions) must come back out byte for byte.
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import attrs
import pytest

import isoill
from isoill._ber import primitives as ber
from isoill.stream import DEFAULT_MAX_APDU_SIZE, DEFAULT_MAX_DEPTH, Framer, FramingError

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
CANCEL = (VECTORS / "cancel.ber").read_bytes()
# "Refused fast": a generous bound (the measured times are well under a millisecond).
FAST = 1.0
DEEP = 50_000
TWO_GB = b"\x84\x7f\xff\xff\xff"


def refused(data: bytes, codec: isoill.Codec | None = None) -> isoill.DecodeError:
    """Decode `data`, which must fail fast with a DecodeError not caused by some other exception."""
    t0 = time.perf_counter()
    with pytest.raises(isoill.DecodeError) as info:
        codec.decode(data) if codec else isoill.decode(data)
    assert time.perf_counter() - t0 < FAST
    # The codec wraps an unexpected IndexError & co. in a DecodeError; that would be a bug, not a refusal.
    assert info.value.__cause__ is None, repr(info.value.__cause__)
    return info.value


def with_extension(raw: bytes, oid: str = "1.2.3.4.5") -> bytes:
    """The Cancel vector carrying one unregistered extension whose value is the TLV `raw`, kept as given."""
    apdu = isoill.decode(CANCEL)
    item = isoill.External(direct_reference=oid, encoding=isoill.SingleASN1Type(isoill.RawBER(raw)))
    ext = isoill.Extension(identifier=1, critical=False, item=item)
    return isoill.encode(attrs.evolve(apdu, cancel_extensions=(ext,)))


def definite_nest(inner: bytes, depth: int) -> bytes:
    for _ in range(depth):
        inner = b"\xa0" + ber.length(len(inner)) + inner
    return inner


def framer_refuses(framer: Framer, chunks: list[bytes]) -> FramingError:
    t0 = time.perf_counter()
    with pytest.raises(FramingError) as info:
        for chunk in chunks:
            framer.feed(chunk)
    assert time.perf_counter() - t0 < FAST
    return info.value


# --- lengths ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"\x66" + TWO_GB + b"\x30\x00",  # the APDU's own length
    b"\x66\x84\x00\x00\x00\x08\x30" + TWO_GB + b"\x00\x00",  # the SEQUENCE inside it
    b"\x66\x80\x30\x80\x80\x84\x7f\xff\xff\xff\x02",  # a field inside an indefinite APDU
    b"\x66\x84\xff\xff\xff\xff\x30\x00",  # 4 GB
])
def test_claimed_length_of_gigabytes_is_refused_without_allocating(data: bytes) -> None:
    isoill.decode(CANCEL)  # the default codec generates its functions on first use: not part of the measure
    tracemalloc.start()
    try:
        err = refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "runs past the end" in err.reason
    assert peak < 256 * 1024  # nothing was sized from the claim


@pytest.mark.parametrize("name", ["request.ber", "request-all-indefinite.ber", "shipped-ext-oclc-adi.ber"])
def test_every_truncation_of_a_real_apdu_is_refused(name: str) -> None:
    # Cut anywhere, some length field (or the outer indefinite length) claims more than the data holds.
    data = next(VECTORS.rglob(name)).read_bytes()
    for n in range(len(data)):
        err = refused(data[:n])
        assert err.offset is not None and err.offset <= n


def test_unsupported_length_forms_are_refused() -> None:
    for length in (b"\x85\x00\x00\x00\x00\x02", b"\xff", b"\x88" + b"\x00" * 7 + b"\x02"):
        err = refused(b"\x66" + length + b"\x30\x00")
        assert "not supported" in err.reason


def test_indefinite_length_on_a_primitive_is_refused() -> None:
    refused(b"\x66\x80\x30\x80\x80\x80\x00\x00")


def test_long_tag_numbers_are_refused() -> None:
    # An identifier with many continuation octets: at most 3 are interpreted (MAX_TAG_OCTETS).
    err = refused(b"\x7f" + b"\x81" * 40 + b"\x01\x00")
    assert "tag number" in err.reason
    refused(b"\x7f\x80\x01\x00")  # not minimally encoded


# --- nesting -----------------------------------------------------------------------------------------------------

def test_50k_deep_indefinite_in_the_apdu_body_is_refused() -> None:
    refused(b"\x66\x80\x30\x80" + b"\xa0\x80" * DEEP + b"\x00\x00" * (DEEP + 2))
    refused(b"\x66\x80" + b"\x30\x80" * DEEP + b"\x00\x00" * (DEEP + 1))


def test_50k_deep_indefinite_inside_an_unknown_extension_is_refused() -> None:
    # An unknown extension's value is walked to find its end: the walk is iterative and depth-limited.
    data = with_extension(b"\xa0\x80" * DEEP + b"\x00\x00" * DEEP)
    err = refused(data)
    assert f"deeper than {ber.MAX_SKIP_DEPTH}" in err.reason
    assert err.path[:2] == ["Cancel", "cancel-extensions"]


def test_50k_deep_definite_inside_an_unknown_extension_is_kept_byte_for_byte() -> None:
    # A definite-length unknown value is not looked into at all: no recursion, and nothing lost.
    raw = definite_nest(b"\x04\x01x", DEEP)
    data = with_extension(raw)
    t0 = time.perf_counter()
    apdu = isoill.decode(data)
    assert time.perf_counter() - t0 < FAST
    assert apdu.cancel_extensions[0].item.encoding.value == isoill.RawBER(raw)
    assert isoill.encode(apdu) == data


def test_50k_deep_definite_in_the_apdu_body_is_refused() -> None:
    body = definite_nest(b"\x04\x01x", DEEP)
    seq = b"\x30" + ber.length(len(body)) + body
    refused(b"\x66" + ber.length(len(seq)) + seq)


def test_framer_refuses_50k_deep_indefinite_at_its_depth_limit() -> None:
    stream = b"\x66\x80" + b"\xa0\x80" * DEEP
    err = framer_refuses(Framer(), [stream])
    assert f"deeper than {DEFAULT_MAX_DEPTH}" in str(err)


# --- sizes and streams -------------------------------------------------------------------------------------------

def test_codec_apdu_size_limit() -> None:
    data = (VECTORS / "request.ber").read_bytes()
    assert isinstance(isoill.Codec(max_apdu_size=len(data)).decode(data), isoill.ILLRequest)
    err = refused(data, isoill.Codec(max_apdu_size=len(data) - 1))
    assert "exceeds the limit" in err.reason


def test_framer_refuses_a_claimed_2gb_apdu_at_the_header() -> None:
    framer = Framer()
    err = framer_refuses(framer, [b"\x61" + TWO_GB])
    assert f"limit of {DEFAULT_MAX_APDU_SIZE}" in str(err)
    assert framer.buffered <= 6


def test_framer_never_allocates_from_a_claimed_length() -> None:
    # Even with the limit raised past the claim, only the octets actually received are held.
    framer = Framer(max_size=1 << 40)
    tracemalloc.start()
    try:
        assert framer.feed(b"\x61" + TWO_GB + b"\x30") == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert framer.buffered == 7
    assert peak < 64 * 1024


def test_an_indefinite_apdu_that_never_ends_stops_at_the_size_limit() -> None:
    # A peer opens an indefinite APDU and then streams valid-looking fields forever.
    limit = 64 * 1024
    framer = Framer(max_size=limit)
    chunk = b"\x04\x01x" * 1000
    framer.feed(b"\x61\x80\x30\x80")
    sent = 4
    with pytest.raises(FramingError, match="exceeds the limit"):
        while sent < 100 * limit:
            framer.feed(chunk)
            sent += len(chunk)
            assert framer.buffered <= limit + len(chunk)  # memory stays bounded while it waits
    assert sent <= limit + 2 * len(chunk)


def test_an_endless_run_of_empty_indefinite_values_stops_too() -> None:
    framer = Framer(max_size=4096, max_depth=8)
    with pytest.raises(FramingError):
        for _ in range(10_000):
            framer.feed(b"\xa0\x80\x00\x00" if framer.in_apdu else b"\x61\x80")


def test_a_framing_error_sticks() -> None:
    framer = Framer()
    with pytest.raises(FramingError):
        framer.feed(b"GET / HTTP/1.1\r\n")
    with pytest.raises(FramingError):
        framer.feed(CANCEL)


def test_apdus_before_bad_framing_in_the_same_chunk_are_not_lost() -> None:
    framer = Framer()
    got: list[bytes] = []
    try:
        got += framer.feed(CANCEL + b"GET / HTTP/1.1\r\n")
    except FramingError as exc:
        got += getattr(exc, "apdus", [])
    assert got == [CANCEL]


# --- element counts and nothing lost ----------------------------------------------------------------------------

def test_many_elements_within_the_size_limit_decode_and_round_trip() -> None:
    # The codec has no element-count limit of its own: counts are bounded by the APDU size (>= 2 octets per
    # element). 20k unknown extensions (about 400 kB) must come back complete.
    apdu = isoill.decode(CANCEL)
    item = isoill.External(direct_reference="1.2.3", encoding=isoill.SingleASN1Type(isoill.RawBER(b"\x05\x00")))
    exts = tuple(isoill.Extension(identifier=n, critical=False, item=item) for n in range(20_000))
    data = isoill.encode(attrs.evolve(apdu, cancel_extensions=exts))
    back = isoill.decode(data)
    assert back.cancel_extensions == exts
    assert isoill.encode(back) == data
    refused(data, isoill.Codec(max_apdu_size=len(data) // 2))


@pytest.mark.parametrize("raw", [
    b"\x30\x80\x04\x02hi\xa5\x80\x00\x00\x00\x00",  # indefinite lengths inside
    b"\x30\x81\x04\x04\x02hi",  # a non-minimal long-form length
    b"\xdf\x8f\x7f\x03abc",  # a private, high-numbered tag
    b"\x04\x00",  # empty
])
def test_unknown_extension_content_is_re_emitted_byte_for_byte(raw: bytes) -> None:
    data = with_extension(raw, oid="1.3.6.1.4.1.99999.7")
    apdu = isoill.decode(data)
    value = apdu.cancel_extensions[0].item.encoding.value
    assert value == isoill.RawBER(raw)
    assert isoill.encode(apdu) == data
