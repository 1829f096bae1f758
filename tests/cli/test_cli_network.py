"""`isoill send` / `listen` on the wire: exit 4 on an error report or a non-BER answer, -v's one line per APDU,
HTTP on the ISO port named as such, and what yaz-illclient's default (all-zero) request gets."""

from __future__ import annotations

import http.server
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import VECTORS, run, start, stop

import isoill
from illnode import cli


@pytest.fixture()
def listener() -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    proc, line = start("-v", "listen", "--port", "0", "--reply-status", marker="listening on")
    try:
        yield int(line.rsplit(":", 1)[1]), proc
    finally:
        stop(proc)


def test_send_and_listen_verbose_and_exit_codes(listener: tuple[int, subprocess.Popen[bytes]]) -> None:
    port, proc = listener
    ok = run("-v", "send", f"127.0.0.1:{port}", str(VECTORS / "request.ber"), "--wait", "20", "--replies", "1")
    assert ok.returncode == 0, ok.stderr
    log = ok.stderr.decode()
    assert f"127.0.0.1:{port}: connected" in log
    assert f"127.0.0.1:{port}: sent ILL-Request (472 octets)" in log
    assert f"127.0.0.1:{port}: received Status-Or-Error-Report (" in log
    # Received before Shipped: an error report (state-transition-prohibited) is the peer's error: exit 4.
    refused = run("send", f"127.0.0.1:{port}", str(VECTORS / "received.ber"), "--wait", "20", "--replies", "1")
    assert refused.returncode == cli.EXIT_PEER_ERROR
    assert "provider-error-report: state-transition-prohibited" in refused.stdout.decode()
    assert b"answered with an error: reply 1: error report: state-transition-prohibited" in refused.stderr
    # HTTP spoken to the ISO port: refused with a report that says so, and the listener logs it.
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    report = isoill.decode(answer)
    assert isinstance(report, isoill.StatusOrErrorReport) and report.error_report is not None
    assert "this looks like an HTTP request; ISO 10161 peers send raw BER" in \
        str(report.error_report.correlation_information)
    _, err = stop(proc)
    assert "this looks like an HTTP request; ISO 10161 peers send raw BER" in err
    assert ": received ILL-Request (472 octets)" in err and ": sent Status-Or-Error-Report (" in err
    assert ": connected" in err and ": closed" in err


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def test_send_to_an_http_server_warns_and_fails() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run("send", f"127.0.0.1:{server.server_address[1]}", str(VECTORS / "request.ber"), "--wait", "20")
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == cli.EXIT_PEER_ERROR
    err = result.stderr.decode()
    assert "warning: what answered at 127.0.0.1:" in err and "is not an ISO 10161 peer" in err
    assert "it answered in HTTP" in err


def test_yaz_illclient_default_request_is_refused_with_the_reason(
        yaz_illclient: str, listener: tuple[int, subprocess.Popen[bytes]], tmp_path: Path) -> None:
    port, proc = listener
    # Given no -D option, yaz-illclient sends every field zero or empty (transaction-type 0, ...): refused,
    # and the report says the field was left unset.
    bare = subprocess.run([yaz_illclient, "-o", "-u", "U", "-p", "P", f"127.0.0.1:{port}"], capture_output=True,
                          timeout=60, cwd=tmp_path)  # it writes ./req.apdu
    assert bare.returncode != 0 and b"Ok" not in bare.stdout
    # The command docs/cli.md shows instead: one -D option makes YAZ fill in real values.
    good = subprocess.run([yaz_illclient, "-o", "-u", "U", "-p", "P", "-D", "ill,item-id,title=Test",
                           f"127.0.0.1:{port}"], capture_output=True, timeout=60, cwd=tmp_path)
    assert good.returncode == 0 and good.stdout.strip().endswith(b"Ok"), good
    _, err = stop(proc)
    assert "value 0 is not a TransactionType" in err and "left the field unset" in err
    assert "-D ill," in err
