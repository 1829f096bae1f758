"""The `isoill` command: decode/encode, send to a capturing peer, listen, and the ISO 18626 subcommands
(validate, send, serve as a real process over HTTP/1.1 and HTTP/2)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from clirun import start

import iso18626
import isoill
import isoill.convert
from illnode import cli

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
REQUEST = VECTORS / "illclient-request-plain.ber"
SHARED = Path(os.environ.get("ISOILL_SHARED", Path(__file__).resolve().parents[3] / "shared"))
SAMPLES = SHARED / "samples" / "iso18626" / "oclc"


def isoill_cmd(*args: str, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "illnode.cli", *args], input=stdin, capture_output=True,
                          timeout=timeout)


def stop(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    proc.terminate()
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


# --- decode / encode ---------------------------------------------------------------------------------------

def test_decode_prints_a_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["decode", str(REQUEST)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ILL-Request\n")
    assert '    transaction-qualifier: "ILL-2024-000123"' in out
    assert '    title: "Gödel, Escher, Bach: an eternal golden braid"' in out
    assert "  iLL-service-type (1)\n    - loan (1)" in out


def test_decode_hex_from_stdin_and_several_apdus() -> None:
    data = REQUEST.read_bytes() + (VECTORS / "shipped.ber").read_bytes()
    dump = "\n".join(data[i:i + 16].hex(" ") for i in range(0, len(data), 16)).encode()
    result = isoill_cmd("decode", "--hex", "-", stdin=dump)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "--- APDU 1 (462 octets)\nILL-Request" in out
    assert "--- APDU 2 (" in out and "\nShipped\n" in out


def test_json_round_trip_through_decode_and_encode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = VECTORS / "illclient-request-oclc-auth.ber"
    assert cli.main(["decode", "--json", str(source)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["type"] == "ILLRequest"
    (tmp_path / "r.json").write_text(json.dumps(doc))
    assert cli.main(["encode", str(tmp_path / "r.json"), "-o", str(tmp_path / "r.ber")]) == 0
    assert isoill.decode((tmp_path / "r.ber").read_bytes()) == isoill.decode(source.read_bytes())


def test_decode_errors_are_one_line_with_exit_codes() -> None:
    bad = isoill_cmd("decode", str(VECTORS / "negative" / "utf8string-note.ber"))
    assert bad.returncode == cli.EXIT_INVALID
    assert bad.stderr.decode().count("\n") == 1 and "byte offset 72" in bad.stderr.decode()
    truncated = isoill_cmd("decode", str(VECTORS / "negative" / "truncated.ber"))
    assert truncated.returncode == cli.EXIT_INVALID and b"ends inside an APDU" in truncated.stderr
    missing = isoill_cmd("decode", "/nonexistent/file.ber")
    assert missing.returncode == cli.EXIT_USAGE and missing.stderr.startswith(b"isoill: cannot read")
    assert isoill_cmd("decode", "--hex", "-", stdin=b"zz").returncode == cli.EXIT_INVALID
    assert isoill_cmd("frobnicate").returncode == cli.EXIT_USAGE


def test_encode_rejects_bad_json(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"type": "ILLRequest", "transaction_id": 5}')
    result = isoill_cmd("encode", str(tmp_path / "x.json"))
    assert result.returncode == cli.EXIT_INVALID
    assert result.stderr.decode().startswith(f"isoill: {tmp_path / 'x.json'}: expected an object with the fields "
                                             "of TransactionId, got int in ILLRequest.transaction_id")


def test_help_documents_commands_and_exit_codes() -> None:
    top = isoill_cmd("--help")
    assert top.returncode == 0
    for word in (b"decode", b"encode", b"send", b"listen", b"18626", b"exit codes", b"network failure"):
        assert word in top.stdout
    for sub in (["listen"], ["send"], ["18626", "serve"], ["18626", "validate"]):
        result = isoill_cmd(*sub, "--help")
        assert result.returncode == 0 and b"usage: isoill" in result.stdout


# --- send to a capturing peer ----------------------------------------------------------------------------

class CapturePeer:
    """A loopback TCP peer that records every octet it receives and optionally answers once."""

    def __init__(self, reply: bytes = b"") -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(30)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.received = b""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            conn.settimeout(30)
            if self.reply:
                conn.sendall(self.reply)
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                self.received += chunk

    def join(self) -> bytes:
        self.thread.join(30)
        self.sock.close()
        return self.received


def test_send_delivers_the_file_exactly_and_prints_the_reply() -> None:
    files = [REQUEST, VECTORS / "message-long-note.ber", VECTORS / "overdue-ext-oclc-adi.ber"]
    source = b"".join(f.read_bytes() for f in files)
    reply = (VECTORS / "illclient-reply-status-report.ber").read_bytes()
    peer = CapturePeer(reply)
    result = isoill_cmd("send", f"127.0.0.1:{peer.port}", "-", "--wait", "20", "--replies", "1", stdin=source)
    assert result.returncode == 0, result.stderr
    assert peer.join() == source  # byte for byte: no re-encoding on the way
    out = result.stdout.decode()
    assert "--- reply 1: Status-Or-Error-Report" in out
    assert "provider-status-report: shipped (8)" in out
    assert b"sent 3 APDU(s)" in result.stderr


def test_what_send_delivers_renders_in_yaz_exactly_as_the_source(yaz_oracle: Path, tmp_path: Path) -> None:
    source = VECTORS / "request-utf8-title.ber"
    peer = CapturePeer()
    assert isoill_cmd("send", f"127.0.0.1:{peer.port}", str(source), "--wait", "0").returncode == 0
    (tmp_path / "got.ber").write_bytes(peer.join())

    def yaz(path: Path) -> bytes:
        return subprocess.run([str(yaz_oracle), "decode", "-p", "-e", str(path)], capture_output=True,
                              timeout=60, check=True).stdout

    assert yaz(tmp_path / "got.ber") == yaz(source)
    assert b"ILL-Request" in yaz(source)


def test_send_json_file_and_network_failure(tmp_path: Path) -> None:
    doc = isoill.convert.to_json(isoill.decode((VECTORS / "message.ber").read_bytes()))
    (tmp_path / "m.json").write_text(doc)
    peer = CapturePeer()
    assert isoill_cmd("send", f"127.0.0.1:{peer.port}", str(tmp_path / "m.json"), "--wait", "0").returncode == 0
    assert isoill.decode(peer.join()) == isoill.decode((VECTORS / "message.ber").read_bytes())
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    refused = isoill_cmd("send", f"127.0.0.1:{port}", str(REQUEST))
    assert refused.returncode == cli.EXIT_NETWORK
    assert refused.stderr.startswith(b"isoill: cannot send to")
    assert isoill_cmd("send", "no-port-here", str(REQUEST)).returncode == cli.EXIT_USAGE


# --- listen ------------------------------------------------------------------------------------------------

@pytest.fixture()
def listener(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    proc, line = start("listen", "--port", "0", "--reply-status", "--save", str(tmp_path / "saved"),
                       marker="listening on")
    try:
        yield int(line.rsplit(":", 1)[1]), proc
    finally:
        stop(proc)


def test_listen_prints_saves_and_answers_with_the_transaction_state(
        listener: tuple[int, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    port, proc = listener
    sent = isoill_cmd("send", f"127.0.0.1:{port}", str(VECTORS / "request.ber"), "--wait", "20", "--replies", "1")
    assert sent.returncode == 0, sent.stderr
    out = sent.stdout.decode()
    # The listener is the responder: after the ILL-Request its transaction is in process.
    assert "--- reply 1: Status-Or-Error-Report" in out and "provider-status-report: in-process (3)" in out
    # send itself refuses a file that is not APDUs.
    junk = isoill_cmd("send", f"127.0.0.1:{port}", "--hex", "-", stdin=b"30 03 02 01 01")
    assert junk.returncode == cli.EXIT_INVALID
    # Garbage on the wire is refused with an error report; the listener keeps going.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    report = isoill.decode(answer)
    assert isinstance(report, isoill.StatusOrErrorReport) and report.error_report is not None
    # Received before Shipped: the protocol machine refuses it, and the reply says why.
    again = isoill_cmd("send", f"127.0.0.1:{port}", str(VECTORS / "received.ber"), "--wait", "20",
                       "--replies", "1")
    text = again.stdout.decode()
    assert "provider-error-report: state-transition-prohibited" in text
    assert "aPDU-type: received (8)" in text and "current-state: in-process (3)" in text
    # Status-Query is allowed: the answer carries the state and the History-Report.
    query = isoill_cmd("send", f"127.0.0.1:{port}", str(VECTORS / "status-query.ber"), "--wait", "20",
                       "--replies", "1")
    assert "provider-status-report: in-process (3)" in query.stdout.decode()
    assert "most-recent-service: ill-request (1)" in query.stdout.decode()
    assert proc.poll() is None
    out, _ = stop(proc)
    text = out.decode()
    assert "APDU 1 from 127.0.0.1:" in text and ": ILL-Request (" in text and ": Received (" in text
    assert sorted(p.name for p in (tmp_path / "saved").iterdir()) == [
        "0001-ILLRequest.ber", "0002-Received.ber", "0003-StatusQuery.ber"]


# --- ISO 18626 ---------------------------------------------------------------------------------------------

def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.is_file():
        pytest.skip("../shared samples not available")
    return path


def test_18626_validate(tmp_path: Path) -> None:
    good = isoill_cmd("18626", "validate", str(sample("NewRequest.xml")))
    assert good.returncode == 0 and b"valid ISO 18626 1.2 Request" in good.stdout
    broken = sample("NewRequest.xml").read_bytes().replace(b"<ns1:timestamp>", b"<ns1:timestamp>x", 1)
    (tmp_path / "bad.xml").write_bytes(broken)
    bad = isoill_cmd("18626", "validate", str(tmp_path / "bad.xml"))
    assert bad.returncode == cli.EXIT_INVALID
    line = bad.stderr.decode()
    assert line.count("\n") == 1
    assert "BadlyFormedMessage" in line or "UnrecognisedDataValue" in line
    assert "/ISO18626Message/request/header/timestamp" in line


@pytest.fixture()
def endpoint() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    proc, line = start("18626", "serve", "--port", "0", marker="serving ISO 18626 on")
    try:
        yield line.rsplit(" ", 1)[1], proc
    finally:
        stop(proc)


def test_18626_serve_acceptance(endpoint: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, proc = endpoint
    body = sample("RequestSample2ForISOService.xml").read_bytes()
    xml = {"content-type": "application/xml"}
    for h2 in (False, True):
        with httpx.Client(http1=not h2, http2=h2, timeout=30) as c:
            ok = c.post(url, content=body, headers=xml)
            assert ok.status_code == 200 and ok.http_version == ("HTTP/2" if h2 else "HTTP/1.1")
            conf = iso18626.parse(ok.content)
            assert isinstance(conf, iso18626.RequestConfirmation)
            assert conf.confirmation_header.message_status == iso18626.MessageStatus.OK
            assert conf.confirmation_header.requesting_agency_request_id == "tester-20201014.1529"
            assert c.get(url).status_code == 405
            assert c.post(url, content=body, headers={"content-type": "text/plain"}).status_code == 415
            assert c.post(url, content=b"x" * (30 * 1024 * 1024), headers=xml).status_code == 413
            bad = c.post(url, content=b"<oops", headers=xml)
            assert bad.status_code == 400
            assert iso18626.parse(bad.content).error_data[0].error_type == iso18626.ErrorType.BADLY_FORMED_MESSAGE
    assert proc.poll() is None  # still running


def test_18626_send_prints_confirmation_and_exit_codes(endpoint: tuple[str, subprocess.Popen[bytes]]) -> None:
    url, proc = endpoint
    ok = isoill_cmd("18626", "send", url, str(sample("NewRequest.xml")))
    assert ok.returncode == 0, ok.stderr
    conf = iso18626.parse(ok.stdout)
    assert conf.confirmation_header.requesting_agency_request_id == "168166854"
    h2 = isoill_cmd("18626", "send", "--http2", url, str(sample("NewRequest.xml")))
    assert h2.returncode == 0, h2.stderr
    unknown = isoill_cmd("18626", "send", url, str(sample("SupplyingAgencyMessageRefused.xml")))
    assert unknown.returncode == cli.EXIT_PEER_ERROR
    assert b"messageStatus ERROR" in unknown.stderr and b"UnrecognisedDataValue" in unknown.stderr
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    down = isoill_cmd("18626", "send", f"http://127.0.0.1:{port}/", str(sample("NewRequest.xml")))
    assert down.returncode == cli.EXIT_NETWORK
    _, err = stop(proc)
    log = err.decode()
    assert "POST Request 168166854 -> 200 OK" in log
    assert "POST SupplyingAgencyMessage Requesting-ID-3 -> 200 ERROR" in log


# --- make demo ---------------------------------------------------------------------------------------------

def test_demo_runs_a_full_loan_over_tcp_and_http() -> None:
    result = subprocess.run([sys.executable, "-m", "illnode.demo"], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    for kind in ("ILL-Request", "ILL-Answer", "Shipped", "Received", "Returned", "Checked-In"):
        assert f"received {kind} from 127.0.0.1:" in out
    assert "responder's transaction ends in state CHECKED_IN" in out
    assert out.count("confirms over HTTP/2") >= 2 and out.count("confirms over HTTP/1.1") >= 2
    assert out.count(" OK for requestingAgencyRequestId DEMO-0001") == 5
