"""The gateway on a store: each event is one atomic read-modify-write of one transaction (the incoming message
journalled, the new state, the outgoing messages journalled and queued in the outbox, all together), then
the links, timers and loan counts written as documents. Synchronous and socket-free; the node calls it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

import attrs

import iso18626
import isoill
from illnode.gateway._store import Change, JournalEntry, OutboxItem, TransactionRecord
from illnode.gateway.bridge import Kind
from illnode.gateway.core import Arm, Arrived, Count, Disarm, Gateway, Link, Outcome, Send, link_key
from illnode.gateway.state import IDS_10161, Transaction, from_json, to_json

__all__ = ["COUNTS", "GATEWAY", "LINKS", "TIMERS", "Handled", "GatewayService", "encode", "message_type"]

#: The store's protocol column for gateway transactions, and the document kinds the gateway keeps.
GATEWAY, LINKS, TIMERS, COUNTS = "gateway", "gateway-link", "gateway-timer", "gateway-count"


@attrs.frozen(kw_only=True)
class Handled:
    """What became of an incoming message: the gateway transaction it belongs to (None: unknown) and a problem
    for staff (the message was journalled and acknowledged all the same)."""

    transaction: str | None
    problem: str | None = None


def message_type(message: Any) -> str:
    if isinstance(message, isoill.APDU):
        from isoill.render import apdu_name

        return apdu_name(message)
    if isinstance(message, iso18626.RequestingAgencyMessage) and message.action is not None:
        return f"requestingAgencyMessage {message.action.value}"
    if isinstance(message, iso18626.SupplyingAgencyMessage):
        status = message.status_info.status
        return f"supplyingAgencyMessage {message.message_info.reason_for_message.value} " \
               f"{status.value if status else '(no status)'}"
    return type(message).__name__


def encode(send: Send) -> bytes:
    """The octets of an outgoing message (BER, or ISO 18626 XML in the partner's version)."""
    if send.protocol == IDS_10161:
        return isoill.encode(send.message)
    return iso18626.serialize(send.message, version=send.version)


def _is_request(protocol: str, message: Any) -> bool:
    return isinstance(message, isoill.ILLRequest if protocol == IDS_10161 else iso18626.Request)


class GatewayService:
    """Runs `Gateway` against a store (the `illcore.store` contract). `new_key()` names a new transaction (the
    node makes it unique across processes)."""

    def __init__(self, gateway: Gateway, store: Any, *, new_key: Callable[[], str]) -> None:
        self.gateway = gateway
        self.store = store
        self.new_key = new_key

    # --- reading -------------------------------------------------------------------------------------------------
    def transaction(self, key: str) -> Transaction | None:
        record = self.store.get(GATEWAY, key)
        return from_json(record.data["gateway"]) if record is not None else None

    def transactions(self, **filters: Any) -> list[Transaction]:
        return [from_json(r.data["gateway"]) for r in self.store.find(protocol=GATEWAY, **filters)]

    def members(self) -> Any:
        counts = {key: (int(v.get("lent", 0)), int(v.get("borrowed", 0))) for key, v in self.store.docs(COUNTS)}
        return self.gateway.config.members(counts)

    def lookup(self, key: str) -> str | None:
        """The gateway transaction a link key belongs to (None: no such link)."""
        doc = self.store.get_doc(LINKS, key)
        return str(doc["transaction"]) if doc is not None else None

    def relink(self) -> int:
        """Write the link documents of every open transaction that lacks one (a crash between a transaction's
        commit and its link writes); returns how many were missing. The node runs it at start: a scan of the
        open transactions, never on the path of an incoming message (where a stream of unknown messages would
        make each one cost the whole store)."""
        missing = 0
        for txn in self.transactions(finished=False):
            for leg in txn.legs():
                if self.store.get_doc(LINKS, leg.key) is None:
                    self.store.put_doc(LINKS, leg.key, {"transaction": txn.key})
                    missing += 1
        return missing

    # --- events ----------------------------------------------------------------------------------------------------
    def arrived(self, protocol: str, message: Any, data: bytes, *, peer: str, at: _dt.datetime,
                address: str = "") -> Handled:
        """A message from a partner: start a transaction (a request) or continue the one it belongs to."""
        entry = JournalEntry(protocol=protocol, direction="in", peer=peer, transaction="",
                             message_type=message_type(message), data=data, outcome="accepted", at=at)
        key = self.lookup(link_key(protocol, message))
        event = Arrived(protocol=protocol, message=message, at=at, address=address)
        if key is None:
            if not _is_request(protocol, message):
                self.store.append(attrs.evolve(entry, outcome="accepted: unknown transaction, for staff"))
                return Handled(transaction=None, problem="a message for no known transaction")
            key = self.new_key()
            outcome = self._update(key, lambda _: self.gateway.start(event, key=key, members=self.members()),
                                   attrs.evolve(entry, transaction=key), at)
        else:
            outcome = self._update(key, lambda txn: self.gateway.receive(txn, event, members=self.members()),
                                   attrs.evolve(entry, transaction=key), at)
        return Handled(transaction=key, problem=outcome.problem)

    def fire_timers(self, now: _dt.datetime) -> int:
        """Expire every transaction whose timer is due; returns how many moved. Safe in several processes at once:
        the expiry re-checks the deadline inside the transaction's update, so it happens once."""
        moved = 0
        for key, doc in self.store.docs(TIMERS):
            at = doc.get("at")
            if at is None or _dt.datetime.fromisoformat(at) > now:
                continue
            outcome = self._update(key, lambda txn: self.gateway.expire(txn, now, members=self.members()), None, now)
            moved += any(isinstance(a, Send) and a.kind is Kind.REQUEST for a in outcome.actions)
        return moved

    def refused(self, key: str, symbol: str, why: str, at: _dt.datetime) -> Outcome:
        """A partner refused what we sent it (the outbox's delivery ended in an error the protocol defines)."""
        return self._update(key, lambda txn: self.gateway.refused(txn, symbol, at, why=why, members=self.members()),
                            None, at)

    def staff(self, key: str, fn: Callable[[Transaction], Outcome], at: _dt.datetime) -> Outcome:
        """Run a staff action (a function of the transaction) as one update."""
        return self._update(key, fn, None, at)

    # --- the one write path ----------------------------------------------------------------------------------------
    def _update(self, key: str, fn: Callable[[Any], Outcome], entry: JournalEntry | None,
                at: _dt.datetime) -> Outcome:
        def change(record: TransactionRecord | None) -> Change:
            txn = from_json(record.data["gateway"]) if record is not None else None
            if txn is None and entry is None:
                return Change(result=Outcome(transaction=None, problem=f"no transaction {key}"))
            outcome = fn(txn)
            journal = [attrs.evolve(entry, outcome="accepted" if outcome.problem is None
                                    else f"accepted: {outcome.problem}")] if entry is not None else []
            outbox = []
            for send in (a for a in outcome.actions if isinstance(a, Send)):
                data = encode(send)
                journal.append(JournalEntry(protocol=send.protocol, direction="out", peer=send.symbol,
                                            transaction=key, message_type=message_type(send.message), data=data,
                                            outcome="queued", at=at))
                outbox.append(OutboxItem(protocol=send.protocol, address=send.address, transaction=key,
                                         message_type=message_type(send.message), data=data, created=at,
                                         next_at=at if send.address else None,
                                         errors=() if send.address else (f"{at.isoformat()} no address for "
                                                                         f"{send.symbol}",)))
            new = outcome.transaction
            if new is None:
                return Change(journal=tuple(journal), outbox=tuple(outbox), result=outcome)
            rec = TransactionRecord(
                protocol=GATEWAY, role="borrowing", key=key, state=new.requester.stage.value,
                partner=new.supplier.symbol if new.supplier else "", snapshot={}, data={"gateway": to_json(new)},
                created=record.created if record is not None else at, updated=at,
                version=record.version if record is not None else 0, finished=new.ended)
            return Change(record=rec, journal=tuple(journal), outbox=tuple(outbox), result=outcome)

        outcome: Outcome = self.store.update(GATEWAY, key, change)
        for action in outcome.actions:
            if isinstance(action, Link):
                self.store.put_doc(LINKS, action.key, {"transaction": action.transaction})
            elif isinstance(action, Arm):
                self.store.put_doc(TIMERS, action.transaction, {"at": action.at.isoformat()})
            elif isinstance(action, Disarm):
                self.store.delete_doc(TIMERS, action.transaction)
            elif isinstance(action, Count):
                doc = self.store.get_doc(COUNTS, action.symbol) or {}
                self.store.put_doc(COUNTS, action.symbol, {**doc, action.what: int(doc.get(action.what, 0)) + 1})
        if outcome.transaction is not None and outcome.transaction.ended:
            self.store.delete_doc(TIMERS, key)
        return outcome


