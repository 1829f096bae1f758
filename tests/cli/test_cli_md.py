"""Every command docs/cli.md shows, run as written (ports and hosts mapped to local ones) and checked against the
output the page shows. A `$ ` line the page gains without a runner here fails the first test."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from clirun import ROOT, env, run, start, stop

import iso18626

DOC = ROOT / "docs" / "cli.md"


def documented() -> list[tuple[str, list[str]]]:
    """(command, the output lines shown under it) for every `$ ` line of the console blocks."""
    out: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                out.append((line[2:], []))
            elif out:
                out[-1][1].append(line)
    return out


def _command(text: str) -> str:
    return text.split("  #")[0].strip()


RUNNERS = {
    "isoill encode typo.json", "isoill encode bad-date.json",
    "isoill new ILL-Request > test-request.json", "$EDITOR test-request.json",
    "isoill encode test-request.json -o test-request.ber", "isoill decode test-request.ber | head -8",
    "isoill listen --port 1611 --reply-status &",
    "isoill send 127.0.0.1:1611 test-request.ber --wait 5 --replies 1",
    "isoill send ill.partner.example:1611 test-request.ber --wait 10",
    'yaz-illclient -D ill,item-id,title="Test" 127.0.0.1:1611',
    'yaz-illclient -o -u USER -p PASSWORD -D ill,item-id,title="Test" 127.0.0.1:1611',
    "isoill 18626 validate request.xml", "isoill 18626 validate broken.xml", "isoill 18626 serve --port 9001 &",
    "isoill 18626 send http://127.0.0.1:9001/ request.xml",
}


def test_every_documented_command_has_a_runner() -> None:
    assert {_command(c) for c, _ in documented()} == RUNNERS


def _shown(command: str) -> list[str]:
    return next(lines for c, lines in documented() if _command(c) == command)


def _isoill(cmdline: str, cwd: Path, ports: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    for doc_port, real in ports.items():
        cmdline = cmdline.replace(doc_port, real)
    argv = shlex.split(cmdline)
    assert argv[0] == "isoill"
    return run(*argv[1:], cwd=cwd)


@pytest.fixture()
def silent_peer() -> Iterator[int]:
    """A TCP peer that accepts and never answers, standing in for ill.partner.example:1611."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


def test_worked_example(tmp_path: Path, silent_peer: int) -> None:
    new = run("new", "ILL-Request", cwd=tmp_path)
    assert new.returncode == 0
    (tmp_path / "test-request.json").write_bytes(new.stdout)
    # $EDITOR: what the comment asks for.
    data = json.loads((tmp_path / "test-request.json").read_text())
    data["requester_id"]["person_or_institution_symbol"]["InstitutionSymbol"]["value"] = "MYLIB"
    data["responder_id"]["person_or_institution_symbol"]["InstitutionSymbol"]["value"] = "PARTNER"
    data["transaction_id"]["transaction_qualifier"] = "REQ-0001"
    data["item_id"] = {"title": "The art of computer programming", "author": "Knuth, Donald E."}
    (tmp_path / "test-request.json").write_text(json.dumps(data, indent=2))
    assert _isoill("isoill encode test-request.json -o test-request.ber", tmp_path, {}).returncode == 0
    decoded = _isoill("isoill decode test-request.ber", tmp_path, {})
    head = decoded.stdout.decode().splitlines()[:8]
    shown = _shown("isoill decode test-request.ber | head -8")
    today = datetime.now().strftime("%Y%m%d")
    assert head[:7] == shown[:7] and head[7] == shown[7].replace("20261202", today)
    octets = (tmp_path / "test-request.ber").stat().st_size

    listener, line = start("listen", "--port", "0", "--reply-status", marker="listening on")
    try:
        port = line.rsplit(":", 1)[1]
        assert _shown("isoill listen --port 1611 --reply-status &") == ["isoill: listening on 127.0.0.1:1611"]
        sent = _isoill("isoill send 127.0.0.1:1611 test-request.ber --wait 5 --replies 1", tmp_path,
                       {"1611": port, "--wait 5": "--wait 30"})
        assert sent.returncode == 0, sent.stderr
        shown = _shown("isoill send 127.0.0.1:1611 test-request.ber --wait 5 --replies 1")
        assert f"({octets} octets) to 127.0.0.1:1611" in "\n".join(shown)  # the page's sizes are this request's
        reply = sent.stdout.decode()
        for expected in (x for x in shown if x.startswith(("--- reply", "    provider", "      most-recent"))):
            assert expected in reply
        assert f"sent 1 APDU(s) ({octets} octets) to 127.0.0.1:{port}; 1 reply" in sent.stderr.decode()

        partner = _isoill("isoill send ill.partner.example:1611 test-request.ber --wait 10", tmp_path,
                          {"ill.partner.example:1611": f"127.0.0.1:{silent_peer}", "--wait 10": "--wait 1"})
        assert partner.returncode == 0
        assert "0 replies within" in partner.stderr.decode()

        yaz = shutil.which("yaz-illclient")
        if yaz is not None:  # (the YAZ runs are also required in CI by tests/cli/test_cli_network.py)
            for command in ('yaz-illclient -D ill,item-id,title="Test" 127.0.0.1:1611',
                            'yaz-illclient -o -u USER -p PASSWORD -D ill,item-id,title="Test" 127.0.0.1:1611'):
                argv = shlex.split(command.replace("1611", port))
                # yaz-illclient writes ./req.apdu: run it in the test's directory.
                done = subprocess.run([yaz, *argv[1:]], capture_output=True, timeout=60, cwd=tmp_path)
                assert done.returncode == 0 and done.stdout.decode().splitlines()[-1] == "Ok", done
                assert _shown(command) == ["Ok"]
    finally:
        stop(listener)


