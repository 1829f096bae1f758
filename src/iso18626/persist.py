"""The ISO 18626 endpoint's store hook: every message received is journalled (verbatim XML) before its
confirmation is returned, and `TransactionHandler(store=...)` loads and saves its transactions in an
`illcore.store.Store`, in the same database transaction as the journal entry. A restarted endpoint continues.

Keys: protocol "iso18626", key "<agencyIdType>:<agencyIdValue>/<requestingAgencyRequestId>" (as
`TransactionHandler.key`). When the store cannot write, the app answers HTTP 503 (never a confirmation).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from illcore.store import (
    Change,
    CorruptRecord,
    JournalEntry,
    OutboxItem,
    PermanentFailure,
    Store,
    TransactionRecord,
)
from iso18626._machine import ProtocolError, Role, Transaction
from iso18626._model.codes import ErrorType
from iso18626._model.messages import ErrorData, Message, Request
from iso18626.snapshot import SnapshotError

__all__ = ["PROTOCOL", "handle", "incoming", "journal_incoming", "key_text", "post_outbox_item", "sent"]

log = logging.getLogger("iso18626.http")

PROTOCOL = "iso18626"

# The raw body and peer of the message being handled, set by the app for the handler (per request task).
_INCOMING: contextvars.ContextVar[tuple[bytes, str] | None] = contextvars.ContextVar("iso18626_incoming",
                                                                                     default=None)


@contextlib.contextmanager
def incoming(body: bytes, peer: str) -> Iterator[None]:
    token = _INCOMING.set((body, peer))
    try:
        yield
    finally:
        _INCOMING.reset(token)


def key_text(key: tuple[str, str]) -> str:
    return f"{key[0]}/{key[1]}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _entry(message: Message, key: str, outcome: str, now: datetime,
           seen: tuple[bytes, str] | None = None) -> JournalEntry:
    # `seen` is read on the request's task; the entry may be built on a store thread, where it is not set
    body, peer = seen or _INCOMING.get() or (b"", "?")
    return JournalEntry(protocol=PROTOCOL, direction="in", peer=peer, transaction=key,
                        message_type=type(message).__name__, data=body, outcome=outcome, at=now)


def _request_key(message: Message) -> str:
    header = getattr(message, "header", None)
    if header is None:
        return ""
    agency = header.requesting_agency_id
    return key_text((f"{agency.agency_id_type.value}:{agency.agency_id_value}",
                     str(header.requesting_agency_request_id)))


async def journal_incoming(store: Store, message: Message) -> None:
    """Journal a message the app is about to hand to a handler that keeps no store of its own."""
    await store.aappend(_entry(message, _request_key(message), "received", _now()))


def sent(store: Store, data: bytes, about: Message, peer: str) -> None:
    """Journal a confirmation sent back, without waiting for the write."""
    entry = JournalEntry(protocol=PROTOCOL, direction="out", peer=peer, transaction=_request_key(about),
                         message_type=f"{type(about).__name__}Confirmation", data=data, outcome="sent",
                         at=_now())
    store.submit_append(entry).add_done_callback(_report_failure)


def _report_failure(fut: Any) -> None:
    if fut.exception() is not None:
        log.warning("a confirmation sent was not journalled: %s", fut.exception())


def _error(text: str) -> tuple[ErrorData, ...]:
    return (ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE, error_value=text),)


async def handle(store: Store, key: tuple[str, str], message: Message, *, reject_duplicates: bool,
                 ) -> Sequence[ErrorData] | None:
    """`TransactionHandler`'s rules with the transaction in `store`: load, apply, save and journal, as one."""
    text = key_text(key)
    now = _now()
    seen = _INCOMING.get()

    def apply(record: TransactionRecord | None) -> Change:
        txn: Transaction | None = None
        if record is not None:
            try:
                txn = Transaction.restore(record.snapshot)
            except SnapshotError as exc:
                raise CorruptRecord(str(exc), table="transactions", row=f"{PROTOCOL} {text}") from None
        if isinstance(message, Request):
            if txn is not None and reject_duplicates:
                errors = _error("requestingAgencyRequestId: request with this ID already exists")
                return Change(journal=(_entry(message, text, "refused: duplicate request", now, seen),), result=errors)
            if txn is not None:
                log.warning("request %s from %s again: transaction restarted", key[1], key[0])
            txn = Transaction(Role.SUPPLYING)
        elif txn is None:
            errors = _error("requestingAgencyRequestId: no request with this ID")
            return Change(journal=(_entry(message, text, "refused: unknown request", now, seen),), result=errors)
        try:
            txn.receive(message, at=now)
        except ProtocolError as exc:  # not allowed now: the state is unchanged, the peer is told why
            log.info("%s %s refused: %s", key[0], key[1], exc)
            errors = (ErrorData(error_type=exc.error_type, error_value=exc.detail),)
            return Change(journal=(_entry(message, text, f"refused: {exc.detail}", now, seen),), result=errors)
        state = txn.status.value if txn.status is not None else txn.progress.value
        new = TransactionRecord(protocol=PROTOCOL, role=txn.role.value, key=text, state=state, partner=key[0],
                                snapshot=txn.snapshot(), data=record.data if record else {},
                                created=record.created if record else now, updated=now, finished=txn.finished)
        return Change(record=new, journal=(_entry(message, text, "accepted", now, seen),), result=None)

    try:
        result: Sequence[ErrorData] | None = await store.aupdate(PROTOCOL, text, apply)
    except CorruptRecord as exc:  # this transaction cannot be read; the others are served as usual
        log.error("%s: %s", text, exc)
        await store.aappend(_entry(message, text, f"refused: {exc}", now, seen))
        return _error(f"stored transaction unreadable: {exc}"[:200])
    return result


async def post_outbox_item(item: OutboxItem, *, client: Any = None) -> None:
    """The ISO 18626 sender for `illcore.store.OutboxWorker`: POST the stored XML to `item.address` (a URL).
    Done on an OK confirmation. An ERROR confirmation is the partner refusing the message itself: a
    PermanentFailure (kept, not retried); no answer, or an HTTP error status, is retried later. `client`: an
    `iso18626.http.Client` to reuse (default: one per call)."""
    from iso18626.http import Client, PeerError

    own = client is None
    http = Client() if own else client
    try:
        await http.send(item.address, item.data)
    except PeerError as exc:
        if exc.kind == "error-confirmation":
            raise PermanentFailure(str(exc)) from exc
        raise
    finally:
        if own:
            await http.aclose()
