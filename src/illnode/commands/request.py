"""`isoill request`: the set-up guides' "send a dummy request to the partner" in one command. Builds an ISO 10161
ILL-Request (or ISO 18626 request) that meets the partner's profile, writes it (-o) or sends it and prints what
the partner answers, on the same connection and on new connections to our return address.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as _dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from illcore.profiles import ProfileViolation
from illnode import profiles
from illnode.commands import EXIT_INVALID, EXIT_NETWORK, EXIT_OK, EXIT_PEER_ERROR, EXIT_USAGE, Failure
from illnode.commands._directory import add_directory_options, open_directory
from illnode.directory import Partner
from illnode.dummy import DummyRequest, MissingValue, build_10161, build_18626

__all__ = ["register"]

# Which flag supplies each value a request may miss.
FLAGS = {"sender": "--from", "recipient": "--to", "title": "--title", "delivery_address": "--delivery-address",
         "return_address": "--return-address"}


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    print(f"isoill: {text}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> tuple[profiles.PeerProfile | None, str, Partner | None, Partner | None]:
    """(profile, protocol, partner record, our own record) from the flags and the directory."""
    directory = open_directory(args)
    partner = directory.get(args.to) if directory is not None and args.to else None
    own = directory.get(args.sender) if directory is not None and args.sender else None
    if directory is not None and args.to and partner is None:
        raise Failure(f"no partner {args.to!r} in the directory (add it with `isoill partners add`)", EXIT_USAGE)
    name = args.profile or (partner.profile if partner is not None else "")
    try:
        peer = profiles.get(name) if name else None
    except KeyError as exc:
        raise Failure(str(exc.args[0]), EXIT_USAGE) from None
    protocol = args.protocol or (partner.protocol if partner is not None else "")
    if not protocol:
        if (args.send and args.send.startswith(("http://", "https://"))) or \
                (args.output and args.output.lower().endswith(".xml")):
            protocol = "iso18626"
        elif peer is not None and peer.protocols == ("iso18626",):
            protocol = "iso18626"
        else:
            protocol = "iso10161"
    if protocol not in ("iso10161", "iso18626"):
        raise Failure(f"{args.to}: `isoill request` speaks ISO 10161 and ISO 18626, not {protocol}", EXIT_USAGE)
    if peer is not None and protocol not in peer.protocols:
        raise Failure(f"the {peer.name} profile has no {protocol} part", EXIT_USAGE)
    return peer, protocol, partner, own


def cmd_request(args: argparse.Namespace) -> int:
    peer, protocol, partner, own = _settings(args)
    send_to = args.send or (partner.address if partner is not None and not args.output else None)
    if not send_to and not args.output:
        raise Failure("missing -o FILE (write the request) or --send HOST:PORT|URL (send it; with a directory, the "
                      "partner's address)", EXIT_USAGE)
    req = DummyRequest(
        sender=args.sender, recipient=args.to, title=args.title, author=args.author,
        delivery_address=args.delivery_address or (own.shipping_address if own is not None else None),
        return_address=args.return_address or (own.address if own is not None and protocol == "iso10161" else None),
        partner_address=send_to if protocol == "iso10161" else None,
        service=args.service, note=args.note, transaction_id=args.id or "",
        auth_account=partner.auth_account if partner is not None else None,
        auth_secret=partner.auth_secret if partner is not None else None)
    now = _dt.datetime.now().astimezone()
    try:
        if protocol == "iso10161":
            message: Any = build_10161(req, peer.iso10161 if peer is not None else None, now,
                                       version=_version_10161(partner))
        else:
            message = build_18626(req, peer.iso18626 if peer is not None else None, now)
    except MissingValue as exc:
        raise Failure("; ".join(f"missing {FLAGS.get(n, n)}: {exc.why[n]}" for n in exc.names), EXIT_USAGE) from None
    except ProfileViolation as exc:
        for v in exc.violations:
            _out(str(v))
        raise Failure(f"the request breaks the {exc.profile} profile", EXIT_INVALID) from None
    if protocol == "iso10161":
        return _iso10161(args, message, send_to, None if args.no_listen else req.return_address, partner)
    return _iso18626(args, message, send_to, peer, partner)


# --- ISO 10161 ---------------------------------------------------------------------------------------------

def _version_10161(partner: Partner | None) -> int | None:
    """The protocol-version-num a partner record asks for (None: the profile's, else 2)."""
    if partner is None or not partner.protocol_version:
        return None
    if partner.protocol_version not in ("1", "2"):
        raise Failure(f"{partner.symbol}: protocol_version {partner.protocol_version!r}; ISO 10161 has 1 and 2",
                      EXIT_USAGE)
    return int(partner.protocol_version)


def _iso10161(args: argparse.Namespace, apdu: Any, send_to: str | None, listen: str | None,
              partner: Partner | None) -> int:
    import isoill
    from isoill import convert

    # The partner's character set for its GeneralStrings (research notes: deployed systems write UTF-8).
    codec = isoill.Codec(charset=partner.charset) if partner is not None and partner.charset else isoill.Codec()
    try:
        data = codec.encode(apdu)  # values are checked against ISO 10161's constraints (ISO-Date, sizes, ...)
    except isoill.EncodeError as exc:
        raise Failure(f"cannot encode the request: {exc}", EXIT_INVALID) from None
    tid = f"{apdu.transaction_id.transaction_group_qualifier}:{apdu.transaction_id.transaction_qualifier}"
    if args.output:
        _write(args.output, convert.to_json(apdu).encode() + b"\n" if args.json else data)
        _err(f"wrote ILL-Request {tid} ({len(data)} octets) to {args.output}")
    if not send_to:
        return EXIT_OK
    from illnode.cli import _host_port

    host, port = _host_port(send_to)
    replies = asyncio.run(_exchange(host, port, data, listen, args.wait))
    _err(f"sent ILL-Request {tid} ({len(data)} octets) to {host}:{port}; {len(replies)} repl"
         f"{'y' if len(replies) == 1 else 'ies'} within {args.wait:g} s")
    return _print_replies(replies, args.json)


async def _exchange(host: str, port: int, data: bytes, listen: str | None, wait: float) -> list[tuple[str, bytes]]:
    """Send `data`; collect what comes back on that connection and on new connections to `listen` until `wait`
    seconds pass, or half a second after the last reply."""
    from isoill import net

    arrived: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    server = None
    if listen:
        from illnode.cli import _host_port

        lhost, lport = _host_port(listen)

        async def handle(incoming: net.Incoming) -> None:
            await arrived.put((f"new connection from {incoming.peer[0]}:{incoming.peer[1]}", incoming.data))

        server = net.ILLServer(handle, host=lhost, port=lport, track=False)
        try:
            await server.start()
        except OSError as exc:
            _err(f"cannot listen on {listen} ({exc.strerror or exc}): replies on new connections are not shown")
            server = None
    try:
        try:
            same = await net.send_apdus(host, port, [data], wait=min(0.5, wait))
        except (OSError, asyncio.TimeoutError) as exc:
            reason = "timed out" if isinstance(exc, asyncio.TimeoutError) else (exc.strerror or str(exc))
            raise Failure(f"cannot send to {host}:{port}: {reason}", EXIT_NETWORK) from None
        replies = [("same connection", reply) for reply in same]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while server is not None:
            quiet = 0.5 if replies else deadline - loop.time()
            try:
                replies.append(await asyncio.wait_for(arrived.get(), max(0.0, min(quiet, deadline - loop.time()))))
            except asyncio.TimeoutError:
                break
    finally:
        if server is not None:
            await server.close()
    return replies


def _print_replies(replies: list[tuple[str, bytes]], as_json: bool) -> int:
    import isoill
    from illnode.cli import _describe

    code = EXIT_OK
    for i, (how, data) in enumerate(replies, 1):
        _out(_describe(data, f"reply {i} ({how})", as_json))
        with contextlib.suppress(isoill.DecodeError):
            reply = isoill.decode(data)
            if isinstance(reply, isoill.StatusOrErrorReport) and reply.error_report is not None:
                code = EXIT_PEER_ERROR
    if not replies:
        _err("no reply yet: ISO ILL partners may answer later, on a new connection to the return address")
    return code


# --- ISO 18626 ---------------------------------------------------------------------------------------------

def _iso18626(args: argparse.Namespace, message: Any, send_to: str | None, peer: Any,
              partner: Partner | None) -> int:
    import iso18626

    version = peer.iso18626.version if peer is not None and peer.iso18626 is not None else "1.2"
    if partner is not None and partner.protocol_version:
        if partner.protocol_version not in iso18626.VERSIONS:
            raise Failure(f"{partner.symbol}: protocol_version {partner.protocol_version!r}; ISO 18626 is written "
                          f"as {' or '.join(iso18626.VERSIONS)}", EXIT_USAGE)
        version = partner.protocol_version
    xml = iso18626.serialize(message, version=version)
    rid = message.header.requesting_agency_request_id
    if args.output:
        _write(args.output, xml)
        _err(f"wrote ISO 18626 request {rid} ({len(xml)} octets) to {args.output}")
    if not send_to:
        return EXIT_OK
    return asyncio.run(_post(send_to, xml, args))


async def _post(url: str, xml: bytes, args: argparse.Namespace) -> int:
    from iso18626 import http

    listening: Callable[[], Any] | None = None
    arrived: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    stop = asyncio.Event()
    task = None
    if args.return_address:  # an ISO 18626 endpoint of our own, to print what the supplier POSTs back
        import iso18626
        from illnode.cli import _host_port

        host, port = _host_port(args.return_address)

        async def inbox(message: Any) -> http.HandlerResult:
            await arrived.put((_summary(message), iso18626.serialize(message)))
            return None

        ready = asyncio.Event()
        task = asyncio.create_task(http.serve(host=host, port=port, app=http.ISO18626App(inbox, strict=False),
                                              ready=lambda _port: ready.set(), shutdown=stop))
        await asyncio.wait_for(ready.wait(), 10)
        listening = task.done
    try:
        try:
            result = await http.post_message(url, xml, timeout=args.wait + 10)
        except http.TransportError as exc:
            raise Failure(f"cannot send to {url}: {exc}", EXIT_NETWORK) from None
        except http.PeerError as exc:
            if exc.body:
                _out(exc.body.decode("utf-8", "replace"))
            raise Failure(f"{url}: {exc}", EXIT_PEER_ERROR) from None
        _out("--- confirmation")
        _out(result.body.decode("utf-8", "replace").rstrip("\n"))
        count = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + args.wait
        while listening is not None:
            quiet = 0.5 if count else deadline - loop.time()
            try:
                what, body = await asyncio.wait_for(arrived.get(), max(0.0, min(quiet, deadline - loop.time())))
            except asyncio.TimeoutError:
                break
            count += 1
            _out(f"--- message {count} from the partner: {what}")
            _out(body.decode("utf-8").rstrip("\n"))
    finally:
        stop.set()
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)
    return EXIT_OK


