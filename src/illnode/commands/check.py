"""`isoill check --profile NAME FILE`: every violation of a peer profile in ISO 10161 APDUs (BER, hex or JSON) or
an ISO 18626 message (XML), one per line with its path; exit 1 when there is any.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import isoill
from illcore.profiles import Violation
from illnode import profiles
from illnode.commands import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Failure

__all__ = ["check_10161", "check_18626", "register"]


def _looks_like_xml(data: bytes) -> bool:
    return data.lstrip()[:1] == b"<"


def check_10161(data_items: list[bytes], profile: Any, sender: Any) -> list[tuple[int, Violation]]:
    """(APDU number, violation) for every APDU; an undecodable one is a Failure."""

    out = []
    for i, raw in enumerate(data_items, 1):
        try:
            apdu = isoill.decode(raw)
        except isoill.DecodeError as exc:
            raise Failure(f"APDU {i}: {exc}", EXIT_INVALID) from None
        out += [(i, v) for v in profile.check(apdu, sender=sender)]
    return out


def check_18626(data: bytes, profile: Any) -> list[Violation]:
    """Schema problems (read strictly) and profile violations (read leniently, as such a peer is read)."""
    import iso18626

    found: list[Violation] = []
    try:
        iso18626.read(data, strict=True)
    except iso18626.ValidationError as exc:
        if not profile.empty_status or "status" not in (exc.path or ""):
            found.append(Violation(exc.path or "(document)", f"{exc.error_type.value}: {exc.detail}"))
    try:
        parsed = iso18626.read(data, strict=False)
    except iso18626.ValidationError as exc:
        found.append(Violation(exc.path or "(document)", f"{exc.error_type.value}: {exc.detail}"))
        return found
    violations: list[Violation] = profile.check(parsed.message)
    return found + violations


def cmd_check(args: argparse.Namespace) -> int:
    from illnode.cli import _apdus_from_file, _read_input

    try:
        peer = profiles.get(args.profile)
    except KeyError as exc:
        raise Failure(str(exc.args[0]), EXIT_USAGE) from None
    data = _read_input(args.file)
    lines: list[str] = []
    if _looks_like_xml(data):
        if peer.iso18626 is None:
            raise Failure(f"the {peer.name} profile has no ISO 18626 part ({args.file} is XML)", EXIT_USAGE)
        violations = check_18626(data, peer.iso18626)
        lines = [_line(v, args.sources) for v in violations]
        what = "ISO 18626 message"
    else:
        if peer.iso10161 is None:
            raise Failure(f"the {peer.name} profile has no ISO 10161 part ({args.file} is not XML)", EXIT_USAGE)
        from isoill import Role

        sender = Role(args.sender) if args.sender else None
        items = _apdus_from_file(args.file, hex_input=args.hex)
        numbered = check_10161(items, peer.iso10161, sender)
        several = len(items) > 1
        lines = [(f"APDU {i}: " if several else "") + _line(v, args.sources) for i, v in numbered]
        what = f"{len(items)} APDU(s)"
    for line in lines:
        sys.stdout.write(line + "\n")
    if lines:
        print(f"isoill: {args.file}: {len(lines)} violation(s) of the {peer.name} profile", file=sys.stderr)
        return EXIT_INVALID
    print(f"isoill: {args.file}: {what}, no violation of the {peer.name} profile", file=sys.stderr)
    return EXIT_OK


def _line(v: Violation, sources: bool) -> str:
    return f"{v}  [{v.source}]" if sources and v.source else str(v)


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="list every violation of a partner profile in an APDU file or 18626 message",
                       description="Check FILE against the profile of a partner system: ISO 10161 APDUs (BER, "
                                   "several allowed; a hex dump with --hex; JSON as for `isoill encode`) or an "
                                   "ISO 18626 message (XML). Prints one violation per line, PATH: what the profile "
                                   "wants, and exits 1 when there is any. Profiles: "
                                   + ", ".join(profiles.NAMES) + " (docs/profiles/).")
    p.add_argument("file", metavar="FILE|-")
    p.add_argument("--profile", required=True, metavar="NAME", help="alma, illiad, ipig, oclc, reshare, crosslink")
    p.add_argument("--as", dest="sender", choices=("requester", "responder"),
                   help="who sends these APDUs (also checks that this side may send each one)")
    p.add_argument("--hex", action="store_true", help="FILE is a hex dump")
    p.add_argument("--sources", action="store_true", help="name where each rule comes from")
    p.set_defaults(func=cmd_check)
