"""The `isoill` command: decode, encode, send and listen for ISO 10161 APDUs; validate, send and serve ISO 18626.

Exit codes: 0 success, 1 invalid input (undecodable, unencodable or invalid data), 2 usage error,
3 network failure (cannot connect, timeout, connection lost), 4 the peer answered with an error (an error
report, an undecodable reply, something that is not ISO 10161 BER, an ISO 18626 ERROR).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from illnode.commands import (
    EXIT_CODES,
    EXIT_INVALID,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_PEER_ERROR,
    EXIT_USAGE,
    STORE_HELP,
    Failure,
    register_all,
)

# --- input helpers -----------------------------------------------------------------------------------------

def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise Failure(f"cannot read {name}: {exc.strerror or exc}", EXIT_USAGE) from None


def _unhex(data: bytes) -> bytes:
    text = data.decode("ascii", "replace")
    # Accept hex dumps with spaces, newlines, colons and an optional 0x prefix per octet.
    cleaned = "".join(text.replace("0x", " ").replace(":", " ").split())
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise Failure("input is not hexadecimal (use without --hex for binary BER)", EXIT_INVALID) from None


def _split_apdus(data: bytes) -> list[bytes]:
    """The APDUs in a BER file (one or several back to back)."""
    from isoill.stream import Framer, FramingError

    # The whole file is in memory already: the size limit is for streams.
    framer = Framer(max_size=1 << 40)
    try:
        apdus = framer.feed(data)
        if framer.error is not None:  # bad octets after whole APDUs
            raise framer.error
    except FramingError as exc:
        raise Failure(f"not BER APDUs: {exc}", EXIT_INVALID) from None
    if framer.in_apdu:
        raise Failure(f"the input ends inside an APDU ({framer.buffered} octets after the last whole one, "
                      f"at byte offset {framer.offset})", EXIT_INVALID)
    if not apdus:
        raise Failure("no APDU in the input", EXIT_INVALID)
    return apdus


def _looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"{", b"[")


def _apdus_from_file(name: str, *, hex_input: bool = False, check: bool = True) -> list[bytes]:
    """BER octets of the APDUs in FILE: binary BER, a hex dump (`hex_input`), or JSON (see `isoill encode`)."""
    data = _read_input(name)
    if _looks_like_json(data):
        return [_encode_json_item(item, n, check) for n, item in _json_items(data, name)]
    if hex_input:
        data = _unhex(data)
    return _split_apdus(data)


def _json_items(data: bytes, name: str) -> list[tuple[str, Any]]:
    """(where, item) for the APDU object or each object of the array in a JSON file."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise Failure(f"{name}: not JSON: {exc}", EXIT_INVALID) from None
    if isinstance(doc, list):
        return [(f"{name} [{n}]", item) for n, item in enumerate(doc)]
    return [(name, doc)]


def _encode_json_item(item: Any, where: str = "", check: bool = True) -> bytes:
    import isoill
    from isoill import convert

    prefix = f"{where}: " if where else ""
    try:
        apdu = convert.from_dict(item) if isinstance(item, dict) else convert.from_dict({"type": item})
        return isoill.encode(apdu, check=check)
    except isoill.EncodeError as exc:
        raise Failure(f"{prefix}cannot encode: {exc}", EXIT_INVALID) from None
    except (ValueError, TypeError) as exc:
        raise Failure(f"{prefix}{exc}", EXIT_INVALID) from None


def _describe(data: bytes, title: str, as_json: bool) -> str:
    """A decoded APDU as a text tree (or JSON) under a title line; undecodable octets as an error line."""
    import isoill
    from isoill.render import apdu_name, render

    try:
        apdu = isoill.decode(data)
    except isoill.DecodeError as exc:
        return f"--- {title}: undecodable ({len(data)} octets): {exc}\n{data.hex(' ')}"
    if as_json:
        from isoill import convert  # cattrs: only when JSON is asked for

        return convert.to_json(apdu)
    return f"--- {title}: {apdu_name(apdu)} ({len(data)} octets)\n{render(apdu)}"


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise Failure(f"expected HOST:PORT, got {text!r}", EXIT_USAGE)
    return host.strip("[]"), int(port)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


# --- ISO 10161 commands ------------------------------------------------------------------------------------

