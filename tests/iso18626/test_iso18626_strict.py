"""Strict parsing: the errorType and path of each refusal, the hardened parser, and confirmations."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from test_iso18626_lenient import CONF, RAM, REQUEST, SAM

import iso18626
from iso18626 import Action, ErrorType, MessageStatus

UTC = timezone.utc
NOW = datetime(2024, 5, 6, 7, 9, 0, tzinfo=UTC)


def _error(doc: str | bytes, **kw: int) -> iso18626.ValidationError:
    data = doc.encode() if isinstance(doc, str) else doc
    with pytest.raises(iso18626.ValidationError) as info:
        iso18626.parse(data, **kw)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, iso18626.ISO18626Error)
    return err


@pytest.mark.parametrize(("doc", "error_type", "path_end"), [
    (RAM.replace(">Received<", ">Teleported<"), ErrorType.UNSUPPORTED_ACTION_TYPE, "/action"),
    (RAM.replace(">Received<", "><"), ErrorType.UNSUPPORTED_ACTION_TYPE, "/action"),
    (SAM.replace(">StatusChange<", ">Whatever<"), ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE,
     "/reasonForMessage"),
    (SAM.replace(">Loaned<", ">Borrowed<"), ErrorType.UNRECOGNISED_DATA_VALUE, "/status"),
    (CONF.replace(">ERROR<", ">FAIL<"), ErrorType.UNRECOGNISED_DATA_VALUE, "/messageStatus"),
    (RAM.replace("2024-05-06T07:08:09Z", "yesterday"), ErrorType.UNRECOGNISED_DATA_VALUE, "/timestamp"),
    (RAM.replace("<ill:note>", "<ill:gossip>x</ill:gossip><ill:note>"), ErrorType.UNRECOGNISED_DATA_ELEMENT,
     "/gossip"),
    (RAM.replace("<ill:requestingAgencyRequestId>R-1</ill:requestingAgencyRequestId>", ""),
     ErrorType.BADLY_FORMED_MESSAGE, "/header"),
    (RAM.replace("<ill:action>Received</ill:action><ill:note>hi</ill:note>",
                 "<ill:note>hi</ill:note><ill:action>Received</ill:action>"), ErrorType.BADLY_FORMED_MESSAGE,
     "/note"),
    (REQUEST.replace("<ill:sortOrder>1<", "<ill:sortOrder>one<"), ErrorType.UNRECOGNISED_DATA_VALUE, "/sortOrder"),
])
def test_error_types(doc: str, error_type: ErrorType, path_end: str) -> None:
    err = _error(doc)
    assert err.error_type is error_type, err
    assert err.path.startswith("/ISO18626Message/") and err.path.endswith(path_end), err.path


def test_envelope_without_message() -> None:
    err = _error(f'<ill:ISO18626Message xmlns:ill="{iso18626.NS}" ill:version="1.2"/>')
    assert err.error_type is ErrorType.BADLY_FORMED_MESSAGE and err.path == "/ISO18626Message"


def test_bare_root_and_missing_namespace_are_strict_errors() -> None:
    from test_iso18626_lenient import CASES

    for code in ("bare-root", "no-namespace", "foreign-namespace", "missing-version"):
        assert _error(CASES[code][0]).error_type is ErrorType.BADLY_FORMED_MESSAGE, code
    # an unqualified attribute is one the schema does not define
    for code in ("unqualified-version", "unqualified-scheme"):
        assert _error(CASES[code][0]).error_type is ErrorType.UNRECOGNISED_DATA_ELEMENT, code


def test_not_xml() -> None:
    assert _error(b"<a><b></a>").error_type is ErrorType.BADLY_FORMED_MESSAGE
    assert _error(b"").error_type is ErrorType.BADLY_FORMED_MESSAGE


def test_version_is_told_by_structure_not_by_attribute() -> None:
    result = iso18626.read(RAM.replace('ill:version="1.2"', 'ill:version="2021-3"').encode())
    assert result.version == "1.2" and result.declared_version == "2021-3"
    msg = iso18626.parse(RAM.encode())
    as_2021 = iso18626.serialize(msg, version="2021")
    result = iso18626.read(as_2021.replace(b'ill:version="2021-2"', b'ill:version="1.2"'))
    assert result.version == "2021" and result.message == msg


# ---- hostile input -----------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


@pytest.mark.parametrize("doc", [BILLION_LAUGHS, XXE, BILLION_LAUGHS.decode("ascii").encode("utf-16")])
@pytest.mark.parametrize("strict", [True, False])
def test_doctype_and_entities_are_refused(doc: bytes, strict: bool) -> None:
    err = _error(doc, strict=strict) if strict else None
    if not strict:
        with pytest.raises(iso18626.ValidationError) as info:
            iso18626.parse(doc, strict=False)
        err = info.value
    assert err is not None and err.error_type is ErrorType.BADLY_FORMED_MESSAGE
    assert "passwd" not in str(err) and "lollol" not in str(err)


def test_size_limit() -> None:
    assert "exceeds" in str(_error(RAM, max_bytes=100))
    assert iso18626.parse(RAM.encode(), max_bytes=len(RAM.encode())) is not None


def test_depth_and_attribute_limits() -> None:
    deep = RAM.replace("<ill:note>hi</ill:note>", "<ill:note>" + "<a>" * 40 + "</a>" * 40 + "</ill:note>")
    assert "deeper" in str(_error(deep, strict=True))
    with pytest.raises(iso18626.ValidationError, match="deeper"):
        iso18626.parse(deep.encode(), strict=False)
    many = RAM.replace("<ill:note>", "<ill:note " + " ".join(f'a{i}="x"' for i in range(20)) + ">")
    with pytest.raises(iso18626.ValidationError, match="attributes"):
        iso18626.parse(many.encode(), strict=False)


# ---- confirmations ---------------------------------------------------------------------------------------------


def test_confirmation_for_each_message_kind() -> None:
    ram = iso18626.parse(RAM.encode())
    conf = iso18626.confirmation_for(ram, timestamp=NOW)
    assert isinstance(conf, iso18626.RequestingAgencyMessageConfirmation)
    assert conf.action is Action.RECEIVED
    h = conf.confirmation_header
    assert h.message_status is MessageStatus.OK and h.timestamp == NOW
    assert h.timestamp_received == ram.header.timestamp
    assert h.requesting_agency_request_id == "R-1" and h.supplying_agency_id == ram.header.supplying_agency_id
    sam = iso18626.parse(SAM.encode())
    sconf = iso18626.confirmation_for(sam, timestamp=NOW)
    assert isinstance(sconf, iso18626.SupplyingAgencyMessageConfirmation)
    assert sconf.reason_for_message is iso18626.ReasonForMessage.STATUS_CHANGE
    rconf = iso18626.confirmation_for(iso18626.parse(REQUEST.encode()), timestamp=NOW)
    assert isinstance(rconf, iso18626.RequestConfirmation) and rconf.error_data == ()
    for c in (conf, sconf, rconf):
        for version in ("1.2", "2021"):
            out = iso18626.serialize(c, version=version)
            assert iso18626.parse(out) == c or version == "2021"
    with pytest.raises(ValueError):
        iso18626.confirmation_for(conf, timestamp=NOW)


def test_confirmation_for_validation_error() -> None:
    err = _error(RAM.replace(">Received<", ">Teleported<"))
    conf = iso18626.confirmation_for(err, timestamp=NOW)
    assert isinstance(conf, iso18626.RequestingAgencyMessageConfirmation)
    h = conf.confirmation_header
    assert h.message_status is MessageStatus.ERROR
    assert h.requesting_agency_request_id == "R-1"
    assert h.timestamp_received == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert conf.error_data[0].error_type is ErrorType.UNSUPPORTED_ACTION_TYPE
    assert "Teleported" in (conf.error_data[0].error_value or "")
    assert iso18626.parse(iso18626.serialize(conf)) == conf


def test_confirmation_for_garbage_is_a_request_confirmation() -> None:
    conf = iso18626.confirmation_for(_error(b"not xml"), timestamp=NOW)
    assert isinstance(conf, iso18626.RequestConfirmation)
    assert conf.confirmation_header.timestamp_received == NOW
    assert conf.error_data[0].error_type is ErrorType.BADLY_FORMED_MESSAGE
    iso18626.parse(iso18626.serialize(conf))


def test_confirmation_with_errors_and_2021() -> None:
    ram = iso18626.parse(RAM.replace("<ill:multipleItemRequestId/>",
                                     "<ill:multipleItemRequestId>M1</ill:multipleItemRequestId>").encode())
    errs = [iso18626.ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE, error_value="a"),
            iso18626.ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE, error_value="b")]
    conf = iso18626.confirmation_for(ram, timestamp=NOW, errors=errs, version="2021")
    assert conf.confirmation_header.message_status is MessageStatus.ERROR
    assert conf.confirmation_header.multiple_item_request_id is None
    assert iso18626.parse(iso18626.serialize(conf, version="2021")) == conf
    with pytest.raises(iso18626.SerializeError, match="at most 1 errorData"):
        iso18626.serialize(conf, version="1.2")
    assert iso18626.confirmation_for(ram, timestamp=NOW).confirmation_header.multiple_item_request_id == "M1"
