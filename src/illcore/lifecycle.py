"""The protocol-neutral ILL transaction lifecycle that the ISO 10161 and ISO 18626 machines both map onto.

Stages and the moves between them, as a table run by the same engine; a future 10161 <-> 18626 bridge speaks it.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable

from illcore.engine import PREVIOUS, Confidence, Row, Table

__all__ = ["LIFECYCLE", "Milestone", "Stage", "lifecycle_allows", "lifecycle_reachable"]


class Stage(enum.Enum):
    """Where an ILL transaction is, whatever protocol carries it (ISO 10160's processing and tracking phases)."""

    IDLE = "idle"
    REQUESTED = "requested"
    CONDITIONAL = "conditional"
    CANCEL_PENDING = "cancel-pending"
    CANCELLED = "cancelled"
    UNFILLED = "unfilled"
    FORWARDED = "forwarded"
    SUPPLIED = "supplied"
    RECEIVED = "received"
    RENEW_PENDING = "renew-pending"
    OVERDUE = "overdue"
    RECALLED = "recalled"
    RETURNED = "returned"
    COMPLETED = "completed"
    LOST = "lost"


class Milestone(enum.Enum):
    """What happens to a transaction, named without reference to either protocol's messages."""

    REQUEST = "request"
    PROPOSE_CONDITIONS = "propose-conditions"
    ACCEPT_CONDITIONS = "accept-conditions"
    REJECT_CONDITIONS = "reject-conditions"
    FORWARD = "forward"
    UNFILL = "unfill"
    CANCEL = "cancel"
    CANCEL_ACCEPTED = "cancel-accepted"
    CANCEL_REFUSED = "cancel-refused"
    SUPPLY = "supply"
    RECEIVE = "receive"
    RENEW = "renew"
    RENEW_GRANTED = "renew-granted"
    RENEW_REFUSED = "renew-refused"
    OVERDUE = "overdue"
    OVERDUE_LIFTED = "overdue-lifted"
    RECALL = "recall"
    RETURN = "return"
    COMPLETE = "complete"
    LOSE = "lose"


S, M = Stage, Milestone
_LOAN = (S.SUPPLIED, S.RECEIVED, S.RENEW_PENDING, S.OVERDUE, S.RECALLED)

# (from stages, milestone, to). Processing phase first, then the tracking phase of a loan.
_EDGES: list[tuple[tuple[Stage, ...], Milestone, Hashable]] = [
    ((S.IDLE,), M.REQUEST, S.REQUESTED),
    ((S.REQUESTED,), M.PROPOSE_CONDITIONS, S.CONDITIONAL),
    ((S.CONDITIONAL,), M.ACCEPT_CONDITIONS, S.REQUESTED),
    ((S.CONDITIONAL,), M.REJECT_CONDITIONS, S.UNFILLED),
    ((S.REQUESTED,), M.FORWARD, S.FORWARDED),
    ((S.REQUESTED, S.CONDITIONAL, S.CANCEL_PENDING), M.UNFILL, S.UNFILLED),
    ((S.REQUESTED, S.CONDITIONAL), M.CANCEL, S.CANCEL_PENDING),
    ((S.CANCEL_PENDING,), M.CANCEL_ACCEPTED, S.CANCELLED),
    ((S.CANCEL_PENDING,), M.CANCEL_REFUSED, PREVIOUS),
    ((S.REQUESTED, S.CONDITIONAL, S.CANCEL_PENDING), M.SUPPLY, S.SUPPLIED),
    # a supplier that does not announce shipping: the first the requester's side records is the receipt
    ((S.REQUESTED, S.CONDITIONAL, S.SUPPLIED), M.RECEIVE, S.RECEIVED),
    # (a renew pending when the item falls overdue stays renew-pending: the answer decides)
    ((S.SUPPLIED, S.RECEIVED), M.OVERDUE, S.OVERDUE),
    ((S.RECEIVED, S.OVERDUE), M.RENEW, S.RENEW_PENDING),
    ((S.RENEW_PENDING,), M.RENEW_GRANTED, S.RECEIVED),
    ((S.RENEW_PENDING,), M.RENEW_REFUSED, PREVIOUS),
    # the supplier sets a new due date without a renew request (ISO 18626: Overdue back to Loaned)
    ((S.OVERDUE,), M.OVERDUE_LIFTED, PREVIOUS),
    (_LOAN, M.RECALL, S.RECALLED),
    (_LOAN, M.RETURN, S.RETURNED),
    # a copy is complete on delivery; a loan when the supplier checks it in (with or without a Returned)
    ((S.REQUESTED, S.CONDITIONAL, S.CANCEL_PENDING, *_LOAN, S.RETURNED), M.COMPLETE, S.COMPLETED),
    ((*_LOAN, S.RETURNED), M.LOSE, S.LOST),
]

#: The neutral lifecycle as an engine table (one party, "transaction").
LIFECYCLE = Table("ILL lifecycle", [
    Row("transaction", src, milestone, dst, confidence=Confidence.INFERRED, ref="ISO 10160 phases")
    for sources, milestone, dst in _EDGES for src in sources
], initial={"transaction": S.IDLE},
    terminal={"transaction": {S.CANCELLED, S.UNFILLED, S.FORWARDED, S.COMPLETED, S.LOST}})



def _moves() -> frozenset[tuple[Stage, Stage]]:
    # PREVIOUS goes back to any stage that leads into the row's source
    out: set[tuple[Stage, Stage]] = set()
    for r in LIFECYCLE.rows:
        assert isinstance(r.source, Stage)
        if r.target is PREVIOUS:
            out |= {(r.source, p.source) for p in LIFECYCLE.rows
                    if p.target == r.source and p.source != r.source and isinstance(p.source, Stage)}
        else:
            assert isinstance(r.target, Stage)
            out.add((r.source, r.target))
    return frozenset(out)


_MOVES = _moves()


def _closure() -> frozenset[tuple[Stage, Stage]]:
    reach: dict[Stage, set[Stage]] = {s: {t for (a, t) in _MOVES if a == s} for s in Stage}
    changed = True
    while changed:
        changed = False
        for s in Stage:
            more = set().union(*(reach[t] for t in reach[s])) - reach[s]
            if more:
                reach[s] |= more
                changed = True
    return frozenset((s, t) for s in Stage for t in reach[s])


_REACH = _closure()


def lifecycle_allows(before: Stage, after: Stage) -> bool:
    """True when a protocol step from `before` to `after` is a lifecycle move (or stays in its stage)."""
    return before == after or (before, after) in _MOVES


def lifecycle_reachable(before: Stage, after: Stage) -> bool:
    """True when `after` can follow `before` through lifecycle moves, skipping stages a protocol left implicit.

    ISO 18626's status lattice lets a supplier jump ahead (WillSupply straight to LoanCompleted); it never
    lets a transaction move back against the lifecycle.
    """
    return before == after or (before, after) in _REACH
