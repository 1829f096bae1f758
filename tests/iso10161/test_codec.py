"""The default ISO 10161 codec on its own: round trips, error reporting, options. No external tools needed."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import APDUS, oids
from yaz import NEGATIVE, POSITIVE, UNUSUAL

import isoill
from isoill._ber import primitives as ber
from isoill._model.values import Arbitrary, External, OctetAligned, RawBER, SingleASN1Type
from isoill.convert import from_dict, from_json, to_dict, to_json
from isoill.extensions import APDUDeliveryInfo, APDUDeliveryParameters, APDUEncoding, IPIGILLRequestExtension
from isoill.extensions.ipig import CreditCard, PaymentMethod, ThisEditionOnly, UniformTitle, Visa

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def header(**extra: object) -> dict[str, object]:
    return {
        "transaction_id": isoill.TransactionId(transaction_group_qualifier="G", transaction_qualifier="Q1"),
        "service_date_time": isoill.ServiceDateTime(
            date_time_of_this_service=isoill.DateTime(date="20261122", time="101500")),
        **extra,
    }


@SETTINGS
@given(APDUS)
def test_every_apdu_round_trips(apdu: isoill.APDU) -> None:
    data = isoill.encode(apdu)
    assert isoill.decode(data) == apdu
    # the same holds with a minimal (short-form) outer length
    assert isoill.decode(isoill.Codec(outer_long_form=False).encode(apdu)) == apdu


@SETTINGS
@given(APDUS)
def test_every_apdu_round_trips_through_json(apdu: isoill.APDU) -> None:
    assert from_json(to_json(apdu)) == apdu
    assert from_dict(to_dict(apdu)) == apdu


@SETTINGS
@given(APDUS)
def test_encoding_is_definite_and_minimal_inside(apdu: isoill.APDU) -> None:
    data = isoill.Codec(outer_long_form=False).encode(apdu)
    # walk every TLV: no indefinite lengths, no long form where the short form fits
    stack = [(0, len(data))]
    while stack:
        i, end = stack.pop()
        while i < end:
            key, s, e = ber.header(data, i, end)
            assert e >= 0
            length_octets = s - i - (1 if key <= 0xFF else 2)
            assert length_octets == len(ber.length(e - s))
            if data[i] & 0x20:
                stack.append((s, e))
            i = e


def test_outer_length_is_long_form_by_default() -> None:
    apdu = isoill.Message(**header(note="hi"))  # type: ignore[arg-type]
    data = isoill.encode(apdu)
    assert data[0] == 0x71 and data[1] == 0x81 and data[2] == len(data) - 3
    assert isoill.Codec(outer_long_form=False).encode(apdu)[1] == len(data) - 3


def test_default_components_are_always_encoded() -> None:
    # YAZ rejects an ILL-Request whose transaction-type, place-on-hold, retry-flag or forward-flag is absent
    req = isoill.ILLRequest(**header(  # type: ignore[arg-type]
        ill_service_type=(isoill.ILLServiceType.LOAN,),
        requester_optional_messages=isoill.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True,
            requester_shipped=isoill.MessageRequirement.REQUIRES,
            requester_checked_in=isoill.MessageRequirement.NEITHER),
        item_id=isoill.ItemId(title="Title")))
    data = isoill.encode(req)
    for tlv in (b"\x85\x01\x01", b"\x8e\x01\x03", b"\x95\x01\x00", b"\x96\x01\x00"):
        assert tlv in data


@pytest.mark.parametrize("path", POSITIVE + UNUSUAL, ids=lambda p: p.stem)
def test_every_truncation_of_a_vector_is_a_decode_error(path: object) -> None:
    data = path.read_bytes()  # type: ignore[attr-defined]
    for cut in range(len(data)):
        with pytest.raises(isoill.DecodeError):
            isoill.decode(data[:cut])


@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_mutated_vectors_give_a_value_or_a_decode_error(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(POSITIVE + NEGATIVE + UNUSUAL))
    octets = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        if not octets:
            break
        i = data.draw(st.integers(0, len(octets) - 1))
        octets[i] = data.draw(st.integers(0, 255))
    try:
        apdu = isoill.decode(bytes(octets))
    except isoill.DecodeError as err:
        assert err.offset is None or 0 <= err.offset <= len(octets)
        return
    # whatever decodes must encode again (relayed as it came: no value check) and decode to the same value
    assert isoill.decode(isoill.encode(apdu, check=False)) == apdu


def test_trailing_octets_after_the_apdu_are_refused() -> None:
    data = isoill.encode(isoill.Expired(**header()))  # type: ignore[arg-type]
    with pytest.raises(isoill.DecodeError, match="octets after the end of the APDU") as info:
        isoill.decode(data + b"\x00")
    assert info.value.offset == len(data)


def test_size_limit_is_checked_before_decoding() -> None:
    data = isoill.encode(isoill.Expired(**header()))  # type: ignore[arg-type]
    with pytest.raises(isoill.DecodeError, match="exceeds the limit"):
        isoill.Codec(max_apdu_size=len(data) - 1).decode(data)


def test_a_claimed_length_beyond_the_data_is_refused_without_allocating() -> None:
    with pytest.raises(isoill.DecodeError, match="runs past the end"):
        isoill.decode(b"\x61\x84\x7f\xff\xff\xff\x30\x00")


def test_charset_option_decodes_latin1_general_strings() -> None:
    apdu = isoill.Message(**header(note="Gödel"))  # type: ignore[arg-type]
    latin = isoill.Codec(charset="latin-1")
    data = latin.encode(apdu)
    assert "Gödel".encode("latin-1") in data
    assert latin.decode(data) == apdu
    with pytest.raises(isoill.DecodeError, match="not valid utf-8") as info:
        isoill.decode(data)
    assert info.value.path == ["Message", "note"]


def test_edifact_strings_are_kept_and_checked_when_asked() -> None:
    lax = isoill.Message(**header(note=isoill.EDIFACTString("ill@example.org")))  # type: ignore[arg-type]
    assert isoill.decode(isoill.encode(lax)) == lax
    assert isoill.encode(lax).count(b"\x1a") >= 1
    with pytest.raises(isoill.EncodeError, match="outside the EDIFACT set"):
        isoill.Codec(strict_edifact=True).encode(lax)
    ok = isoill.Message(**header(note=isoill.EDIFACTString("PLEASE SHIP (URGENT)")))  # type: ignore[arg-type]
    assert isoill.Codec(strict_edifact=True).encode(ok) == isoill.encode(ok)
    with pytest.raises(ValueError):
        isoill.EDIFACTString("Gödel")


def test_encode_errors_name_the_field() -> None:
    bad = isoill.Message(**header(note=42))  # type: ignore[arg-type]
    with pytest.raises(isoill.EncodeError) as info:
        isoill.encode(bad)
    assert info.value.path == ["Message", "note"]
    wrong_enum = isoill.StatusOrErrorReport(**header(reason_no_report=7))  # type: ignore[arg-type]
    with pytest.raises(isoill.EncodeError, match="ReasonNoReport") as info:
        isoill.encode(wrong_enum)
    assert info.value.path == ["Status-Or-Error-Report", "reason-no-report"]
    with pytest.raises(isoill.EncodeError, match="not an ISO 10161 APDU"):
        isoill.encode(isoill.SystemId())  # type: ignore[arg-type]


def test_registered_extensions_decode_to_typed_values_and_unknown_ones_stay_raw() -> None:
    adi = APDUDeliveryInfo(
        sender_info=(APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=isoill.SystemAddress(
            telecom_service_identifier="TCP/IP", telecom_service_address="ill.example.org:1611")),),
        recipient_info=())
    ipig = IPIGILLRequestExtension((UniformTitle("Hamlet"), ThisEditionOnly(), PaymentMethod((CreditCard(
        type=Visa(), card_number="4111", expiry_date="2812", name_on_card="A. Reader"),))))
    unknown = External.of("1.2.3.4.5", RawBER(b"\x30\x80\x04\x01x\x00\x00"))  # indefinite inside: kept exactly
    exts = tuple(isoill.Extension(item=x) for x in (External.of("1.0.10161.13.3", adi),
                                                     External.of("1.0.10161.13.9", ipig), unknown))
    apdu = isoill.Cancel(**header(cancel_extensions=exts))  # type: ignore[arg-type]
    data = isoill.encode(apdu)
    assert b"\x30\x80\x04\x01x\x00\x00" in data
    back = isoill.decode(data)
    assert back == apdu
    assert [type(e.item.value).__name__ for e in back.extensions] == [
        "APDUDeliveryInfo", "IPIGILLRequestExtension", "RawBER"]


def test_a_registered_oid_with_content_of_another_shape_is_kept_raw() -> None:
    odd = External.of("1.0.10161.13.3", RawBER(b"\x04\x03abc"))
    apdu = isoill.Lost(**header(lost_extensions=(isoill.Extension(critical=True, item=odd),)))  # type: ignore[arg-type]
    assert isoill.decode(isoill.encode(apdu)) == apdu


def test_non_external_extension_items_and_other_external_encodings_round_trip() -> None:
    items = (RawBER(b"\x02\x01\x05"),
             External(direct_reference="1.2.3", data_value_descriptor="desc", encoding=OctetAligned(b"abc")),
             External(indirect_reference=7, encoding=Arbitrary(b"\x03\xf8")),
             External(direct_reference="2.999.4294967296", encoding=SingleASN1Type(RawBER(b"\x05\x00"))))
    apdu = isoill.Recall(**header(recall_extensions=tuple(  # type: ignore[arg-type]
        isoill.Extension(identifier=n, item=x) for n, x in enumerate(items, 1))))
    assert isoill.decode(isoill.encode(apdu)) == apdu


@given(oids())
def test_object_identifiers_round_trip(oid: str) -> None:
    assert ber.decode_oid(ber.encode_oid(oid), 0, len(ber.encode_oid(oid))) == oid


@given(st.integers(-(2**80), 2**80))
def test_integers_are_minimal_twos_complement(n: int) -> None:
    octets = ber.encode_int(n)
    assert ber.decode_int(octets, 0, len(octets)) == n
    if len(octets) > 1:  # X.690 8.3.2: the first nine bits are never all equal
        assert not (octets[0] == 0 and octets[1] < 0x80) and not (octets[0] == 0xFF and octets[1] >= 0x80)


def test_indefinite_and_definite_lengths_mix_freely() -> None:
    # the same Message with every constructed length indefinite
    note = b"\xbf\x2e\x80\x1b\x02hi\x00\x00"
    tid = b"\xa1\x80\xa1\x80\x1b\x01G\x00\x00\xa2\x05\x1b\x03Q-1\x00\x00"
    sdt = b"\xa2\x80\xa0\x80\x80\x0820261122\x00\x00\x00\x00"
    data = b"\x71\x80\x30\x80\x80\x01\x02" + tid + sdt + note + b"\x00\x00\x00\x00"
    apdu = isoill.decode(data)
    assert isinstance(apdu, isoill.Message) and apdu.note == "hi"
    assert apdu.transaction_id.transaction_qualifier == "Q-1"


def test_constraints_are_reported_with_their_path() -> None:
    from isoill.constraints import check, validate

    good = isoill.Shipped(**header(  # type: ignore[arg-type]
        shipped_service_type=isoill.ILLServiceType.LOAN,
        supply_details=isoill.SupplyDetails(chargeable_units=3, cost=isoill.Amount(currency_code="EUR",
                                                                                    monetary_value="12.50"))))
    assert validate(good) == []
    check(good)
    bad = isoill.Shipped(**header(  # type: ignore[arg-type]
        shipped_service_type=isoill.ILLServiceType.LOCATIONS,
        supply_details=isoill.SupplyDetails(chargeable_units=0, cost=isoill.Amount(currency_code="EURO",
                                                                                   monetary_value="12,50 EUR")),
        responder_note=isoill.EDIFACTString("see ill@example.org")))
    found = {v.path: v for v in validate(bad)}
    assert set(found) == {
        ("shipped-service-type",), ("supply-details", "chargeable-units"), ("supply-details", "cost", "currency-code"),
        ("supply-details", "cost", "monetary-value"), ("responder-note",)}
    with pytest.raises(isoill.EncodeError, match="and 4 more") as info:
        check(bad)
    assert info.value.path == ["shipped-service-type"]
    # the encoder refuses it by default, naming the APDU and the path (EDIFACT conformance is the codec's
    # strict_edifact option, not part of this check) ...
    with pytest.raises(isoill.EncodeError, match="and 3 more") as info:
        isoill.encode(bad)
    assert info.value.path == ["Shipped", "shipped-service-type"]
    # ... and relays such a value unchanged when told not to check
    assert isoill.decode(isoill.encode(bad, check=False)) == bad


def _header_outcome(fn: object, b: bytes, i: int, stop: int) -> object:
    try:
        return fn(b, i, stop)  # type: ignore[operator]
    except isoill.DecodeError as x:
        return ("error", str(x), x.offset)


@settings(max_examples=3000)
@given(st.binary(min_size=0, max_size=8).flatmap(
    lambda b: st.tuples(st.just(b), st.integers(0, len(b)), st.integers(0, len(b)))),
    st.sampled_from([b"", b"\xbf", b"\x81", b"\x82", b"\x80", b"\xa3\x81", b"\x30\x82\x00", b"\xbf\x31"]))
def test_header_shortcuts_agree_with_the_general_path(case: tuple[bytes, int, int], prefix: bytes) -> None:
    # ber.header answers the common long/indefinite/two-octet-tag forms before its general path; both must give
    # the same result, or the same error at the same offset, for any octets and bounds.
    data, i, stop = case
    data = prefix + data
    stop += len(prefix)
    assert _header_outcome(ber.header, data, i, stop) == _header_outcome(ber.header_general, data, i, stop)


def _model_objects(value: object) -> list[object]:
    found = [value]
    if attrs.has(type(value)):
        for f in attrs.fields(type(value)):
            found += _model_objects(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            found += _model_objects(item)
    return found


@pytest.mark.parametrize("path", POSITIVE, ids=lambda p: p.stem)
def test_decoded_objects_are_ordinary_instances_of_the_model_classes(path: object) -> None:
    # The decoders build objects through a private mutable twin class and then assign __class__; nothing of
    # the twin may show: every object's class is the public, frozen one.
    apdu = isoill.decode(path.read_bytes())  # type: ignore[attr-defined]
    for obj in _model_objects(apdu):
        assert not type(obj).__name__.startswith("_Building"), type(obj)
        if attrs.has(type(obj)) and attrs.fields(type(obj)):
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                obj.__setattr__(attrs.fields(type(obj))[0].name, None)


@given(st.integers(0, 2**40))
def test_long_lengths_are_minimal(n: int) -> None:
    octets = ber.long_length(n)
    assert octets[0] == 0x80 | (len(octets) - 1) and int.from_bytes(octets[1:], "big") == n
    assert len(octets) - 1 == max(1, (n.bit_length() + 7) // 8)


@given(st.integers(0, 70000))
def test_long_lengths_read_back(n: int) -> None:
    data = b"\x04" + ber.long_length(n) + bytes(n)
    assert ber.header(data, 0, len(data)) == (0x04, len(data) - n, len(data))


@given(oids())
def test_the_oid_encode_cache_gives_the_octets_of_the_general_encoder(oid: str) -> None:
    assert ber.encode_oid_cached(oid) == ber.encode_oid(oid)
    assert ber.encode_oid_cached(oid) == ber.encode_oid(oid)  # now possibly from the cache
    assert len(ber.OID_OCTETS_CACHE) <= ber.OID_CACHE_SIZE
