"""The partner directory: TOML records, typed errors naming the field, the store's documents, records learnt from
a first request, and `isoill partners list|show|add`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import isoill
from illnode import cli
from illnode.directory import Directory, DirectoryError, MemoryDocuments, Partner

TOML = """\
# partners of CNO
[[partner]]
symbol = "01CALS_XYZ"
name = "Cal State XYZ"
protocol = "iso10161"
address = "alma.example.edu:9001"
profile = "alma"
protocol_version = 2

[[partner]]
symbol = "ISIL:US-ABC"
protocol = "iso18626"
address = "https://abc.example.org/iso18626"
profile = "reshare"
auth_account = "cno"
auth_secret = "s3cret"
strict = true
"""


def test_load_toml(tmp_path: Path) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(TOML, encoding="utf-8")
    directory = Directory.load(path)
    assert len(directory) == 2
    alma = directory.get("01cals_xyz")  # symbols are case-insensitive
    assert alma is not None and alma.address == "alma.example.edu:9001" and alma.protocol_version == "2"
    abc = directory.get("ISIL:US-ABC")
    assert abc is not None and abc.strict is True and abc.auth_secret == "s3cret" and not abc.generated


@pytest.mark.parametrize(("text", "message"), [
    ('[[partner]]\nsymbol = "A"\nadress = "x:1"\n', "partner[0]: unknown field 'adress'"),
    ('[[partner]]\nname = "no symbol"\n', "partner[0]: no symbol"),
    ('[[partner]]\nsymbol = "A"\naddress = "no-port"\n', "an ISO 10161 partner is reached at HOST:PORT"),
    ('[[partner]]\nsymbol = "A"\nprotocol = "z3950"\n', "protocol 'z3950'"),
    ('[[partner]]\nsymbol = "A"\nactive = "yes"\n', "partner[0].active: expected bool, got str"),
    ('[[partner]]\nsymbol = "A"\n[[partner]]\nsymbol = "a"\n', "symbol 'a' appears twice"),
    ('[[partners]]\nsymbol = "A"\n', "unknown table 'partners'"),
    ("symbol = ", "not TOML"),
])
def test_bad_records_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as caught:
        Directory.load(path)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_store_documents_round_trip() -> None:
    store = MemoryDocuments()
    directory = Directory.from_store(store)
    directory.add(Partner(symbol="CNO", address="ill.cno.edu:1611", profile="illiad"))
    again = Directory.from_store(store)
    assert again.get("cno") == directory.get("CNO")
    assert store.get_doc("partner", "CNO") == {"symbol": "CNO", "protocol": "iso10161",
                                               "address": "ill.cno.edu:1611", "profile": "illiad",
                                               "charset": "utf-8", "active": True, "generated": False}


def test_learn_from_first_request(alma_request: Path) -> None:
    directory = Directory(store=MemoryDocuments())
    apdu = isoill.decode(alma_request.read_bytes())
    learnt = directory.learn_10161(apdu, profile="alma")
    assert learnt == Partner(symbol="CNO", protocol="iso10161", address="127.0.0.1:16110", profile="alma",
                             generated=True)
    assert directory.learn_10161(apdu) is None  # known now: staff edits are never overwritten
    assert Directory.from_store(directory.store).get("CNO") == learnt  # type: ignore[arg-type]


def test_learn_from_first_iso18626_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import iso18626

    out = tmp_path / "req.xml"
    assert cli.main(["request", "--from", "ISIL:US-CNO", "--to", "ISIL:US-ABC", "--title", "T", "-o", str(out)]) == 0
    directory = Directory()
    learnt = directory.learn_18626(iso18626.read(out.read_bytes()).message, profile="reshare")
    assert learnt == Partner(symbol="ISIL:US-CNO", protocol="iso18626", profile="reshare", generated=True)
    assert directory.by_address("") is None  # a record without an address is not found by address


def test_partners_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "partners.toml"
    path.write_text(TOML, encoding="utf-8")
    assert cli.main(["partners", "add", "CNO", "--directory", str(path), "--address", "ill.cno.edu:1611",
                     "--profile", "illiad", "--name", "Cal State Northridge", "--tolerant"]) == 0
    assert "# partners of CNO" in path.read_text(encoding="utf-8")  # the file is appended to, not rewritten
    capsys.readouterr()
    assert cli.main(["partners", "list", "--directory", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["01CALS_XYZ", "CNO", "ISIL:US-ABC"]
    assert cli.main(["partners", "show", "cno", "--directory", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "symbol": "CNO", "name": "Cal State Northridge", "protocol": "iso10161", "address": "ill.cno.edu:1611",
        "profile": "illiad", "charset": "utf-8", "strict": False, "active": True, "generated": False}
    assert cli.main(["partners", "add", "CNO", "--directory", str(path), "--address", "x:1"]) == 1
    assert "already" in capsys.readouterr().err
    assert cli.main(["partners", "add", "NEW", "--directory", str(path), "--profile", "almaa"]) == 2
    assert "did you mean alma" in capsys.readouterr().err
    assert cli.main(["partners", "show", "NOPE", "--directory", str(path)]) == 1
    assert cli.main(["partners", "list"]) == 2  # no directory named


def test_partners_add_to_store(capsys: pytest.CaptureFixture[str]) -> None:
    # memory: lives for one process only; the command still takes it (the durable store is issue 14's)
    assert cli.main(["partners", "add", "CNO", "--store", "memory:", "--address", "h:1611"]) == 0
    assert "added CNO" in capsys.readouterr().out
