"""An ISO 10161 lender that plays a partner system (profile) through a scenario: it listens, runs each transaction
on the protocol machine, and sends every reply on a new connection to the requester's listener, found in the
request's APDU-Delivery-Info (IPIG clause E13.3), else in the directory, else it answers on the same connection.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
from collections.abc import Callable
from typing import Any

import attrs

import isoill
from illnode.directory import Directory, system_id_text
from illnode.simulators.scenarios import SCENARIOS, scenario_in
from isoill import Role, net
from isoill.extensions.delivery_info import (
    APDUDeliveryInfo,
    delivery_info,
    parameters,
    reply_address,
    with_delivery_info,
)
from isoill.profiles import Profile
from isoill.render import apdu_name

__all__ = ["Simulator10161"]

log = logging.getLogger("illnode.simulate")
Address = tuple[str, int]
LOAN_DAYS = 28


@attrs.define
class _Case:
    """What the simulator remembers of one transaction."""

    request: isoill.ILLRequest
    scenario: str
    reply_to: Address | None
    shipped: bool = False


class Simulator10161:
    """A lender at `host:port` playing `profile` (None: plain ISO 10161) with `scenario` unless a request's note
    names another. `symbol` is its institution symbol; `directory` supplies reply addresses of requesters whose
    APDUs carry none and learns unknown requesters (generated records). `sent` and `received` keep every APDU
    (address, APDU) for tests; `out` gets one line per APDU."""

    def __init__(self, profile: Profile | None, scenario: str, *, symbol: str = "SIMULATOR",
                 host: str = "127.0.0.1", port: int = 0, directory: Directory | None = None,
                 delay: float = 0.0, out: Callable[[str], None] | None = None,
                 now: Callable[[], _dt.datetime] = _dt.datetime.now) -> None:
        check_scenario(profile, scenario)
        self.profile = profile
        self.scenario = scenario
        self.symbol = symbol
        self.directory = directory
        self.delay = delay
        self.out = out or (lambda line: None)
        self.now = now
        self.cases: dict[net.TransactionKey, _Case] = {}
        self.sent: list[tuple[Address | None, isoill.APDU]] = []
        self.received: list[isoill.APDU] = []
        strict = profile.strict if profile is not None else False
        self.server = net.ILLServer(self._handle, host=host, port=port, strict=strict)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> str:
        return f"{self.server.host}:{self.server.port}"

    async def start(self) -> None:
        await self.server.start()

    async def idle(self) -> None:
        """Wait until every reply decided so far has been sent (or failed)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.idle()
        await self.server.close()

    async def __aenter__(self) -> Simulator10161:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- receiving -------------------------------------------------------------------------------------------

    async def _handle(self, incoming: net.Incoming) -> None:
        apdu = incoming.apdu
        self.received.append(apdu)
        self.out(f"<- {apdu_name(apdu)} {_tid(apdu)} from {incoming.peer[0]}:{incoming.peer[1]}")
        if self.profile is not None:
            violations = self.profile.check(apdu, sender=Role.REQUESTER)
            for v in violations:
                self.out(f"   profile {self.profile.name}: {v}")
            if violations and self.profile.strict:
                note = "; ".join(str(v) for v in violations)[:200]
                await self._reply_now(incoming, isoill.reply_to(apdu, service_date_time=self._stamp(), note=note,
                                      error_report=isoill.general_problem(isoill.GeneralProblem.OTHER,
                                                                           correlation=note)))
                return
        if incoming.refusal is not None:  # the machine says no (a tolerant profile): tell the peer, keep going
            await self._reply_now(incoming, incoming.refusal)
            return
        key = net.transaction_key(apdu)
        if isinstance(apdu, isoill.ILLRequest):
            case = self._open(apdu)
            self.cases[key] = case
            replies = self._answer_request(case)
        else:
            found = self.cases.get(key)
            if found is None:
                await self._reply_now(incoming, isoill.unknown_transaction_reply(apdu,
                                                                                  service_date_time=self._stamp()))
                return
            case = found
            info = apdu.extension(APDUDeliveryInfo)
            case.reply_to = (reply_address(info) if info is not None else None) or case.reply_to
            replies = self._follow_up(case, apdu)
        if replies:
            self._spawn(self._deliver(incoming, case, replies))

    def _open(self, request: isoill.ILLRequest) -> _Case:
        info = request.extension(APDUDeliveryInfo)
        reply_to = reply_address(info) if info is not None else None
        symbol, _ = system_id_text(request.requester_id)
        if self.directory is not None:
            partner = self.directory.get(symbol) if symbol else None
            if reply_to is None and partner is not None and partner.protocol == "iso10161" and partner.address:
                host, _, port = partner.address.rpartition(":")
                reply_to = (host, int(port))
            learnt = self.directory.learn_10161(request, profile=self.profile.name if self.profile else "")
            if learnt is not None:
                self.out(f"   new partner {learnt.symbol} at {learnt.address or '?'} (generated)")
        scenario = scenario_in(request.requester_note, self.scenario)
        if scenario != self.scenario:
            self.out(f"   scenario {scenario} (from the note)")
        return _Case(request, scenario, reply_to)

    # --- what to answer ----------------------------------------------------------------------------------------

    def _answer_request(self, case: _Case) -> list[isoill.APDU]:
        scenario = case.scenario
        if not can_play(self.profile, scenario):
            return [self._unfilled(case, f"scenario {scenario} is not possible with the {_name(self.profile)} "
                                         "profile")]
        if scenario == "unfilled":
            return [self._unfilled(case, "Simulated: not available")]
        if scenario == "loaned":
            replies: list[isoill.APDU] = []
            if _answers(self.profile, isoill.TransactionResults.WILL_SUPPLY):
                replies.append(self._answer(case, isoill.TransactionResults.WILL_SUPPLY, isoill.WillSupplyResults(
                    reason_will_supply=isoill.ReasonWillSupply.BEING_PROCESSED_FOR_SUPPLY)))
            return [*replies, self._shipped(case)]
        if scenario == "conditional":
            return [self._answer(case, isoill.TransactionResults.CONDITIONAL, isoill.ConditionalResults(
                conditions=isoill.Conditions.LIBRARY_USE_ONLY), note="Simulated: for library use only")]
        if scenario == "expire":
            return [isoill.Expired(**self._header(case))]
        return [isoill.reply_to(case.request, service_date_time=self._stamp(), note="Simulated error report",
                              error_report=isoill.ErrorReport(correlation_information=_tid(case.request),
                                                         report_source=isoill.ReportSource.USER,
                                                         user_error_report=isoill.UnableToPerform.NOT_AVAILABLE))]

    def _follow_up(self, case: _Case, apdu: isoill.APDU) -> list[isoill.APDU]:
        header = self._header(case)
        if isinstance(apdu, isoill.ConditionalReply):
            return [self._shipped(case)] if apdu.answer else []
        if isinstance(apdu, isoill.Returned):
            return [isoill.CheckedIn(**header, date_checked_in=self._date())]
        if isinstance(apdu, isoill.Cancel):
            return [isoill.CancelReply(**header, answer=not case.shipped)]
        if isinstance(apdu, isoill.Renew):
            return [isoill.RenewAnswer(**header, answer=True, date_due=isoill.DateDue(date_due_field=self._date(LOAN_DAYS)))]
        if isinstance(apdu, isoill.StatusQuery):
            txn = self.server.store.get(net.transaction_key(apdu))
            return [net.status_report(apdu, txn)]
        return []  # Received, Message, ...: noted, nothing to send

    def _header(self, case: _Case) -> dict[str, Any]:
        request = case.request
        responder = request.responder_id or isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol(self.symbol))
        return {"protocol_version_num": request.protocol_version_num, "transaction_id": request.transaction_id,
                "service_date_time": self._stamp(), "requester_id": request.requester_id,
                "responder_id": responder}

    def _unfilled(self, case: _Case, note: str) -> isoill.ILLAnswer:
        return self._answer(case, isoill.TransactionResults.UNFILLED,
                            isoill.UnfilledResults(reason_unfilled=isoill.ReasonUnfilled.NOT_ON_SHELF), note=note)

    def _answer(self, case: _Case, results: isoill.TransactionResults, explanation: isoill.ResultsExplanation,
                note: str | None = None) -> isoill.ILLAnswer:
        return isoill.ILLAnswer(**self._header(case), transaction_results=results,
                                results_explanation=explanation, responder_note=note)

    def _shipped(self, case: _Case) -> isoill.Shipped:
        case.shipped = True
        return isoill.Shipped(**self._header(case), shipped_service_type=isoill.ILLServiceType.LOAN,
                              supply_details=isoill.SupplyDetails(date_shipped=self._date(), date_due=isoill.DateDue(
                                  date_due_field=self._date(LOAN_DAYS))))

    # --- sending ---------------------------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _prepare(self, case: _Case | None, apdu: isoill.APDU) -> isoill.APDU:
        """Our APDU as the profile wants it: APDU-Delivery-Info naming us and the requester's listener."""
        if self.profile is not None and self.profile.delivery_info:
            to = case.reply_to if case is not None else None
            apdu = with_delivery_info(apdu, delivery_info(self.address, f"{to[0]}:{to[1]}") if to else
                                      APDUDeliveryInfo(sender_info=(parameters(self.address),), recipient_info=()))
        if self.profile is not None:
            for v in self.profile.check(apdu, sender=Role.RESPONDER):
                log.warning("simulator sends %s against its own profile: %s", apdu_name(apdu), v)
        return apdu

    async def _deliver(self, incoming: net.Incoming, case: _Case, replies: list[isoill.APDU]) -> None:
        for apdu in replies:
            if self.delay:
                await asyncio.sleep(self.delay)
            apdu = self._prepare(case, apdu)
            txn = self.server.store.get(net.transaction_key(apdu))
            if txn is not None and not isinstance(apdu, isoill.StatusOrErrorReport):
                try:
                    txn.send(apdu)
                except ValueError as exc:
                    self.out(f"   not sent: {exc}")
                    continue
            if case.reply_to is None:
                self.out(f"-> {apdu_name(apdu)} {_tid(apdu)} on the same connection (no reply address)")
                self.sent.append((None, apdu))
                await incoming.reply(apdu)
                continue
            host, port = case.reply_to
            self.out(f"-> {apdu_name(apdu)}{_detail(apdu)} {_tid(apdu)} to {host}:{port} (new connection)")
            self.sent.append((case.reply_to, apdu))
            try:
                await net.send_apdus(host, port, [apdu], wait=0)
            except (OSError, asyncio.TimeoutError) as exc:
                self.out(f"   cannot reach {host}:{port}: {exc}")

    async def _reply_now(self, incoming: net.Incoming, apdu: isoill.APDU) -> None:
        self.out(f"-> {apdu_name(apdu)} {_tid(apdu)} on the same connection")
        self.sent.append((None, apdu))
        await incoming.reply(apdu)

    def _stamp(self) -> isoill.ServiceDateTime:
        now = self.now()
        return isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date=f"{now:%Y%m%d}", time=f"{now:%H%M%S}"))

    def _date(self, days: int = 0) -> str:
        return f"{self.now() + _dt.timedelta(days=days):%Y%m%d}"