def _summary(message: Any) -> str:
    """"SupplyingAgencyMessage RequestResponse WillSupply": the kind, reason and status of a message."""
    parts = [type(message).__name__]
    info, status = getattr(message, "message_info", None), getattr(message, "status_info", None)
    if info is not None:
        parts.append(info.reason_for_message.value)
    if status is not None:
        parts.append(status.status.value if status.status is not None else "(empty status)")
    return " ".join(parts)


def _write(name: str, data: bytes) -> None:
    try:
        Path(name).write_bytes(data)
    except OSError as exc:
        raise Failure(f"cannot write {name}: {exc.strerror or exc}", EXIT_USAGE) from None


def register(sub: Any) -> None:
    p = sub.add_parser(
        "request", help="send a dummy request to a partner (the set-up guides' test) and print its answer",
        description="Build a test ILL-Request (ISO 10161) or request (ISO 18626) that meets the partner's profile: "
                    "APDU-Delivery-Info with our return address, a fresh transaction id, today's date. Write it "
                    "(-o FILE) or send it (--send; with a directory, --to SYMBOL is enough) and print what the "
                    "partner answers on the same connection and, within --wait seconds, on new connections to "
                    "--return-address (ISO 10161 partners answer that way). A missing value is named with its "
                    "flag.",
        epilog="example:\n  isoill request --profile alma --from CNO --to 01CALS_XYZ --title \"A book it owns\" \\\n"
               "      --delivery-address \"CNO Library, 1 Main St, Springfield\" --return-address ill.cno.edu:1611 "
               "-o req.ber",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", metavar="NAME", help="the partner's profile (default: its directory record's)")
    p.add_argument("--from", dest="sender", metavar="SYMBOL", help="our symbol (ISO 18626: TYPE:VALUE)")
    p.add_argument("--to", metavar="SYMBOL", help="the partner's symbol (the lender string, e.g. 01CALS_XYZ)")
    p.add_argument("--title", help="the title of a book the partner owns")
    p.add_argument("--author")
    p.add_argument("--delivery-address", dest="delivery_address", metavar="TEXT",
                   help="where the item goes: \"Name, street, city\" (default: our record's shipping address)")
    p.add_argument("--return-address", dest="return_address", metavar="HOST:PORT",
                   help="our listener, where the partner sends its replies (put in APDU-Delivery-Info); "
                        "also listened on while waiting")
    p.add_argument("--note", help="requester note (e.g. #scenario=loaned for a simulator)")
    p.add_argument("--service", choices=("loan", "copy"), default="loan")
    p.add_argument("--id", metavar="ID", help="transaction id (default: a fresh one)")
    p.add_argument("--protocol", choices=("iso10161", "iso18626"),
                   help="default: the partner record's, else ISO 18626 for an http(s) --send or an -o FILE.xml, "
                        "else the profile's only protocol, else ISO 10161")
    add_directory_options(p)
    out = p.add_argument_group("where it goes (one at least; with a directory --send defaults to the partner)")
    out.add_argument("-o", "--output", metavar="FILE", help="write the request (BER; XML for ISO 18626)")
    out.add_argument("--send", metavar="HOST:PORT|URL", help="send it to the partner")
    p.add_argument("--wait", type=float, default=5.0, metavar="SECONDS", help="how long to wait for answers (5)")
    p.add_argument("--no-listen", action="store_true", help="do not listen on --return-address")
    p.add_argument("--json", action="store_true", help="write (-o) and print APDUs as JSON")
    p.set_defaults(func=cmd_request)
