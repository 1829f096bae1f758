"""`isoill partners list|show|add`: the partner directory from the command line (a TOML file and/or the store).

`add` appends a `[[partner]]` table to the --directory file (comments and order kept) and/or writes the store.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from illnode.commands import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Failure
from illnode.commands._directory import add_directory_options, open_directory
from illnode.directory import PROTOCOLS, Directory, DirectoryError, Partner

__all__ = ["register", "toml_table"]


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def cmd_list(args: argparse.Namespace) -> int:
    directory = open_directory(args, required=True)
    assert directory is not None
    partners = [p for p in directory if p.active or args.all]
    if args.json:
        _out(json.dumps([p.to_dict() for p in partners], indent=2, ensure_ascii=False))
        return EXIT_OK
    for p in partners:
        flags = " ".join(f for f, on in (("generated", p.generated), ("inactive", not p.active)) if on)
        _out(f"{p.symbol:<16} {p.protocol:<9} {p.address or '-':<32} {p.profile or '-':<9} {p.name}"
             + (f"  [{flags}]" if flags else ""))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    directory = open_directory(args, required=True)
    assert directory is not None
    partner = directory.get(args.symbol)
    if partner is None:
        raise Failure(f"no partner {args.symbol!r} in the directory", EXIT_INVALID)
    if args.json:
        _out(json.dumps(partner.to_dict(), indent=2, ensure_ascii=False))
    else:
        for key, value in partner.to_dict().items():
            _out(f"{key:<17} {value}")
    return EXIT_OK


_ADD_FIELDS = ("name", "protocol", "address", "profile", "charset", "protocol_version", "auth_account",
               "auth_secret", "email", "shipping_address", "return_address")


def cmd_add(args: argparse.Namespace) -> int:
    directory = open_directory(args, required=True, create=True)
    assert directory is not None
    values: dict[str, Any] = {"symbol": args.symbol}
    values.update({k: getattr(args, k) for k in _ADD_FIELDS if getattr(args, k) is not None})
    if args.strict is not None:
        values["strict"] = args.strict
    if args.inactive:
        values["active"] = False
    if "profile" in values:
        from illnode import profiles

        try:
            profiles.get(values["profile"])
        except KeyError as exc:
            raise Failure(str(exc.args[0]), EXIT_USAGE) from None
    try:
        partner = Partner.from_dict(values, where=f"partner {args.symbol}")
    except DirectoryError as exc:
        raise Failure(str(exc), EXIT_INVALID) from None
    if args.directory:
        in_file = Directory.load(args.directory) if Path(args.directory).exists() else Directory()
        if in_file.get(partner.symbol) is not None:
            raise Failure(f"{args.directory} has a partner {partner.symbol} already (edit the file to change it)",
                          EXIT_INVALID)
        _append(Path(args.directory), partner)
    if directory.store is not None:
        directory.add(partner)
    _out(f"added {partner.symbol} ({partner.protocol} {partner.address or 'no address'})")
    return EXIT_OK


def toml_table(partner: Partner) -> str:
    """`partner` as a `[[partner]]` TOML table (strings in basic-string syntax)."""
    lines = ["[[partner]]"]
    for key, value in partner.to_dict().items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        else:
            lines.append(f"{key} = {json.dumps(str(value), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _append(path: Path, partner: Partner) -> None:
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        sep = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
        path.write_text(old + sep + toml_table(partner), encoding="utf-8")
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}", EXIT_USAGE) from None


def register(sub: Any) -> None:
    p = sub.add_parser("partners", help="the partner directory: list, show and add partner records",
                       description="Partner records (symbol, protocol, address, profile, ...) kept in a TOML file "
                                   "(--directory) and/or the store (--store). See docs/connecting-a-partner.md.")
    ps = p.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
    ps.required = True

    s = ps.add_parser("list", help="one line per partner")
    add_directory_options(s)
    s.add_argument("--all", action="store_true", help="inactive partners too")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_list)

    s = ps.add_parser("show", help="every field of one partner record")
    s.add_argument("symbol", metavar="SYMBOL")
    add_directory_options(s)
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_show)

    s = ps.add_parser("add", help="add a partner record to the file and/or the store",
                      description="Add a partner. ISO 10161 partners are reached at HOST:PORT (ILLiad 1611, Alma "
                                  "9001 per the set-up guides), ISO 18626 and ILLiad Web Platform ones at a URL.")
    s.add_argument("symbol", metavar="SYMBOL", help="the partner's symbol (e.g. 01CALS_XYZ; ISO 18626: ISIL:XY-1)")
    add_directory_options(s)
    s.add_argument("--protocol", choices=PROTOCOLS, default=None, help="iso10161 (default), iso18626 or illiad")
    s.add_argument("--address", help="HOST:PORT (ISO 10161) or URL")
    s.add_argument("--profile", help="alma, illiad, ipig, oclc, reshare, crosslink")
    s.add_argument("--name", help="the partner's name")
    s.add_argument("--charset", help="character set of its strings (default utf-8)")
    s.add_argument("--protocol-version", dest="protocol_version", help="ISO 10161 2, ISO 18626 1.2 or 2021")
    s.add_argument("--auth-account", dest="auth_account", help="ISO 18626 requestingAgencyAuthentication accountId")
    s.add_argument("--auth-secret", dest="auth_secret", help="... and its securityCode")
    s.add_argument("--email", help="contact e-mail")
    s.add_argument("--shipping-address", dest="shipping_address", help="where to ship items for this partner")
    s.add_argument("--return-address", dest="return_address", help="where loans go back to")
    strict = s.add_mutually_exclusive_group()
    strict.add_argument("--strict", dest="strict", action="store_true", default=None,
                        help="refuse its APDUs that break the profile (default: the profile's setting)")
    strict.add_argument("--tolerant", dest="strict", action="store_false", help="report, never refuse")
    s.add_argument("--inactive", action="store_true", help="add the record inactive")
    s.set_defaults(func=cmd_add)