def cmd_decode(args: argparse.Namespace) -> int:
    import isoill

    data = _read_input(args.file)
    if args.hex:
        data = _unhex(data)
    apdus = _split_apdus(data)
    decoded = []
    for i, raw in enumerate(apdus, 1):
        try:
            decoded.append(isoill.decode(raw))
        except isoill.DecodeError as exc:
            raise Failure(f"APDU {i}: {exc}", EXIT_INVALID) from None
    if args.json:
        from isoill import convert  # cattrs: only when JSON is asked for

        items = [convert.to_dict(a) for a in decoded]
        _out(json.dumps(items[0] if len(items) == 1 else items, indent=2, ensure_ascii=False))
    else:
        from isoill.render import render

        for i, apdu in enumerate(decoded, 1):
            if len(decoded) > 1:
                _out(f"--- APDU {i} ({len(apdus[i - 1])} octets)")
            _out(render(apdu))
    return EXIT_OK


def cmd_encode(args: argparse.Namespace) -> int:
    data = _read_input(args.jsonfile)
    octets = b"".join(_encode_json_item(item, where, not args.no_check)
                      for where, item in _json_items(data, args.jsonfile))
    if args.output:
        try:
            Path(args.output).write_bytes(octets)
        except OSError as exc:
            raise Failure(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_USAGE) from None
    elif args.hex or sys.stdout.isatty():
        _out(octets.hex(" "))
    else:
        sys.stdout.buffer.write(octets)
        sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    import asyncio

    from isoill import net

    host, port = _host_port(args.address)
    apdus = _apdus_from_file(args.file, hex_input=args.hex, check=not args.no_check)
    limits = net.Limits(connect_timeout=args.timeout, write_timeout=args.timeout)
    try:
        replies = asyncio.run(net.send_apdus(host, port, apdus, wait=args.wait, limits=limits,
                                             max_replies=args.replies or None))
    except (OSError, asyncio.TimeoutError) as exc:
        reason = "timed out" if isinstance(exc, asyncio.TimeoutError) else (exc.strerror or str(exc))
        raise Failure(f"cannot send to {host}:{port}: {reason}", EXIT_NETWORK) from None
    except ValueError as exc:  # the peer's reply is not BER: the network worked, the peer is not ISO 10161
        raise Failure(f"warning: what answered at {host}:{port} is not an ISO 10161 peer (its reply is not BER): "
                      f"{exc}", EXIT_PEER_ERROR) from None
    print(f"isoill: sent {len(apdus)} APDU(s) ({sum(map(len, apdus))} octets) to {host}:{port}; "
          f"{len(replies)} repl{'y' if len(replies) == 1 else 'ies'} within {args.wait:g} s", file=sys.stderr)
    problems = []
    for i, reply in enumerate(replies, 1):
        _out(_describe(reply, f"reply {i}", args.json))
        problem = _reply_problem(reply)
        if problem:
            problems.append(f"reply {i}: {problem}")
    if problems:
        raise Failure(f"{host}:{port} answered with an error: {'; '.join(problems)}", EXIT_PEER_ERROR)
    return EXIT_OK


def _reply_problem(data: bytes) -> str:
    """Why a reply counts as the peer's error (an error report, an undecodable APDU), or ""."""
    import attrs

    import isoill
    from isoill.render import render

    try:
        apdu = isoill.decode(data)
    except isoill.DecodeError as exc:
        return f"undecodable ({exc})"
    report = getattr(apdu, "error_report", None)
    if not isinstance(apdu, isoill.StatusOrErrorReport) or report is None:
        return ""
    problem = report.provider_error_report or report.user_error_report
    lines = render(problem).splitlines() if problem is not None else ["?"]
    if attrs.has(type(problem)):  # StateTransitionProhibited -> state-transition-prohibited, then its fields
        lines[0] = re.sub(r"(?<!^)(?=[A-Z])", "-", lines[0]).lower()
    what = " ".join(line.strip() for line in lines)
    note = report.correlation_information
    return f"error report: {what}" + (f" ({note})" if isinstance(note, str) and note else "")


