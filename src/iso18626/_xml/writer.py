"""Model -> XML text: one writer function per complex type and version, generated from the element tables.

Writes `ill:`-prefixed elements straight into a list of strings; checks only what a version cannot express.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from illcore.codegen import run_generated
from iso18626._model import tables as T
from iso18626._model.codes import SchemeValue
from iso18626._model.parts import ElectronicAddress, PhysicalAddress
from iso18626._model.supplying import MessageInfoV12
from iso18626._model.timestamps import format_datetime
from iso18626.errors import SerializeError

_SPECIAL = re.compile(r"[&<>\r]").search
_ATTR_SPECIAL = re.compile(r'[&<>"\r\n\t]').search


def esc(s: str) -> str:
    if "&" not in s and "<" not in s and ">" not in s and "\r" not in s:  # faster than a regex on short text
        return s
    # \r must survive a parse (parsers turn raw CR into LF), so it is written as a character reference
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def esc_attr(s: str) -> str:
    if "&" not in s and "<" not in s and '"' not in s and "\n" not in s and "\r" not in s and "\t" not in s \
            and ">" not in s:
        return s
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;"))


def svp(v: SchemeValue, open_: str, close: str) -> str:
    if v.scheme is None:
        return f"{open_}>{esc(v.value)}{close}"
    return f'{open_} ill:scheme="{esc_attr(v.scheme)}">{esc(v.value)}{close}'


def svp_text(v: SchemeValue, open_: str, close: str) -> str:
    if v.scheme is not None:
        raise SerializeError(f"has scheme {v.scheme!r}, but this version has no scheme on this element")
    return f"{open_}>{esc(v.value)}{close}"


def fmt_dec(v: Decimal) -> str:
    if not isinstance(v, Decimal):
        v = Decimal(v)
    if not v.is_finite():
        raise SerializeError(f"{v} is not an xs:decimal")
    return format(v, "f")


def nonneg(v: int) -> str:
    if v < 0:
        raise SerializeError(f"{v} is negative; this version requires sortOrder >= 0")
    return str(v)


def fail(msg: str) -> SerializeError:
    return SerializeError(msg)


def message_info_v12(sam: Any) -> MessageInfoV12:
    """v1.2 carries offeredCosts, retryAfter and retryBefore in messageInfo; nothing else of retryInfo fits."""
    mi = sam.message_info
    retry = sam.retry_info
    if retry is None:
        return MessageInfoV12(reason_for_message=mi.reason_for_message, answer_yes_no=mi.answer_yes_no,
                              note=mi.note, reason_unfilled=mi.reason_unfilled, reason_retry=mi.reason_retry,
                              extras=mi.extras)
    for f in attrs.fields(type(retry)):
        if f.name not in ("offered_costs", "retry_after", "retry_before", "extras") and getattr(
                retry, f.name) not in (None, ()):
            raise SerializeError(f"retryInfo.{f.name} has no place in v1.2 (only offeredCosts, retryAfter, "
                                 "retryBefore, written in messageInfo)", "/retryInfo")
    return MessageInfoV12(reason_for_message=mi.reason_for_message, answer_yes_no=mi.answer_yes_no,
                          note=mi.note, reason_unfilled=mi.reason_unfilled, reason_retry=mi.reason_retry,
                          offered_costs=retry.offered_costs, retry_after=retry.retry_after,
                          retry_before=retry.retry_before, extras=mi.extras + retry.extras)


def write_address(v: Any, a: Callable[[str], None], x: bool, electronic: Any, physical: Any) -> None:
    if type(v) is ElectronicAddress:
        a("<ill:electronicAddress>")
        electronic(v, a, x)
        a("</ill:electronicAddress>")
    elif type(v) is PhysicalAddress:
        a("<ill:physicalAddress>")
        physical(v, a, x)
        a("</ill:physicalAddress>")
    else:
        raise SerializeError(f"an address must be ElectronicAddress or PhysicalAddress, not {type(v).__name__}")


Writer = Callable[[Any, Callable[[str], None], bool], None]


class _Gen:
    def __init__(self, version: str):
        self.version = version
        self.names: dict[int, str] = {}
        self.env: dict[str, Any] = {
            "esc": esc, "svp": svp, "svp_text": svp_text, "fmt_dt": format_datetime, "fmt_dec": fmt_dec,
            "nonneg": nonneg, "fail": fail, "SerializeError": SerializeError, "write_address": write_address,
            "message_info_v12": message_info_v12, "_SPECIAL": _SPECIAL,
        }
        self.sources: list[str] = []

    def name(self, spec: T.Spec) -> str:
        key = id(spec)
        if key not in self.names:
            self.names[key] = f"w_{spec.type_name}_{len(self.names)}"
        return self.names[key]

    def leaf(self, el: T.El, v: str) -> str:
        o, cl = f"<ill:{el.xml}", f"</ill:{el.xml}>"
        k = el.kind
        if k == T.STRING:  # escaping inlined: most values need none
            return f"a({o + '>'!r} + esc({v}) + {cl!r})"
        if k == T.DATETIME:
            return f"a({o + '>'!r} + fmt_dt({v}) + {cl!r})"
        if k == T.INTEGER:
            return f"a({o + '>'!r} + str(int({v})) + {cl!r})"
        if k == T.NONNEG:
            return f"a({o + '>'!r} + nonneg({v}) + {cl!r})"
        if k == T.DECIMAL:
            return f"a({o + '>'!r} + fmt_dec({v}) + {cl!r})"
        if k == T.BOOLEAN:
            return f"a({o + '>true' + cl!r} if {v} else {o + '>false' + cl!r})"
        if k == T.SVP:
            return f"a(svp({v}, {o!r}, {cl!r}))"
        if k == T.SVP_TEXT:
            return f"a(svp_text({v}, {o!r}, {cl!r}))"
        if isinstance(k, T.EnumKind):
            bad = frozenset(m for m in k.cls if m.value not in k.values)
            if bad:
                self.env[f"BAD_{k.type_name}"] = bad
                return (f"if {v} in BAD_{k.type_name}: raise fail(f'{{{v}.value}} is not a "
                        f"{k.type_name[5:]} code in ISO 18626 {self.version}')\n"
                        f"a({o + '>'!r} + {v}.value + {cl!r})")
            return f"a({o + '>'!r} + {v}.value + {cl!r})"
        if isinstance(k, T.Spec):
            return f"a({o + '>'!r}); {self.name(k)}({v}, a, x); a({cl!r})"
        if isinstance(k, T.AddressKind):
            return (f"a({o + '>'!r}); write_address({v}, a, x, {self.name(k.electronic)}, "
                    f"{self.name(k.physical)}); a({cl!r})")
        raise AssertionError(k)

    def stmts(self, el: T.El, v: str, indent: str) -> list[str]:
        return [indent + line for line in self.leaf(el, v).split("\n")]

    def spec(self, spec: T.Spec) -> None:
        fn = self.name(spec)
        lines = [f"def {fn}(o, a, x):"]
        fields = {f.name for f in attrs.fields(spec.cls)} - {"extras"}
        placed = {el.field for el in spec.elements} | set(spec.absorbs)
        for name in sorted(fields - placed):
            lines.append(f"    if o.{name} is not None and o.{name} != ():")
            lines.append(f"        raise SerializeError({spec.cls.__name__ + '.' + name!r} + "
                         f"' has no place in ISO 18626 {self.version}', '', {self.version!r})")
        for el in spec.elements:
            getter = f"{el.via}(o)" if el.via else f"o.{el.field}"
            tuple_field = T.is_tuple_field(spec.cls, el.field)
            wrap = isinstance(el.kind, (T.Spec, T.AddressKind)) or el.kind == T.SVP_TEXT or el.kind in (
                T.NONNEG, T.DECIMAL) or isinstance(el.kind, T.EnumKind)
            body: list[str] = []
            if tuple_field:
                body.append(f"    v = {getter}")
                if el.hi is not None:
                    body.append(f"    if len(v) > {el.hi}: raise fail('at most {el.hi} {el.xml} in "
                                f"ISO 18626 {self.version}, got ' + str(len(v)))")
                body.append("    for i in v:")
                body += self.stmts(el, "i", "        ")
            else:
                body.append(f"    v = {getter}")
                if el.empty_none and el.lo:
                    body.append(f"    if v is None: a({'<ill:' + el.xml + '/>'!r})")
                    body.append("    else:")
                    body += self.stmts(el, "v", "        ")
                elif el.lo:
                    body.append(f"    if v is None: raise fail('required {el.xml} is missing')")
                    body += self.stmts(el, "v", "    ")
                else:
                    body.append("    if v is not None:")
                    body += self.stmts(el, "v", "        ")
            if wrap or el.lo:
                lines.append("    try:")
                lines += ["    " + b for b in body]
                lines.append("    except SerializeError as err:")
                lines.append(f"        err.add_path({el.xml!r}, {self.version!r}); raise")
            else:
                lines += body
        lines.append("    if x and o.extras: a(''.join(o.extras))")
        self.sources.append("\n".join(lines) + "\n")

    def build(self) -> dict[str, Writer]:
        for spec in T.all_specs(self.version):
            self.spec(spec)
        run_generated("\n".join(self.sources), f"iso18626 writer {self.version}", self.env)
        return {name: self.env[self.name(spec)] for name, spec in T.MESSAGES[self.version].items()}


def _add_path(self: SerializeError, segment: str, version: str) -> None:
    self.path = "/" + segment + self.path
    self.version = self.version or version
    self.args = (f"cannot write ISO 18626 {self.version} at {self.path}: {self.detail}",)


SerializeError.add_path = _add_path  # type: ignore[attr-defined]

#: version -> message element name -> writer(message, append, emit_extras)
WRITERS: dict[str, dict[str, Writer]] = {v: _Gen(v).build() for v in T.VERSIONS}
