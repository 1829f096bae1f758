"""Rotas: which suppliers a borrowing request goes to, in which order, and when to move on (pure logic).

Ordered and non-ordered rotas, pods balanced by lending/borrowing ratio, inactive partners skipped, a lender of
last resort at the end, and rules that choose a rota by request properties, first match wins.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import hashlib
import random

import attrs

from illcore.errors import IsoIllError
from illcore.request import BorrowingRequest, Service
from illnode.gateway.bridge import Kind

__all__ = ["DEFAULT_EXPIRY", "MOVE_ON", "REQUESTED", "Member", "Rota", "RotaCursor", "RotaError", "RotaRule",
           "build_rota", "check_rules", "choose_rota", "choose_rule", "expired", "with_requested"]

#: How long a partner has to answer when its record says nothing (Alma's partner record: 4 days).
DEFAULT_EXPIRY = _dt.timedelta(days=4)

#: What a supplier says before supplying that makes the gateway ask the next one: unfilled, retry later, a
#: pointer elsewhere, an estimate instead of the item, an expiry, and an ISO 10161 error report (a refused
#: request). An ISO 18626 ERROR confirmation of the request and no answer within the partner's expiry time
#: move on too; they are gateway events (`Gateway.refused`, `Gateway.expire`), not bridge rows.
MOVE_ON: frozenset[Kind] = frozenset({Kind.UNFILLED, Kind.RETRY, Kind.LOCATIONS_PROVIDED, Kind.ESTIMATE,
                                      Kind.EXPIRED, Kind.ERROR_REPORT_BY_SUPPLIER})


class RotaError(IsoIllError):
    """A rota or rota rule configuration that cannot work (names the rule or rota)."""


@attrs.frozen(kw_only=True)
class Member:
    """What a rota needs to know of a partner: whether it takes requests now, how long it has to answer, and
    the loan counts a pod balances on (`lent`: requests it filled for us, `borrowed`: requests we filled for it).
    """

    symbol: str
    active: bool = True
    expiry: _dt.timedelta = DEFAULT_EXPIRY
    lent: int = 0
    borrowed: int = 0

    @property
    def ratio(self) -> float:
        """Lending/borrowing ratio: a partner that has lent us much and borrowed little is asked later."""
        return self.lent / (self.borrowed + 1)


@attrs.frozen(kw_only=True)
class Rota:
    """A named list of suppliers. `ordered`: ask in the listed order; otherwise in an order drawn per request
    (stable for one request, so a restarted gateway rebuilds the same rota). `balance`: a pod, asked in
    ascending lending/borrowing ratio (ties in the listed or drawn order). `last_resort` is asked after all."""

    name: str
    members: tuple[str, ...]
    ordered: bool = True
    balance: bool = False
    last_resort: str | None = None


@attrs.frozen(kw_only=True)
class RotaRule:
    """Choose `rota` for requests that match every given property; a rule with none is the catch-all.
    `requester` is a shell-style pattern (`01CUNY*`); `medium` compares case-insensitively. `requested`: what
    to do with the suppliers the request itself names (Libris's recipients): "ignore" them, ask them "first"
    (then the rota), or ask "only" them (then the rota's last resort); see `with_requested`."""

    rota: str
    service: Service | None = None
    medium: str | None = None
    requester: str | None = None
    requested: str = attrs.field(default="ignore")

    @requested.validator
    def _check_requested(self, _: object, value: str) -> None:
        if value not in REQUESTED:
            raise RotaError(f"rota rule for {self.rota!r}: requested = {value!r} (use {', '.join(REQUESTED)})")

    @property
    def catch_all(self) -> bool:
        return self.service is None and self.medium is None and self.requester is None

    def matches(self, request: BorrowingRequest) -> bool:
        if self.service is not None and request.service is not self.service:
            return False
        if self.medium is not None and (request.medium or "").lower() != self.medium.lower():
            return False
        return self.requester is None or fnmatch.fnmatchcase(request.requester, self.requester)


def check_rules(rules: tuple[RotaRule, ...], rotas: dict[str, Rota]) -> None:
    """Raise RotaError unless every rule names a known rota and the last rule is a catch-all."""
    if not rules:
        raise RotaError("no rota rules: add at least a catch-all rule (a rule with only `rota`)")
    for i, rule in enumerate(rules):
        if rule.rota not in rotas:
            raise RotaError(f"rota rule {i + 1} names rota {rule.rota!r}, which is not defined "
                            f"(defined: {', '.join(sorted(rotas)) or 'none'})")
    if not rules[-1].catch_all:
        raise RotaError(f"the last rota rule (rule {len(rules)}) must be a catch-all (only `rota`), so that "
                        "every request finds a rota")


def choose_rota(rules: tuple[RotaRule, ...], request: BorrowingRequest) -> str:
    """The rota of the first rule the request matches."""
    for rule in rules:
        if rule.matches(request):
            return rule.rota
    raise RotaError(f"no rota rule matches request {request.request_id!r} (the last rule should be a catch-all)")


def choose_rule(rules: tuple[RotaRule, ...], request: BorrowingRequest) -> RotaRule:
    """The first rule the request matches."""
    for rule in rules:
        if rule.matches(request):
            return rule
    raise RotaError(f"no rota rule matches request {request.request_id!r} (the last rule should be a catch-all)")


#: The values of `RotaRule.requested`.
REQUESTED = ("ignore", "first", "only")


def with_requested(rule: RotaRule, rota: Rota, suppliers: tuple[str, ...], requested: tuple[str, ...],
                   members: dict[str, Member], *, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The rota `build_rota` made (`suppliers`), with the request's own suppliers put in as `rule.requested`
    says: "first" asks the requested partners that are known and active, in the request's order, then the rest
    of the rota; "only" asks just them, then the lender of last resort. Unknown or inactive ones are skipped
    (nobody could be sent the request), so a request naming none falls back to the rota."""
    if rule.requested == "ignore":
        return suppliers
    asked: list[str] = []
    for symbol in requested:
        member = members.get(symbol)
        if member is not None and member.active and symbol not in exclude and symbol not in asked:
            asked.append(symbol)
    if not asked:
        return suppliers
    if rule.requested == "first":
        rest = [s for s in suppliers if s not in asked]
    else:
        rest = [s for s in suppliers if s == rota.last_resort and s not in asked]
    return (*asked, *rest)


def _seeded(seed: str) -> random.Random:
    # a stable seed whatever PYTHONHASHSEED says: the same request draws the same order after a restart
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def build_rota(rota: Rota, members: dict[str, Member], *, seed: str, exclude: tuple[str, ...] = ()
               ) -> tuple[str, ...]:
    """The suppliers to ask, in order: active members (each once, the last resort and `exclude`d symbols
    left out), ordered, drawn or balanced, then the lender of last resort if it is active.

    A symbol with no partner record is skipped like an inactive one (nobody could be sent the request)."""
    seen: set[str] = set(exclude) | ({rota.last_resort} if rota.last_resort else set())
    chosen: list[str] = []
    for symbol in rota.members:
        member = members.get(symbol)
        if symbol in seen or member is None or not member.active:
            continue
        seen.add(symbol)
        chosen.append(symbol)
    if not rota.ordered:
        _seeded(f"{rota.name}\x00{seed}").shuffle(chosen)
    if rota.balance:
        chosen.sort(key=lambda s: members[s].ratio)  # stable: ties keep the listed or drawn order
    last = members.get(rota.last_resort) if rota.last_resort else None
    if last is not None and last.active and last.symbol not in exclude:
        chosen.append(last.symbol)
    return tuple(chosen)


def expired(sent_at: _dt.datetime, member: Member, now: _dt.datetime) -> bool:
    """True when a supplier sent the request at `sent_at` has had its whole expiry time without answering."""
    return now >= sent_at + member.expiry


@attrs.frozen(kw_only=True)
class RotaCursor:
    """Where a request is in its rota: the suppliers, the index of the one asked now (-1 before the first),
    and why each earlier one was passed over."""

    suppliers: tuple[str, ...]
    position: int = -1
    passed: tuple[tuple[str, str], ...] = ()

    @property
    def current(self) -> str | None:
        return self.suppliers[self.position] if 0 <= self.position < len(self.suppliers) else None

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.suppliers)

    def advance(self, members: dict[str, Member], *, why: str = "") -> RotaCursor:
        """The next supplier that is still active (partners may close while a request waits); past the end
        when none is left. `why` records why the current one was passed over."""
        passed = self.passed
        if self.current is not None:
            passed = (*passed, (self.current, why))
        position = self.position + 1
        while position < len(self.suppliers):
            member = members.get(self.suppliers[position])
            if member is not None and member.active:
                break
            passed = (*passed, (self.suppliers[position], "inactive"))
            position += 1
        return RotaCursor(suppliers=self.suppliers, position=position, passed=passed)
