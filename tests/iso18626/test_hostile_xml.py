"""Hostile XML for the ISO 18626 parser (`iso18626.parse` / `read`), strict and lenient.

An ISO 18626 endpoint is a public URL: entity expansion (billion laughs), external entities and DTDs (XXE to
files and to the network), XInclude, 100k-deep nesting, too many attributes, oversized bodies must each be
refused fast with `ValidationError` (errorType BadlyFormedMessage), never expanded or fetched; what a lenient
read does not understand (unknown elements) is kept and written back, never dropped silently.
"""

from __future__ import annotations

import multiprocessing
import socket
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

import iso18626
from iso18626 import ErrorType

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus" / "xml"
RECEIVED = (CORPUS / "strict-received.xml").read_bytes()
FAST = 1.0  # "refused fast": generous; measured times are around a millisecond
DEEP = 100_000
MODES = [pytest.param(True, id="strict"), pytest.param(False, id="lenient")]


def refused(data: bytes | str, *, strict: bool, **limits: Any) -> iso18626.ValidationError:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(iso18626.ValidationError) as info:
            iso18626.read(data, strict=strict, **limits)
    assert time.perf_counter() - t0 < FAST
    assert info.value.__cause__ is None
    return info.value


def lenient(data: bytes, **limits: Any) -> iso18626.Parsed:
    return iso18626.read(data, strict=False, **limits)


def billion_laughs(declaration: str = '<?xml version="1.0"?>') -> str:
    ents = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return f'{declaration}<!DOCTYPE lolz [<!ENTITY lol0 "lol">{ents}]><lolz>&lol9;</lolz>'


def encodings(doc: str) -> list[bytes | str]:
    """The document as UTF-8 bytes, as UTF-16 bytes (a byte scan for '<!DOCTYPE' misses it) and as str."""
    bare = doc.split("?>", 1)[1] if doc.startswith("<?xml") else doc
    return [doc.encode("utf-8"), ('<?xml version="1.0" encoding="UTF-16"?>' + bare).encode("utf-16"), doc]


