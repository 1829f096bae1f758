"""`isoill new TYPE`: a minimal valid ISO 10161 APDU of any type as JSON, to edit and `isoill encode` or send.

Mandatory components come from the model's metadata; requester-id, responder-id and the item are added.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from illnode.commands import EXIT_OK, EXIT_USAGE, Failure

# Placeholder text for an ILL-String component, by its ASN.1 name; `<name>` for the others.
_TEXT = {
    "transaction-group-qualifier": "",
    "transaction-qualifier": "CHANGE-ME-1",
}


def _types() -> dict[str, type]:
    """Accepted spellings of each APDU type: the class name and the standard's name, any case."""
    from isoill import APDU_CLASSES

    out: dict[str, type] = {}
    for cls in APDU_CLASSES:
        out[cls.__name__.lower()] = cls
        out[cls.ASN1_NAME.lower()] = cls
    return out


def template(cls: type, now: dt.datetime) -> Any:
    """The smallest valid instance of APDU class `cls`, with the commonly filled components added."""
    import attrs

    import isoill as T  # the supporting types are isoill's public names
    obj = _value_for_class(cls, now)
    extra: dict[str, Any] = {}
    names = {a.name for a in attrs.fields(cls)}
    if "requester_id" in names:
        extra["requester_id"] = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("YOUR-SYMBOL"))
    if "responder_id" in names:
        extra["responder_id"] = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("PARTNER-SYMBOL"))
    if "service_date_time" in names:
        extra["service_date_time"] = T.ServiceDateTime(date_time_of_this_service=T.DateTime(
            date=now.strftime("%Y%m%d"), time=now.strftime("%H%M%S")))
    if "item_id" in names:
        extra["item_id"] = T.ItemId(title="<title>", author="<author>")
    return attrs.evolve(obj, **extra)


def _value_for_class(cls: type, now: dt.datetime) -> Any:
    import attrs

    from isoill.constraints import CONSTRAINTS
    from isoill.schema import REQUIRED, field_specs

    defaults = {a.name for a in attrs.fields(cls) if a.default is not attrs.NOTHING}
    kwargs: dict[str, Any] = {}
    for attr, spec in field_specs(cls):
        if spec.presence == REQUIRED and attr not in defaults:  # (protocol-version-num defaults to 2)
            constraint = CONSTRAINTS.get((cls, attr))
            kwargs[attr] = _value(spec.asn1, spec.asn1_name, constraint, now)
    return cls(**kwargs)


def _value(t: Any, name: str, constraint: Any, now: dt.datetime) -> Any:
    from isoill import RawBER
    from isoill import schema as S
    from isoill.constraints import ISO_DATE, ISO_TIME

    if constraint is ISO_DATE:
        return now.strftime("%Y%m%d")
    if constraint is ISO_TIME:
        return now.strftime("%H%M%S")
    if isinstance(t, S.IllStringType):
        return _TEXT.get(name, f"<{name}>")
    if isinstance(t, S.Enumerated):
        allowed = sorted(constraint.permitted) if constraint is not None and constraint.permitted else list(t.enum)
        return t.enum(allowed[0])
    if isinstance(t, S.Sequence):
        return _value_for_class(t.cls, now)
    if isinstance(t, S.SequenceOf):
        return (_value(t.element, name, None, now),)
    if isinstance(t, S.Choice):
        alt = t.alternatives[0]
        inner = _value(alt.asn1, alt.asn1_name or name, None, now)
        return alt.py_type(inner) if alt.wrap else inner
    if isinstance(t, S.AnyType):
        return RawBER(b"\x05\x00")  # NULL: the smallest ANY value
    if isinstance(t, S.Primitive):
        return _primitive(t, constraint)
    raise TypeError(f"no template value for {name} ({t.name})")  # pragma: no cover - the model has no other


def _primitive(t: Any, constraint: Any) -> Any:
    if t.name == "INTEGER":
        return constraint.value_range[0] if constraint is not None and constraint.value_range else 1
    if t.name == "BOOLEAN":
        return False
    if t.name == "NULL":
        return None
    if t.name == "OBJECT IDENTIFIER":
        return "1.0.10161"
    if t.name == "PrintableString":  # the Amount strings
        return "USD" if constraint is not None and constraint.size == (3, 3) else "0.00"
    return ""


def cmd_new(args: argparse.Namespace) -> int:
    from isoill import convert

    types = _types()
    cls = types.get(args.type.lower())
    if cls is None:
        from illcore.structure import suggest

        names = sorted({c.__name__ for c in types.values()})
        raise Failure(f"{args.type!r} is not an APDU type{suggest(args.type, names)}; one of: {', '.join(names)}",
                      EXIT_USAGE)
    sys.stdout.write(convert.to_json(template(cls, dt.datetime.now())) + "\n")
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("new", help="print a minimal valid APDU of a type as JSON, to edit and encode",
                       description="Print a minimal valid ISO 10161 APDU of TYPE as JSON (the shape `isoill encode` "
                                   "and `isoill send` read): every mandatory component, today's date and time, "
                                   "and requester-id, responder-id and the item where the APDU has them. Replace "
                                   "the placeholders (CHANGE-ME-1, YOUR-SYMBOL, <title>, ...) and encode. TYPE "
                                   "is a class name (ILLRequest) or the standard's name (ILL-Request), any case.",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("type", metavar="TYPE", help="ILL-Request, Shipped, Status-Query, ... (20 types)")
    p.set_defaults(func=cmd_new)
