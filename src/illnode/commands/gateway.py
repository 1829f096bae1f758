"""`isoill gateway --config FILE`: run the ILL gateway node; with --list/--show/--act, ask a running node's staff
API (address and key from the same file) instead.

See docs/gateway.md for the TOML file and what the node does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from illnode.commands import EXIT_INVALID, EXIT_NETWORK, EXIT_OK, EXIT_PEER_ERROR, EXIT_USAGE, Failure

__all__ = ["register"]


def _staff(config: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx

    url = f"http://{config.api}{path}"
    try:
        response = httpx.request(method, url, json=body, headers={"X-API-Key": config.api_key}, timeout=10)
    except httpx.HTTPError as exc:
        raise Failure(f"cannot reach the staff API at {url}: {exc}", EXIT_NETWORK) from None
    if response.status_code >= 400:
        try:
            detail = response.json().get("error", response.text)
        except ValueError:
            detail = response.text
        raise Failure(f"staff API: HTTP {response.status_code}: {detail}", EXIT_PEER_ERROR)
    return response.json()


def cmd_gateway(args: argparse.Namespace) -> int:
    from illnode.gateway._store import StoreError
    from illnode.gateway.node import ConfigError, Node, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise Failure(str(exc), EXIT_USAGE if "No such file" in str(exc) else EXIT_INVALID) from None
    if args.list:
        listed = _staff(config, "GET", "/transactions" + ("?open=1" if args.open else ""))
        if args.json:
            sys.stdout.write(json.dumps(listed, indent=2) + "\n")
            return EXIT_OK
        for t in listed:
            sys.stdout.write(f"{t['key']:<20} {t['stage']:<14} {t['requester']:<14} {t['supplier'] or '-':<14} "
                             f"{t['title'] or ''}\n")
        return EXIT_OK
    if args.show:
        shown = _staff(config, "GET", f"/transactions/{args.show}")
        if args.json:
            sys.stdout.write(json.dumps(shown, indent=2) + "\n")
        else:
            sys.stdout.write("\n".join(shown["history"]) + "\n")
        return EXIT_OK
    if args.act:
        key, action = args.act
        result = _staff(config, "POST", f"/transactions/{key}/actions", {"action": action, "note": args.note})
        sys.stdout.write(json.dumps(result) + "\n")
        return EXIT_OK
    try:
        node = Node(config)
    except StoreError as exc:
        raise Failure(str(exc), EXIT_USAGE) from None

    async def run() -> None:
        from illcore.aio import stop_on_signals

        await node.start()
        sys.stderr.write(f"gateway {config.gateway.symbol}: ISO 10161 on port {node.ports['iso10161']}, "
                         f"ISO 18626 on port {node.ports['iso18626']}, staff API on port {node.ports['api']}\n")
        sys.stderr.flush()
        stop_on_signals(node._stop)
        await node._stop.wait()
        await node.close()

    try:
        asyncio.run(run())
    except OSError as exc:
        raise Failure(f"cannot listen: {exc.strerror or exc}", EXIT_NETWORK) from None
    return EXIT_OK


def register(sub: Any) -> None:
    g = sub.add_parser("gateway", help="run the ILL gateway (ISO 10161 <-> ISO 18626, rotas), or ask a running one",
                       description="Run the gateway node the TOML file describes (docs/gateway.md), or with --list, "
                                   "--show or --act ask its staff API.")
    g.add_argument("--config", required=True, metavar="FILE", help="the gateway's TOML file")
    g.add_argument("--list", action="store_true", help="list transactions (staff API)")
    g.add_argument("--open", action="store_true", help="with --list: only transactions that have not ended")
    g.add_argument("--show", metavar="KEY", help="show one transaction's history (staff API)")
    g.add_argument("--act", nargs=2, metavar=("KEY", "ACTION"),
                   help="act on a transaction: received, returned, cancel, renew, message, status-query, "
                        "next-supplier, close (staff API)")
    g.add_argument("--note", help="with --act: the note to send")
    g.add_argument("--json", action="store_true", help="print JSON")
    g.set_defaults(func=cmd_gateway)