def cmd_listen(args: argparse.Namespace) -> int:
    import asyncio

    from illcore.aio import freeze_startup_heap, stop_on_signals
    from isoill import StatusOrErrorReport, net

    save_dir: Path | None = Path(args.save) if args.save else None
    if save_dir is not None:
        try:
            save_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Failure(f"cannot create {save_dir}: {exc.strerror or exc}", EXIT_USAGE) from None
    count = 0
    done = asyncio.Event()

    async def handle(incoming: net.Incoming) -> None:
        nonlocal count
        count += 1
        host, port = incoming.peer
        _out(_describe(incoming.data, f"APDU {count} from {host}:{port}", args.json))
        if save_dir is not None:
            name = type(incoming.apdu).__name__
            (save_dir / f"{count:04d}-{name}.ber").write_bytes(incoming.data)
        if args.reply_status and not isinstance(incoming.apdu, StatusOrErrorReport):
            # Never answer a report with a report: two listeners would answer each other forever.
            reply = incoming.refusal or net.status_report(incoming.apdu, incoming.transaction)
            await incoming.reply(reply)
        if args.exit_after and count >= args.exit_after:
            done.set()

    limits = net.Limits(max_connections=args.max_connections, idle_timeout=args.idle_timeout,
                        max_apdu_size=args.max_apdu_size,
                        max_connections_per_address=args.max_connections_per_address,
                        write_timeout=args.write_timeout, drain_timeout=args.drain_timeout)

    from illnode.commands.store import open_or_fail  # the store only when asked: cold start

    store = open_or_fail(args.store) if args.store else None

    async def run() -> None:
        server = net.ILLServer(handle, host=args.host, port=args.port, limits=limits, strict=False, store=store)
        try:
            await server.start()
        except OSError as exc:
            raise Failure(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_NETWORK) from None
        print(f"isoill: listening on {args.host}:{server.port}", file=sys.stderr, flush=True)
        freeze_startup_heap()  # keep start-up objects out of the collector's full passes (latency tail)
        stop_on_signals(done, now=server.stop_now)  # first signal: drain; second: stop at once
        try:
            await done.wait()
        finally:
            await server.close()

    try:
        asyncio.run(run())
    finally:
        if store is not None:
            store.close()
    return EXIT_OK


# --- ISO 18626 commands ------------------------------------------------------------------------------------

def cmd_18626_validate(args: argparse.Namespace) -> int:
    import iso18626

    data = _read_input(args.file)
    try:
        parsed = iso18626.read(data, strict=not args.lenient)
    except iso18626.ValidationError as exc:
        where = exc.path or "(document)"
        raise Failure(f"{args.file}: {exc.error_type.value} at {where}: {exc.detail}", EXIT_INVALID) from None
    kind = type(parsed.message).__name__
    _out(f"{args.file}: valid ISO 18626 {parsed.version} {kind}")
    for repair in parsed.repairs:
        _out(f"  repaired: {repair}")
    return EXIT_OK


def cmd_18626_send(args: argparse.Namespace) -> int:
    import asyncio

    from iso18626 import http

    data = _read_input(args.file)
    try:
        result = asyncio.run(http.post_message(args.url, data, timeout=args.timeout, http2=args.http2))
    except http.TransportError as exc:
        raise Failure(f"cannot send to {args.url}: {exc}", EXIT_NETWORK) from None
    except http.PeerError as exc:
        if exc.body:
            _out(exc.body.decode("utf-8", "replace"))
        raise Failure(f"{args.url}: {exc}", EXIT_PEER_ERROR) from None
    _out(result.body.decode("utf-8", "replace").rstrip("\n"))
    return EXIT_OK


def _serving(banner: str) -> None:
    from illcore.aio import freeze_startup_heap

    print(banner, file=sys.stderr, flush=True)
    freeze_startup_heap()  # keep start-up objects out of the collector's full passes (latency tail)


def cmd_18626_serve(args: argparse.Namespace) -> int:
    import asyncio

    from illnode.commands.store import open_or_fail  # the store only when asked: cold start
    from iso18626 import http

    store = open_or_fail(args.store) if args.store else None
    try:
        asyncio.run(http.serve(host=args.host, port=args.port, max_body=args.max_body,
                               max_connections=args.max_connections, write_timeout=args.write_timeout,
                               drain_timeout=args.drain_timeout, keep_alive_requests=args.keep_alive_requests,
                               store=store,
                               ready=lambda port: _serving(f"isoill: serving ISO 18626 on http://{args.host}:{port}/")))
    except OSError as exc:
        raise Failure(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_NETWORK) from None
    finally:
        if store is not None:
            store.close()
    return EXIT_OK


# --- argument parsing --------------------------------------------------------------------------------------

