"""The lending side: a partner's request held for our own library, answered by staff or by an auto-responder
policy (will-supply / unfilled rules, first match wins), with the lending lifecycle tracked on the partner's leg.

Pure functions over `state.Transaction`; `core.Gateway` calls them for requests from partners that are not local.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch

import attrs

from illcore.request import BorrowingRequest, Service
from illnode.gateway.bridge import Kind, Step
from illnode.gateway.state import Transaction

__all__ = ["LENDER_KINDS", "LendingRule", "decide"]

#: What our lending side may say to the borrowing partner (staff actions and auto answers).
LENDER_KINDS = frozenset({Kind.WILL_SUPPLY, Kind.EXPECT_TO_SUPPLY, Kind.UNFILLED, Kind.RETRY, Kind.SHIPPED_LOAN,
                          Kind.SHIPPED_COPY, Kind.CHECKED_IN, Kind.OVERDUE, Kind.RECALL, Kind.CANCEL_ACCEPTED,
                          Kind.CANCEL_REFUSED, Kind.RENEW_GRANTED, Kind.RENEW_REFUSED, Kind.MESSAGE_FROM_SUPPLIER})


@attrs.frozen(kw_only=True)
class LendingRule:
    """Answer requests that match every given property with `answer` ("will-supply", "unfilled" or "hold":
    leave it to staff); `reason` is the reasonUnfilled token of an unfilled answer, `note` goes with it."""

    answer: str
    service: Service | None = None
    medium: str | None = None
    requester: str | None = None
    reason: str | None = None
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.answer not in ("will-supply", "unfilled", "hold"):
            raise ValueError(f"lending rule answer {self.answer!r}: use will-supply, unfilled or hold")

    def matches(self, request: BorrowingRequest) -> bool:
        if self.service is not None and request.service is not self.service:
            return False
        if self.medium is not None and (request.medium or "").lower() != self.medium.lower():
            return False
        return self.requester is None or fnmatch.fnmatchcase(request.requester, self.requester)


def decide(rules: tuple[LendingRule, ...], txn: Transaction, at: _dt.datetime) -> Step | None:
    """The auto-responder's answer to a new lending request (None: held for staff)."""
    rule = next((r for r in rules if r.matches(txn.request)), None)
    if rule is None or rule.answer == "hold":
        return None
    if rule.answer == "will-supply":
        return Step(kind=Kind.WILL_SUPPLY, at=at, note=rule.note)
    return Step(kind=Kind.UNFILLED, at=at, reason=rule.reason, note=rule.note)
