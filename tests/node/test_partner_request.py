"""`isoill request`: the dummy request of the set-up guides. What it writes for Alma is accepted by YAZ and carries
APDU-Delivery-Info with the return address, version 2 and transaction-type simple; missing values are named with
their flags; with a directory `--to SYMBOL` finds the rest; ISO 18626 partners get an ISO 18626 request."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import iso18626
import isoill
from illnode import cli
from isoill.extensions import APDUDeliveryInfo
from isoill.extensions.delivery_info import reply_address

DIRECTORY = """\
[[partner]]
symbol = "01CALS_XYZ"
protocol = "iso10161"
address = "127.0.0.1:9"
profile = "alma"

[[partner]]
symbol = "CNO"
name = "Cal State Northridge"
address = "127.0.0.1:16110"
shipping_address = "Oviatt Library ILL, 18111 Nordhoff St, Northridge CA"

[[partner]]
symbol = "ISIL:US-ABC"
protocol = "iso18626"
address = "http://127.0.0.1:9/iso18626"
profile = "reshare"
auth_account = "cno"
auth_secret = "s3cret"
"""


def test_yaz_accepts_it_with_delivery_info_version_2_and_simple(alma_request: Path, yaz_oracle: Path) -> None:
    out = subprocess.run([str(yaz_oracle), "decode", "-p", "-e", str(alma_request)], capture_output=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout.decode("latin-1")
    assert "RESULT OK" in text
    assert re.search(r"^\s+protocol_version_num 2$", text, re.M)
    assert re.search(r"^\s+transaction_type 1$", text, re.M)
    assert "EXTERNAL direct-reference=1.0.10161.13.3 encoding=single-ASN1-type" in text
    adi = text[text.index("APDU-Delivery-Info {"):]
    sender = adi[adi.index("sender-info"):adi.index("recipient-info")]
    assert "GeneralString 'TCP/IP'" in sender and "GeneralString '127.0.0.1:16110'" in sender


def test_it_reads_back_as_the_request_asked_for(alma_request: Path) -> None:
    apdu = isoill.decode(alma_request.read_bytes())
    assert isinstance(apdu, isoill.ILLRequest)
    assert apdu.protocol_version_num == 2 and apdu.transaction_type == isoill.TransactionType.SIMPLE
    assert apdu.item_id.title == "Gödel, Escher, Bach" and apdu.item_id.author == "Hofstadter"
    assert str(apdu.responder_id.person_or_institution_symbol.value) == "01CALS_XYZ"  # type: ignore[union-attr]
    info = apdu.extension(APDUDeliveryInfo)
    assert info is not None and reply_address(info) == ("127.0.0.1", 16110)
    assert apdu.delivery_address is not None and apdu.delivery_address.postal_address is not None
    assert apdu.service_date_time.date_time_of_this_service.date.isdigit()


def test_each_request_gets_a_fresh_transaction_id(tmp_path: Path, alma_request: Path, alma_args: list[str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    second = tmp_path / "second.ber"
    assert cli.main([*alma_args, "-o", str(second)]) == 0
    one, two = (isoill.decode(p.read_bytes()).transaction_id for p in (alma_request, second))
    assert one.transaction_qualifier != two.transaction_qualifier


def test_missing_values_are_named_with_their_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["request", "--profile", "alma", "--from", "CNO", "--to", "01CALS_XYZ", "-o",
                     str(tmp_path / "x.ber")])
    assert code == 2
    err = capsys.readouterr().err
    for flag in ("--title", "--delivery-address", "--return-address"):
        assert f"missing {flag}:" in err
    assert "--from" not in err and not (tmp_path / "x.ber").exists()
    assert cli.main(["request", "--from", "CNO", "--to", "X", "--title", "T"]) == 2
    assert "missing -o FILE" in capsys.readouterr().err


def test_with_a_directory_to_is_enough(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    out = tmp_path / "req.ber"
    assert cli.main(["request", "--directory", str(path), "--from", "CNO", "--to", "01CALS_XYZ",
                     "--title", "A book", "-o", str(out)]) == 0
    apdu = isoill.decode(out.read_bytes())
    info = apdu.extension(APDUDeliveryInfo)
    assert info is not None and reply_address(info) == ("127.0.0.1", 16110)  # our own record's address
    assert apdu.delivery_address.postal_address.city == "Northridge CA"  # type: ignore[union-attr]
    assert cli.main(["check", "--profile", "alma", str(out)]) == 0
    assert cli.main(["request", "--directory", str(path), "--from", "CNO", "--to", "NOBODY", "--title", "T",
                     "-o", str(out)]) == 2
    assert "no partner 'NOBODY'" in capsys.readouterr().err


def test_iso18626_partner_gets_an_iso18626_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    out = tmp_path / "req.xml"
    assert cli.main(["request", "--directory", str(path), "--from", "ISIL:US-CNO", "--to", "ISIL:US-ABC",
                     "--title", "A book", "--note", "#scenario=loaned", "-o", str(out)]) == 0
    parsed = iso18626.read(out.read_bytes(), strict=True)
    message = parsed.message
    assert isinstance(message, iso18626.Request)
    assert message.header.supplying_agency_id.agency_id_value == "US-ABC"  # type: ignore[union-attr]
    assert message.header.requesting_agency_authentication == iso18626.RequestingAgencyAuthentication(
        account_id="cno", security_code="s3cret")
    assert message.bibliographic_info.title == "A book"
    assert cli.main(["check", "--profile", "reshare", str(out)]) == 0


def test_a_request_that_breaks_the_profile_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # ReShare trims requestingAgencyRequestIds over 32 characters: the request is not written
    out = tmp_path / "req.xml"
    code = cli.main(["request", "--profile", "reshare", "--from", "ISIL:A", "--to", "ISIL:B", "--title", "T",
                     "--id", "X" * 40, "-o", str(out)])
    assert code == 1 and not out.exists()
    out = capsys.readouterr().out
    assert out.startswith("/ISO18626Message/request/header/requestingAgencyRequestId: 40 characters")


def test_partner_record_settings_are_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(DIRECTORY + '\n[[partner]]\nsymbol = "OLD"\naddress = "127.0.0.1:9"\nprotocol_version = 1\n'
                    'charset = "latin-1"\n', encoding="utf-8")
    out = tmp_path / "old.ber"
    assert cli.main(["request", "--directory", str(path), "--from", "CNO", "--to", "OLD", "--title", "Gödel",
                     "-o", str(out)]) == 0
    data = out.read_bytes()
    assert "Gödel".encode("latin-1") in data and "Gödel".encode() not in data
    assert isoill.Codec(charset="latin-1").decode(data).protocol_version_num == 1
    # Alma wants version 2: a record asking for 1 makes a request the profile refuses, and says why
    path.write_text(DIRECTORY.replace('profile = "alma"', 'profile = "alma"\nprotocol_version = 1'), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["request", "--directory", str(path), "--from", "CNO", "--to", "01CALS_XYZ", "--title", "T",
                     "-o", str(out)]) == 1
    assert capsys.readouterr().out.startswith("ILL-Request.protocol-version-num: 1; Alma uses version 2")
