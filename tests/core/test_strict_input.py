"""Strict structuring of plain data into both models: every bad input names the key or value and its path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import iso18626
import isoill
from iso18626.convert import from_dict as from_dict_18626
from iso18626.convert import to_dict as to_dict_18626
from isoill.convert import from_dict, from_json, to_dict

REQUEST = Path(__file__).resolve().parents[1] / "vectors" / "iso10161" / "request.ber"


@pytest.fixture()
def request_dict() -> dict[str, Any]:
    return to_dict(isoill.decode(REQUEST.read_bytes()))


def _error(data: dict[str, Any], **kw: Any) -> isoill.StructureError:
    with pytest.raises(isoill.StructureError) as info:
        from_dict(data, **kw)
    return info.value


def test_good_path_round_trips(request_dict: dict[str, Any]) -> None:
    assert from_dict(request_dict) == isoill.decode(REQUEST.read_bytes())


def test_misspelt_field_names_key_path_and_suggestion(request_dict: dict[str, Any]) -> None:
    request_dict["item_id"]["titel"] = request_dict["item_id"].pop("title")
    err = _error(request_dict)
    assert str(err) == "unknown field 'titel' in ILLRequest.item_id; did you mean 'title'?"
    assert err.path == "ILLRequest.item_id"


def test_stray_top_level_key(request_dict: dict[str, Any]) -> None:
    request_dict["requester_note_typo"] = "x"
    err = _error(request_dict)
    assert "unknown field 'requester_note_typo' in ILLRequest" in str(err)
    assert "'requester_note'" in str(err)


def test_lenient_opt_out_drops_unknown_keys(request_dict: dict[str, Any]) -> None:
    request_dict["requester_note_typo"] = "x"
    assert from_dict(request_dict, strict=False) == isoill.decode(REQUEST.read_bytes())


def test_missing_required_field_names_path(request_dict: dict[str, Any]) -> None:
    del request_dict["transaction_id"]["transaction_qualifier"]
    err = _error(request_dict)
    assert str(err) == "missing required field 'transaction_qualifier' in ILLRequest.transaction_id"
    assert not isinstance(err, KeyError)


def test_misspelt_required_field_names_the_given_key(request_dict: dict[str, Any]) -> None:
    request_dict["item_idd"] = request_dict.pop("item_id")
    assert str(_error(request_dict)) == "unknown field 'item_idd' in ILLRequest; did you mean 'item_id'?"
    assert str(_error(request_dict, strict=False)) == \
        "missing required field 'item_id' in ILLRequest; the data has 'item_idd' instead"


@pytest.mark.parametrize("spelling", ["simple", "SIMPLE", 1])
def test_enumeration_spellings(request_dict: dict[str, Any], spelling: Any) -> None:
    request_dict["transaction_type"] = spelling
    assert from_dict(request_dict).transaction_type is isoill.TransactionType.SIMPLE


def test_enumeration_standard_name_with_hyphen(request_dict: dict[str, Any]) -> None:
    request_dict["ill_service_type"] = ["copy-non-returnable", "loan"]
    assert from_dict(request_dict).ill_service_type == (isoill.ILLServiceType.COPY_NON_RETURNABLE,
                                                        isoill.ILLServiceType.LOAN)


def test_bad_enumeration_lists_allowed_values(request_dict: dict[str, Any]) -> None:
    request_dict["transaction_type"] = "simpel"
    err = _error(request_dict)
    assert "'simpel' is not a TransactionType in ILLRequest.transaction_type" in str(err)
    assert "allowed: simple, chained, partitioned" in str(err) and "did you mean 'simple'" in str(err)


def test_bad_enumeration_number(request_dict: dict[str, Any]) -> None:
    request_dict["ill_service_type"] = [1, 99]
    assert "99 is not a ILLServiceType in ILLRequest.ill_service_type[1]" in str(_error(request_dict))


def test_unknown_choice_alternative(request_dict: dict[str, Any]) -> None:
    request_dict["requester_id"]["person_or_institution_symbol"] = {"InstitutionSymbl": {"value": "REQ"}}
    err = _error(request_dict)
    assert "'InstitutionSymbl' is not an alternative here in ILLRequest.requester_id.person_or_institution_symbol" \
        in str(err) and "did you mean 'InstitutionSymbol'" in str(err)


def test_wrong_kind_of_value(request_dict: dict[str, Any]) -> None:
    request_dict["requester_optional_messages"]["can_send_received"] = "yes"
    assert "expected true or false, got 'yes' in ILLRequest.requester_optional_messages.can_send_received" \
        in str(_error(request_dict))


def test_bad_apdu_type_suggests() -> None:
    err = _error({"type": "ILLRequst"})
    assert "'ILLRequst'" in str(err) and "did you mean 'ILLRequest'" in str(err)


def test_standard_apdu_name_accepted(request_dict: dict[str, Any]) -> None:
    request_dict["type"] = "ILL-Request"
    assert isinstance(from_dict(request_dict), isoill.ILLRequest)


def test_explicit_class_accepts_its_own_type_key(request_dict: dict[str, Any]) -> None:
    assert from_dict(request_dict, isoill.ILLRequest) == isoill.decode(REQUEST.read_bytes())
    with pytest.raises(isoill.StructureError, match="'type' is 'ILLRequest', not Shipped"):
        from_dict(request_dict, isoill.Shipped)


def test_from_json_is_strict_too() -> None:
    with pytest.raises(isoill.StructureError, match="unknown field 'colour' in Message"):
        from_json('{"type": "Message", "colour": 1}')


# --- ISO 18626 -------------------------------------------------------------------------------------------------

def _request_18626() -> iso18626.Request:
    from datetime import datetime, timezone

    return iso18626.Request(
        header=iso18626.Header(
            requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                   agency_id_value="DK-1"),
            supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                  agency_id_value="DK-2"),
            timestamp=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc), requesting_agency_request_id="r1"),
        bibliographic_info=iso18626.BibliographicInfo(title="T"),
        service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN,
                                          request_type=iso18626.RequestType.NEW),
    )


def test_18626_good_path_and_spellings() -> None:
    msg = _request_18626()
    data = to_dict_18626(msg)
    assert from_dict_18626(data, iso18626.Request) == msg
    data["service_info"]["service_type"] = "LOAN"
    assert from_dict_18626(data, iso18626.Request) == msg


def test_18626_unknown_key() -> None:
    data = to_dict_18626(_request_18626())
    data["bibliographic_info"]["titel"] = data["bibliographic_info"].pop("title")
    with pytest.raises(iso18626.StructureError) as info:
        from_dict_18626(data, iso18626.Request)
    assert str(info.value).startswith("unknown field 'titel' in Request.bibliographic_info; did you mean 'title'")
    lenient = copy.deepcopy(data)
    assert from_dict_18626(lenient, iso18626.Request, strict=False).bibliographic_info.title is None


def test_18626_missing_required() -> None:
    data = to_dict_18626(_request_18626())
    del data["header"]["timestamp"]
    with pytest.raises(iso18626.StructureError, match="missing required field 'timestamp' in Request.header"):
        from_dict_18626(data, iso18626.Request)


def test_18626_bad_code_lists_tokens() -> None:
    data = to_dict_18626(_request_18626())
    data["service_info"]["service_type"] = "Lone"
    with pytest.raises(iso18626.StructureError) as info:
        from_dict_18626(data, iso18626.Request)
    text = str(info.value)
    assert "'Lone' is not a ServiceType in Request.service_info.service_type" in text
    assert "Loan, Copy" in text and "did you mean 'Loan'" in text


def test_18626_bad_timestamp() -> None:
    data = to_dict_18626(_request_18626())
    data["header"]["timestamp"] = "yesterday"
    with pytest.raises(iso18626.StructureError, match="'yesterday' is not an xs:dateTime .* in Request.header.timestamp"):
        from_dict_18626(data, iso18626.Request)
