"""Encode-time value checks (isoill.constraints): on by default, an opt-out, EncodeError with the path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from strategies import APDUS

import isoill
from isoill import constraints
from isoill._model import types as T
from isoill._model.values import External, RawBER
from isoill.extensions import delivery_info, references


def _message(**fields: Any) -> isoill.Message:
    base: dict[str, Any] = {
        "transaction_id": T.TransactionId(transaction_group_qualifier="g", transaction_qualifier="q"),
        "service_date_time": T.ServiceDateTime(date_time_of_this_service=T.DateTime(date="20250601",
                                                                                   time="120000")),
        "note": "n",
    }
    base.update(fields)
    return isoill.Message(**base)


def _with_date(date: str, time: str | None = "120000") -> isoill.Message:
    return _message(service_date_time=T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=date, time=time)))


def _refused(apdu: Any) -> isoill.EncodeError:
    with pytest.raises(isoill.EncodeError) as info:
        isoill.encode(apdu)
    isoill.decode(isoill.encode(apdu, check=False))  # the opt-out writes it
    assert not constraints.conforms(apdu)
    return info.value


def test_good_message_encodes_and_conforms() -> None:
    apdu = _message()
    assert isoill.decode(isoill.encode(apdu)) == apdu
    assert constraints.conforms(apdu) and constraints.validate(apdu) == []


@pytest.mark.parametrize("date", ["2025-06-01", "2025061", "20251301", "20250600", "2025060a"])
def test_iso_date_form(date: str) -> None:
    err = _refused(_with_date(date))
    assert err.path == ["Message", "service-date-time", "date-time-of-this-service", "date"]
    assert "ISO-Date (YYYYMMDD)" in str(err) and repr(date) in str(err)


def test_non_ascii_digits_are_no_iso_date() -> None:
    with pytest.raises(isoill.EncodeError, match="ISO-Date"):
        isoill.encode(_with_date("２０２５０６０１"))


@pytest.mark.parametrize("time", ["12:00:00", "1200", "240000", "126000"])
def test_iso_time_form(time: str) -> None:
    err = _refused(_with_date("20250601", time))
    assert err.path == ["Message", "service-date-time", "date-time-of-this-service", "time"]
    assert "ISO-Time (HHMMSS)" in str(err)


def test_leap_second_and_edges_pass() -> None:
    isoill.encode(_with_date("99991231", "235960"))


def test_size_constraint_deep_in_the_tree() -> None:
    apdu = isoill.Shipped(**{**_fields(), "shipped_service_type": isoill.ILLServiceType.LOAN,
                             "supply_details": T.SupplyDetails(cost=T.Amount(currency_code="EURO",
                                                                             monetary_value="1"))})
    err = _refused(apdu)
    assert err.path == ["Shipped", "supply-details", "cost", "currency-code"] and "SIZE (3)" in str(err)


def _fields() -> dict[str, Any]:
    return {"transaction_id": T.TransactionId(transaction_group_qualifier="g", transaction_qualifier="q"),
            "service_date_time": T.ServiceDateTime(date_time_of_this_service=T.DateTime(date="20250601"))}


def _delivery_info() -> delivery_info.APDUDeliveryInfo:
    params = delivery_info.APDUDeliveryParameters(
        encoding=(delivery_info.APDUEncoding.BER,),
        transport=T.SystemAddress(telecom_service_identifier="TCP", telecom_service_address="h:1611"))
    return delivery_info.APDUDeliveryInfo(sender_info=(params,), recipient_info=(params,))


def test_extension_oid_must_name_the_value_type() -> None:
    wrong = External.of(references.SUPPLIERS_REFERENCE_OID, _delivery_info())  # APDU-Delivery-Info's value
    err = _refused(_message(message_extensions=(T.Extension(item=wrong),)))
    assert err.path[-1] == "direct-reference" and err.path[0] == "Message"
    assert "1.0.10161.13.7 names Suppliers-Reference" in str(err) and delivery_info.OID in str(err)


def test_extension_with_unregistered_oid_and_typed_value() -> None:
    err = _refused(_message(message_extensions=(T.Extension(item=External.of("1.2.3.4", _delivery_info())),)))
    assert "OID 1.2.3.4 is not registered" in str(err)


def test_matching_and_raw_extensions_pass() -> None:
    good = External.of(delivery_info.OID, _delivery_info())
    raw = External.of("1.2.3.4", RawBER(b"\x04\x01x"))
    apdu = _message(message_extensions=(T.Extension(item=good), T.Extension(item=raw)))
    assert isoill.decode(isoill.encode(apdu)) == apdu


def test_constraint_inside_an_extension_value() -> None:
    params = delivery_info.APDUDeliveryParameters(encoding=(), transport=T.SystemAddress())
    info = delivery_info.APDUDeliveryInfo(sender_info=(params,), recipient_info=(params,))
    err = _refused(_message(message_extensions=(T.Extension(item=External.of(delivery_info.OID, info)),)))
    assert "SEQUENCE SIZE (1..3)" in str(err)


def test_codec_level_opt_out() -> None:
    codec = isoill.Codec(check=False)
    bad = _with_date("2025-06-01")
    assert codec.decode(codec.encode(bad)) == bad
    with pytest.raises(isoill.EncodeError):
        codec.encode(bad, check=True)


@settings(max_examples=150, deadline=None)
@given(APDUS)
def test_generated_apdus_conform_and_both_passes_agree(apdu: Any) -> None:
    # the strategies keep to the module's constraints, so every drawn APDU encodes with the check on
    assert constraints.validate(apdu, edifact=False) == []
    assert constraints.conforms(apdu)
    assert isoill.decode(isoill.encode(apdu)) == apdu
