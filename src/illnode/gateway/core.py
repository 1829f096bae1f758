"""The gateway's borrowing side as a sans-IO state holder: events in (a message arrived, a timer fired, staff
acted), a new `Transaction` and actions out (send X to partner P in its protocol, arm or disarm a timer, link an
identifier, count a loan). No clock, no socket, no store: the node does those.

Where a request goes next is the rota's job (`rota`); how a message crosses protocols is the bridge's (`bridge`).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

import iso18626
import isoill
from illcore.lifecycle import Stage
from illnode.gateway.bridge import BY_KIND, Kind, Side, Step, join_notes
from illnode.gateway.iso10161_side import Leg10161, apdu_for, step_of_apdu, system_id
from illnode.gateway.iso18626_side import Leg18626, agency_id, message_for, step_of_message, symbol_of
from illnode.gateway.lending import LENDER_KINDS, LendingRule, decide
from illnode.gateway.rota import (
    MOVE_ON,
    Member,
    Rota,
    RotaCursor,
    RotaError,
    RotaRule,
    build_rota,
    choose_rota,
)
from illnode.gateway.state import IDS_10161, IDS_18626, Leg, Peer, Transaction
from isoill import convert as convert10161
from isoill.extensions import APDUDeliveryInfo
from isoill.extensions.delivery_info import OID as DELIVERY_INFO_OID
from isoill.extensions.delivery_info import delivery_info
from isoill.extensions.delivery_info import reply_address as delivery_info_reply_address

__all__ = ["Arm", "Arrived", "Count", "Disarm", "Gateway", "GatewayConfig", "Link", "Outcome", "Send",
           "link_key", "reply_address"]

Message = Any  # an ISO 10161 APDU or an ISO 18626 message


# --- events and actions --------------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class Arrived:
    """A decoded message from a partner. `address`: where replies to it go when the partner record says
    nothing (an ISO 10161 requester's APDU-Delivery-Info)."""

    protocol: str
    message: Message
    at: _dt.datetime
    address: str = ""


@attrs.frozen(kw_only=True)
class Send:
    """Send `message` to partner `symbol` at `address` in `protocol` (through the outbox)."""

    transaction: str
    to: Side
    protocol: str
    symbol: str
    address: str
    message: Message
    kind: Kind
    version: str = "1.2"


@attrs.frozen(kw_only=True)
class Arm:
    """Wake the transaction at `at` (the current supplier's expiry)."""

    transaction: str
    at: _dt.datetime


@attrs.frozen(kw_only=True)
class Disarm:
    transaction: str


@attrs.frozen(kw_only=True)
class Link:
    """Incoming messages with link key `key` belong to `transaction`."""

    key: str
    transaction: str


@attrs.frozen(kw_only=True)
class Count:
    """A partner lent us an item (`lent`) or borrowed one (`borrowed`): the counts a balanced pod uses."""

    symbol: str
    what: str


Action = Send | Arm | Disarm | Link | Count


@attrs.frozen(kw_only=True)
class Outcome:
    """What handling one event did: the transaction afterwards (None: nothing to keep), the actions, and a
    problem for staff when a message could not be relayed (it was still accepted and journalled)."""

    transaction: Transaction | None
    actions: tuple[Action, ...] = ()
    problem: str | None = None


# --- identifiers ---------------------------------------------------------------------------------------------------

def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _tid_key(tid: isoill.TransactionId) -> str:
    initial = tid.initial_requester_id
    who = initial.person_or_institution_symbol if initial is not None else None
    return f"{IDS_10161}:{_text(who)}/{_text(tid.transaction_group_qualifier)}/{_text(tid.transaction_qualifier)}"


def link_key(protocol: str, message: Message) -> str:
    """The key that finds the transaction an incoming message belongs to: the 10161 transaction id; the
    requester's id of an 18626 requestingAgencyMessage, or ours in a supplyingAgencyMessage (we asked)."""
    if protocol == IDS_10161:
        return _tid_key(message.transaction_id)
    header = message.header
    if isinstance(message, iso18626.SupplyingAgencyMessage):
        return f"{IDS_18626}:sup:{header.requesting_agency_request_id}"
    return f"{IDS_18626}:req:{symbol_of(header.requesting_agency_id)}:{header.requesting_agency_request_id}"


def reply_address(apdu: isoill.APDU) -> str:
    """host:port of the first TCP/IP sender in the APDU's APDU-Delivery-Info, or "" (then the directory's)."""
    info = apdu.extension(APDUDeliveryInfo)
    found = delivery_info_reply_address(info) if info is not None else None
    return f"{found[0]}:{found[1]}" if found is not None else ""


def _delivery_extension(sender: str, recipient: str) -> isoill.Extension:
    return isoill.Extension(item=isoill.External.of(DELIVERY_INFO_OID, delivery_info(sender, recipient)))


# --- the gateway ----------------------------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class GatewayConfig:
    """The node's identity and routing: our symbol, our ISO 10161 listen address and ISO 18626 endpoint URL
    (what partners reply to), the partners, the rotas and the rules that choose one."""

    symbol: str
    iso10161_address: str = ""
    iso18626_url: str = ""
    peers: dict[str, Peer] = attrs.field(factory=dict)
    rotas: dict[str, Rota] = attrs.field(factory=dict)
    rules: tuple[RotaRule, ...] = ()
    #: "off": every request is routed; "staff" / "auto": a request from a partner that is not `local` is held
    #: for our lending side (answered by staff, or first by the auto-responder rules)
    lending: str = "off"
    lending_rules: tuple[LendingRule, ...] = ()

    def members(self, counts: dict[str, tuple[int, int]] | None = None) -> dict[str, Member]:
        """Rota members from the peers and the (lent, borrowed) counts the node keeps."""
        counts = counts or {}
        return {s: Member(symbol=s, active=p.active, expiry=_dt.timedelta(days=p.expiry_days),
                          lent=counts.get(s, (0, 0))[0], borrowed=counts.get(s, (0, 0))[1])
                for s, p in self.peers.items()}


class Gateway:
    """The borrowing side's rules. Every method is pure: it takes a transaction (or a new request) and returns
    an Outcome; the node stores the transaction and performs the actions."""

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config

    # --- a request arrives ---------------------------------------------------------------------------------------
    def start(self, arrived: Arrived, *, key: str, members: dict[str, Member] | None = None) -> Outcome:
        """A new borrowing request from a requester: build its rota and ask the first supplier."""
        members = members if members is not None else self.config.members()
        msg, at = arrived.message, arrived.at
        if arrived.protocol == IDS_10161:
            step = step_of_apdu(msg, Side.REQUESTER, request_id=key)
            symbol = _text((msg.requester_id or msg.transaction_id.initial_requester_id or isoill.SystemId())
                           .person_or_institution_symbol)
            ids: dict[str, Any] = {"tid": convert10161.to_dict(msg.transaction_id),
                                   "requester_id": convert10161.to_dict(msg.requester_id)
                                   if msg.requester_id else None,
                                   "responder_id": convert10161.to_dict(system_id(self.config.symbol))}
        else:
            step = step_of_message(msg, request_id=key)
            symbol = symbol_of(msg.header.requesting_agency_id)
            ids = {"requesting": symbol, "supplying": self.config.symbol,
                   "request_id": msg.header.requesting_agency_request_id, "supplier_request_id": key}
        assert step.request is not None
        peer = self.config.peers.get(symbol)
        address = (peer.address if peer is not None and peer.address else "") or arrived.address
        requester = Leg(symbol=symbol, protocol=arrived.protocol, address=address,
                        version=peer.version if peer else "1.2", key=link_key(arrived.protocol, msg), ids=ids,
                        stage=Stage.REQUESTED)
        txn = Transaction(key=key, request=step.request, requester=requester)
        txn = txn.note(at, f"request {txn.request.title or ''!r} from {symbol} ({arrived.protocol})")
        actions: list[Action] = [Link(key=requester.key, transaction=key)]
        if self.config.lending != "off" and not (peer is not None and peer.local):
            return self._lend(txn, at, actions)
        try:
            rota = self.config.rotas[choose_rota(self.config.rules, step.request)]
        except (RotaError, KeyError) as err:  # no rule matched: the request cannot go anywhere
            return self._finish(txn, at, actions, f"no rota: {err}")
        suppliers = build_rota(rota, members, seed=key, exclude=(symbol, self.config.symbol))
        txn = attrs.evolve(txn, rota=rota.name, cursor=RotaCursor(suppliers=suppliers))
        txn = txn.note(at, f"rota {rota.name}: {', '.join(suppliers) or '(nobody)'}")
        return self._next_supplier(txn, at, actions, members, why="")

    # --- a message arrives for a known transaction ----------------------------------------------------------------
    def receive(self, txn: Transaction, arrived: Arrived, *, members: dict[str, Member] | None = None) -> Outcome:
        """A message on one of the transaction's legs: relay it to the other side, or move down the rota."""
        members = members if members is not None else self.config.members()
        key = link_key(arrived.protocol, arrived.message)
        at = arrived.at
        if key == txn.requester.key:
            return self._from_requester(txn, arrived)
        if txn.supplier is not None and key == txn.supplier.key:
            return self._from_supplier(txn, arrived, members)
        for old in txn.passed:
            if key == old.key:
                kind = self._read(arrived, Side.SUPPLIER, old).kind
                txn = txn.note(at, f"late {kind.value} from {old.symbol}, who was passed over: not relayed")
                return Outcome(transaction=txn, problem=f"late {kind.value} from passed supplier {old.symbol}")
        return Outcome(transaction=txn, problem=f"{key} is not a leg of {txn.key}")

    def expire(self, txn: Transaction, at: _dt.datetime, *, members: dict[str, Member] | None = None) -> Outcome:
        """The timer fired: if the current supplier still has not answered by its deadline, move on (and tell
        it, with a Cancel, that the request went elsewhere)."""
        members = members if members is not None else self.config.members()
        leg = txn.supplier
        if txn.ended or leg is None or leg.deadline is None or at < leg.deadline:
            return Outcome(transaction=txn)  # answered meanwhile, or a stale timer (another process moved on)
        days = self.config.peers[leg.symbol].expiry_days if leg.symbol in self.config.peers else None
        why = f"no answer within {days:g} days" if days is not None else "no answer in time"
        actions: list[Action] = []
        cancel, _ = self._write(txn, leg, Step(kind=Kind.CANCEL, at=at, note=f"{why}: the request went elsewhere"),
                                Side.SUPPLIER)
        actions.append(cancel)
        return self._move_on(txn, at, actions, members, why=f"{leg.symbol}: {why}")

    def refused(self, txn: Transaction, symbol: str, at: _dt.datetime, *, why: str,
                members: dict[str, Member] | None = None) -> Outcome:
        """The current supplier refused the request itself (an ISO 18626 ERROR confirmation, a send that can
        never succeed): move on. Anything else (an old leg, a later message refused) is left for staff."""
        members = members if members is not None else self.config.members()
        leg = txn.supplier
        if txn.ended or leg is None or leg.symbol != symbol or leg.stage is not Stage.REQUESTED or leg.answered:
            return Outcome(transaction=txn.note(at, f"{symbol} refused a message: {why}"), problem=why)
        return self._move_on(txn, at, [Disarm(transaction=txn.key)], members, why=f"{symbol} refused: {why}")

    def next_supplier(self, txn: Transaction, at: _dt.datetime, *, why: str = "staff",
                      members: dict[str, Member] | None = None) -> Outcome:
        """Staff: pass the current supplier over (it is told with a Cancel) and ask the next one."""
        members = members if members is not None else self.config.members()
        actions: list[Action] = []
        if txn.supplier is not None:
            cancel, _ = self._write(txn, txn.supplier, Step(kind=Kind.CANCEL, at=at, note=why), Side.SUPPLIER)
            actions.append(cancel)
        return self._move_on(txn, at, actions, members, why=why)

    def relay_from_staff(self, txn: Transaction, step: Step) -> Outcome:
        """Staff acting for the requester (Received, Returned, Cancel, Renew, Message): sent to the supplier
        as if the requester had sent it; the requester's leg moves too."""
        fake = self._relay(txn, step, src=Side.REQUESTER)
        return fake

    # --- the lending side ------------------------------------------------------------------------------------------
    def _lend(self, txn: Transaction, at: _dt.datetime, actions: list[Action]) -> Outcome:
        txn = attrs.evolve(txn, lending=True).note(at, "held for our lending side")
        answer = decide(self.config.lending_rules, txn, at) if self.config.lending == "auto" else None
        if answer is None:
            return Outcome(transaction=txn, actions=tuple(actions))
        out = self.lender_says(txn, answer)
        return attrs.evolve(out, actions=(*actions, *out.actions))

    def lender_says(self, txn: Transaction, step: Step) -> Outcome:
        """Our lending side answers or reports on a partner's request (staff, or the auto-responder)."""
        if not txn.lending or step.kind not in LENDER_KINDS:
            return Outcome(transaction=txn, problem=f"{step.kind.value}: not something our lending side says "
                                                    f"on {'this' if txn.lending else 'a borrowing'} transaction")
        moved = txn.requester.moved(BY_KIND[step.kind].milestone)
        if moved is None:
            why = f"{step.kind.value} is not a lifecycle move from {txn.requester.stage.value}"
            return Outcome(transaction=txn, problem=why)
        send, leg = self._write(txn, moved, self._fill(txn, step, moved), Side.REQUESTER)
        txn = attrs.evolve(txn, requester=leg, ended=leg.stage in _FINAL).note(step.at, f"we said {step.kind.value}")
        counted = (Count(symbol=leg.symbol, what="borrowed"),) if step.kind in (Kind.SHIPPED_LOAN,
                                                                               Kind.SHIPPED_COPY) else ()
        return Outcome(transaction=txn, actions=(send, *counted))

    def _from_borrower(self, txn: Transaction, step: Step) -> Outcome:
        # a lending transaction: the partner's message moves its leg and waits for staff
        moved = txn.requester.moved(BY_KIND[step.kind].milestone)
        if moved is None:
            why = f"{step.kind.value} is not a lifecycle move from {txn.requester.stage.value}"
            return Outcome(transaction=txn.note(step.at, f"{step.kind.value} from {txn.requester.symbol}: {why}"),
                           problem=why)
        txn = attrs.evolve(txn, requester=moved, ended=moved.stage in _FINAL)
        return Outcome(transaction=txn.note(step.at, f"{step.kind.value} from {txn.requester.symbol}: for staff"))

    # --- the two directions -----------------------------------------------------------------------------------------
    def _read(self, arrived: Arrived, sender: Side, leg: Leg) -> Step:
        if arrived.protocol == IDS_10161:
            return step_of_apdu(arrived.message, sender)
        return step_of_message(arrived.message, stage=leg.stage)

    def _from_requester(self, txn: Transaction, arrived: Arrived) -> Outcome:
        step = self._read(arrived, Side.REQUESTER, txn.requester)
        if step.kind is Kind.REQUEST:
            return Outcome(transaction=txn.note(arrived.at, "the requester sent the request again: ignored"),
                           problem="duplicate request")
        if txn.lending:
            return self._from_borrower(txn, attrs.evolve(step, at=arrived.at))
        return self._relay(txn, attrs.evolve(step, at=arrived.at), src=Side.REQUESTER)

    def _from_supplier(self, txn: Transaction, arrived: Arrived, members: dict[str, Member]) -> Outcome:
        assert txn.supplier is not None
        leg = txn.supplier
        step = attrs.evolve(self._read(arrived, Side.SUPPLIER, leg), at=arrived.at)
        if isinstance(arrived.message, iso18626.SupplyingAgencyMessage):
            leg = attrs.evolve(leg, status=step.status.value if step.status else leg.status,
                               ids={**leg.ids, "supplier_request_id":
                                    arrived.message.header.supplying_agency_request_id
                                    or leg.ids.get("supplier_request_id")})
        leg = attrs.evolve(leg, deadline=None)  # it answered: no expiry any more
        txn = attrs.evolve(txn, supplier=leg)
        actions: list[Action] = [Disarm(transaction=txn.key)]
        if step.kind in MOVE_ON and leg.stage in (Stage.REQUESTED, Stage.CONDITIONAL):
            detail = join_notes(step.kind.value, step.reason, step.note)
            return self._move_on(txn, arrived.at, actions, members, why=f"{leg.symbol}: {detail}", last=step)
        out = self._relay(txn, step, src=Side.SUPPLIER)
        if BY_KIND[step.kind].milestone is not None and step.kind in (Kind.SHIPPED_LOAN, Kind.SHIPPED_COPY):
            actions.append(Count(symbol=leg.symbol, what="lent"))
        return attrs.evolve(out, actions=(*actions, *out.actions))

    def _relay(self, txn: Transaction, step: Step, *, src: Side) -> Outcome:
        """Move the source leg by the row's milestone and write the step to the other side."""
        if txn.ended and src is Side.REQUESTER and txn.supplier is None:
            return Outcome(transaction=txn.note(step.at, f"{step.kind.value} after the end: not relayed"),
                           problem="the transaction has ended")
        milestone = BY_KIND[step.kind].milestone
        source = txn.requester if src is Side.REQUESTER else txn.supplier
        target = txn.supplier if src is Side.REQUESTER else txn.requester
        assert source is not None
        moved = source.moved(milestone)
        if moved is None or target is None:
            why = (f"{step.kind.value} is not a lifecycle move from {source.stage.value}" if moved is None
                   else "no supplier is being asked")
            return Outcome(transaction=txn.note(step.at, f"{step.kind.value} from {source.symbol} not relayed: {why}"),
                           problem=why)
        txn = self._set(txn, src, moved)
        target_moved = target.moved(milestone)
        if target_moved is None:
            why = f"{target.symbol}'s side is {target.stage.value}: {step.kind.value} cannot follow"
            return Outcome(transaction=txn.note(step.at, f"{step.kind.value} not relayed: {why}"), problem=why)
        to = Side.SUPPLIER if src is Side.REQUESTER else Side.REQUESTER
        step = self._fill(txn, step, target_moved)
        send, written = self._write(txn, target_moved, step, to)
        txn = self._set(txn, to, written)
        txn = txn.note(step.at, f"{step.kind.value}: {source.symbol} -> {target.symbol}")
        if to is Side.REQUESTER and written.stage in _FINAL:
            txn = attrs.evolve(txn, ended=True)
        return Outcome(transaction=txn, actions=(send,))

    def _fill(self, txn: Transaction, step: Step, target: Leg) -> Step:
        # what the target protocol needs and the source did not say: the loan or copy, the current status
        if step.service is None:
            step = attrs.evolve(step, service=txn.request.service)
        if step.status is None and target.status is not None:
            step = attrs.evolve(step, status=iso18626.Status(target.status))
        return step

    @staticmethod
    def _set(txn: Transaction, side: Side, leg: Leg) -> Transaction:
        return attrs.evolve(txn, requester=leg) if side is Side.REQUESTER else attrs.evolve(txn, supplier=leg)

    # --- the rota ---------------------------------------------------------------------------------------------------
    def _move_on(self, txn: Transaction, at: _dt.datetime, actions: list[Action], members: dict[str, Member], *,
                 why: str, last: Step | None = None) -> Outcome:
        passed = (*txn.passed, txn.supplier) if txn.supplier is not None else txn.passed
        txn = attrs.evolve(txn, supplier=None, passed=passed).note(at, f"passed over: {why}")
        return self._next_supplier(txn, at, actions, members, why=why, last=last)

    def _next_supplier(self, txn: Transaction, at: _dt.datetime, actions: list[Action],
                       members: dict[str, Member], *, why: str, last: Step | None = None) -> Outcome:
        cursor = txn.cursor.advance(members, why=why)
        txn = attrs.evolve(txn, cursor=cursor)
        symbol = cursor.current
        if symbol is None:
            return self._finish(txn, at, actions, "no supplier could fill the request", last=last)
        peer = self.config.peers[symbol]
        n = len(txn.passed) + 1
        leg_id = f"{txn.key}-{n}"
        if peer.protocol == IDS_10161:
            tid = isoill.TransactionId(initial_requester_id=system_id(self.config.symbol),
                                  transaction_group_qualifier=self.config.symbol, transaction_qualifier=leg_id)
            ids: dict[str, Any] = {"tid": convert10161.to_dict(tid),
                                   "requester_id": convert10161.to_dict(system_id(self.config.symbol)),
                                   "responder_id": convert10161.to_dict(system_id(symbol))}
            key = _tid_key(tid)
        else:
            ids = {"requesting": self.config.symbol, "supplying": symbol, "request_id": leg_id}
            key = f"{IDS_18626}:sup:{leg_id}"
        deadline = at + _dt.timedelta(days=peer.expiry_days)
        leg = Leg(symbol=symbol, protocol=peer.protocol, address=peer.address, version=peer.version, key=key,
                  ids=ids, stage=Stage.REQUESTED, sent_at=at, deadline=deadline)
        request = attrs.evolve(txn.request, request_id=leg_id)
        send, leg = self._write(txn, leg, Step(kind=Kind.REQUEST, at=at, request=request), Side.SUPPLIER)
        txn = attrs.evolve(txn, supplier=leg).note(at, f"asked {symbol} ({peer.protocol}), "
                                                       f"{cursor.position + 1} of {len(cursor.suppliers)}")
        actions += [Link(key=key, transaction=txn.key), send, Arm(transaction=txn.key, at=deadline)]
        if why and not txn.ended:
            # the requester sees the move as a notification, not as the end (what brokers do)
            note = f"{why}; the request has gone to the next supplier ({cursor.position + 1} of " \
                   f"{len(cursor.suppliers)})"
            told, requester = self._write(txn, txn.requester, Step(kind=Kind.MESSAGE_FROM_SUPPLIER, at=at, note=note,
                                                                   status=_status(txn.requester)), Side.REQUESTER)
            txn = attrs.evolve(txn, requester=requester)
            actions.append(told)
        return Outcome(transaction=txn, actions=tuple(actions))

    def _finish(self, txn: Transaction, at: _dt.datetime, actions: list[Action], why: str, *,
                last: Step | None = None) -> Outcome:
        tried = "; ".join(f"{s}: {w}" for s, w in txn.cursor.passed if w) or "no supplier was asked"
        step = Step(kind=Kind.UNFILLED, at=at, reason=last.reason if last else None,
                    note=join_notes(why, f"tried: {tried}"))
        moved = txn.requester.moved(BY_KIND[Kind.UNFILLED].milestone) or txn.requester
        send, requester = self._write(txn, moved, step, Side.REQUESTER)
        txn = attrs.evolve(txn, requester=requester, ended=True).note(at, f"unfilled: {why}")
        return Outcome(transaction=txn, actions=(*actions, send))

    # --- writing ---------------------------------------------------------------------------------------------------
    def _write(self, txn: Transaction, leg: Leg, step: Step, to: Side) -> tuple[Send, Leg]:
        if leg.protocol == IDS_10161:
            ext = (_delivery_extension(self.config.iso10161_address, leg.address),) \
                if self.config.iso10161_address and leg.address else ()
            ids = leg.ids
            leg10 = Leg10161(
                transaction_id=convert10161.from_dict(ids["tid"], isoill.TransactionId),
                requester_id=convert10161.from_dict(ids["requester_id"], isoill.SystemId) if ids.get("requester_id")
                else None,
                responder_id=convert10161.from_dict(ids["responder_id"], isoill.SystemId) if ids.get("responder_id")
                else None, extensions=ext)
            message: Message = apdu_for(step, leg10)
        else:
            ids = leg.ids
            leg18 = Leg18626(requesting_agency=agency_id(ids["requesting"]), supplying_agency=agency_id(ids["supplying"]),
                             requesting_agency_request_id=ids["request_id"],
                             supplying_agency_request_id=ids.get("supplier_request_id"), version=leg.version,
                             answered=leg.answered)
            message = message_for(step, leg18)
            if isinstance(message, iso18626.SupplyingAgencyMessage):
                status = message.status_info.status
                leg = attrs.evolve(leg, answered=True, status=status.value if status else leg.status)
        send = Send(transaction=txn.key, to=to, protocol=leg.protocol, symbol=leg.symbol, address=leg.address,
                    message=message, kind=step.kind, version=leg.version)
        return send, leg


_FINAL = frozenset({Stage.COMPLETED, Stage.CANCELLED, Stage.UNFILLED, Stage.LOST})


def _status(leg: Leg) -> iso18626.Status | None:
    return iso18626.Status(leg.status) if leg.status else None