def _write_requests(tmp_path: Path) -> None:
    msg = iso18626.Request(
        header=iso18626.Header(
            requesting_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                   agency_id_value="DK-1"),
            supplying_agency_id=iso18626.AgencyId(agency_id_type=iso18626.SchemeValue("ISIL"),
                                                  agency_id_value="DK-2"),
            timestamp=datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc), requesting_agency_request_id="my123"),
        bibliographic_info=iso18626.BibliographicInfo(title="T"),
        service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN,
                                          request_type=iso18626.RequestType.NEW),
    )
    xml = iso18626.serialize(msg)
    (tmp_path / "request.xml").write_bytes(xml)
    (tmp_path / "broken.xml").write_bytes(xml.replace(b"2025-01-02T03:04:05Z", b"yesterday"))


def test_18626_section(tmp_path: Path) -> None:
    _write_requests(tmp_path)
    ok = _isoill("isoill 18626 validate request.xml", tmp_path, {})
    assert ok.returncode == 0 and ok.stdout.decode().splitlines() == _shown("isoill 18626 validate request.xml")
    bad = _isoill("isoill 18626 validate broken.xml", tmp_path, {})
    shown = _shown("isoill 18626 validate broken.xml")[0]
    assert bad.returncode == 1 and bad.stderr.decode().startswith(shown.removesuffix("..."))
    server, line = start("18626", "serve", "--port", "0", marker="serving ISO 18626 on")
    try:
        port = line.rstrip("/").rsplit(":", 1)[1]
        assert _shown("isoill 18626 serve --port 9001 &") == [line.replace(port, "9001")]
        sent = _isoill("isoill 18626 send http://127.0.0.1:9001/ request.xml", tmp_path, {"9001": port})
        assert sent.returncode == 0, sent.stderr
        shown = _shown("isoill 18626 send http://127.0.0.1:9001/ request.xml")
        assert sent.stdout.decode().splitlines()[0] == shown[0]
        assert "<ill:messageStatus>OK</ill:messageStatus>" in sent.stdout.decode()
    finally:
        _, err = stop(server)
    assert "POST Request my123 -> 200 OK" in err and shown[-1].endswith("POST Request my123 -> 200 OK")


def test_input_errors_section(tmp_path: Path) -> None:
    new = run("new", "ILL-Request")
    data = json.loads(new.stdout)
    typo = json.loads(json.dumps(data))
    typo["item_id"]["titel"] = typo["item_id"].pop("title")
    (tmp_path / "typo.json").write_text(json.dumps(typo))
    data["service_date_time"]["date_time_of_this_service"]["date"] = "2025-06-01"
    (tmp_path / "bad-date.json").write_text(json.dumps(data))
    for command in ("isoill encode typo.json", "isoill encode bad-date.json"):
        done = _isoill(command, tmp_path, {})
        assert done.returncode == 1 and done.stderr.decode().splitlines() == _shown(command)


def test_env_helper_points_at_this_tree() -> None:
    assert str(ROOT / "src") in env()["PYTHONPATH"]
