"""A gateway borrowing transaction as data: the requester's leg, the current supplier's leg, the rota cursor and
a readable history, with the JSON form the store keeps (`TransactionRecord.data`).

Each leg runs the neutral lifecycle on its own; a relayed message moves both legs by the bridge row's milestone.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs
import cattrs.preconf.json

from illcore.engine import Engine
from illcore.lifecycle import LIFECYCLE, Milestone, Stage
from illcore.request import BorrowingRequest
from illnode.gateway.rota import RotaCursor

__all__ = ["IDS_10161", "IDS_18626", "Leg", "Peer", "Transaction", "from_json", "to_json"]

IDS_10161, IDS_18626 = "iso10161", "iso18626"


@attrs.frozen(kw_only=True)
class Peer:
    """A partner as the gateway addresses it (built from the directory's partner record)."""

    symbol: str
    protocol: str                      # "iso10161" | "iso18626"
    address: str = ""                  # host:port (10161) or URL (18626)
    version: str = "1.2"               # ISO 18626 version the partner speaks
    active: bool = True
    expiry_days: float = 4.0           # how long it has to answer a request (Alma's partner record: 4 days)
    local: bool = False                # one of our own systems: its requests are routed, never lent from here
    profile: str = ""                  # the directory's profile name (illnode.profiles)


@attrs.frozen(kw_only=True)
class Leg:
    """One conversation of the transaction, in one protocol, with one partner.

    `key`: what an incoming message of this leg is found by (see `core.link_key`); `ids`: the identifiers the
    leg's messages carry (10161: transaction id and system ids as JSON; 18626: both request ids and agency
    ids), `status`: the last ISO 18626 status on this leg, `answered`: the supplier side has sent a
    supplyingAgencyMessage on it (later ones are StatusChange, not RequestResponse).
    """

    symbol: str
    protocol: str
    address: str = ""
    version: str = "1.2"
    key: str
    ids: dict[str, Any] = attrs.field(factory=dict)
    stage: Stage = Stage.IDLE
    previous: Stage | None = None
    status: str | None = None
    answered: bool = False
    sent_at: _dt.datetime | None = None
    deadline: _dt.datetime | None = None

    def moved(self, milestone: Milestone | None) -> Leg | None:
        """This leg after `milestone` (itself when None); None when the lifecycle does not allow it here."""
        if milestone is None:
            return self
        engine = Engine(LIFECYCLE, {"transaction": self.stage},
                        {"transaction": self.previous} if self.previous is not None else None)
        (step,) = engine.fire([("transaction", milestone)])
        if not step.accepted:
            return None
        if step.after == step.before:
            return self
        assert isinstance(step.after, Stage) and isinstance(step.before, Stage)
        return attrs.evolve(self, stage=step.after, previous=step.before)


@attrs.frozen(kw_only=True)
class Transaction:
    """A transaction through the gateway. Borrowing: `supplier` is the current supplier's leg (None before the
    first and after the rota ran out); `passed` the legs of suppliers asked before, kept so their late
    messages are recognised; `ended` once the requester has its final answer or the loan is complete.
    Lending (`lending`): a partner's request held for our own lending side; only the requester's leg exists."""

    key: str
    request: BorrowingRequest
    requester: Leg
    rota: str = ""
    cursor: RotaCursor = RotaCursor(suppliers=())
    supplier: Leg | None = None
    passed: tuple[Leg, ...] = ()
    ended: bool = False
    history: tuple[str, ...] = ()
    lending: bool = False

    def note(self, at: _dt.datetime, text: str) -> Transaction:
        return attrs.evolve(self, history=(*self.history, f"{at.isoformat(timespec='seconds')} {text}"))

    def legs(self) -> tuple[Leg, ...]:
        return (self.requester, *((self.supplier,) if self.supplier else ()), *self.passed)


_CONVERTER = cattrs.preconf.json.make_converter()


def to_json(txn: Transaction) -> dict[str, Any]:
    """The transaction as JSON-compatible data (what `TransactionRecord.data` holds)."""
    data: dict[str, Any] = _CONVERTER.unstructure(txn)
    return data


def from_json(data: dict[str, Any]) -> Transaction:
    """The inverse of `to_json`."""
    return _CONVERTER.structure(data, Transaction)
