"""`isoill illiad export`: send one borrowing request to an ILLiad Web Platform as a new transaction.

Prints the TransactionNumber (or the created transaction with --json); ILLiad's refusals become exit codes.
"""

from __future__ import annotations

import argparse
import json
import uuid
from typing import Any

from illnode.commands import EXIT_INVALID, EXIT_NETWORK, EXIT_OK, EXIT_PEER_ERROR, EXIT_USAGE, Failure


def cmd_illiad_export(args: argparse.Namespace) -> int:
    import illiad
    from illcore.request import BorrowingRequest, Patron, Service

    request = BorrowingRequest(
        request_id=args.cited_in or f"isoill-{uuid.uuid4()}", requester="isoill",
        service=Service.COPY if args.copy else Service.LOAN, title=args.title, author=args.author,
        isbn=tuple(args.isbn or ()), oclc_number=args.oclc, patron=Patron(id=args.user))
    try:
        settings = illiad.ExportSettings(
            identifier="id", search=args.search, create_user=args.create_user,
            export_id_tag="CitedIn" if args.cited_in else None, status=args.status, route_to=args.route_to)
    except ValueError as exc:
        raise Failure(str(exc), EXIT_USAGE) from None
    try:
        with illiad.ILLiadClient(args.url, args.api_key, timeout=args.timeout) as client:
            result = illiad.export(client, request, settings)
    except illiad.BadRequest as exc:
        raise Failure(f"ILLiad refused the request ({exc.status} {exc.message}): "
                      + "; ".join(exc.field_messages()), EXIT_INVALID) from None
    except illiad.Unauthorized as exc:
        raise Failure(f"ILLiad refused the API key ({exc.status} {exc.message}); check the key in its "
                      "WebPlatformConfig table", EXIT_PEER_ERROR) from None
    except illiad.ILLiadConnectionError as exc:
        raise Failure(str(exc), EXIT_NETWORK) from None
    except illiad.ExportError as exc:
        raise Failure(str(exc), EXIT_PEER_ERROR if "not in ILLiad" in str(exc) else EXIT_INVALID) from None
    except illiad.ILLiadError as exc:
        raise Failure(str(exc), EXIT_PEER_ERROR) from None
    if args.json:
        out: dict[str, Any] = result.transaction.to_json()
        print(json.dumps(out, indent=2, sort_keys=True, default=str))
    else:
        print(result.transaction.transaction_number)
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("illiad", help="ILLiad Web Platform commands (export)",
                       description="ILLiad as lender of last resort: the ILLiad Web Platform API.")
    ps = p.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")
    e = ps.add_parser(
        "export", help="create an ILLiad borrowing transaction for one request and print its TransactionNumber",
        description="POST one borrowing request to ILLiad (ProcessType Borrowing). Exit 1 when ILLiad refuses "
                    "the fields (its ModelState messages are printed), 3 when it cannot be reached, 4 when it "
                    "refuses the API key or answers another error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  isoill illiad export --url https://lib.illiad.oclc.org/ILLiadWebPlatform "
               "--api-key KEY --user jdoe --title 'Dune' --create-user")
    e.add_argument("--url", required=True, help="the Web Platform URL (host, .../ILLiadWebPlatform, or "
                                                 "Alma's .../ILLiadWebPlatform/transaction)")
    e.add_argument("--api-key", required=True, help="the key from ILLiad's WebPlatformConfig table")
    e.add_argument("--user", required=True, help="the patron's ILLiad username (or external id with --search)")
    e.add_argument("--search", choices=("username", "external_id"), default="username",
                   help="find the user by username (default) or by external user id")
    e.add_argument("--title", required=True)
    e.add_argument("--author")
    e.add_argument("--isbn", action="append", help="an ISBN (repeatable; ILLiad keeps the first in ISSN)")
    e.add_argument("--oclc", help="the OCLC number (ILLiad's ESPNumber)")
    e.add_argument("--cited-in", metavar="ID", help="our request id, written to CitedIn (for routing rules)")
    e.add_argument("--status", metavar="QUEUE", help="the TransactionStatus (queue) to create it in")
    e.add_argument("--route-to", metavar="QUEUE", help="route it to this queue after creating it")
    e.add_argument("--copy", action="store_true", help="a copy (RequestType Article) instead of a loan")
    e.add_argument("--create-user", action="store_true", help="create the user in ILLiad when it is missing")
    e.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)")
    e.add_argument("--json", action="store_true", help="print the created transaction as JSON")
    e.set_defaults(func=cmd_illiad_export)
