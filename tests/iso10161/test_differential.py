"""Differential tests: the fast default codec against the pyasn1 reference codec (isoill.reference).

For every APDU type, hypothesis values (tests/strategies.py) must encode to the same octets through both, and
each codec must read the other's octets back to an equal model. Every committed positive YAZ vector must read
to equal models through both.

pyasn1 enforces the module's subtype constraints (SIZE, value ranges, the AmountString alphabet,
Shipped-Service-Type's two values), which the default codec deliberately does not check. The generic
strategies ignore those constraints, so the values drawn here are brought inside them first (`_within`);
the difference itself is pinned down by test_reference_refuses_what_the_module_forbids.

The typed values of the extensions asn1spec also describes (13.2, 13.3, 13.9) go through pyasn1 on both
paths, so those are compared too; the other registered extensions are opaque to the reference codec.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import model

import isoill
from isoill import reference
from isoill._model import types as T
from isoill._model.enums import ILLServiceType
from isoill.extensions import APDUDeliveryParameters, APDUEncoding

HERE = Path(__file__).resolve().parent.parent / "vectors" / "iso10161"
POSITIVE = sorted(p.name for p in HERE.glob("*.ber"))
FAST = isoill.Codec(outer_long_form=False)

_SHIPPED_SERVICE = st.sampled_from([ILLServiceType.LOAN, ILLServiceType.COPY_NON_RETURNABLE])
_UNITS = st.integers(1, 9999)

# (model class, attribute) -> strategy for a value inside the ASN.1 constraint; used where the drawn value is
# present (an absent OPTIONAL stays absent).
CONSTRAINED: dict[tuple[type, str], st.SearchStrategy[Any]] = {
    (isoill.ILLRequest, "ill_service_type"): st.lists(st.sampled_from(list(ILLServiceType)), min_size=1,
                                                      max_size=5).map(tuple),
    (isoill.ILLRequest, "supply_medium_info_type"): st.lists(model(T.SupplyMediumInfoType), min_size=1,
                                                             max_size=7).map(tuple),
    (T.Amount, "currency_code"): st.text(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=3, max_size=3),
    (T.Amount, "monetary_value"): st.text(st.sampled_from("1234567890 .,"), min_size=1, max_size=10),
    (T.SupplyDetails, "chargeable_units"): _UNITS,
    (T.UnitsPerMediumType, "no_of_units"): _UNITS,
    (isoill.Shipped, "shipped_service_type"): _SHIPPED_SERVICE,
    (isoill.Received, "shipped_service_type"): _SHIPPED_SERVICE,
    (T.HistoryReport, "shipped_service_type"): _SHIPPED_SERVICE,
    (APDUDeliveryParameters, "encoding"): st.lists(st.sampled_from(list(APDUEncoding)), min_size=1,
                                                   max_size=3).map(tuple),
}


def _within(draw: st.DrawFn, value: Any) -> Any:
    """`value` with every constrained component redrawn inside its constraint (a generic walk of the model)."""
    if isinstance(value, tuple):
        return tuple(_within(draw, v) for v in value)
    if not attrs.has(type(value)):
        return value
    changes = {}
    for a in attrs.fields(type(value)):
        old = getattr(value, a.name)
        if old is None:
            continue
        strategy = CONSTRAINED.get((type(value), a.name))
        new = draw(strategy) if strategy is not None else _within(draw, old)
        if new is not old:
            changes[a.name] = new
    return attrs.evolve(value, **changes) if changes else value


@st.composite
def valid(draw: st.DrawFn, cls: type) -> Any:
    return _within(draw, draw(model(cls)))


DIFFERENTIAL = settings(max_examples=40, deadline=None, database=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("cls", isoill.APDU_CLASSES, ids=lambda c: c.__name__)
def test_both_codecs_agree(cls: type) -> None:
    @DIFFERENTIAL
    @given(valid(cls))
    def check(apdu: Any) -> None:
        octets = FAST.encode(apdu)
        assert reference.encode(apdu) == octets
        assert reference.decode(isoill.encode(apdu)) == apdu  # the YAZ-style long outer length too
        assert reference.decode(octets) == apdu
        assert isoill.decode(reference.encode(apdu)) == apdu

    check()


@pytest.mark.parametrize("name", POSITIVE)
def test_yaz_vectors_read_alike(name: str) -> None:
    data = (HERE / name).read_bytes()
    fast = isoill.decode(data)
    assert reference.decode(data) == fast
    assert reference.encode(fast) == FAST.encode(fast)


# Legal but unusual encodings (indefinite and long-form lengths, BOOLEAN FF, absent DEFAULTs).
UNUSUAL = sorted(p.name for p in (HERE / "unusual").glob("*.ber") if p.name != "damaged-details-51.ber")
NEGATIVE = sorted(p.name for p in (HERE / "negative").glob("*.ber"))


@pytest.mark.parametrize("name", UNUSUAL)
def test_unusual_vectors_read_alike(name: str) -> None:
    data = (HERE / "unusual" / name).read_bytes()
    assert reference.decode(data) == isoill.decode(data)


def test_damaged_details_51_is_a_default_codec_tolerance() -> None:
    # The NLC text's [51] for damaged-details: the default codec accepts it, the module (and pyasn1) do not.
    data = (HERE / "unusual" / "damaged-details-51.ber").read_bytes()
    assert isinstance(isoill.decode(data), isoill.Damaged)
    with pytest.raises(isoill.DecodeError):
        reference.decode(data)


@pytest.mark.parametrize("name", NEGATIVE)
def test_negative_vectors_are_refused_by_both(name: str) -> None:
    data = (HERE / "negative" / name).read_bytes()
    with pytest.raises(isoill.DecodeError):
        isoill.decode(data)
    with pytest.raises(isoill.DecodeError):
        reference.decode(data)


# pyasn1 0.6.5 itself writes -2**(8k-1) with a redundant FF (-128 as FF 80); asn1spec's encoder corrects it.
@pytest.mark.parametrize("n", [-2**40, -2**31 - 1, -2**31, -2**23, -32769, -32768, -256, -129, -128, -127, -1, 0,
                               1, 127, 128, 255, 256, 32767, 32768, 2**31 - 1, 2**31, 2**40])
def test_integer_boundaries(n: int) -> None:
    apdu = _minimal(isoill.Message, protocol_version_num=n, note="x")
    octets = FAST.encode(apdu)
    assert reference.encode(apdu) == octets
    assert reference.decode(octets) == apdu


def _minimal(cls: type, **fields: Any) -> Any:
    """The smallest valid APDU of a class, with the given fields."""
    base: dict[str, Any] = {
        "transaction_id": T.TransactionId(transaction_group_qualifier="g", transaction_qualifier="q"),
        "service_date_time": T.ServiceDateTime(date_time_of_this_service=T.DateTime(date="20240101")),
    }
    return cls(**base, **fields)


def _shipped(**supply: Any) -> Any:
    return _minimal(isoill.Shipped, shipped_service_type=ILLServiceType.LOAN,
                    supply_details=T.SupplyDetails(**supply))


def _request(**fields: Any) -> Any:
    messages = T.RequesterOptionalMessagesType(
        can_send_received=True, can_send_returned=False,
        requester_shipped=isoill.MessageRequirement.REQUIRES,
        requester_checked_in=isoill.MessageRequirement.NEITHER)
    fields.setdefault("ill_service_type", (ILLServiceType.LOAN,))
    return _minimal(isoill.ILLRequest, requester_optional_messages=messages, item_id=T.ItemId(title="t"), **fields)


FORBIDDEN = {
    "empty iLL-service-type": _request(ill_service_type=()),
    "six iLL-service-types": _request(ill_service_type=(ILLServiceType.LOAN,) * 6),
    "Received shipped-service-type locations": _minimal(
        isoill.Received, date_received="20240101", shipped_service_type=ILLServiceType.LOCATIONS),
    "chargeable-units 0": _shipped(chargeable_units=0),
    "monetary-value with a letter": _shipped(cost=T.Amount(monetary_value="12A")),
    "currency-code of two letters": _shipped(cost=T.Amount(currency_code="EU", monetary_value="1")),
}


@pytest.mark.parametrize("apdu", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_reference_refuses_what_the_module_forbids(apdu: Any) -> None:
    with pytest.raises(isoill.EncodeError):  # the default codec checks the constraints before writing ...
        FAST.encode(apdu)
    octets = FAST.encode(apdu, check=False)  # ... and writes it when told to relay it unchecked ...
    assert isoill.decode(octets) == apdu
    with pytest.raises(isoill.EncodeError):  # ... the reference codec refuses to write it ...
        reference.encode(apdu)
    with pytest.raises(isoill.DecodeError):  # ... and to read it
        reference.decode(octets)


def test_constrained_values_pass_both_when_inside() -> None:
    apdu = _shipped(chargeable_units=9999, cost=T.Amount(currency_code="EUR", monetary_value="1 234,50"))
    assert reference.encode(apdu) == FAST.encode(apdu)
    assert reference.decode(FAST.encode(apdu)) == apdu


def test_reference_errors_carry_the_field_path() -> None:
    apdu = _minimal(isoill.Message, note=b"not text")
    with pytest.raises(isoill.EncodeError) as info:
        reference.encode(apdu)
    assert info.value.path == ["Message", "note"]
    with pytest.raises(isoill.DecodeError):
        reference.decode(FAST.encode(_minimal(isoill.Message, note="x"))[:-1])
