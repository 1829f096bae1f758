"""The writer: what each version cannot express raises SerializeError with a path; output details."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from iso18626_strategies import message
from test_iso18626_lenient import RAM, REQUEST, SAM

import iso18626
from iso18626 import SchemeValue
from iso18626.convert import from_dict, to_dict

ram: Any = iso18626.parse(RAM.encode())
sam: Any = iso18626.parse(SAM.encode())
req: Any = iso18626.parse(REQUEST.encode())


def _refused(msg: Any, version: str, path_part: str) -> None:
    with pytest.raises(iso18626.SerializeError) as info:
        iso18626.serialize(msg, version=version)
    assert isinstance(info.value, ValueError) and isinstance(info.value, iso18626.ISO18626Error)
    assert path_part in info.value.path or path_part in str(info.value), info.value


def test_2021_codes_cannot_be_written_as_v12() -> None:
    hold = attrs.evolve(ram, action=iso18626.Action.HOLD_RETURN)
    _refused(hold, "1.2", "/ISO18626Message/requestingAgencyMessage/action")
    assert iso18626.parse(iso18626.serialize(hold, version="2021")) == hold
    lost = attrs.evolve(sam, status_info=attrs.evolve(sam.status_info, status=iso18626.Status.RELEASE_HOLD_RETURN))
    _refused(lost, "1.2", "/statusInfo/status")


def test_v12_only_values_cannot_be_written_as_2021() -> None:
    region = iso18626.PhysicalAddress(region=SchemeValue("CA-QC", "urn:iso:3166-2"))
    msg = attrs.evolve(req, billing_info=iso18626.BillingInfo(address=region),
                       service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN))
    _refused(msg, "2021", "/billingInfo/address")
    _refused(req, "2021", "serviceInfo")  # 2021 requires serviceInfo
    sam_auth = attrs.evolve(sam, header=attrs.evolve(
        sam.header, requesting_agency_authentication=iso18626.RequestingAgencyAuthentication(account_id="a")))
    _refused(sam_auth, "2021", "requesting_agency_authentication")


def test_2021_values_cannot_be_written_as_v12() -> None:
    _refused(attrs.evolve(req, bibliographic_info=attrs.evolve(req.bibliographic_info, volume=("1", "2"))),
             "1.2", "volume")
    _refused(attrs.evolve(req, bibliographic_info=attrs.evolve(req.bibliographic_info, author_id="isni")),
             "1.2", "author_id")
    _refused(attrs.evolve(sam, retry_info=iso18626.RetryInfo(edition=("2nd",))), "1.2", "edition")
    _refused(attrs.evolve(sam, shipping_info=iso18626.ShippingInfo(tracking_id=("T",))), "1.2", "shipping_info")
    _refused(attrs.evolve(req, header=attrs.evolve(req.header, supplying_agency_id=None)), "1.2",
             "supplyingAgencyId")
    neg = attrs.evolve(req, supplier_info=(iso18626.SupplierInfo(sort_order=-1),),
                       service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN))
    _refused(neg, "2021", "sortOrder")
    assert b"<ill:sortOrder>-1</ill:sortOrder>" in iso18626.serialize(neg)


def test_v12_retry_values_travel_in_message_info() -> None:
    when = datetime(2024, 7, 1, tzinfo=timezone.utc)
    costs = iso18626.Costs(currency_code=SchemeValue("EUR"), monetary_value=__import__("decimal").Decimal("1.50"))
    msg = attrs.evolve(sam, retry_info=iso18626.RetryInfo(offered_costs=(costs,), retry_after=when))
    out = iso18626.serialize(msg)
    assert b"<ill:messageInfo><ill:reasonForMessage>StatusChange</ill:reasonForMessage><ill:offeredCosts>" in out
    assert iso18626.parse(out) == msg
    assert b"<ill:retryInfo><ill:offeredCosts>" in iso18626.serialize(msg, version="2021")
    assert iso18626.parse(iso18626.serialize(msg, version="2021")) == msg


def test_output_form() -> None:
    stamp = datetime(2024, 5, 6, 9, 8, 9, 120000, tzinfo=timezone(timedelta(hours=2)))
    msg = attrs.evolve(ram, header=attrs.evolve(ram.header, timestamp=stamp), note="a<b & \r c")
    out = iso18626.serialize(msg)
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<ill:ISO18626Message xmlns:ill="')
    assert b'ill:version="1.2"' in out and b'ill:scheme="http://x.org/a"' in out
    assert b"<ill:timestamp>2024-05-06T07:08:09.12Z</ill:timestamp>" in out
    assert b"<ill:multipleItemRequestId/>" in out
    assert b"a&lt;b &amp; &#13; c" in out
    assert iso18626.parse(out).note == "a<b & \r c"
    assert b'ill:version="2021-2"' in iso18626.serialize(msg, version="2021")
    assert not iso18626.serialize(msg, xml_declaration=False).startswith(b"<?xml")


def test_bad_input_to_serialize() -> None:
    _refused(attrs.evolve(ram, note="bell \x07"), "1.2", "U+0007")
    with pytest.raises(iso18626.SerializeError, match="unknown ISO 18626 version"):
        iso18626.serialize(ram, version="3.0")
    with pytest.raises(TypeError):
        iso18626.serialize(ram.header)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message("2021", "request") | message("1.2", "supplyingAgencyMessage"))
def test_dict_round_trip(msg: Any) -> None:
    assert from_dict(to_dict(msg), type(msg)) == msg
