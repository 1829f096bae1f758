"""`isoill simulate`: play a partner system (its profile) through a scenario, for staff testing their set-up:
ISO 10161 replies go on new connections to the requester's APDU-Delivery-Info address (or its directory
record), ISO 18626 replies are POSTed to the requester's URL from the directory (or --reply-to).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from illcore.aio import stop_on_signals
from illnode import profiles
from illnode.commands import EXIT_NETWORK, EXIT_OK, EXIT_USAGE, Failure
from illnode.commands._directory import add_directory_options, open_directory
from illnode.simulators import SCENARIOS

__all__ = ["register"]


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def cmd_simulate(args: argparse.Namespace) -> int:
    try:
        peer = profiles.get(args.profile)
    except KeyError as exc:
        raise Failure(str(exc.args[0]), EXIT_USAGE) from None
    protocol = args.protocol or peer.protocols[0]
    if protocol not in peer.protocols:
        raise Failure(f"the {peer.name} profile has no {protocol} part", EXIT_USAGE)
    directory = open_directory(args)
    if protocol == "iso10161":
        asyncio.run(_run_10161(args, peer, directory))
    else:
        asyncio.run(_run_18626(args, peer, directory))
    return EXIT_OK


async def _run_10161(args: argparse.Namespace, peer: profiles.PeerProfile, directory: Any) -> None:
    from illnode.simulators import Simulator10161

    try:
        sim = Simulator10161(peer.iso10161, args.scenario, symbol=args.symbol, host=args.host, port=args.port,
                             directory=directory, delay=args.delay, out=_out)
    except ValueError as exc:
        raise Failure(str(exc), EXIT_USAGE) from None
    try:
        await sim.start()
    except OSError as exc:
        raise Failure(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_NETWORK) from None
    print(f"isoill: simulating {peer.name} (ISO 10161) as {args.symbol} on {sim.address}, scenario "
          f"{args.scenario}", file=sys.stderr, flush=True)
    done = asyncio.Event()
    stop_on_signals(done)
    try:
        await done.wait()
    finally:
        await sim.close()


async def _run_18626(args: argparse.Namespace, peer: profiles.PeerProfile, directory: Any) -> None:
    from illnode.simulators import Simulator18626
    from iso18626 import http

    sim = Simulator18626(peer.iso18626, args.scenario, directory=directory, reply_to=args.reply_to,
                         delay=args.delay, out=_out)

    def ready(port: int) -> None:
        print(f"isoill: simulating {peer.name} (ISO 18626) on http://{args.host}:{port}/, scenario "
              f"{args.scenario}", file=sys.stderr, flush=True)

    try:
        await http.serve(host=args.host, port=args.port, app=sim.app, ready=ready)
    except OSError as exc:
        raise Failure(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", EXIT_NETWORK) from None
    finally:
        await sim.close()


def register(sub: Any) -> None:
    p = sub.add_parser(
        "simulate", help="play a partner system (alma, illiad, ...) through a scenario, to test a set-up",
        description="Act as a lender that behaves like the named system and answers every request by SCENARIO:\n"
                    + "".join(f"  {k:<13} {v}\n" for k, v in SCENARIOS.items())
                    + "A request picks its own scenario with '#scenario=NAME' in its note. ISO 10161 replies go\n"
                      "on a new connection to the address in the request's APDU-Delivery-Info (else the\n"
                      "directory's record); ISO 18626 replies are POSTed to the requester's URL from the\n"
                      "directory (or --reply-to). Stop with Ctrl-C.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--profile", required=True, metavar="NAME", help=", ".join(profiles.NAMES))
    p.add_argument("--scenario", required=True, choices=tuple(SCENARIOS))
    p.add_argument("--protocol", choices=("iso10161", "iso18626"),
                   help="for a profile with both parts (alma, illiad, oclc); default ISO 10161")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="port (0 picks a free one; printed on stderr)")
    p.add_argument("--symbol", default="SIMULATOR", help="our institution symbol (ISO 10161)")
    p.add_argument("--reply-to", dest="reply_to", metavar="URL", help="ISO 18626: POST replies here")
    p.add_argument("--delay", type=float, default=0.0, metavar="SECONDS", help="pause before each reply")
    add_directory_options(p)
    p.set_defaults(func=cmd_simulate)
