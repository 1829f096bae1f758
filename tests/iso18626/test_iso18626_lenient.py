"""strict=False: one crafted document per repair code; each is reported, and the result writes valid v1.2."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from lxml import etree

import iso18626
from iso18626._xml.xsd import validator

NS = "http://illtransactions.org/2013/iso18626"
HEADER = (
    '<ill:header><ill:supplyingAgencyId><ill:agencyIdType ill:scheme="http://x.org/a">ISIL</ill:agencyIdType>'
    "<ill:agencyIdValue>S</ill:agencyIdValue></ill:supplyingAgencyId><ill:requestingAgencyId>"
    "<ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>R</ill:agencyIdValue></ill:requestingAgencyId>"
    "<ill:multipleItemRequestId/><ill:timestamp>2024-05-06T07:08:09Z</ill:timestamp>"
    "<ill:requestingAgencyRequestId>R-1</ill:requestingAgencyRequestId></ill:header>"
)
ENVELOPE = f'<ill:ISO18626Message xmlns:ill="{NS}" ill:version="1.2">{{}}</ill:ISO18626Message>'
RAM = ENVELOPE.format(
    f"<ill:requestingAgencyMessage>{HEADER}<ill:action>Received</ill:action><ill:note>hi</ill:note>"
    "</ill:requestingAgencyMessage>")
SAM = ENVELOPE.format(
    f"<ill:supplyingAgencyMessage>{HEADER}<ill:messageInfo><ill:reasonForMessage>StatusChange</ill:reasonForMessage>"
    "</ill:messageInfo><ill:statusInfo><ill:status>Loaned</ill:status><ill:dueDate>2024-06-01T00:00:00Z"
    "</ill:dueDate><ill:lastChange>2024-05-06T07:00:00Z</ill:lastChange></ill:statusInfo><ill:deliveryInfo>"
    "<ill:dateSent>2024-05-06T07:00:00Z</ill:dateSent><ill:sentToPatron>true</ill:sentToPatron></ill:deliveryInfo>"
    "</ill:supplyingAgencyMessage>")
REQUEST = ENVELOPE.format(
    f"<ill:request>{HEADER}<ill:bibliographicInfo><ill:title>T</ill:title></ill:bibliographicInfo>"
    "<ill:supplierInfo><ill:sortOrder>1</ill:sortOrder></ill:supplierInfo></ill:request>")
CONF = ENVELOPE.format(
    "<ill:requestingAgencyMessageConfirmation><ill:confirmationHeader><ill:timestamp>2024-05-06T07:08:10Z"
    "</ill:timestamp><ill:timestampReceived>2024-05-06T07:08:09Z</ill:timestampReceived>"
    "<ill:messageStatus>ERROR</ill:messageStatus></ill:confirmationHeader><ill:action>Received</ill:action>"
    "<ill:errorData><ill:errorType>UnrecognisedDataValue</ill:errorType></ill:errorData>"
    "</ill:requestingAgencyMessageConfirmation>")


def _unprefixed(doc: str, xmlns: str | None) -> str:
    out = doc.replace("ill:scheme=", "scheme=").replace("ill:version=", "version=").replace("ill:", "")
    return out.replace(f' xmlns:ill="{NS}"', f' xmlns="{xmlns}"' if xmlns else "")


def _bare(doc: str) -> str:
    inner = etree.fromstring(doc)[0]
    inner.set(f"{{{NS}}}version", "1.0")
    return etree.tostring(inner, encoding="unicode")


UTC = timezone.utc
Check = Callable[[Any], object]
# code -> (document, check on the message)
CASES: dict[str, tuple[str, Check]] = {
    "no-namespace": (_unprefixed(RAM, None), lambda m: m.note == "hi"),
    "foreign-namespace": (_unprefixed(RAM, "urn:example:other"), lambda m: m.action is iso18626.Action.RECEIVED),
    "bare-root": (_bare(RAM), lambda m: isinstance(m, iso18626.RequestingAgencyMessage)),
    "unqualified-version": (RAM.replace("ill:version=", "version="), lambda m: m.note == "hi"),
    "missing-version": (RAM.replace(' ill:version="1.2"', ""), lambda m: m.note == "hi"),
    "unqualified-scheme": (RAM.replace("ill:scheme=", "scheme="),
                           lambda m: m.header.supplying_agency_id.agency_id_type.scheme == "http://x.org/a"),
    "unknown-attribute": (RAM.replace("ill:scheme=", "schema="),
                          lambda m: m.header.supplying_agency_id.agency_id_type.scheme is None),
    # a v1.1 header alone is valid (v1.1 schema); with another quirk the lenient reader reports it
    "missing-multiple-item-request-id": (
        REQUEST.replace("<ill:multipleItemRequestId/>", "").replace("07:08:09Z", "07:08:09+0000"),
        lambda m: m.header.multiple_item_request_id is None),
    "timestamp-format": (RAM.replace("07:08:09Z", "09:08:09+0200"),
                         lambda m: m.header.timestamp == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)),
    "empty-timestamp": (SAM.replace("2024-06-01T00:00:00Z", ""), lambda m: m.status_info.due_date is None),
    "error-type-spelling": (CONF.replace("UnrecognisedDataValue", "UnrecognizedDataValue"),
                            lambda m: m.error_data[0].error_type is iso18626.ErrorType.UNRECOGNISED_DATA_VALUE),
    "closed-code-case": (RAM.replace(">Received<", ">RECEIVED<"), lambda m: m.action is iso18626.Action.RECEIVED),
    "empty-closed-code": (CONF.replace("<ill:action>Received</ill:action>", "<ill:action/>"),
                          lambda m: m.action is None),
    "empty-value": (REQUEST.replace("<ill:sortOrder>1</ill:sortOrder>", "<ill:sortOrder/>"),
                    lambda m: m.supplier_info[0].sort_order is None),
    "boolean-spelling": (SAM.replace(">true<", ">True<"), lambda m: m.delivery_info.sent_to_patron is True),
    "unknown-element": (RAM.replace("<ill:note>", "<ill:extra>x</ill:extra><ill:note>"),
                        lambda m: len(m.extras) == 1 and "extra" in m.extras[0]),
    "duplicate-element": (RAM.replace("<ill:note>hi</ill:note>", "<ill:note>hi</ill:note><ill:note>2</ill:note>"),
                          lambda m: m.note == "hi" and "2</ill:note>" in m.extras[0]),
    "schema-invalid": (RAM.replace("<ill:action>Received</ill:action><ill:note>hi</ill:note>",
                                   "<ill:note>hi</ill:note><ill:action>Received</ill:action>"),
                       lambda m: m.action is iso18626.Action.RECEIVED and m.note == "hi"),
}


def test_every_repair_code_has_a_case() -> None:
    assert set(CASES) == set(iso18626.REPAIR_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_repair(code: str) -> None:
    doc, check = CASES[code]
    with pytest.raises(iso18626.ValidationError):
        iso18626.parse(doc.encode())  # every case is something strict mode refuses
    result = iso18626.read(doc.encode(), strict=False)
    assert code in {r.code for r in result.repairs}, result.repairs
    assert all(r.code in iso18626.REPAIR_CODES for r in result.repairs)
    assert check(result.message)
    out = iso18626.serialize(result.message)
    assert validator("1.2").validate(etree.fromstring(out)), validator("1.2").error_log
    assert iso18626.parse(out) == attrs_without_extras(result.message)


def attrs_without_extras(msg: Any) -> Any:
    import attrs

    return attrs.evolve(msg, extras=()) if msg.extras else msg


def test_parse_issues_repair_warnings() -> None:
    doc = CASES["timestamp-format"][0].encode()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        msg = iso18626.parse(doc, strict=False)
    repairs = [w.message.repair for w in caught if isinstance(w.message, iso18626.RepairWarning)]
    assert [r.code for r in repairs] == [r.code for r in iso18626.read(doc, strict=False).repairs]
    assert isinstance(msg, iso18626.RequestingAgencyMessage)


def test_unknown_elements_are_re_emitted_on_request() -> None:
    msg = iso18626.read(CASES["unknown-element"][0].encode(), strict=False).message
    emitted = iso18626.serialize(msg, extras="emit")
    assert b"<ill:extra" in emitted and b">x</ill:extra>" in emitted
    assert b"extra" not in iso18626.serialize(msg)
    again = iso18626.read(emitted, strict=False)
    assert again.message == msg


def test_empty_status_reads_but_cannot_be_written() -> None:
    doc = SAM.replace("<ill:status>Loaned</ill:status>", "<ill:status></ill:status>").encode()
    result = iso18626.read(doc, strict=False)
    assert result.message.status_info.status is None
    assert "empty-closed-code" in {r.code for r in result.repairs}
    with pytest.raises(iso18626.SerializeError, match="status"):
        iso18626.serialize(result.message)


def test_unknown_closed_code_is_refused_even_leniently() -> None:
    with pytest.raises(iso18626.ValidationError) as info:
        iso18626.parse(RAM.replace(">Received<", ">Teleported<").encode(), strict=False)
    assert info.value.error_type is iso18626.ErrorType.UNSUPPORTED_ACTION_TYPE
    assert info.value.path.endswith("/action")


def test_missing_required_element_is_refused_even_leniently() -> None:
    doc = RAM.replace("<ill:requestingAgencyRequestId>R-1</ill:requestingAgencyRequestId>", "")
    with pytest.raises(iso18626.ValidationError) as info:
        iso18626.parse(doc.encode(), strict=False)
    assert info.value.error_type is iso18626.ErrorType.BADLY_FORMED_MESSAGE
    assert "requestingAgencyRequestId" in str(info.value)


def test_v11_header_is_read_strictly_as_v11() -> None:
    result = iso18626.read(REQUEST.replace("<ill:multipleItemRequestId/>", "").encode())
    assert result.version == "1.1" and result.repairs == ()
    out = iso18626.serialize(result.message)
    assert b"<ill:multipleItemRequestId/>" in out
    assert validator("1.2").validate(etree.fromstring(out))


def test_go_zero_time_is_kept() -> None:
    doc = CONF.replace("2024-05-06T07:08:09Z", "0001-01-01T00:00:00.000Z").encode()
    msg = iso18626.parse(doc)
    assert msg.confirmation_header.timestamp_received == datetime(1, 1, 1, tzinfo=UTC)
    assert b"0001-01-01T00:00:00Z" in iso18626.serialize(msg)


def test_quirks_combined_as_real_peers_send_them() -> None:
    """A v1.1-style bare SAM, no namespace, +0000 timestamps, unqualified attributes, as one message."""
    doc = _unprefixed(SAM, None).replace("<multipleItemRequestId/>", "").replace("Z<", "+0000<")
    root = etree.fromstring(doc)[0]
    root.set("version", "1.0")
    result = iso18626.read(etree.tostring(root), strict=False)
    codes = {r.code for r in result.repairs}
    assert {"no-namespace", "bare-root", "unqualified-version", "unqualified-scheme", "timestamp-format",
            "missing-multiple-item-request-id"} <= codes
    assert result.declared_version == "1.0"
    out = iso18626.serialize(result.message)
    assert validator("1.2").validate(etree.fromstring(out))
    assert iso18626.parse(out) == result.message
