"""The ISO 18626 machine behind `isoill 18626 serve`: `TransactionHandler`, one transaction machine per
(requesting agency, requestingAgencyRequestId), answering what the machine refuses with ERROR.
"""

from __future__ import annotations

from illcore.store import Store
from iso18626 import persist
from iso18626._machine import Role, Transaction
from iso18626._model.codes import ErrorType
from iso18626._model.messages import (
    ErrorData,
    Message,
    Request,
)
from iso18626.errors import ProtocolError
from iso18626.http import _app
from iso18626.http._app import HandlerResult, log


class TransactionHandler:
    """A supplying agency's handler: one ISO 18626 transaction machine per (requesting agency,
    requestingAgencyRequestId). A message the machine refuses is confirmed with ERROR and the machine's
    errorType; a message about an unknown request gets ERROR UnrecognisedDataValue.

    A Request whose id is already known restarts the transaction (logged): peers retransmit when a
    confirmation was lost, and real systems reuse ids. `reject_duplicates=True` answers ERROR instead, as
    crosslink does. With `store`, the transactions are kept there (`iso18626.persist`), so a restarted
    endpoint continues them; `transactions` stays empty.
    """

    def __init__(self, *, reject_duplicates: bool = False, store: Store | None = None) -> None:
        self.transactions: dict[tuple[str, str], Transaction] = {}
        self.reject_duplicates = reject_duplicates
        # store hook (issue 14): with a store, transactions live there (not in `transactions`), and each
        # message is journalled with its transaction's new state in one database transaction
        self.store = store
        self.journals = store is not None

    @staticmethod
    def key(message: Message) -> tuple[str, str]:
        header = message.header  # type: ignore[union-attr]  # only messages with a header reach handlers
        agency = header.requesting_agency_id
        return f"{agency.agency_id_type.value}:{agency.agency_id_value}", str(header.requesting_agency_request_id)

    async def __call__(self, message: Message) -> HandlerResult:
        key = self.key(message)
        if self.store is not None:  # store hook (issue 14)
            return await persist.handle(self.store, key, message, reject_duplicates=self.reject_duplicates)
        txn = self.transactions.get(key)
        if isinstance(message, Request):
            if txn is not None and self.reject_duplicates:
                return (ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE,
                                  error_value="requestingAgencyRequestId: request with this ID already exists"),)
            if txn is not None:
                log.warning("request %s from %s again: transaction restarted", key[1], key[0])
            txn = Transaction(Role.SUPPLYING)
            self.transactions[key] = txn
        elif txn is None:
            return (ErrorData(error_type=ErrorType.UNRECOGNISED_DATA_VALUE,
                              error_value="requestingAgencyRequestId: no request with this ID"),)
        try:
            txn.receive(message, at=_app._now())
        except ProtocolError as exc:  # not allowed now: the state is unchanged, the peer is told why
            log.info("%s %s refused: %s", key[0], key[1], exc)
            return (ErrorData(error_type=exc.error_type, error_value=exc.detail),)
        return None
