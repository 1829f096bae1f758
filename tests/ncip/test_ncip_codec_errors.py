"""NCIP codec edges: NCIP 1 refusal, hostile documents, unsupported services, Problem responses, Ext verbatim,
what the writer refuses. Each error is typed and says where."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from lxml import etree

import ncip

NCIP1_DOCTYPE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE NCIPMessage PUBLIC "-//NISO//NCIP DTD Version 1.0//EN" "http://www.niso.org/ncip/v1_0/imp1/dtd/ncip_v1_0.dtd">
<NCIPMessage version="http://www.niso.org/ncip/v1_0/imp1/dtd/ncip_v1_0.dtd"><LookupUser><InitiationHeader>
<FromAgencyId><UniqueAgencyId><Scheme>http://example.org/agencies.scm</Scheme><Value>DK-1</Value></UniqueAgencyId>
</FromAgencyId></InitiationHeader></LookupUser></NCIPMessage>"""
NCIP1_NO_DOCTYPE = NCIP1_DOCTYPE.split(b"\n", 2)[2].replace(b' version="http://www.niso.org/ncip/v1_0/imp1/dtd/ncip_v1_0.dtd"', b"")
NCIP1_VERSION_ONLY = (b'<NCIPMessage version="http://www.niso.org/ncip/v1_0/imp1/dtd/ncip_v1_0.dtd">'
                      b"<CheckInItem/></NCIPMessage>")


def _wrap(body: str, version: str = ncip.VERSION_URI) -> bytes:
    return (f'<NCIPMessage xmlns="{ncip.NS}" xmlns:n="{ncip.NS}" n:version="{version}">{body}</NCIPMessage>'
            ).encode()


DELETE = "<DeleteItem><ItemId><ItemIdentifierValue>b1</ItemIdentifierValue></ItemId></DeleteItem>"


@pytest.mark.parametrize("data", [NCIP1_DOCTYPE, NCIP1_NO_DOCTYPE, NCIP1_VERSION_ONLY])
@pytest.mark.parametrize("strict", [True, False])
def test_ncip1_is_refused_with_its_own_error(data: bytes, strict: bool) -> None:
    with pytest.raises(ncip.UnsupportedVersionError, match="NCIP version 1") as caught:
        ncip.parse(data, strict=strict)
    assert isinstance(caught.value, ncip.ValidationError)
    assert caught.value.path.startswith("/NCIPMessage")