def _answers(profile: Profile | None, results: isoill.TransactionResults) -> bool:
    return profile is None or profile.answers is None or results in profile.answers


def can_play(profile: Profile | None, scenario: str) -> bool:
    """Whether a lender of `profile` can play `scenario` (Alma has no conditional ILL-Answer)."""
    if scenario == "conditional":
        return _answers(profile, isoill.TransactionResults.CONDITIONAL)
    if scenario == "expire":
        return profile is None or bool(profile.service(isoill.Expired, Role.RESPONDER))
    return True


def check_scenario(profile: Profile | None, scenario: str) -> None:
    """ValueError for an unknown scenario or one the profile cannot play."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if not can_play(profile, scenario):
        raise ValueError(f"the {_name(profile)} profile cannot play {scenario}: {profile.title if profile else ''} "
                         "has no such answer in its profile")


def _name(profile: Profile | None) -> str:
    return profile.name if profile is not None else "plain ISO 10161"


def _tid(apdu: isoill.APDU) -> str:
    tid = apdu.transaction_id
    return f"{tid.transaction_group_qualifier}:{tid.transaction_qualifier}"


def _detail(apdu: isoill.APDU) -> str:
    if isinstance(apdu, isoill.ILLAnswer):
        return f" ({apdu.transaction_results.name.lower().replace('_', '-')})"
    return ""
