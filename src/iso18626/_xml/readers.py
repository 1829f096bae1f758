"""Tree -> model: per-class reader functions generated once from the element tables (source built and exec'd).

These readers take any tree: a ReadContext turns on the lenient repairs, and without one they refuse what they
cannot read. Trees that have just passed the schema go through the positional readers (positional.py) instead.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
from lxml import etree

from illcore.codegen import run_generated
from illcore.construct import is_plain, mutable_twin
from iso18626._model import tables as T
from iso18626._model.codes import ErrorType, SchemeValue
from iso18626._model.messages import RequestingAgencyMessage, SupplyingAgencyMessage
from iso18626._model.parts import ElectronicAddress, PhysicalAddress
from iso18626._model.supplying import MessageInfo, MessageInfoV12, RetryInfo, StatusInfo
from iso18626._model.timestamps import UTC, lenient_datetime, parse_datetime
from iso18626._xml.repairs import Repair
from iso18626.errors import ValidationError

Q = "{" + T.NS + "}"
SCHEME = Q + "scheme"
_ELECTRONIC, _PHYSICAL = Q + "electronicAddress", Q + "physicalAddress"
ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)
_ABSENT: Any = object()  # marks a field whose element has not been seen yet
# Required fields that may still be None: an empty <status/> or <action/> read leniently.
_NULLABLE = {(StatusInfo, "status"), (RequestingAgencyMessage, "action")}


def element_path(el: Any) -> str:
    """/ISO18626Message/request/header/... from an lxml element (local names, any namespace)."""
    names = []
    while el is not None:
        tag = el.tag
        if isinstance(tag, str):
            names.append(tag.rsplit("}", 1)[-1])
        el = el.getparent()
    return "/" + "/".join(reversed(names))


class ReadContext:
    """Collects repairs during a lenient read (strict reads pass None instead).

    `stripped` maps each element the repair pass took attributes from to its original attributes and the
    repairs that reported them: an element the reader then keeps verbatim in extras gets them back (see
    `restore`), and those repairs are withdrawn (the attributes are not ignored after all).
    """

    def __init__(self) -> None:
        self.repairs: list[Repair] = []
        self.stripped: dict[Any, tuple[list[tuple[str, str]], list[Repair]]] = {}
        self._withdrawn: set[int] = set()

    def warn(self, code: str, el: Any, detail: str) -> None:
        self.repairs.append(Repair(code, element_path(el) if el is not None else "", detail))

    def restore(self, el: Any) -> None:
        """Give el and its descendants back the attributes the repair pass took (before el is kept verbatim)."""
        for sub in el.iter():
            entry = self.stripped.pop(sub, None)
            if entry is not None:
                original, notes = entry
                sub.attrib.clear()
                for key, value in original:
                    sub.set(key, value)
                self._withdrawn.update(map(id, notes))

    def final(self) -> tuple[Repair, ...]:
        """The repairs to report: all but those withdrawn by `restore`."""
        if not self._withdrawn:
            return tuple(self.repairs)
        return tuple(r for r in self.repairs if id(r) not in self._withdrawn)


def _fail(el: Any, detail: str, error_type: ErrorType = ErrorType.UNRECOGNISED_DATA_VALUE) -> ValidationError:
    return ValidationError(error_type, detail, element_path(el))


# ---- leaf converters (called only where the inline fast path cannot decide) -------------------------------


def read_dt(ch: Any, c: ReadContext | None, nullable: bool) -> datetime | None:
    text = ch.text
    if c is None:
        try:
            return parse_datetime(text)
        except (ValueError, TypeError) as exc:
            raise _fail(ch, f"unusable dateTime: {exc}") from None
    if text is None or not text.strip():
        if nullable:
            c.warn("empty-timestamp", ch, "empty optional timestamp read as absent")
            return None
        c.warn("empty-timestamp", ch, "empty required timestamp read as the zero time 0001-01-01T00:00:00Z")
        return ZERO_TIME
    try:
        value, note = lenient_datetime(text)
    except ValueError as exc:
        raise _fail(ch, str(exc)) from None
    if note:
        c.warn("timestamp-format", ch, note)
    return value


def read_int(ch: Any, c: ReadContext | None, nullable: bool) -> int | None:
    text = ch.text
    try:
        return int(text)
    except (TypeError, ValueError):
        if c is not None and nullable and (text is None or not text.strip()):
            c.warn("empty-value", ch, "empty integer read as absent")
            return None
        raise _fail(ch, f"not an integer: {text!r}") from None


def read_dec(ch: Any, c: ReadContext | None, nullable: bool) -> Decimal | None:
    text = ch.text
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        if c is not None and nullable and (text is None or not text.strip()):
            c.warn("empty-value", ch, "empty decimal read as absent")
            return None
        raise _fail(ch, f"not a decimal: {text!r}") from None
    if not value.is_finite() or "e" in text.lower():
        raise _fail(ch, f"not an xs:decimal: {text!r}")
    return value


_TRUE, _FALSE = ("true", "1"), ("false", "0")


def read_bool(ch: Any, c: ReadContext | None, nullable: bool) -> bool | None:
    text = (ch.text or "").strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if c is not None:
        low = text.lower()
        if low in ("true", "yes", "y"):
            c.warn("boolean-spelling", ch, f"{text!r} read as true")
            return True
        if low in ("false", "no", "n"):
            c.warn("boolean-spelling", ch, f"{text!r} read as false")
            return False
        if not text and nullable:
            c.warn("empty-value", ch, "empty boolean read as absent")
            return None
    raise _fail(ch, f"not a boolean: {text!r}")


_US = {"unrecognizeddataelement": "UnrecognisedDataElement", "unrecognizeddatavalue": "UnrecognisedDataValue",
       "unsupportedreasonformessagetype": "UnsupportedReasonForMessageType"}
_ENUM_ERROR = {"type_action": ErrorType.UNSUPPORTED_ACTION_TYPE,
               "type_reasonForMessage": ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE}


def read_enum(ch: Any, c: ReadContext | None, cls: type[enum.Enum], type_name: str, nullable: bool) -> Any:
    text = ch.text or ""
    error_type = _ENUM_ERROR.get(type_name, ErrorType.UNRECOGNISED_DATA_VALUE)
    if c is not None:
        key = text.strip()
        if not key:
            if nullable:
                c.warn("empty-closed-code", ch, f"empty {type_name[5:]} read as absent")
                return None
        else:
            folded = {m.value.lower(): m for m in cls}
            member = folded.get(key.lower())
            if member is None and cls is ErrorType:
                member = folded.get(_US.get(key.lower(), "").lower())
                if member is not None:
                    c.warn("error-type-spelling", ch, f"{text!r} read as {member.value}")
                    return member
            if member is not None:
                c.warn("closed-code-case", ch, f"{text!r} read as {member.value}")
                return member
    raise _fail(ch, f"{text!r} is not a {type_name[5:]} code", error_type)


def read_address(ch: Any, c: ReadContext | None) -> Any:
    found: Any = None
    extras: list[str] = []
    for sub in ch:
        tag = sub.tag
        if tag == _ELECTRONIC and found is None:
            found = READERS[ElectronicAddress](sub, c)
        elif tag == _PHYSICAL and found is None:
            found = READERS[PhysicalAddress](sub, c)
        elif isinstance(tag, str):
            extras = unknown(sub, c, extras) or []
    if found is None:
        raise _fail(ch, "address holds neither electronicAddress nor physicalAddress", ErrorType.BADLY_FORMED_MESSAGE)
    if extras:
        found = attrs.evolve(found, extras=found.extras + tuple(extras))
    return found


def unknown(ch: Any, c: ReadContext | None, extras: list[str] | None) -> list[str] | None:
    """An element the tables do not know: kept verbatim (lenient) or refused (strict without schema)."""
    if not isinstance(ch.tag, str):  # comments and processing instructions carry no data
        return extras
    if c is None:
        raise _fail(ch, "unexpected element", ErrorType.UNRECOGNISED_DATA_ELEMENT)
    c.warn("unknown-element", ch, "kept verbatim in extras")
    return _keep(ch, c, extras)


def duplicate(ch: Any, c: ReadContext | None, extras: list[str] | None) -> list[str] | None:
    if c is None:
        raise _fail(ch, "element repeated", ErrorType.BADLY_FORMED_MESSAGE)
    c.warn("duplicate-element", ch, "only the first is read; this one is kept verbatim in extras")
    return _keep(ch, c, extras)


def _keep(ch: Any, c: ReadContext, extras: list[str] | None) -> list[str]:
    """Append ch's text, with the attributes the repair pass took, to the element's extras list, made once per
    element and grown in place (the reader freezes it into a tuple once, at the end): linear in the number of
    kept elements."""
    if c.stripped:
        c.restore(ch)
    text = etree.tostring(ch, encoding="unicode", with_tail=False)
    if extras is None:
        return [text]
    extras.append(text)
    return extras


def missing(parent: Any, name: str) -> ValidationError:
    return ValidationError(ErrorType.BADLY_FORMED_MESSAGE, f"required element {name} is missing",
                           element_path(parent))


# ---- builders that reshape what v1.2 and 2021 place differently ---------------------------------------------


def build_sam(**kw: Any) -> SupplyingAgencyMessage:
    """v1.2 keeps offeredCosts/retryAfter/retryBefore in messageInfo: move them into retry_info."""
    mi: MessageInfoV12 = kw["message_info"]
    kw["message_info"] = MessageInfo(reason_for_message=mi.reason_for_message, answer_yes_no=mi.answer_yes_no,
                                     note=mi.note, reason_unfilled=mi.reason_unfilled,
                                     reason_retry=mi.reason_retry, extras=mi.extras)
    if mi.offered_costs or mi.retry_after is not None or mi.retry_before is not None:
        retry: RetryInfo | None = kw["retry_info"]
        if retry is None:
            retry = RetryInfo(offered_costs=mi.offered_costs, retry_after=mi.retry_after,
                              retry_before=mi.retry_before)
        else:  # both places used (only a lenient read gets here): keep every value
            if (mi.retry_after is not None and retry.retry_after not in (None, mi.retry_after)) or (
                    mi.retry_before is not None and retry.retry_before not in (None, mi.retry_before)):
                raise ValidationError(ErrorType.BADLY_FORMED_MESSAGE,
                                      "retryAfter/retryBefore given differently in messageInfo and retryInfo",
                                      "/ISO18626Message/supplyingAgencyMessage")
            retry = attrs.evolve(retry, offered_costs=retry.offered_costs + mi.offered_costs,
                                 retry_after=retry.retry_after or mi.retry_after,
                                 retry_before=retry.retry_before or mi.retry_before)
        kw["retry_info"] = retry
    return SupplyingAgencyMessage(**kw)


BUILDERS: dict[type, Callable[..., Any]] = {SupplyingAgencyMessage: build_sam}
READ_AS: dict[type, type] = {MessageInfo: MessageInfoV12}  # one reader for both messageInfo shapes


# ---- code generation ---------------------------------------------------------------------------------------


def read_kind(kind: T.Kind) -> Any:
    """How a table kind is read: the model class for a complex type, (enum class, type name) for a closed
    code, "address" for the address choice, and one leaf kind for those read alike."""
    if isinstance(kind, T.Spec):
        return READ_AS.get(kind.cls, kind.cls)
    if isinstance(kind, T.EnumKind):
        return (kind.cls, kind.type_name)
    if isinstance(kind, T.AddressKind):
        return "address"
    return {T.SVP_TEXT: T.SVP, T.NONNEG: T.INTEGER}.get(kind, kind)


def _union() -> dict[type, dict[str, tuple[str, Any]]]:
    """cls -> xml name -> (field, kind) over every version."""
    out: dict[type, dict[str, tuple[str, Any]]] = {}
    for version in T.VERSIONS:
        for spec in T.all_specs(version):
            cls = READ_AS.get(spec.cls, spec.cls)
            table = out.setdefault(cls, {})
            for el in spec.elements:
                kind = read_kind(el.kind)
                prev = table.get(el.xml)
                if prev is not None and prev != (el.field, kind):
                    raise AssertionError(f"conflicting tables for {cls.__name__}/{el.xml}: {prev}")
                table[el.xml] = (el.field, kind)
    return out


def value_lines(kind: Any, field: str, nullable: bool, target: str, env: dict[str, Any]) -> list[str]:
    """Statements that read the child `ch` into `target`, for one element kind."""
    if kind == T.SVP:
        # A SchemeValue built through its mutable twin (see illcore.construct): about a quarter of attrs' keyword
        # __init__. Most open codes carry no attribute, and an empty values() list costs a fifth of a
        # get() that finds nothing.
        return [f"{target} = _new(T_SV)", f'{target}.value = ch.text or ""',
                f"{target}.scheme = ch.get(SCHEME) if ch.values() else None", f"{target}.__class__ = SV"]
    if kind == T.STRING:
        conv = "(ch.text or None)" if field == "multiple_item_request_id" else '(ch.text or "")'
    elif kind == T.DATETIME:
        conv = f"read_dt(ch, c, {nullable})"
    elif kind == T.INTEGER:
        conv = f"read_int(ch, c, {nullable})"
    elif kind == T.DECIMAL:
        conv = f"read_dec(ch, c, {nullable})"
    elif kind == T.BOOLEAN:
        conv = f"read_bool(ch, c, {nullable})"
    elif kind == "address":
        conv = "read_address(ch, c)"
    elif isinstance(kind, tuple):
        ecls, tname = kind
        env[f"M_{tname}"] = {m.value: m for m in ecls}
        env[f"E_{tname}"] = ecls
        conv = f"(M_{tname}.get(ch.text) or read_enum(ch, c, E_{tname}, {tname!r}, {nullable}))"
    else:  # every reader is exec'd into the same namespace: call it by name rather than through READERS
        conv = f"read_{kind.__name__}(ch, c)"
    return [f"{target} = {conv}"]


def _reader_source(cls: type, table: dict[str, tuple[str, Any]], env: dict[str, Any]) -> str:
    fields = [f for f in attrs.fields(cls) if f.name != "extras"]
    tuple_fields = {f.name for f in fields if f.default == ()}
    required = {f.name for f in fields if f.default is attrs.NOTHING}
    var = {f.name: f"f_{f.name}" for f in fields}
    lines = [f"def read_{cls.__name__}(e, c):"]
    for f in fields:
        lines.append(f"    {var[f.name]} = {'None' if f.name in tuple_fields else '_ABSENT'}")
    # e[:] builds every child proxy in one C loop; iterating that list costs less than lxml's child iterator
    # (no structural change happens while a reader runs, so the snapshot is the same sequence)
    lines += ["    X = None", "    for ch in e[:]:", "        t = ch.tag"]
    kw = "if"
    for xml, (field, kind) in table.items():
        v = var[field]
        nullable = field not in required or (cls, field) in _NULLABLE
        lines.append(f"        {kw} t == {Q + xml!r}:")
        kw = "elif"
        if field in tuple_fields:
            lines += ["            " + s for s in value_lines(kind, field, nullable, "x", env)]
            lines.append(f"            if {v} is None: {v} = [x]")
            lines.append(f"            else: {v}.append(x)")
        else:
            lines.append(f"            if {v} is not _ABSENT: X = duplicate(ch, c, X)")
            lines.append("            else:")
            lines += ["                " + s for s in value_lines(kind, field, nullable, v, env)]
    lines.append("        else: X = unknown(ch, c, X)")
    for f in fields:
        if f.name in required:
            xml = next(x for x, (fld, _) in table.items() if fld == f.name)
            lines.append(f"    if {var[f.name]} is _ABSENT: raise missing(e, {xml!r})")
    values = {}
    for f in fields:
        v = var[f.name]
        if f.name in tuple_fields:
            values[f.name] = f"() if {v} is None else tuple({v})"
        elif f.name in required:
            values[f.name] = v
        else:
            values[f.name] = f"None if {v} is _ABSENT else {v}"
    values["extras"] = "() if X is None else tuple(X)"
    return "\n".join(lines + construct(cls, values, env)) + "\n"


def construct(cls: type, values: dict[str, str], env: dict[str, Any]) -> list[str]:
    """Statements (in a generated reader) that return a cls holding `values` (field -> expression)."""
    builder = BUILDERS.get(cls)
    if builder is None and is_plain(cls) and list(values) == [f.name for f in attrs.fields(cls)]:
        # attrs' __init__ for a frozen kw_only class matches each keyword and stores it with
        # object.__setattr__ by name; this class's __init__ does nothing more (see is_plain), so the reader
        # fills in its mutable twin with plain slot stores and then makes it a cls: the same object at a
        # fraction of the cost.
        env[f"K_{cls.__name__}"] = cls
        env[f"T_{cls.__name__}"] = mutable_twin(cls)
        return ([f"    o = _new(T_{cls.__name__})"] + [f"    o.{name} = {value}" for name, value in values.items()]
                + [f"    o.__class__ = K_{cls.__name__}", "    return o"])
    env[f"B_{cls.__name__}"] = builder or cls
    args = ", ".join(f"{name}={value}" for name, value in values.items())
    return [f"    return B_{cls.__name__}({args})"]


READERS: dict[type, Callable[[Any, ReadContext | None], Any]] = {}
#: The namespace the readers are exec'd in (positional.py adds its readers to it).
GENERATED: dict[str, Any] = {}


def _generate() -> None:
    env = GENERATED
    env.update({
        "_ABSENT": _ABSENT, "SV": SchemeValue, "SCHEME": SCHEME, "READERS": READERS,
        "read_dt": read_dt, "read_int": read_int, "read_dec": read_dec, "read_bool": read_bool,
        "read_enum": read_enum, "read_address": read_address, "unknown": unknown, "duplicate": duplicate,
        "missing": missing, "_new": object.__new__, "T_SV": mutable_twin(SchemeValue),
        "_ELECTRONIC": _ELECTRONIC,
    })
    if not is_plain(SchemeValue):  # the SVP reader builds it through its twin
        raise AssertionError("SchemeValue must stay a plain slotted attrs class")
    for cls, table in _union().items():
        src = _reader_source(cls, table, env)
        run_generated(src, f"iso18626 reader {cls.__name__}", env)
        READERS[cls] = env[f"read_{cls.__name__}"]


_generate()
