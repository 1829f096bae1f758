"""An NCIP handler for the Alma side of the last-resort loop: ILLiad's item messages become ItemEvents.

AcceptItem, CheckOutItem, CheckInItem, RequestItem, CreateUserFiscalTransaction and LookupUser are resolved to
our request id and handed to a callback; each is answered as NCIP 2.02 says, with a Problem when it cannot be.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from . import model as M
from .http import NCIPProblem
from .responses import response_header_for
from .values import SchemeValue

UNKNOWN_REQUEST = "Unknown Request"
UNKNOWN_ITEM = "Unknown Item"
UNKNOWN_USER = "Unknown User"
NEEDED_DATA_MISSING = "Needed Data Missing"

#: What each message means for the borrowing transaction (the gateway maps these to its lifecycle).
MEANING = {"AcceptItem": "received", "CheckOutItem": "checked-out", "CheckInItem": "returned",
           "LookupUser": "user-lookup", "RequestItem": "requested", "CreateUserFiscalTransaction": "fee"}


@attrs.frozen(kw_only=True)
class ItemEvent:
    """One item message from the ILL system: which service, what it means, our request id (resolved),
    the identifiers as sent (request id value first, then item id values), the user id, the due date."""

    service: str
    meaning: str
    request_id: str | None
    identifiers: tuple[str, ...]
    user_id: str | None
    date_due: _dt.datetime | None
    message: Any


Resolver = Callable[[tuple[str, ...]], "str | None | Awaitable[str | None]"]
#: The sink may return a str for CreateUserFiscalTransaction: the fee's reference in our books.
EventSink = Callable[[ItemEvent], "None | str | Awaitable[None] | Awaitable[str | None]"]
UserCheck = Callable[[str], "bool | Awaitable[bool]"]


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _ids(message: Any) -> tuple[str, ...]:
    out = []
    request_id = getattr(message, "request_id", None)
    if request_id is not None:
        out.append(request_id.request_identifier_value)
    item = getattr(message, "item_id", None)
    for it in item if isinstance(item, tuple) else ((item,) if item is not None else ()):
        out.append(it.item_identifier_value)
    return tuple(out)


class ItemEventHandler:
    """`ItemEventHandler(resolve=..., on_event=..., user_exists=...)`, an `ncip.http.Handler`.

    `resolve(identifiers)` gives our request id for the identifiers ILLiad sent (the TransactionNumber it
    puts in RequestId/ItemId, or our id from CitedIn), or None: the message is then answered with an
    Unknown Request/Item Problem and no event. `on_event(event)` is awaited before the answer, so what it
    records is journaled before the peer is told (raise NCIPProblem from it to refuse). `user_exists(id)`
    answers LookupUser (default: every user exists). Callbacks may be sync or async.
    """

    def __init__(self, *, resolve: Resolver, on_event: EventSink, user_exists: UserCheck | None = None):
        self.resolve = resolve
        self.on_event = on_event
        self.user_exists = user_exists

    async def __call__(self, message: M.Message) -> M.Message | None:
        if isinstance(message, M.LookupUser):
            return await self._lookup_user(message)
        if isinstance(message, (M.AcceptItem, M.CheckOutItem, M.CheckInItem)):
            return await self._item(message)
        if isinstance(message, M.RequestItem):
            return await self._request_item(message)
        if isinstance(message, M.CreateUserFiscalTransaction):
            return await self._fee(message)
        return None

    async def _request_item(self, message: M.RequestItem) -> M.Message:
        if message.user_id is None:  # the response requires a UserId
            raise NCIPProblem(NEEDED_DATA_MISSING, "RequestItem without UserId", element="UserId")
        identifiers = _ids(message)
        request_id = await _maybe(self.resolve(identifiers)) if identifiers else None
        if request_id is None:
            raise NCIPProblem(UNKNOWN_REQUEST, f"no exported request for {', '.join(identifiers) or 'this message'}",
                              element="RequestIdentifierValue", value=identifiers[0] if identifiers else None)
        await _maybe(self.on_event(ItemEvent(
            service="RequestItem", meaning=MEANING["RequestItem"], request_id=request_id, identifiers=identifiers,
            user_id=message.user_id.user_identifier_value, date_due=None, message=message)))
        first_item = message.item_id[0] if message.item_id else None
        # The response names the request or the item; with neither sent (bibliographic ids only), our id.
        answered_id = message.request_id or (None if first_item else M.RequestId(request_identifier_value=request_id))
        return M.RequestItemResponse(
            response_header=response_header_for(message), request_id=answered_id,
            item_id=first_item, user_id=message.user_id,
            request_type=message.request_type, request_scope_type=message.request_scope_type)

    async def _fee(self, message: M.CreateUserFiscalTransaction) -> M.Message:
        if message.user_id is None:
            raise NCIPProblem(NEEDED_DATA_MISSING, "CreateUserFiscalTransaction without UserId", element="UserId")
        info = message.fiscal_transaction_information
        ids = []
        if info.request_id is not None:
            ids.append(info.request_id.request_identifier_value)
        if info.item_details is not None:
            ids.append(info.item_details.item_id.item_identifier_value)
        request_id = await _maybe(self.resolve(tuple(ids))) if ids else None
        reference = await _maybe(self.on_event(ItemEvent(
            service="CreateUserFiscalTransaction", meaning=MEANING["CreateUserFiscalTransaction"],
            request_id=request_id, identifiers=tuple(ids), user_id=message.user_id.user_identifier_value,
            date_due=None, message=message)))
        header = message.initiation_header
        agency = header.to_agency_id.agency_id if header is not None else SchemeValue("isoill")
        # The sink may name the fee's reference; otherwise one is made up from the user and the amount.
        value = reference if isinstance(reference, str) else (
            f"{message.user_id.user_identifier_value}-{info.amount.monetary_value}-{info.amount.currency_code.value}")
        return M.CreateUserFiscalTransactionResponse(
            response_header=response_header_for(message), user_id=message.user_id,
            fiscal_transaction_reference_id=M.FiscalTransactionReferenceId(
                agency_id=agency, fiscal_transaction_identifier_value=value))

    async def _lookup_user(self, message: M.LookupUser) -> M.Message:
        if message.user_id is None:
            raise NCIPProblem(NEEDED_DATA_MISSING, "LookupUser without UserId", element="UserId")
        user = message.user_id.user_identifier_value
        if self.user_exists is not None and not await _maybe(self.user_exists(user)):
            raise NCIPProblem(UNKNOWN_USER, f"no user {user}", element="UserIdentifierValue", value=user)
        await _maybe(self.on_event(ItemEvent(service="LookupUser", meaning=MEANING["LookupUser"], request_id=None,
                                             identifiers=(), user_id=user, date_due=None, message=message)))
        return M.LookupUserResponse(response_header=response_header_for(message), user_id=message.user_id)

    async def _item(self, message: M.AcceptItem | M.CheckOutItem | M.CheckInItem) -> M.Message:
        name = type(message).__name__
        identifiers = _ids(message)
        request_id = await _maybe(self.resolve(identifiers))
        if request_id is None:
            unknown, element = ((UNKNOWN_REQUEST, "RequestIdentifierValue") if isinstance(message, M.AcceptItem)
                                else (UNKNOWN_ITEM, "ItemIdentifierValue"))
            raise NCIPProblem(unknown, f"no exported request for {', '.join(identifiers) or 'this message'}",
                              element=element, value=identifiers[0] if identifiers else None)
        if isinstance(message, M.CheckOutItem) and message.user_id is None:
            # the response requires a UserId; AuthenticationInput alone gives none
            raise NCIPProblem(NEEDED_DATA_MISSING, "CheckOutItem without UserId", element="UserId")
        user = getattr(message, "user_id", None)
        due = (message.date_for_return if isinstance(message, M.AcceptItem)
               else message.desired_date_due if isinstance(message, M.CheckOutItem) else None)
        await _maybe(self.on_event(ItemEvent(
            service=name, meaning=MEANING[name], request_id=request_id, identifiers=identifiers,
            user_id=user.user_identifier_value if user is not None else None, date_due=due, message=message)))
        header = response_header_for(message)
        if isinstance(message, M.AcceptItem):
            return M.AcceptItemResponse(response_header=header, request_id=message.request_id,
                                        item_id=message.item_id)
        if isinstance(message, M.CheckInItem):
            return M.CheckInItemResponse(response_header=header, item_id=message.item_id)
        assert message.user_id is not None  # checked above
        return M.CheckOutItemResponse(response_header=header, item_id=message.item_id, user_id=message.user_id,
                                      date_due=due, indeterminate_loan_period_flag=due is None)
