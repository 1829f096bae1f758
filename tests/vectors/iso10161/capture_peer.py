"""Loopback capture peer: run a client against 127.0.0.1, save the one APDU it sends, answer with a reply.

Usage: python3 capture_peer.py --reply R.ber --out CAPTURED.ber -- CLIENT ARGS... ('{port}' in ARGS is replaced).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading

from bertree import parse_one


def read_apdu(conn: socket.socket) -> bytes:
    """Read until one whole BER element has arrived (any length form); no framing prefix on the wire."""
    buf = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            raise ConnectionError(f"peer closed after {len(buf)} bytes, before a whole APDU")
        buf += chunk
        try:
            _, end = parse_one(buf, 0)
        except (IndexError, ValueError):
            continue  # incomplete so far
        if end != len(buf):
            raise ValueError(f"{len(buf) - end} bytes after the first APDU")
        return buf


def run(reply: bytes, client_argv: list[str]) -> tuple[bytes, subprocess.CompletedProcess[bytes]]:
    """Start the client, capture what it sends, answer, and close; return (captured, client result)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        captured: list[bytes] = []
        errors: list[BaseException] = []

        def serve() -> None:
            try:
                conn, _ = srv.accept()
                with conn:
                    captured.append(read_apdu(conn))
                    conn.sendall(reply)
                    # Closing right after the reply also unblocks YAZ if it ever sniffs the reply as HTTP.
                    conn.shutdown(socket.SHUT_WR)
            except BaseException as exc:  # reported after the client ends
                errors.append(exc)

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        argv = [a.replace("{port}", str(port)) for a in client_argv]
        # yaz-illclient writes ./req.apdu; keep that out of the caller's directory.
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(argv, cwd=tmp, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        t.join(timeout=10)
        if errors:
            raise errors[0]
        if not captured:
            raise RuntimeError(f"client sent nothing; rc={result.returncode} stderr={result.stderr!r}")
        return captured[0], result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reply", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("client", nargs=argparse.REMAINDER)
    ns = ap.parse_args()
    argv = ns.client[1:] if ns.client[:1] == ["--"] else ns.client
    with open(ns.reply, "rb") as f:
        reply = f.read()
    data, result = run(reply, argv)
    with open(ns.out, "wb") as f:
        f.write(data)
    sys.stdout.buffer.write(result.stdout)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