@pytest.fixture
def listener() -> Iterator[tuple[int, Callable[[], bool]]]:
    """A loopback port and a function saying whether anything connected to it (an attempted fetch)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.setblocking(False)

    def connected() -> bool:
        try:
            conn, _ = srv.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    yield srv.getsockname()[1], connected
    srv.close()


# --- entities and DTDs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("strict", MODES)
@pytest.mark.parametrize("form", ["utf-8", "utf-16", "str"])
def test_billion_laughs_is_refused_fast(strict: bool, form: str) -> None:
    data = encodings(billion_laughs())[["utf-8", "utf-16", "str"].index(form)]
    err = refused(data, strict=strict)
    assert err.error_type is ErrorType.BADLY_FORMED_MESSAGE


@pytest.mark.parametrize("strict", MODES)
def test_billion_laughs_inside_a_real_message_is_refused(strict: bool) -> None:
    doc = RECEIVED.decode().replace("<ill:ISO18626Message", billion_laughs("").split("<lolz>")[0].replace(
        "lolz", "ill:ISO18626Message") + "<ill:ISO18626Message", 1).replace(">R-1<", ">&lol9;<")
    for data in encodings(doc):
        refused(data, strict=strict)


@pytest.mark.parametrize("strict", MODES)
def test_xxe_to_a_file_is_refused_and_nothing_is_read(strict: bool) -> None:
    secret = Path("/etc/hostname") if Path("/etc/hostname").is_file() else Path(__file__)
    doc = RECEIVED.decode().replace(
        "<ill:ISO18626Message", f'<!DOCTYPE ill:ISO18626Message [<!ENTITY x SYSTEM "file://{secret}">]>'
                                "<ill:ISO18626Message", 1).replace(">R-1<", ">&x;<")
    for data in encodings(doc):
        err = refused(data, strict=strict)
        assert err.error_type is ErrorType.BADLY_FORMED_MESSAGE
        incoming = err.incoming
        assert incoming is None or secret.read_text().strip() not in repr(incoming)


@pytest.mark.parametrize("strict", MODES)
def test_xxe_and_external_dtds_never_reach_the_network(strict: bool, listener: Any) -> None:
    port, connected = listener
    url = f"http://127.0.0.1:{port}/x"
    docs = [
        f'<!DOCTYPE r SYSTEM "{url}.dtd"><r/>',
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]><r>&x;</r>',
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]><r/>',
    ]
    for doc in docs:
        for data in encodings(doc):
            refused(data, strict=strict)
    assert not connected()


@pytest.mark.parametrize("strict", MODES)
def test_schema_location_and_xinclude_are_never_fetched(strict: bool, listener: Any) -> None:
    port, connected = listener
    url = f"http://127.0.0.1:{port}/x"
    located = RECEIVED.replace(b'ill:version="1.2"', b'ill:version="1.2" xmlns:xsi="http://www.w3.org/2001/'
                               b'XMLSchema-instance" xsi:schemaLocation="http://illtransactions.org/2013/iso18626 '
                               + url.encode() + b'.xsd"')
    assert iso18626.read(located, strict=strict).message == iso18626.parse(RECEIVED)  # our own schemas only
    include = RECEIVED.replace(b"<ill:action>", b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="'
                               + url.encode() + b'" parse="text"/><ill:action>')
    if strict:
        assert refused(include, strict=True).error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT
    else:
        extras = lenient(include).message.extras
        assert len(extras) == 1 and "xi:include" in extras[0]  # kept as text, not processed
    assert not connected()


# --- depth, attributes, size -----------------------------------------------------------------------------------

@pytest.mark.parametrize("strict", MODES)
def test_100k_deep_xml_is_refused_fast(strict: bool) -> None:
    refused(b"<a>" * DEEP + b"</a>" * DEEP, strict=strict, max_bytes=10 << 20)
    inside = RECEIVED.replace(b"<ill:action>", b"<ill:x>" * DEEP + b"</ill:x>" * DEEP + b"<ill:action>")
    err = refused(inside, strict=strict, max_bytes=10 << 20)
    assert err.error_type is ErrorType.BADLY_FORMED_MESSAGE


def nested_unknown(depth: int) -> bytes:
    return RECEIVED.replace(b"<ill:action>", b"<ill:x>" * depth + b"</ill:x>" * depth + b"<ill:action>")


@pytest.mark.parametrize("strict", MODES)
def test_depth_limit_default_and_configurable(strict: bool) -> None:
    # The message element is at depth 2, so nested_unknown(n) reaches depth 2 + n; the default limit is 32.
    err = refused(nested_unknown(31), strict=strict)
    assert "nested deeper than 32" in err.detail
    assert "nested deeper than 31" in refused(nested_unknown(30), strict=strict, max_depth=31).detail
    if not strict:
        assert lenient(nested_unknown(30)).message.extras  # within the default: read, and the unknown kept
        assert lenient(nested_unknown(40), max_depth=64).message.extras


@pytest.mark.parametrize("strict", MODES)
def test_attribute_count_limit_default_and_configurable(strict: bool) -> None:
    attrs17 = b" ".join(b'a%d="1"' % i for i in range(17))
    data = RECEIVED.replace(b"<ill:action>", b"<ill:action " + attrs17 + b">")
    err = refused(data, strict=strict)
    assert "more than 16 attributes" in err.detail
    if strict:
        assert "not allowed" in refused(data, strict=True, max_attributes=32).detail  # past the limit: the schema
    else:
        repairs = lenient(data, max_attributes=32).repairs
        assert sum(r.code == "unknown-attribute" for r in repairs) == 17  # reported, not silently dropped


@pytest.mark.parametrize("strict", MODES)
def test_body_size_limit_is_checked_before_parsing(strict: bool) -> None:
    assert iso18626.read(RECEIVED, strict=strict, max_bytes=len(RECEIVED)).message
    err = refused(RECEIVED, strict=strict, max_bytes=len(RECEIVED) - 1)
    assert "exceeds the limit" in err.detail
    # 64 MB of garbage: the length decides, nothing is parsed.
    err = refused(b"<" * (64 << 20), strict=strict)
    assert "exceeds the limit of 1048576" in err.detail


@pytest.mark.parametrize("strict", MODES)
@pytest.mark.parametrize("bad", [b"R\x00", b"R&#0;", b"R&#xD800;", b"R\xff\xfe", b"R\xed\xa0\x80"])
def test_invalid_characters_are_refused(strict: bool, bad: bytes) -> None:
    refused(RECEIVED.replace(b"R-1", bad), strict=strict)


def _lenient_read_many_unknown() -> None:
    body = RECEIVED.replace(b"<ill:action>", b"<ill:x/>" * 120_000 + b"<ill:action>")
    assert len(body) < iso18626.parse.__kwdefaults__["max_bytes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            iso18626.read(body, strict=False)
        except iso18626.ValidationError:
            pass


def test_a_default_size_body_full_of_unknown_elements_is_answered_within_a_second() -> None:
    # Run in a child process so that the current behaviour costs this test 3 s, not 16.
    proc = multiprocessing.get_context("fork").Process(target=_lenient_read_many_unknown)
    t0 = time.monotonic()
    proc.start()
    proc.join(3)
    elapsed = time.monotonic() - t0
    if proc.is_alive():
        proc.kill()
        proc.join()
    assert proc.exitcode == 0 and elapsed < 1 + FAST  # the second of the requirement, plus fork/exit slack


def many(n: int, element: bytes = b"<ill:x/>") -> bytes:
    return RECEIVED.replace(b"<ill:action>", element * n + b"<ill:action>")


ELEMENTS_IN_RECEIVED = 13  # envelope, message, header and its children, action


@pytest.mark.parametrize("strict", MODES)
def test_element_count_limit_default_and_configurable(strict: bool) -> None:
    at_default = many(10_000 - ELEMENTS_IN_RECEIVED)
    over_default = many(10_001 - ELEMENTS_IN_RECEIVED)
    assert "more than 10000 elements" in refused(over_default, strict=strict).detail
    assert refused(over_default, strict=strict).error_type is ErrorType.BADLY_FORMED_MESSAGE
    assert "more than 100 elements" in refused(many(100), strict=strict, max_elements=100).detail
    # A short document cannot hold more elements than a quarter of its octets: no count is needed, and none
    # is needed to refuse it either when the limit is that low.
    assert "more than 20 elements" in refused(many(10), strict=strict, max_elements=20).detail
    if not strict:
        assert len(lenient(at_default).message.extras) == 10_000 - ELEMENTS_IN_RECEIVED
        assert len(lenient(over_default, max_elements=10_001).message.extras) == 10_001 - ELEMENTS_IN_RECEIVED
    else:
        assert refused(at_default, strict=True).error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT


def test_element_count_limit_counts_in_any_encoding() -> None:
    body = many(10_001 - ELEMENTS_IN_RECEIVED).decode()
    utf16 = body.replace('<ill:ISO18626Message', '<?xml version="1.0" encoding="UTF-16"?><ill:ISO18626Message', 1)
    for data in (body, utf16.encode("utf-16")):
        assert "more than 10000 elements" in refused(data, strict=False).detail


@pytest.mark.parametrize("element", [b"<ill:x/>", b"<ill:action>Received</ill:action>"], ids=["unknown", "duplicate"])
def test_a_lenient_read_is_linear_in_kept_elements(element: bytes) -> None:
    # Scaling, not wall-clock: 8x the kept elements must cost about 8x the time. When extras were copied per element
    # (as they once were) 80k cost about 7 s against 0.2 s for 10k: over 30x. Best of three runs at each size, and a
    # limit twice the linear ratio, keep a loaded machine from deciding it; CPU time, so waiting for a core does not count.
    def best(n: int) -> float:
        data = many(n, element)
        times = []
        for _ in range(3):
            t0 = time.process_time()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = lenient(data, max_bytes=len(data), max_elements=n + 10_000)
            times.append(time.process_time() - t0)
        assert len(result.message.extras) == n  # the duplicates: all but the first action
        return min(times)

    assert best(80_000) / best(10_000) < 16


def test_the_largest_oclc_sample_is_far_below_the_element_limit() -> None:
    samples = Path("/work/shared/samples/iso18626/oclc")
    if not samples.is_dir():
        pytest.skip("OCLC samples not available")
    counts = [sum(1 for _ in etree.fromstring(f.read_bytes()).iter()) for f in samples.glob("*.xml")]
    assert counts and max(counts) * 10 < iso18626.parse.__kwdefaults__["max_elements"]


# --- nothing lost ------------------------------------------------------------------------------------------------

UNKNOWN_EVERYWHERE = RECEIVED.replace(
    b"<ill:multipleItemRequestId/>", b"<ill:multipleItemRequestId/><ill:hdrExtra>h &amp; 1</ill:hdrExtra>"
).replace(
    b"<ill:action>", b'<vendor:tracking xmlns:vendor="urn:vendor" vendor:id="7"><vendor:n>1</vendor:n>'
                     b"</vendor:tracking><ill:action>"
).replace(b"</ill:requestingAgencyMessage>", b"<ill:trailing><![CDATA[<kept>]]></ill:trailing>"
          b"</ill:requestingAgencyMessage>")


def test_strict_mode_refuses_unknown_elements_rather_than_dropping_them() -> None:
    assert refused(UNKNOWN_EVERYWHERE, strict=True).error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT


def test_lenient_mode_keeps_unknown_elements_and_re_emits_them() -> None:
    result = lenient(UNKNOWN_EVERYWHERE)
    msg = result.message
    assert [r.code for r in result.repairs].count("unknown-element") == 3
    assert any("hdrExtra" in e for e in msg.header.extras)
    assert any("<vendor:tracking" in e and "<vendor:n>1</vendor:n>" in e for e in msg.extras)
    assert any("trailing" in e for e in msg.extras)
    out = iso18626.serialize(msg, extras="emit")
    for name in (b">h &amp; 1</ill:hdrExtra>", b"<vendor:n>1</vendor:n>", b"&lt;kept&gt;"):
        assert name in out
    again = lenient(out).message
    assert again.extras == msg.extras and again.header.extras == msg.header.extras
    # Dropping them is possible, but only on request.
    assert b"vendor" not in iso18626.serialize(msg, extras="drop")


def test_attributes_of_kept_unknown_elements_are_kept_too() -> None:
    msg = lenient(UNKNOWN_EVERYWHERE).message
    assert b'vendor:id="7"' in iso18626.serialize(msg, extras="emit")
