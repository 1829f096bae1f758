"""The generated BER codec as code: its source shows in tracebacks, it is generated lazily per APDU and
direction, and it can be read back whole."""

from __future__ import annotations

import linecache
import traceback
from pathlib import Path

import isoill
from illcore.codegen import generated_sources
from isoill._ber.codec import generated, generated_source
from isoill._ber.emit import CodecOptions, function_name

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
REQUEST = (VECTORS / "request.ber").read_bytes()


def test_a_decode_error_inside_generated_code_shows_the_generated_line() -> None:
    at = REQUEST.find(bytes.fromhex("850101"))  # transaction-type [5] IMPLICIT ENUMERATED 1
    assert at > 0
    bad = REQUEST[:at + 2] + b"\x63" + REQUEST[at + 3:]  # 99 is no Transaction-Type
    try:
        isoill.decode(bad)
    except isoill.DecodeError as exc:
        err = exc
    else:
        raise AssertionError("decoded a transaction-type of 99")
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith("<generated BER decoder")]
    assert frames, "no generated frame in the traceback"
    last = frames[-1]
    assert last.line and "is not a TransactionType" in last.line  # the generated source line, shown
    source = generated_sources()[last.filename]
    assert last.lineno is not None
    assert source.splitlines()[last.lineno - 1].strip() == last.line.strip()
    assert linecache.getline(last.filename, last.lineno).strip() == last.line.strip()  # what pdb shows too
    assert "is not a TransactionType" in "".join(traceback.format_exception(err))


def test_generation_is_lazy_per_apdu_and_direction() -> None:
    options = CodecOptions(charset="latin-1")  # a set of options no other test uses: a fresh generator
    codec = isoill.Codec(charset="latin-1")
    gen = generated(options)
    request = codec.decode(REQUEST)
    assert function_name("d", isoill.ILLRequest) in gen.ns
    assert function_name("e", isoill.ILLRequest) not in gen.ns  # nothing encoded yet
    assert function_name("d", isoill.Shipped) not in gen.ns  # nor another APDU decoded
    assert codec.decode(codec.encode(request)) == request
    assert function_name("e", isoill.ILLRequest) in gen.ns


def test_the_whole_generated_source_can_be_read_back() -> None:
    source = generated_source()
    for cls in isoill.APDU_CLASSES:
        assert f"def {function_name('d', cls)}(b, i, end, stop):" in source
        assert f"def {function_name('e', cls)}(v):" in source
    assert "def _explicit_ill_string(b, s, e, stop):" in source