@pytest.mark.parametrize("data, words", [
    (b"not xml", "not well-formed"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><NCIPMessage/>', "DOCTYPE"),
    (b"<Other/>", "not NCIPMessage"),
    (_wrap(""), "holds no message"),
    (b'<NCIPMessage xmlns="urn:other"><DeleteItem/></NCIPMessage>', "namespace"),
    (_wrap("<LookupItem/>"), "not a service this library speaks"),
    (_wrap(DELETE + DELETE), "not expected"),
    (_wrap("<DeleteItem/>"), "ItemId"),
    (_wrap(DELETE.replace("</DeleteItem>", "<Ext>" + "<Ext>" * 45 + "</Ext>" * 46 + "</DeleteItem>")), "deeper"),
])
def test_hostile_or_wrong_documents_get_typed_errors(data: bytes, words: str) -> None:
    with pytest.raises(ncip.ValidationError, match=words):
        ncip.parse(data)


def test_size_limit() -> None:
    with pytest.raises(ncip.ValidationError, match="exceeds the limit"):
        ncip.parse(_wrap(DELETE), max_bytes=100)


def test_unsupported_service_names_the_problem_type_to_answer_with() -> None:
    with pytest.raises(ncip.ValidationError) as caught:
        ncip.parse(_wrap("<LookupItem/>"))
    assert caught.value.problem_type == "Unsupported Service"
    assert caught.value.element == "LookupItem"


def test_a_schema_error_reports_the_element_path() -> None:
    body = ("<CheckInItem><ItemId><ItemIdentifierValue>b</ItemIdentifierValue><AgencyId>x</AgencyId></ItemId>"
            "</CheckInItem>")
    with pytest.raises(ncip.ValidationError) as caught:
        ncip.parse(_wrap(body))
    assert caught.value.path == "/NCIPMessage/CheckInItem/ItemId/AgencyId"
    parsed = ncip.read(_wrap(body), strict=False)  # out of order: read anyway, reported
    assert parsed.message.item_id.agency_id == ncip.SchemeValue("x")
    assert [r.code for r in parsed.repairs] == ["schema-invalid"]


def test_lookup_version_is_ncip1_only_strict_refuses_lenient_reads() -> None:
    body = ("<LookupVersion><FromAgencyId><AgencyId>A</AgencyId></FromAgencyId>"
            "<ToAgencyId><AgencyId>B</AgencyId></ToAgencyId></LookupVersion>")
    with pytest.raises(ncip.ValidationError, match="not in NCIP 2.02"):
        ncip.parse(_wrap(body))
    parsed = ncip.read(_wrap(body), strict=False)
    assert isinstance(parsed.message, ncip.LookupVersion)
    assert "not-in-2.02" in {r.code for r in parsed.repairs}
    assert ncip.read(ncip.serialize(parsed.message), strict=False).message == parsed.message


def test_problem_without_service_element_round_trips(official_ncip: Any) -> None:
    message = ncip.ProblemResponse(problem=[
        ncip.Problem(problem_type=ncip.SchemeValue("Unknown User", "http://www.niso.org/ncip/v1_0/schemes/"
                                                   "processingerrortype/generalprocessingerror.scm"),
                     problem_detail="no such user", problem_element="UserIdentifierValue", problem_value="u1"),
        ncip.Problem(problem_type="Invalid Message Syntax Error")])
    out = ncip.serialize(message)
    assert official_ncip.validate(etree.fromstring(out))
    assert ncip.parse(out) == message


def test_problem_inside_a_service_response_round_trips(official_ncip: Any) -> None:
    message = ncip.AcceptItemResponse(problem=[ncip.Problem(problem_type="Unknown Item", problem_value="x & y")])
    out = ncip.serialize(message)
    assert official_ncip.validate(etree.fromstring(out))
    assert ncip.parse(out) == message


def test_ext_is_kept_verbatim() -> None:
    body = ('<DeleteItem><ItemId><ItemIdentifierValue>b1</ItemIdentifierValue></ItemId>'
            '<Ext><v:Vendor xmlns:v="urn:vendor" v:a="1"><v:x>1 &amp; 2</v:x></v:Vendor><ProblemDetail>d'
            '</ProblemDetail></Ext></DeleteItem>')
    # The official wildcard is strict, so an undeclared vendor element fails both schemas: lenient keeps it.
    with pytest.raises(ncip.ValidationError):
        ncip.parse(_wrap(body))
    message = ncip.read(_wrap(body), strict=False).message
    assert message.ext.elements == ('<v:Vendor xmlns:v="urn:vendor" v:a="1"><v:x>1 &amp; 2</v:x></v:Vendor>',
                                    f'<ProblemDetail xmlns="{ncip.NS}">d</ProblemDetail>')
    again = ncip.read(ncip.serialize(message), strict=False).message
    assert again == message


def test_datetimes_and_codes_read_typed() -> None:
    body = ("<AcceptItem><RequestId><RequestIdentifierValue>r1</RequestIdentifierValue></RequestId>"
            '<RequestedActionType n:Scheme="urn:s">Hold For Pickup</RequestedActionType>'
            "<DateForReturn>2026-01-02T03:04:05Z</DateForReturn></AcceptItem>")
    message = ncip.parse(_wrap(body))
    assert message.date_for_return == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert message.requested_action_type == ncip.SchemeValue("Hold For Pickup", "urn:s")


def test_writer_refuses_what_xml_or_the_schema_cannot_carry() -> None:
    with pytest.raises(ncip.SerializeError, match="character"):
        ncip.serialize(ncip.DeleteItem(item_id=ncip.ItemId(item_identifier_value="a\x01")))
    with pytest.raises(ncip.SerializeError, match="DateForReturn"):
        ncip.serialize(ncip.AcceptItem(
            request_id=ncip.RequestId(request_identifier_value="r"), requested_action_type="x",
            date_for_return=datetime(2026, 1, 1), non_returnable_flag=True))
    with pytest.raises(ncip.SerializeError, match="at least one Problem"):
        ncip.serialize(ncip.ProblemResponse())


@pytest.mark.parametrize("version", ["2.0", "2.01", "2.02", "http://www.niso.org/schemas/ncip/v2_02/ncip_v2_02.xsd",
                                     "http://www.niso.org/ncip/v2_02/imp1/xsd/ncip_v2_02.xsd",
                                     "http://www.niso.org/schemas/ncip/v2_0/ncip_v2_0.xsd"])
def test_ncip2_version_strings_read_without_repair(version: str) -> None:
    parsed = ncip.read(_wrap(DELETE, version), strict=False)
    assert parsed.repairs == () and parsed.declared_version == version
    assert ncip.read(_wrap(DELETE, version)).message == parsed.message


def test_unknown_version_is_a_lenient_repair_and_strictly_taken_as_sent() -> None:
    assert ncip.read(_wrap(DELETE, "5.6")).repairs == ()
    assert [r.code for r in ncip.read(_wrap(DELETE, "5.6"), strict=False).repairs] == ["unknown-version"]
