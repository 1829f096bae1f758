"""The shape of an ISO 10161 peer profile and the one generic check every profile runs: services table,
required fields, protocol version, transaction type, flags, ILL-Answer results and APDU-Delivery-Info.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from illcore.profiles import ProfileViolation, Violation
from isoill._model import enums as E
from isoill._model.apdus import APDU, APDU_CLASSES, APDU_NAMES, ILLAnswer, ILLRequest, StatusOrErrorReport
from isoill._protocol.machine import Role
from isoill.extensions.delivery_info import APDUDeliveryInfo
from isoill.schema import field_specs

# A rule beside the table: the APDU in, its violations out.
Rule = Callable[[APDU], Iterable[Violation]]

REQUIRED = "required"
OPTIONAL = "optional"


@attrs.frozen
class Service:
    """One row of a profile's services table: `apdu` sent by `sender`, `use` required or optional for that
    sender, and the components (attribute names) the profile wants present in it."""

    apdu: type[APDU]
    sender: Role
    use: str = OPTIONAL
    fields: tuple[str, ...] = ()
    source: str = ""


def asn1_path(apdu: type[APDU] | APDU, attribute: str | None = None) -> str:
    """"ILL-Request" or "ILL-Request.delivery-address": the standard's names for a service and a component."""
    cls = apdu if isinstance(apdu, type) else type(apdu)
    name = APDU_NAMES[cls.APDU_TYPE]
    if attribute is None:
        return name
    for attr, spec in field_specs(cls):
        if attr == attribute:
            return f"{name}.{spec.asn1_name}"
    return f"{name}.{attribute}"


EVERY_SERVICE: tuple[Service, ...] = tuple(
    Service(cls, role) for cls in APDU_CLASSES for role in (Role.REQUESTER, Role.RESPONDER))


