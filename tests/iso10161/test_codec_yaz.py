"""The default codec against YAZ: every YAZ-made vector survives decode -> encode with YAZ's rendering intact,
YAZ accepts what we write, and what YAZ rejects we reject with DecodeError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import APDUS
from yaz import NEGATIVE, POSITIVE, UNUSUAL, accepts, render, run

import isoill


def _id(p: Path) -> str:
    return p.stem


@pytest.mark.parametrize("path", POSITIVE, ids=_id)
def test_vector_round_trip_is_lossless(path: Path) -> None:
    data = path.read_bytes()
    apdu = isoill.decode(data)
    again = isoill.encode(apdu)
    assert isoill.decode(again) == apdu
    # A definite-length re-encoding is stable: encoding it again gives the same octets.
    assert isoill.encode(isoill.decode(again)) == again


@pytest.mark.parametrize("path", POSITIVE, ids=_id)
def test_yaz_renders_our_reencoding_exactly_as_the_original(path: Path, yaz_oracle: Path) -> None:
    data = path.read_bytes()
    ours = isoill.encode(isoill.decode(data))
    assert render(yaz_oracle, ours) == render(yaz_oracle, data)


@pytest.mark.parametrize("path", NEGATIVE, ids=_id)
def test_malformed_vectors_raise_decode_error(path: Path) -> None:
    with pytest.raises(isoill.DecodeError) as info:
        isoill.decode(path.read_bytes())
    err = info.value
    assert err.offset is not None and 0 <= err.offset <= len(path.read_bytes())
    assert str(err)  # a readable reason


def test_malformed_vector_errors_say_where() -> None:
    def err(name: str) -> isoill.DecodeError:
        with pytest.raises(isoill.DecodeError) as info:
            isoill.decode((POSITIVE[0].parent / "negative" / f"{name}.ber").read_bytes())
        return info.value

    assert err("request-missing-item-id").path == ["ILL-Request", "item-id"]
    assert "missing mandatory component item-id" in err("request-missing-item-id").reason
    assert err("utf8string-note").path[-1] == "note"
    assert "GeneralString" in err("utf8string-note").reason
    assert "APPLICATION 21" in err("unknown-application-21").reason
    assert "implicitly tagged" in err("implicit-application-tag").reason
    assert err("bytes-left-in-date-due").path[:2] == ["Overdue", "date-due"]


@pytest.mark.parametrize("path", UNUSUAL, ids=_id)
def test_unusual_but_legal_input_decodes_and_yaz_accepts_our_reencoding(path: Path, yaz_oracle: Path) -> None:
    apdu = isoill.decode(path.read_bytes())
    ok, why = accepts(yaz_oracle, isoill.encode(apdu))
    assert ok, why


def test_absent_defaults_decode_as_their_default_values() -> None:
    apdu = isoill.decode((POSITIVE[0].parent / "unusual" / "request-defaults-absent.ber").read_bytes())
    assert isinstance(apdu, isoill.ILLRequest)
    assert apdu.transaction_type is isoill.TransactionType.SIMPLE
    assert apdu.place_on_hold is isoill.PlaceOnHoldType.ACCORDING_TO_RESPONDER_POLICY
    assert apdu.retry_flag is False and apdu.forward_flag is False


def test_damaged_details_51_decodes_to_the_same_model_as_5() -> None:
    tagged_51 = isoill.decode((POSITIVE[0].parent / "unusual" / "damaged-details-51.ber").read_bytes())
    tagged_5 = isoill.decode((POSITIVE[0].parent / "damaged.ber").read_bytes())
    assert isinstance(tagged_51, isoill.Damaged) and tagged_51.damaged_details is not None
    assert tagged_51 == tagged_5
    # and the codec can write the NLC reading when a partner wants it
    nlc = isoill.Codec(damaged_details_tag=51).encode(tagged_5)
    assert isoill.decode(nlc) == tagged_5 and nlc != isoill.encode(tagged_5)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(apdus=st.lists(APDUS, min_size=1, max_size=8))
def test_yaz_accepts_random_apdus_we_encode(apdus: list[isoill.APDU], yaz_oracle: Path) -> None:
    # Back to back in one stream: YAZ decodes every one (it rejects, e.g., absent DEFAULT components).
    stream = b"".join(isoill.encode(a) for a in apdus)
    out = run(yaz_oracle, "decode", "-", data=stream)
    assert out.returncode == 0, out.stdout.decode("latin-1")[-500:]
    assert out.stdout.decode("latin-1").count(" OK ") == len(apdus)


_ARG_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=400).filter(
    lambda s: s.strip() == s and "=" not in s and "," not in s)


@settings(max_examples=25, deadline=None)
@given(title=_ARG_TEXT, note=_ARG_TEXT)
def test_fresh_yaz_encodings_with_random_unicode_and_long_strings(title: str, note: str, yaz_oracle: Path) -> None:
    out = run(yaz_oracle, "encode", "-D", f"title={title}", "-D", f"note={note}", "request")
    assert out.returncode == 0, out.stderr
    apdu = isoill.decode(out.stdout)
    assert isinstance(apdu, isoill.ILLRequest)
    assert apdu.item_id.title == title
    assert apdu.requester_note == note
    assert render(yaz_oracle, isoill.encode(apdu)) == render(yaz_oracle, out.stdout)


def test_outer_length_never_makes_four_printable_leading_octets() -> None:
    # YAZ peers take 4 printable leading octets for HTTP; the default codec always writes a long-form outer length.
    printable = set(range(0x20, 0x7F))
    for path in POSITIVE:
        head = isoill.encode(isoill.decode(path.read_bytes()))[:4]
        assert not set(head) <= printable, path.name