class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Version(argparse.Action):
    """--version, importing the package only when asked (argparse's own action wants the text up front)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from isoill import __version__

        sys.stdout.write(f"isoill {__version__}\n")
        parser.exit()


def _server_limits(s: argparse.ArgumentParser) -> None:
    s.add_argument("--write-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="abort a connection whose reply does not drain within this (30)")
    s.add_argument("--drain-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="on SIGTERM/Ctrl-C, time given to answer what was received before exiting (10)")


# The commands declared in this module. When one of them is run, the node's command modules (partners, gateway,
# store, ...) are not imported: they load profiles, simulators and the store, which would double the cold start of
# `isoill decode FILE` (docs/performance.md).
CODEC_COMMANDS = frozenset({"decode", "encode", "send", "listen", "18626"})


def build_parser(node_commands: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="isoill", formatter_class=_Formatter,
        description="Interlibrary loan protocols from the command line: ISO 10161 (BER over TCP, port 1611) "
                    "and ISO 18626 (XML over HTTP); NCIP 2 and the ILLiad Web Platform for ILLiad as lender of "
                    "last resort.",
        epilog=EXIT_CODES + "\nexamples:\n"
               "  isoill listen --port 1611 --reply-status      # see what a partner sends, answer like OCLC\n"
               "  isoill send ill.partner.example:1611 req.ber  # send a test request, print the reply\n"
               "  isoill decode --hex capture.txt               # read a hex dump of an APDU\n"
               "  isoill 18626 serve --port 9001                # an ISO 18626 endpoint that confirms\n")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log connections and one line per APDU sent or received to stderr")
    p.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    d = sub.add_parser("decode", help="print the APDUs in a BER file as a tree (or JSON)",
                       description="Decode the ISO 10161 APDUs in FILE (binary BER, several allowed; '-' reads "
                                   "stdin) and print each as a tree with the standard's names.")
    d.add_argument("file", metavar="FILE|-")
    d.add_argument("--hex", action="store_true", help="input is a hex dump (spaces, newlines, colons allowed)")
    d.add_argument("--json", action="store_true", help="print JSON (the input format of `isoill encode`)")
    d.set_defaults(func=cmd_decode)

    e = sub.add_parser("encode", help="encode APDUs given as JSON into BER",
                       description="Encode the APDU (a JSON object) or APDUs (an array) in JSONFILE, in the shape "
                                   "`isoill decode --json` prints, into BER. Writes binary to stdout unless stdout "
                                   "is a terminal (then hex).")
    e.add_argument("jsonfile", metavar="JSONFILE|-")
    e.add_argument("-o", "--output", metavar="FILE", help="write the BER octets to FILE")
    e.add_argument("--hex", action="store_true", help="print hex instead of binary")
    e.add_argument("--no-check", action="store_true",
                   help="do not check values against the standard's constraints (sizes, ISO-Date, ...)")
    e.set_defaults(func=cmd_encode)

    s = sub.add_parser("send", help="send the APDUs in a file to a peer and print its replies",
                       description="Connect to HOST:PORT, send the APDUs in FILE exactly as they are (BER, a hex "
                                   "dump with --hex, or JSON as for `isoill encode`), print any APDU received "
                                   "within --wait seconds, and close. Exit 0 even when no reply comes: ISO ILL "
                                   "replies usually arrive later, on a new connection. Exit 4 when a reply is "
                                   "an error report (or does not decode), or what answers is not ISO 10161 BER "
                                   "(an HTTP server, say). JSON input is checked as for `isoill encode`.")
    s.add_argument("address", metavar="HOST:PORT")
    s.add_argument("file", metavar="FILE|-")
    s.add_argument("--wait", type=float, default=2.0, metavar="SECONDS",
                   help="how long to wait for replies (default 2)")
    s.add_argument("--replies", type=int, default=0, metavar="N",
                   help="stop waiting once N replies have arrived")
    s.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="connect and write timeout (default 10)")
    s.add_argument("--hex", action="store_true", help="FILE is a hex dump")
    s.add_argument("--json", action="store_true", help="print replies as JSON")
    s.add_argument("--no-check", action="store_true", help="JSON input: do not check values (as for encode)")
    s.set_defaults(func=cmd_send)

    s = sub.add_parser("listen", help="accept ISO 10161 connections, print (and answer) what arrives",
                       description="Listen for ISO 10161 APDUs and print each one decoded. With --reply-status "
                                   "every APDU is answered with a Status-Or-Error-Report carrying its "
                                   "transaction's current state (what yaz-illclient and OCLC-style peers expect). "
                                   "Undecodable input is answered with an error report and the connection "
                                   "closed. Ctrl-C or SIGTERM stops accepting, answers every APDU already "
                                   "received and exits (within --drain-timeout); a second one exits at once.")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; 0.0.0.0 for all)")
    s.add_argument("--port", type=int, required=True, help="port (ISO ILL uses 1611; 0 picks a free one)")
    s.add_argument("--reply-status", action="store_true", help="answer each APDU with a status report")
    s.add_argument("--save", metavar="DIR", help="also save each APDU's octets as DIR/NNNN-Type.ber")
    s.add_argument("--json", action="store_true", help="print APDUs as JSON")
    s.add_argument("--exit-after", type=int, default=0, metavar="N", help="stop after N APDUs")
    s.add_argument("--max-connections", type=int, default=200, metavar="N",
                   help="concurrent connections (200); when full, the longest idle one is closed for a new one")
    s.add_argument("--max-connections-per-address", type=int, default=64, metavar="N",
                   help="one peer address's share of a full server (64)")
    s.add_argument("--idle-timeout", type=float, default=120.0, metavar="SECONDS",
                   help="close a connection idle this long (120)")
    s.add_argument("--max-apdu-size", type=int, default=1 << 20, metavar="OCTETS", help="largest APDU (1 MiB)")
    _server_limits(s)
    s.add_argument("--store", metavar="URL", help=f"journal every APDU and keep the transactions in {STORE_HELP}")
    s.set_defaults(func=cmd_listen)

    x = sub.add_parser("18626", help="ISO 18626 commands (validate, send, serve)",
                       description="ISO 18626: XML messages over HTTP POST.")
    xs = x.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    xs.required = True

    v = xs.add_parser("validate", help="check an ISO 18626 message against the schema",
                      description="Validate FILE (v1.2 or 2021, told by structure). Exit 1 with the errorType "
                                  "and the element path when it is not valid.")
    v.add_argument("file", metavar="FILE|-")
    v.add_argument("--lenient", action="store_true", help="repair what real peers send, and list the repairs")
    v.set_defaults(func=cmd_18626_validate)

    v = xs.add_parser("send", help="POST a message to an ISO 18626 endpoint and print the confirmation",
                      description="POST FILE to URL as application/xml and print the confirmation. Exit 3 when "
                                  "the endpoint cannot be reached, 4 when it answers with a non-2xx status, "
                                  "without a confirmation, or with messageStatus ERROR.")
    v.add_argument("url", metavar="URL")
    v.add_argument("file", metavar="FILE|-")
    v.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="request timeout (30)")
    v.add_argument("--http2", action="store_true", help="use HTTP/2 (prior knowledge on http://)")
    v.set_defaults(func=cmd_18626_send)

    v = xs.add_parser("serve", help="run an ISO 18626 endpoint (HTTP/1.1 and HTTP/2)",
                      description="Serve ISO 18626 over HTTP (hypercorn, HTTP/1.1 and cleartext HTTP/2 with "
                                  "prior knowledge): validate each POSTed message, run the 18626 transaction, "
                                  "answer with the confirmation and log one line per message. Ctrl-C or "
                                  "SIGTERM stops accepting, answers every message already received and exits "
                                  "(within --drain-timeout); a second one exits at once.")
    v.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    v.add_argument("--port", type=int, default=9001, help="port (default 9001; 0 picks a free one)")
    v.add_argument("--max-body", type=int, default=1 << 20, metavar="OCTETS",
                   help="largest accepted body (1 MiB; larger gets 413)")
    v.add_argument("--max-connections", type=int, default=1000, metavar="N",
                   help="concurrent connections (1000); when full, the longest idle one is closed for a new "
                        "one, and with none idle new ones wait in the listen queue")
    v.add_argument("--keep-alive-requests", type=int, default=1000, metavar="N",
                   help="requests (HTTP/2: streams) per keep-alive connection before it is closed (1000)")
    _server_limits(v)
    v.add_argument("--store", metavar="URL", help=f"journal every message and keep the transactions in {STORE_HELP}")
    v.set_defaults(func=cmd_18626_serve)
    if node_commands:
        register_all(sub)
    return p


def _command(argv: Sequence[str]) -> str | None:
    """The command word in argv (the first argument that is not an option), or None."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(node_commands=_command(argv) not in CODEC_COMMANDS)
    args = parser.parse_args(argv)
    # `18626 serve` logs one line per message even without -v: that is its job.
    serving = getattr(args, "subcommand", None) == "serve"
    logging.basicConfig(level=logging.INFO if args.verbose or serving else logging.WARNING, stream=sys.stderr,
                        format="isoill: %(message)s")
    try:
        code: int = args.func(args)
    except Failure as exc:
        print(f"isoill: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        return EXIT_OK
    return code


if __name__ == "__main__":
    sys.exit(main())