@attrs.frozen(kw_only=True)
class Profile:
    """What one kind of ISO 10161 peer does. `None` in a setting means "no restriction".

    `services`: who sends which APDU (a service not in the table is not used by this peer; the
    Status-Or-Error-Report is always allowed, being how any peer reports an error). `protocol_version`,
    `transaction_type`: what every APDU / ILL-Request carries. `answers`: the ILL-Answer transaction-results
    it handles. `unsupported`: ILL-Request components that must not be set (flags that must stay FALSE).
    `delivery_info`: APDU-Delivery-Info on every APDU; `delivery_info_aliases`: whether its aliases may be sent;
    `max_list`: the most entries in one of its lists. `strict`: refuse a violating APDU with an error report
    (else report it and go on). `port`, `charset`, `retries`: settings a partner record starts from.
    `request_extensions`: what a request to this peer carries besides APDU-Delivery-Info.
    `sources`: fact -> where it is written down.
    """

    name: str
    title: str
    services: tuple[Service, ...] = EVERY_SERVICE
    protocol_version: int | None = None
    transaction_type: E.TransactionType | None = None
    answers: frozenset[E.TransactionResults] | None = None
    unsupported: tuple[str, ...] = ()
    delivery_info: bool = False
    delivery_info_aliases: bool = True
    max_list: int | None = None
    strict: bool = False
    port: int | None = None
    charset: str = "utf-8"
    retries: tuple[int, float] | None = None  # (attempts, over seconds)
    request_extensions: tuple[tuple[str, object], ...] = ()  # (OID, value) put on every ILL-Request we build
    rules: tuple[Rule, ...] = ()
    sources: dict[str, str] = attrs.field(factory=dict)

    def service(self, apdu: type[APDU], sender: Role | None = None) -> list[Service]:
        return [s for s in self.services if s.apdu is apdu and (sender is None or s.sender is sender)]

    def check(self, apdu: APDU, *, sender: Role | None = None) -> list[Violation]:
        """Every way `apdu` breaks this profile; `sender` (when known) is the role of the side sending it."""
        out: list[Violation] = []
        name = asn1_path(apdu)
        rows = self.service(type(apdu), sender)
        if not isinstance(apdu, StatusOrErrorReport) and not rows:
            anyone = self.service(type(apdu))
            if anyone and sender is not None:
                who = ", ".join(sorted({s.sender.value for s in anyone}))
                out.append(Violation(name, f"sent only by the {who} in the {self.name} profile, not by the "
                                           f"{sender.value}", self.sources.get("services", "")))
            else:
                out.append(Violation(name, f"not a service of the {self.name} profile (services not listed are "
                                           "not used)", self.sources.get("services", "")))
        for row in rows or self.service(type(apdu))[:1]:  # a wrong sender still gets its fields checked
            for attribute in row.fields:
                value = getattr(apdu, attribute, None)
                if value is None or value == ():
                    out.append(Violation(asn1_path(apdu, attribute), f"required by the {self.name} profile",
                                         row.source))
        out += self._header(apdu, name)
        if isinstance(apdu, ILLRequest):
            for attribute in self.unsupported:
                if getattr(apdu, attribute):
                    out.append(Violation(asn1_path(apdu, attribute), f"not supported by {self.title}: must be "
                                                                     "FALSE", self.sources.get("unsupported", "")))
        if isinstance(apdu, ILLAnswer) and self.answers is not None \
                and apdu.transaction_results not in self.answers:
            wanted = ", ".join(f"{r.name.lower().replace('_', '-')}({int(r)})" for r in sorted(self.answers))
            got = apdu.transaction_results
            out.append(Violation(asn1_path(apdu, "transaction_results"),
                                 f"{got.name.lower().replace('_', '-')}({int(got)}) is not supported by "
                                 f"{self.title}; only {wanted}", self.sources.get("answers", "")))
        out += self._delivery_info(apdu, name)
        for rule in self.rules:
            out += rule(apdu)
        return out

    def enforce(self, apdu: APDU, *, sender: Role | None = None) -> None:
        """Raise `ProfileViolation` listing every violation of `apdu` (before sending it to such a peer)."""
        found = self.check(apdu, sender=sender)
        if found:
            raise ProfileViolation(self.name, found)

    def _header(self, apdu: APDU, name: str) -> list[Violation]:
        out = []
        if self.protocol_version is not None and apdu.protocol_version_num != self.protocol_version:
            out.append(Violation(f"{name}.protocol-version-num",
                                 f"{apdu.protocol_version_num}; {self.title} uses version {self.protocol_version}",
                                 self.sources.get("protocol_version", "")))
        tt = getattr(apdu, "transaction_type", None)
        if self.transaction_type is not None and tt is not None and tt != self.transaction_type:
            out.append(Violation(f"{name}.transaction-type",
                                 f"{E.TransactionType(tt).name.lower()}({int(tt)}); {self.title} supports only "
                                 f"{self.transaction_type.name.lower()}({int(self.transaction_type)})",
                                 self.sources.get("transaction_type", "")))
        return out

    def _delivery_info(self, apdu: APDU, name: str) -> list[Violation]:
        info = apdu.extension(APDUDeliveryInfo)
        source = self.sources.get("delivery_info", "")
        if info is None:
            if self.delivery_info:
                return [Violation(f"{name}.extensions", f"APDU-Delivery-Info (1.0.10161.13.3) is required by "
                                                        f"the {self.name} profile in every APDU", source)]
            return []
        out = []
        lists = {"sender-info": info.sender_info, "recipient-info": info.recipient_info,
                 "transponder-info": info.transponder_info or ()}
        for list_name, entries in lists.items():
            if self.max_list is not None and len(entries) > self.max_list:
                out.append(Violation(f"{name}.APDU-Delivery-Info.{list_name}",
                                     f"{len(entries)} entries; the {self.name} profile allows {self.max_list}",
                                     self.sources.get("max_list", "")))
            for i, entry in enumerate(entries):
                if entry.aliases and not self.delivery_info_aliases:
                    out.append(Violation(f"{name}.APDU-Delivery-Info.{list_name}[{i}].aliases",
                                         f"aliases are not supported by {self.title}",
                                         self.sources.get("unsupported", "")))
                if self.max_list is not None and entry.aliases and len(entry.aliases) > self.max_list:
                    out.append(Violation(f"{name}.APDU-Delivery-Info.{list_name}[{i}].aliases",
                                         f"{len(entry.aliases)} entries; the {self.name} profile allows "
                                         f"{self.max_list}", self.sources.get("max_list", "")))
        return out

