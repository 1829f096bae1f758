"""`isoill transactions` and `isoill journal`: read a node's store (the URL the servers were given with
`--store`) while they run; and `open_or_fail`, how every command opens a store URL.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from typing import Any

from illcore.store import JournalEntry, Store, StoreError, StoreUnavailable, TransactionRecord, open_store

from . import EXIT_NETWORK, EXIT_OK, EXIT_USAGE, STORE_HELP, Failure

__all__ = ["open_or_fail", "register"]



def open_or_fail(url: str) -> Store:
    """open_store, with its errors as a one-line Failure (exit 2 for a bad URL, 3 when unreachable)."""
    try:
        return open_store(url)
    except StoreUnavailable as exc:
        raise Failure(f"store {url}: {exc}", EXIT_NETWORK) from None
    except (StoreError, ValueError) as exc:
        raise Failure(f"store {url}: {exc}", EXIT_USAGE) from None


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _record_json(r: TransactionRecord) -> dict[str, Any]:
    return {"protocol": r.protocol, "role": r.role, "key": r.key, "state": r.state, "partner": r.partner,
            "finished": r.finished, "created": r.created.isoformat(), "updated": r.updated.isoformat(),
            "version": r.version, "data": r.data}


def cmd_transactions(args: argparse.Namespace) -> int:
    filters: dict[str, Any] = {k: v for k, v in (("protocol", args.protocol), ("state", args.state),
                                                 ("partner", args.partner)) if v is not None}
    if args.limit:
        filters["limit"] = args.limit
    store = open_or_fail(args.store)
    try:
        rows = store.find(**filters)
    except StoreError as exc:
        raise Failure(f"store {args.store}: {exc}", EXIT_NETWORK if isinstance(exc, StoreUnavailable)
                      else EXIT_USAGE) from None
    finally:
        store.close()
    if args.json:
        _out(json.dumps([_record_json(r) for r in rows], indent=2))
        return EXIT_OK
    _out(f"{'PROTOCOL':9} {'ROLE':10} {'KEY':32} {'STATE':18} {'PARTNER':16} UPDATED")
    for r in rows:
        _out(f"{r.protocol:9} {r.role:10} {r.key:32} {r.state:18} {r.partner:16} "
             f"{r.updated.isoformat(timespec='seconds')}")
    return EXIT_OK


def _decoded(e: JournalEntry) -> Any:
    """The message itself: the APDU as JSON (ISO 10161), the XML text (ISO 18626)."""
    if e.protocol == "iso10161":
        import isoill
        from isoill import convert

        try:
            return convert.to_dict(isoill.decode(e.data))
        except isoill.DecodeError as exc:
            return f"undecodable: {exc}"
    return e.data.decode("utf-8", "replace")


def _entry_json(e: JournalEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "protocol": e.protocol, "direction": e.direction,
            "peer": e.peer, "transaction": e.transaction, "message_type": e.message_type, "outcome": e.outcome,
            "digest": e.digest, "data_base64": base64.b64encode(e.data).decode("ascii"), "message": _decoded(e)}


def cmd_journal(args: argparse.Namespace) -> int:
    store = open_or_fail(args.store)
    try:
        entries = store.journal(args.transaction, protocol=args.protocol, after=args.after, limit=args.limit or None)
    except StoreError as exc:
        raise Failure(f"store {args.store}: {exc}", EXIT_NETWORK if isinstance(exc, StoreUnavailable)
                      else EXIT_USAGE) from None
    finally:
        store.close()
    if args.json:
        _out(json.dumps([_entry_json(e) for e in entries], indent=2))
        return EXIT_OK
    for e in entries:
        arrow = "<-" if e.direction == "in" else "->"
        _out(f"{e.id:>6} {e.at.isoformat(timespec='milliseconds')} {e.protocol:8} {arrow} {e.peer:21} "
             f"{e.transaction} {e.message_type} ({len(e.data)} octets) {e.outcome}")
        if args.full:
            message = _decoded(e)
            _out(message if isinstance(message, str) else json.dumps(message, indent=2))
    return EXIT_OK


def register(sub: Any) -> None:
    t = sub.add_parser("transactions", help="list the transactions in a store (one row each)",
                       description="List the transactions a node keeps: protocol, role, key, state, partner and "
                                   "last update, oldest update first. Safe while the servers run.")
    t.add_argument("--store", required=True, metavar="URL", help=STORE_HELP)
    t.add_argument("--protocol", metavar="NAME", help="only records of this protocol: iso10161, iso18626, gateway, borrowing (imported requests), ...")
    t.add_argument("--state", help="only transactions in this state (as listed)")
    t.add_argument("--partner", help="only this partner")
    t.add_argument("--limit", type=int, default=0, metavar="N", help="at most N rows")
    t.add_argument("--json", action="store_true", help="print JSON")
    t.set_defaults(func=cmd_transactions)

    j = sub.add_parser("journal", help="print the messages a node received and sent, in order",
                       description="Print the journal: every message received or sent, verbatim, in the order "
                                   "written, with its outcome. Safe while the servers run.")
    j.add_argument("--store", required=True, metavar="URL", help=STORE_HELP)
    j.add_argument("--transaction", metavar="KEY", help="only this transaction (its key, as `transactions` shows)")
    j.add_argument("--protocol", metavar="NAME", help="only records of this protocol: iso10161, iso18626, gateway, borrowing (imported requests), ...")
    j.add_argument("--after", type=int, default=0, metavar="ID", help="only entries after this id")
    j.add_argument("--limit", type=int, default=0, metavar="N", help="at most N entries")
    j.add_argument("--full", action="store_true", help="print each message decoded (APDU as JSON, XML as is)")
    j.add_argument("--json", action="store_true", help="print JSON (octets as base64, and the message decoded)")
    j.set_defaults(func=cmd_journal)
