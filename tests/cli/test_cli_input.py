"""`isoill encode` / `send` / `new` / `--version`: each bad input is exit 1 naming the key or value and its path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from clirun import VECTORS, run

import isoill
from illnode import cli
from illnode.commands import new as new_command
from isoill.convert import to_dict


@pytest.fixture()
def request_json() -> dict[str, Any]:
    return to_dict(isoill.decode((VECTORS / "request.ber").read_bytes()))


def _encode(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path, data: Any,
            *extra: str) -> tuple[int, str]:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    code = cli.main(["encode", str(path), "-o", str(tmp_path / "out.ber"), *extra])
    return code, capsysbinary.readouterr().err.decode()


def test_good_path_unchanged(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path,
                             request_json: dict[str, Any]) -> None:
    code, err = _encode(capsysbinary, tmp_path, request_json)
    assert (code, err) == (0, "")
    assert (tmp_path / "out.ber").read_bytes() == isoill.encode(isoill.decode((VECTORS / "request.ber").read_bytes()))


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["item_id"].__setitem__("titel", d["item_id"].pop("title")),
     "unknown field 'titel' in ILLRequest.item_id; did you mean 'title'?"),
    (lambda d: d.__setitem__("requester_note_typo", "x"),
     "unknown field 'requester_note_typo' in ILLRequest; did you mean 'requester_note'"),
    (lambda d: d.pop("item_id"), "missing required field 'item_id' in ILLRequest"),
    (lambda d: d.__setitem__("transaction_type", "simpel"),
     "'simpel' is not a TransactionType in ILLRequest.transaction_type; allowed: simple, chained, partitioned"),
    (lambda d: d["service_date_time"]["date_time_of_this_service"].__setitem__("date", "2025-06-01"),
     "cannot encode: '2025-06-01' breaks ISO-Date (YYYYMMDD) in "
     "ILL-Request.service-date-time.date-time-of-this-service.date"),
    (lambda d: d.__setitem__("type", "ILLRequst"), "did you mean 'ILLRequest'"),
])
def test_bad_json_is_exit_1_naming_key_and_path(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path,
                                                request_json: dict[str, Any], mutate: Any, message: str) -> None:
    mutate(request_json)
    code, err = _encode(capsysbinary, tmp_path, request_json)
    assert code == cli.EXIT_INVALID
    assert message in err and err.startswith("isoill: ") and err.count("\n") == 1
    assert not (tmp_path / "out.ber").exists()


def test_standard_enum_names_as_printed_are_accepted(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path,
                                                     request_json: dict[str, Any]) -> None:
    request_json["transaction_type"] = "simple"
    request_json["ill_service_type"] = ["loan", "copy-non-returnable"]
    code, err = _encode(capsysbinary, tmp_path, request_json)
    assert (code, err) == (0, "")


def test_array_item_is_named(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path,
                             request_json: dict[str, Any]) -> None:
    bad = json.loads(json.dumps(request_json))
    bad["colour"] = 1
    code, err = _encode(capsysbinary, tmp_path, [request_json, bad])
    assert code == cli.EXIT_INVALID and "in.json [1]: unknown field 'colour' in ILLRequest" in err


def test_no_check_opt_out(capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path,
                          request_json: dict[str, Any]) -> None:
    request_json["service_date_time"]["date_time_of_this_service"]["date"] = "2025-06-01"
    code, _ = _encode(capsysbinary, tmp_path, request_json, "--no-check")
    assert code == 0
    assert isoill.decode((tmp_path / "out.ber").read_bytes()).service_date_time.date_time_of_this_service.date \
        == "2025-06-01"


def test_send_checks_json_before_connecting(tmp_path: Path, request_json: dict[str, Any]) -> None:
    request_json["item_id"]["titel"] = request_json["item_id"].pop("title")
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request_json))
    # port 9 (discard) is never contacted: the input fails first
    result = run("send", "127.0.0.1:9", str(path))
    assert result.returncode == cli.EXIT_INVALID
    assert b"unknown field 'titel' in ILLRequest.item_id; did you mean 'title'?" in result.stderr


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0 and result.stdout.decode() == f"isoill {isoill.__version__}\n"


@pytest.mark.parametrize("cls", isoill.APDU_CLASSES, ids=lambda c: c.__name__)
def test_new_prints_an_encodable_template_for_every_apdu_type(
        cls: type, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path) -> None:
    from isoill.render import APDU_NAMES

    assert cli.main(["new", APDU_NAMES[cls.APDU_TYPE]]) == 0
    text = capsysbinary.readouterr().out
    data = json.loads(text)
    assert data["type"] == cls.__name__
    code, err = _encode(capsysbinary, tmp_path, data)  # checked encode: the template keeps to the standard
    assert (code, err) == (0, "")
    apdu = isoill.decode((tmp_path / "out.ber").read_bytes())
    assert type(apdu) is cls and apdu.transaction_id.transaction_qualifier == "CHANGE-ME-1"


def test_new_fills_in_the_usual_fields() -> None:
    import datetime as dt

    apdu = new_command.template(isoill.ILLRequest, dt.datetime(2026, 3, 4, 5, 6, 7))
    assert apdu.item_id.title == "<title>" and apdu.requester_id is not None
    assert apdu.service_date_time.date_time_of_this_service == isoill.DateTime(date="20260304", time="050607")


def test_new_unknown_type_is_a_usage_error(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert cli.main(["new", "Shiped"]) == cli.EXIT_USAGE
    assert "did you mean 'Shipped'" in capsysbinary.readouterr().err.decode()
