"""`isoill ncip validate|send|serve`: check an NCIP 2 message, POST one to a responder, run a responder.

`serve` answers the item messages an ILL system sends (logging each), a Problem for the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from illnode.commands import EXIT_INVALID, EXIT_NETWORK, EXIT_OK, EXIT_PEER_ERROR, EXIT_USAGE, Failure

log = logging.getLogger("isoill.ncip")


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise Failure(f"cannot read {name}: {exc.strerror or exc}", EXIT_USAGE) from None


def _parsed(name: str, lenient: bool) -> Any:
    import ncip

    try:
        return ncip.read(_read(name), strict=not lenient)
    except ncip.ValidationError as exc:
        where = f" at {exc.path}" if exc.path else ""
        raise Failure(f"{name}: {exc.problem_type}{where}: {exc.detail}", EXIT_INVALID) from None


def cmd_ncip_validate(args: argparse.Namespace) -> int:
    parsed = _parsed(args.file, args.lenient)
    service = type(parsed.message).__name__
    if args.json:
        print(json.dumps({"file": args.file, "service": service, "version": parsed.declared_version,
                          "repairs": [{"code": r.code, "path": r.path, "detail": r.detail} for r in parsed.repairs]},
                         indent=2))
    else:
        print(f"{args.file}: valid NCIP 2 {service}" + (f" after {len(parsed.repairs)} repairs" if parsed.repairs
                                                        else ""))
        for repair in parsed.repairs:
            print(f"  repaired: {repair}")
    return EXIT_OK


def cmd_ncip_send(args: argparse.Namespace) -> int:
    import ncip

    message = _parsed(args.file, args.lenient).message
    try:
        with ncip.NCIPClient(args.url, timeout=args.timeout) as client:
            reply = client.send(message)
    except ncip.NCIPTransportError as exc:
        raise Failure(str(exc), EXIT_PEER_ERROR if exc.status else EXIT_NETWORK) from None
    except ncip.ValidationError as exc:
        raise Failure(f"{args.url} answered with a message that is not NCIP 2: {exc}", EXIT_PEER_ERROR) from None
    sys.stdout.write(ncip.serialize(reply).decode("utf-8") + "\n")
    problems = getattr(reply, "problem", ())
    if problems:
        first = problems[0]
        raise Failure(f"{args.url} answered with a Problem: {first.problem_type.value}"
                      + (f" ({first.problem_detail})" if first.problem_detail else ""), EXIT_PEER_ERROR)
    return EXIT_OK


def cmd_ncip_serve(args: argparse.Namespace) -> int:
    import ncip

    def on_event(event: ncip.ItemEvent) -> None:
        log.info("%s (%s) request %s user %s", event.service, event.meaning, event.request_id, event.user_id)

    # Without a gateway behind it, the first identifier sent (RequestId, else ItemId) stands for the request.
    handler = ncip.ItemEventHandler(resolve=lambda ids: ids[0] if ids else None, on_event=on_event)
    app = ncip.NCIPApp(handler, strict=args.strict)

    def ready(port: int) -> None:
        print(f"isoill: serving NCIP on http://{args.host}:{port}/", file=sys.stderr, flush=True)

    try:
        asyncio.run(ncip.serve(app, host=args.host, port=args.port, ready=ready))
    except OSError as exc:
        raise Failure(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_NETWORK) from None
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("ncip", help="NCIP 2 commands (validate, send, serve)",
                       description="NCIP 2.02 (Z39.83-1): XML messages over HTTP POST.")
    ps = p.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    v = ps.add_parser("validate", help="check an NCIP message against the 2.02 schema",
                      description="Exit 1 when the message is not valid (the reason says where); NCIP 1 "
                                  "messages are refused.")
    v.add_argument("file", help="the message file ('-' for stdin)")
    v.add_argument("--lenient", action="store_true", help="repair what real peers send and list the repairs")
    v.add_argument("--json", action="store_true", help="print the service and repairs as JSON")
    v.set_defaults(func=cmd_ncip_validate)
    s = ps.add_parser("send", help="POST a message to an NCIP responder and print its answer",
                      description="Exit 3 when the responder cannot be reached, 4 when it answers an HTTP error "
                                  "or a Problem.")
    s.add_argument("url")
    s.add_argument("file", help="the message file ('-' for stdin)")
    s.add_argument("--lenient", action="store_true", help="send a message that needs repairs (sent repaired)")
    s.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    s.set_defaults(func=cmd_ncip_send)
    r = ps.add_parser("serve", help="run an NCIP responder for the item messages an ILL system sends",
                      description="Answers AcceptItem, CheckOutItem, CheckInItem, RequestItem, "
                                  "CreateUserFiscalTransaction and LookupUser, logging each; a Problem for anything "
                                  "else. Lenient unless --strict.")
    r.add_argument("--host", default="127.0.0.1")
    r.add_argument("--port", type=int, default=8080, help="port (0: any free one; default 8080)")
    r.add_argument("--strict", action="store_true", help="refuse messages the 2.02 schema rejects")
    r.set_defaults(func=cmd_ncip_serve)
