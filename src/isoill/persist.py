"""The ISO 10161 server's store hook: every APDU received is journalled, and its transaction loaded from and
saved to an `illcore.store.Store`, in one database transaction before any reply or handler; APDUs sent are
journalled too. `ILLServer(..., store=open_store(url))` uses it; a restarted server continues every transaction.

Keys: a transaction is stored under protocol "iso10161" and key "group/qualifier/sub-qualifier" (the
Transaction-Id qualifiers, as `net.transaction_key`). When the store cannot write, the peer gets
`temporary_failure` (an error report: unable-to-perform resource-limitation), never an acknowledgement.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
from typing import Any

from illcore.store import (
    Change,
    CorruptRecord,
    JournalEntry,
    OutboxItem,
    PermanentFailure,
    Store,
    StoreError,
    StoreUnavailable,
    TransactionRecord,
)
from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, ILLRequest, StatusOrErrorReport
from isoill._protocol.machine import ProtocolError, Role, Transaction
from isoill.errors import ILLError
from isoill.snapshot import SnapshotError

__all__ = ["PROTOCOL", "DurableTransactions", "key_text", "send_outbox_item", "temporary_failure"]

log = logging.getLogger("isoill.net")

PROTOCOL = "iso10161"


def key_text(apdu: APDU) -> str:
    tid = apdu.transaction_id
    return f"{tid.transaction_group_qualifier}/{tid.transaction_qualifier}/{tid.sub_transaction_qualifier or ''}"


def _symbol(system_id: T.SystemId | None) -> str:
    symbol = system_id.person_or_institution_symbol if system_id is not None else None
    return str(symbol.value) if symbol is not None else ""


def _service_time(now: _dt.datetime) -> T.ServiceDateTime:
    return T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=now.strftime("%Y%m%d"),
                                                                  time=now.strftime("%H%M%S")))


def _error_report(about: APDU, note: str, now: _dt.datetime) -> StatusOrErrorReport:
    return StatusOrErrorReport(
        transaction_id=about.transaction_id, service_date_time=_service_time(now), requester_id=about.requester_id,
        responder_id=about.responder_id,
        error_report=T.ErrorReport(correlation_information=note[:200], report_source=E.ReportSource.PROVIDER,
                                   provider_error_report=E.GeneralProblem.OTHER))


def temporary_failure(about: APDU | None, reason: str, now: _dt.datetime) -> StatusOrErrorReport:
    """The reply to an APDU that could not be written down: a user error report, unable-to-perform
    resource-limitation (a temporary condition: the peer may send it again later)."""
    empty = T.TransactionId(transaction_group_qualifier="", transaction_qualifier="")
    return StatusOrErrorReport(
        transaction_id=about.transaction_id if about is not None else empty, service_date_time=_service_time(now),
        requester_id=about.requester_id if about is not None else None,
        responder_id=about.responder_id if about is not None else None,
        error_report=T.ErrorReport(correlation_information=f"temporarily unable to record: {reason}"[:200],
                                   report_source=E.ReportSource.USER,
                                   user_error_report=E.UnableToPerform.RESOURCE_LIMITATION))


class DurableTransactions:
    """Journal + transactions of one ISO 10161 server in `store` (see the module docstring)."""

    def __init__(self, store: Store, codec: Codec) -> None:
        self.store = store
        self.codec = codec

    async def receive(self, data: bytes, apdu: APDU, peer: tuple[str, int], *, track: bool,
                      now: _dt.datetime) -> tuple[Transaction | None, StatusOrErrorReport | None]:
        """Journal `apdu` and (with `track`) apply it to its stored transaction, atomically; returns the
        transaction and, when the machine refuses the APDU, the error report to send. Raises StoreUnavailable
        (nothing written) or CorruptRecord (the stored transaction cannot be restored; named)."""
        key = key_text(apdu)
        where = f"{peer[0]}:{peer[1]}"
        kind = type(apdu).__name__
        if not track:
            await self.store.aappend(JournalEntry(protocol=PROTOCOL, direction="in", peer=where, transaction=key,
                                                  message_type=kind, data=data, outcome="received", at=now))
            return None, None

        def apply(record: TransactionRecord | None) -> Change:
            if record is None:
                txn = Transaction(Role.RESPONDER if isinstance(apdu, ILLRequest) else Role.REQUESTER)
            else:
                try:
                    txn = Transaction.restore(record.snapshot)
                except SnapshotError as exc:
                    raise CorruptRecord(str(exc), table="transactions", row=f"{PROTOCOL} {key}") from None
            refusal: StatusOrErrorReport | None = None
            try:
                txn.receive(apdu)
            except ProtocolError as exc:  # not allowed in this state, or an unknown transaction
                refusal = exc.reply(service_date_time=_service_time(now))
                outcome = f"refused: {exc}"
            else:
                outcome = "accepted"
            entry = JournalEntry(protocol=PROTOCOL, direction="in", peer=where, transaction=key,
                                 message_type=kind, data=data, outcome=outcome, at=now)
            if refusal is not None:
                return Change(journal=(entry,), result=(txn, refusal))
            partner = _symbol(apdu.requester_id if txn.role is Role.RESPONDER else apdu.responder_id) or peer[0]
            state = txn.state.name if txn.state is not None else "IDLE"
            new = TransactionRecord(protocol=PROTOCOL, role=txn.role.value, key=key, state=state, partner=partner,
                                    snapshot=txn.snapshot(), data=record.data if record else {},
                                    created=record.created if record else now, updated=now,
                                    finished=txn.finished)
            return Change(record=new, journal=(entry,), result=(txn, None))

        result: tuple[Transaction | None, StatusOrErrorReport | None] = \
            await self.store.aupdate(PROTOCOL, key, apply)
        return result

    async def on_receive(self, data: bytes, apdu: APDU, peer: tuple[str, int], *, track: bool,
                         ) -> tuple[Transaction | None, StatusOrErrorReport | None] | StatusOrErrorReport:
        """`receive`, with the store's failures turned into the reply to send instead (and nothing else done):
        a temporary failure when the store cannot write, general-problem other when the stored transaction
        cannot be read (the server keeps serving the others)."""
        now = _dt.datetime.now(_dt.timezone.utc)
        try:
            return await self.receive(data, apdu, peer, track=track, now=now)
        except StoreUnavailable as exc:
            log.warning("%s:%d: %s not recorded, answered with a temporary failure: %s", *peer,
                        type(apdu).__name__, exc)
            return temporary_failure(apdu, str(exc), now)
        except StoreError as exc:
            log.error("%s:%d: %s refused: %s", *peer, type(apdu).__name__, exc)
            return _error_report(apdu, f"stored transaction unreadable: {exc}", now)

    def sent(self, data: bytes, apdu: APDU | None, peer: tuple[str, int]) -> None:
        """Journal an APDU sent to `peer` without waiting for the write (it is on its way already)."""
        now = _dt.datetime.now(_dt.timezone.utc)
        if apdu is None:
            with contextlib.suppress(ILLError):
                apdu = self.codec.decode(data)
        entry = JournalEntry(protocol=PROTOCOL, direction="out", peer=f"{peer[0]}:{peer[1]}",
                             transaction=key_text(apdu) if apdu is not None else "",
                             message_type=type(apdu).__name__ if apdu is not None else "?", data=data,
                             outcome="sent", at=now)
        self.store.submit_append(entry).add_done_callback(_report_failure)


def _report_failure(fut: Any) -> None:
    # the APDU is sent already: a journal failure is logged, and must not break the connection
    if fut.exception() is not None:
        log.warning("a sent APDU was not journalled: %s", fut.exception())


async def send_outbox_item(item: OutboxItem, *, connect_timeout: float = 10.0, write_timeout: float = 30.0,
                           ) -> None:
    """The ISO 10161 sender for `illcore.store.OutboxWorker`: open a connection to `item.address`
    ("host:port"), write the stored octets, close. Done once the APDU is written (ISO 10161 has no
    acknowledgement); a failure to connect or write raises, and the worker retries later."""
    from isoill.net import ILLConnection, Limits

    host, _, port = item.address.rpartition(":")
    if not host or not port.isdigit():
        raise PermanentFailure(f"outbox address {item.address!r} is not host:port")
    limits = Limits(connect_timeout=connect_timeout, write_timeout=write_timeout)
    conn = await ILLConnection.connect(host.strip("[]"), int(port), limits=limits)
    try:
        await conn.send(item.data)
    finally:
        await conn.close()
