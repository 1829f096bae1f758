"""An ISO 18626 supplier that plays a partner system (profile) through a scenario: it confirms each message at
once and POSTs its supplyingAgencyMessages to the requester's URL from the directory (or a fixed reply URL).

The ASGI app is `Simulator18626.app` (serve it with `iso18626.http.serve(app=...)` or call it in tests).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import itertools
import logging
from collections.abc import Callable
from typing import Any

import attrs

import iso18626
from illnode.directory import Directory
from illnode.simulators.scenarios import SCENARIOS, scenario_in
from iso18626 import Action, ReasonForMessage, SchemeValue, Status, YesNo
from iso18626.http import Client, HandlerResult, ISO18626App, PeerError, TransportError
from iso18626.profiles import Profile

__all__ = ["Simulator18626"]

log = logging.getLogger("illnode.simulate")
LOAN_DAYS = 28
R = ReasonForMessage


@attrs.define
class _Case:
    request: iso18626.Request
    scenario: str
    reply_to: str | None
    supplier_id: str
    loaned: bool = False


class Simulator18626:
    """A supplier playing `profile` (None: plain ISO 18626) with `scenario` unless a request's note names another.

    Replies go to `reply_to` when given, else to the URL of the directory's record for the requesting agency
    (looked up as TYPE:VALUE, then VALUE). `sent` keeps (url, message) for tests; `out` gets a line per message.
    `transport` (an httpx transport) lets tests post in-process.
    """

    def __init__(self, profile: Profile | None, scenario: str, *, directory: Directory | None = None,
                 reply_to: str | None = None, out: Callable[[str], None] | None = None,
                 now: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.timezone.utc),
                 transport: Any = None, delay: float = 0.0) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        self.profile = profile
        self.scenario = scenario
        self.directory = directory
        self.reply_to = reply_to
        self.out = out or (lambda line: None)
        self.now = now
        self.delay = delay
        self.cases: dict[tuple[str, str], _Case] = {}
        self.sent: list[tuple[str | None, iso18626.Message]] = []
        self.received: list[iso18626.Message] = []
        self.app = ISO18626App(self._handle, strict=False)  # lenient: Alma leaves status empty, OCLC writes ns1
        version = profile.version if profile is not None else "1.2"
        self._client = Client(version=version, transport=transport, timeout=10.0)
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)

    async def idle(self) -> None:
        """Wait until every reply decided so far has been sent (or failed)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        await self.idle()
        await self._client.aclose()

    async def _handle(self, message: iso18626.Message) -> HandlerResult:
        self.received.append(message)
        header = message.header  # type: ignore[union-attr]
        key = (_agency(header.requesting_agency_id), str(header.requesting_agency_request_id))
        self.out(f"<- {type(message).__name__} {key[0]} {key[1]}")
        if self.profile is not None:
            violations = self.profile.check(message)
            for v in violations:
                self.out(f"   profile {self.profile.name}: {v}")
            if violations and self.profile.strict:
                return [iso18626.ErrorData(error_type=iso18626.ErrorType.UNRECOGNISED_DATA_VALUE,
                                           error_value="; ".join(str(v) for v in violations)[:500])]
        if isinstance(message, iso18626.Request):
            note = message.service_info.note if message.service_info is not None else None
            scenario = scenario_in(note, self.scenario)
            if scenario == "error-report":
                return [iso18626.ErrorData(error_type=iso18626.ErrorType.UNRECOGNISED_DATA_VALUE,
                                           error_value="simulated error (scenario error-report)")]
            if self.directory is not None:
                learnt = self.directory.learn_18626(message, profile=self.profile.name if self.profile else "")
                if learnt is not None:
                    self.out(f"   new partner {learnt.symbol} (generated; add its URL to reply to it)")
            case = _Case(message, scenario, self._reply_url(key[0]), f"SIM-{next(self._ids)}")
            self.cases[key] = case
            self._spawn(self._deliver(case, self._answer_request(case)))
            return None
        found = self.cases.get(key)
        if found is None:
            return [iso18626.ErrorData(error_type=iso18626.ErrorType.UNRECOGNISED_DATA_VALUE,
                                       error_value="requestingAgencyRequestId: no request with this ID")]
        if isinstance(message, iso18626.RequestingAgencyMessage):
            self._spawn(self._deliver(found, self._follow_up(found, message)))
        return None

    def _reply_url(self, agency: str) -> str | None:
        if self.reply_to:
            return self.reply_to
        if self.directory is None:
            return None
        partner = self.directory.get(agency) or self.directory.get(agency.partition(":")[2])
        return partner.address if partner is not None and partner.protocol == "iso18626" else None

    # --- what to answer ------------------------------------------------------------------------------------------

    def _answer_request(self, case: _Case) -> list[iso18626.SupplyingAgencyMessage]:
        scenario = case.scenario
        if scenario == "unfilled":
            return [self._sam(case, R.REQUEST_RESPONSE, Status.UNFILLED,
                              reason_unfilled=SchemeValue("NotAvailableForILL"))]
        if scenario == "expire":
            return [self._sam(case, R.REQUEST_RESPONSE, Status.UNFILLED, note="Simulated: the request expired",
                              reason_unfilled=SchemeValue("NotAvailableForILL"))]
        if scenario == "conditional":
            return [self._condition(case)]
        return [self._sam(case, R.REQUEST_RESPONSE, Status.WILL_SUPPLY), self._loaned(case)]  # loaned

    def _condition(self, case: _Case) -> iso18626.SupplyingAgencyMessage:
        if self.profile is not None and self.profile.structured_as_note:  # Alma: a notification note to answer
            return self._sam(case, R.NOTIFICATION, Status.WILL_SUPPLY,
                             note="Condition: LibraryUseOnly. Please respond ACCEPT or REJECT")
        if self.profile is not None and "ReShareAddLoanCondition" in self.profile.note_markers:
            return self._sam(case, R.REQUEST_RESPONSE, Status.WILL_SUPPLY,
                             note="#ReShareAddLoanCondition# LibraryUseOnly")
        return self._sam(case, R.NOTIFICATION, Status.WILL_SUPPLY, note="Condition: LibraryUseOnly")

    def _follow_up(self, case: _Case, message: iso18626.RequestingAgencyMessage,
                   ) -> list[iso18626.SupplyingAgencyMessage]:
        action, note = message.action, (message.note or "").upper()
        if action is Action.NOTIFICATION and case.scenario == "conditional" and not case.loaned:
            if "ACCEPT" in note or "AGREE" in note:
                return [self._loaned(case)]
            return []
        if action is Action.SHIPPED_RETURN:
            return [self._sam(case, R.STATUS_CHANGE, Status.LOAN_COMPLETED)]
        if action is Action.CANCEL:
            if case.loaned:
                return [self._sam(case, R.CANCEL_RESPONSE, Status.LOANED, answer=YesNo.N)]
            return [self._sam(case, R.CANCEL_RESPONSE, Status.CANCELLED, answer=YesNo.Y)]
        if action is Action.RENEW:
            return [self._sam(case, R.RENEW_RESPONSE, Status.LOANED, answer=YesNo.Y, due_days=LOAN_DAYS)]
        return []  # Received, StatusRequest, notifications: confirmed, nothing to send

    def _loaned(self, case: _Case) -> iso18626.SupplyingAgencyMessage:
        case.loaned = True
        return self._sam(case, R.STATUS_CHANGE, Status.LOANED, due_days=LOAN_DAYS,
                         delivery=iso18626.DeliveryInfo(date_sent=self.now().replace(microsecond=0)))

    def _sam(self, case: _Case, reason: ReasonForMessage, status: Status, *, note: str | None = None,
             answer: YesNo | None = None, reason_unfilled: SchemeValue | None = None, due_days: int | None = None,
             delivery: iso18626.DeliveryInfo | None = None) -> iso18626.SupplyingAgencyMessage:
        h = case.request.header
        now = self.now().replace(microsecond=0)
        return iso18626.SupplyingAgencyMessage(
            header=iso18626.Header(supplying_agency_id=h.supplying_agency_id,
                                   requesting_agency_id=h.requesting_agency_id, timestamp=now,
                                   requesting_agency_request_id=h.requesting_agency_request_id,
                                   supplying_agency_request_id=case.supplier_id),
            message_info=iso18626.MessageInfo(reason_for_message=reason, answer_yes_no=answer, note=note,
                                              reason_unfilled=reason_unfilled),
            status_info=iso18626.StatusInfo(status=status, last_change=now, due_date=None if due_days is None
                                            else now + _dt.timedelta(days=due_days)),
            delivery_info=delivery)

    # --- sending -----------------------------------------------------------------------------------------------

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, case: _Case, messages: list[iso18626.SupplyingAgencyMessage]) -> None:
        for message in messages:
            if self.delay:
                await asyncio.sleep(self.delay)
            status = message.status_info.status
            what = f"{message.message_info.reason_for_message.value} {status.value if status else ''}".strip()
            if self.profile is not None:
                for v in self.profile.check(message):
                    log.warning("simulator sends %s against its own profile: %s", what, v)
            self.sent.append((case.reply_to, message))
            if case.reply_to is None:
                self.out(f"-> {what}: not sent (no URL for the requester: give --reply-to or a directory)")
                continue
            self.out(f"-> {what} to {case.reply_to}")
            try:
                await self._client.send(case.reply_to, message)
            except (TransportError, PeerError) as exc:
                self.out(f"   {case.reply_to}: {exc}")


def _agency(agency: iso18626.AgencyId) -> str:
    return f"{agency.agency_id_type.value}:{agency.agency_id_value}"
