"""Peer profiles: `isoill check --profile` names every violation (the Alma cases of issue 15), the ISO 18626
profiles' rules, and the APDU-Delivery-Info helpers the profiles and simulators rely on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import iso18626
import isoill
from illcore.profiles import ProfileViolation
from illnode import cli
from illnode import profiles as registry
from iso18626 import profiles as p18626
from isoill import Role
from isoill.extensions import APDUDeliveryInfo
from isoill.extensions.delivery_info import delivery_info, reply_address, with_delivery_info
from isoill.profiles import ALMA, IPIG, OCLC


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: dict[str, Any], *extra: str,
           profile: str = "alma") -> tuple[int, list[str]]:
    path = tmp_path / "apdu.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code = cli.main(["check", "--profile", profile, *extra, str(path)])
    return code, capsys.readouterr().out.splitlines()


def _header(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("transaction_id", "service_date_time", "requester_id", "responder_id")}


def test_what_isoill_request_writes_passes_the_alma_check(alma_request: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--profile", "alma", "--as", "requester", str(alma_request)]) == 0
    assert capsys.readouterr().out == ""


def test_request_without_delivery_address(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          alma_request_json: dict[str, Any]) -> None:
    doc = dict(alma_request_json)
    del doc["delivery_address"]
    code, lines = _check(tmp_path, capsys, doc)
    assert code == 1
    assert lines == ["ILL-Request.delivery-address: required by the alma profile"]


def test_answer_with_will_supply_results(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         alma_request_json: dict[str, Any]) -> None:
    doc = {**_header(alma_request_json), "type": "ILLAnswer", "transaction_results": "WILL_SUPPLY",
           "ill_answer_extensions": alma_request_json["ill_request_extensions"],
           "results_explanation": {"WillSupplyResults": {"reason_will_supply": "BEING_PROCESSED_FOR_SUPPLY"}}}
    code, lines = _check(tmp_path, capsys, doc)
    assert code == 1
    assert lines == ["ILL-Answer.transaction-results: will-supply(5) is not supported by Alma; only unfilled(3)"]


def test_recall_is_not_in_the_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      alma_request_json: dict[str, Any]) -> None:
    doc = {**_header(alma_request_json), "type": "Recall",
           "recall_extensions": alma_request_json["ill_request_extensions"]}
    code, lines = _check(tmp_path, capsys, doc)
    assert code == 1
    assert lines == ["Recall: not a service of the alma profile (services not listed are not used)"]


def test_renew_answer_granted_without_date_due(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               alma_request_json: dict[str, Any]) -> None:
    doc = {**_header(alma_request_json), "type": "RenewAnswer", "answer": True,
           "renew_answer_extensions": alma_request_json["ill_request_extensions"]}
    code, lines = _check(tmp_path, capsys, doc)
    assert code == 1
    assert lines == ["Renew-Answer.date-due: required by the alma profile when the renewal is granted (answer TRUE)"]
    doc["answer"] = False  # a refusal needs no date
    assert _check(tmp_path, capsys, doc)[0] == 0


def test_every_violation_is_listed_with_its_source(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   alma_request_json: dict[str, Any]) -> None:
    doc = {k: v for k, v in alma_request_json.items() if k not in ("delivery_address", "ill_request_extensions")}
    doc.update(protocol_version_num=1, retry_flag=True, transaction_type="CHAINED")
    code, lines = _check(tmp_path, capsys, doc, "--sources")
    assert code == 1
    paths = [line.split(":")[0] for line in lines]
    assert paths == ["ILL-Request.delivery-address", "ILL-Request.protocol-version-num",
                     "ILL-Request.transaction-type", "ILL-Request.retry-flag", "ILL-Request.extensions"]
    assert all("exlibrisgroup.com" in line for line in lines)


def test_sender_role_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                alma_request_json: dict[str, Any]) -> None:
    code, lines = _check(tmp_path, capsys, alma_request_json, "--as", "responder")
    assert code == 1
    assert lines == ["ILL-Request: sent only by the requester in the alma profile, not by the responder"]


def test_enforce_raises_one_error_listing_all(alma_request: Path) -> None:
    apdu = isoill.decode(alma_request.read_bytes())
    bare = isoill.ILLRequest(**{a: getattr(apdu, a) for a in ("transaction_id", "service_date_time",
                                                              "ill_service_type", "requester_optional_messages",
                                                              "item_id")}, retry_flag=True)
    with pytest.raises(ProfileViolation) as caught:
        ALMA.enforce(bare, sender=Role.REQUESTER)
    assert len(caught.value.violations) == 3
    assert isinstance(caught.value, ValueError)


def test_ipig_wants_delivery_info_and_oclc_its_request_extension(alma_request: Path) -> None:
    apdu = isoill.decode(alma_request.read_bytes())
    assert IPIG.check(apdu) == []
    assert [v.path for v in OCLC.check(apdu)] == ["ILL-Request.iLL-request-extensions"]
    stripped = isoill.ILLRequest(**{**{a: getattr(apdu, a) for a in (
        "transaction_id", "service_date_time", "ill_service_type", "requester_optional_messages", "item_id")}})
    assert [v.path for v in IPIG.check(stripped)] == ["ILL-Request.extensions"]


def test_delivery_info_helpers() -> None:
    info = delivery_info("ill.example.edu:1611", "partner.example.org:9001")
    assert reply_address(info) == ("ill.example.edu", 1611)
    stamp = isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date="20260101"))
    tid = isoill.TransactionId(transaction_group_qualifier="A", transaction_qualifier="1")
    message = with_delivery_info(isoill.Message(transaction_id=tid, service_date_time=stamp, note="hi"), info)
    back = isoill.decode(isoill.encode(message))
    assert back.extension(APDUDeliveryInfo) == info
    assert back.extension(isoill.UnfilledResults) is None
    again = with_delivery_info(back, delivery_info("other:1", "x:2"))  # replaced, not added
    assert len(again.extensions) == 1 and reply_address(again.extension(APDUDeliveryInfo)) == ("other", 1)


def test_reply_address_skips_what_is_not_ber_over_tcp() -> None:
    from isoill.extensions import APDUDeliveryParameters, APDUEncoding

    mime = APDUDeliveryParameters(encoding=(APDUEncoding.BER_IN_MIME,), transport=isoill.SystemAddress(
        telecom_service_identifier="SMTP", telecom_service_address="ill@example.edu"))
    tcp = APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=isoill.SystemAddress(
        telecom_service_identifier="TCP/IP", telecom_service_address="[::1]:1611"))
    assert reply_address(APDUDeliveryInfo(sender_info=(mime,), recipient_info=())) is None
    assert reply_address(APDUDeliveryInfo(sender_info=(mime, tcp), recipient_info=())) == ("::1", 1611)


# --- ISO 18626 -------------------------------------------------------------------------------------------

def _sam(status: iso18626.Status | None, reason: iso18626.ReasonForMessage,
         **kw: Any) -> iso18626.SupplyingAgencyMessage:
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    agency = iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"), agency_id_value="X")
    note = kw.pop("note", None)
    return iso18626.SupplyingAgencyMessage(
        header=iso18626.Header(supplying_agency_id=agency, requesting_agency_id=agency, timestamp=now,
                               requesting_agency_request_id=kw.pop("rid", "R-1")),
        message_info=iso18626.MessageInfo(reason_for_message=reason, note=note,
                                          answer_yes_no=kw.pop("answer", None)),
        status_info=iso18626.StatusInfo(status=status, last_change=now), **kw)


R, S = iso18626.ReasonForMessage, iso18626.Status


def test_alma_18626_rules() -> None:
    alma = p18626.ALMA
    assert alma.check(_sam(S.WILL_SUPPLY, R.REQUEST_RESPONSE)) == []
    assert alma.check(_sam(None, R.NOTIFICATION, note="hello")) == []  # Alma's empty status on a notification
    paths = [v.path for v in alma.check(_sam(S.EXPECT_TO_SUPPLY, R.STATUS_CHANGE, note="soon"))]
    assert paths == ["/ISO18626Message/supplyingAgencyMessage/statusInfo/status",
                     "/ISO18626Message/supplyingAgencyMessage/messageInfo/note"]
    costs = iso18626.Costs(currency_code=iso18626.SchemeValue("USD"), monetary_value=__import__("decimal").Decimal(5))
    shipped = iso18626.DeliveryInfo(date_sent=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc), delivery_costs=(costs,))
    found = alma.check(_sam(S.WILL_SUPPLY, R.STATUS_CHANGE, delivery_info=shipped))
    assert [v.path for v in found] == ["/ISO18626Message/supplyingAgencyMessage/messageInfo/reasonForMessage",
                                       "/ISO18626Message/supplyingAgencyMessage/deliveryInfo/deliveryCosts"]
    assert alma.check(_sam(S.LOANED, R.STATUS_CHANGE, delivery_info=shipped)) == []


def test_reshare_and_crosslink_rules() -> None:
    long_id = "X" * 33
    assert [v.path for v in p18626.RESHARE.check(_sam(S.WILL_SUPPLY, R.REQUEST_RESPONSE, rid=long_id))] == [
        "/ISO18626Message/supplyingAgencyMessage/header/requestingAgencyRequestId"]
    ok = _sam(S.WILL_SUPPLY, R.REQUEST_RESPONSE, note="#ReShareAddLoanCondition# #seq:3# library use only")
    assert p18626.RESHARE.check(ok) == []
    odd = _sam(S.WILL_SUPPLY, R.REQUEST_RESPONSE, note="#ReShareMadeUp#")
    assert [str(v) for v in p18626.RESHARE.check(odd)] == [
        "/ISO18626Message/supplyingAgencyMessage/messageInfo/note: unknown ReShare note marker #ReShareMadeUp#"]
    contradiction = _sam(S.CANCELLED, R.CANCEL_RESPONSE, answer=iso18626.YesNo.N)
    assert [v.path for v in p18626.CROSSLINK.check(contradiction)] == [
        "/ISO18626Message/supplyingAgencyMessage/messageInfo/answerYesNo"]


def test_check_reads_xml_with_the_18626_part(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sam.xml"
    path.write_bytes(iso18626.serialize(_sam(S.EXPECT_TO_SUPPLY, R.REQUEST_RESPONSE)))
    assert cli.main(["check", "--profile", "alma", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "/ISO18626Message/supplyingAgencyMessage/statusInfo/status: "
        "ExpectToSupply is not supported by Alma (send WillSupply)"]
    assert cli.main(["check", "--profile", "reshare", str(path)]) == 0
    assert cli.main(["check", "--profile", "ipig", str(path)]) == 2  # IPIG has no ISO 18626 part


def test_registry_names() -> None:
    assert registry.get("Rapido").name == "alma"
    assert registry.get("reshare").protocols == ("iso18626",)
    with pytest.raises(KeyError, match="did you mean alma"):
        registry.get("almaa")
