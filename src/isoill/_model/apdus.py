"""The 20 ISO 10161 APDUs ([APPLICATION 1]..[APPLICATION 20], each explicitly wrapping a SEQUENCE).

`APDU` holds the header every APDU starts with; subclasses add their own components in the standard's order.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from attrs import field, frozen

from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.values import External, ILLString
from isoill.schema import (
    BOOLEAN,
    EXTERNAL_T,
    ILL_STRING,
    INTEGER,
    VISIBLE_STRING,
    Enumerated,
    Sequence,
    SequenceOf,
    dflt,
    opt,
    req,
)

S = ILL_STRING
DATE = VISIBLE_STRING
_SID = Sequence(T.SystemId)
_X = TypeVar("_X")
_SADDR = Sequence(T.SystemAddress)
_TRANSACTION_TYPE = Enumerated(E.TransactionType)
_SHIPPED_SERVICE_TYPE = Enumerated(E.ILLServiceType)  # restricted to loan | copy-non-returnable


def _extensions(name: str, *, explicit: bool = False) -> Any:
    # Every APDU's [49] is IMPLICIT SEQUENCE OF Extension except Overdue's, which the module leaves EXPLICIT.
    return field(default=None, metadata=opt(name, 49, T.EXTENSIONS, implicit=not explicit))


@frozen(kw_only=True)
class APDU:
    """The components that open every APDU. `APDU_TYPE` is the ILL-APDU-Type / APPLICATION tag number,
    `ASN1_NAME` the module's name for the APDU (the one place it is written)."""

    APDU_TYPE: ClassVar[E.ILLAPDUType]
    ASN1_NAME: ClassVar[str]
    EXTENSIONS_FIELD: ClassVar[str]

    protocol_version_num: int = field(default=E.VERSION_2,
                                      metadata=req("protocol-version-num", 0, INTEGER, implicit=True))
    transaction_id: T.TransactionId = field(
        metadata=req("transaction-id", 1, Sequence(T.TransactionId), implicit=True))
    service_date_time: T.ServiceDateTime = field(
        metadata=req("service-date-time", 2, Sequence(T.ServiceDateTime), implicit=True))
    requester_id: T.SystemId | None = field(default=None, metadata=opt("requester-id", 3, _SID, implicit=True))
    responder_id: T.SystemId | None = field(default=None, metadata=opt("responder-id", 4, _SID, implicit=True))

    @property
    def extensions(self) -> tuple[T.Extension, ...]:
        """This APDU's [49] extensions (whatever the standard calls the field), empty when absent."""
        value: tuple[T.Extension, ...] | None = getattr(self, self.EXTENSIONS_FIELD)
        return value or ()

    def extension(self, cls: type[_X]) -> _X | None:
        """The first extension whose decoded value is a `cls` (a registered extension type such as
        `isoill.extensions.APDUDeliveryInfo`), or None: typed access instead of walking External/RawBER."""
        for ext in self.extensions:
            item = ext.item
            if isinstance(item, External) and isinstance(item.value, cls):
                return item.value
        return None


@frozen(kw_only=True)
class ILLRequest(APDU):
    APDU_TYPE = E.ILLAPDUType.ILL_REQUEST
    ASN1_NAME = "ILL-Request"
    EXTENSIONS_FIELD = "ill_request_extensions"

    transaction_type: E.TransactionType = field(default=E.TransactionType.SIMPLE, metadata=dflt(
        "transaction-type", 5, _TRANSACTION_TYPE, E.TransactionType.SIMPLE, implicit=True))
    delivery_address: T.DeliveryAddress | None = field(
        default=None, metadata=opt("delivery-address", 6, Sequence(T.DeliveryAddress), implicit=True))
    delivery_service: T.DeliveryService | None = field(
        default=None, metadata=opt("delivery-service", None, T.DELIVERY_SERVICE))
    billing_address: T.DeliveryAddress | None = field(
        default=None, metadata=opt("billing-address", 8, Sequence(T.DeliveryAddress), implicit=True))
    ill_service_type: tuple[E.ILLServiceType, ...] = field(metadata=req(
        "iLL-service-type", 9, SequenceOf(Enumerated(E.ILLServiceType)), implicit=True))
    responder_specific_service: External | None = field(
        default=None, metadata=opt("responder-specific-service", 10, EXTERNAL_T))
    requester_optional_messages: T.RequesterOptionalMessagesType = field(metadata=req(
        "requester-optional-messages", 11, Sequence(T.RequesterOptionalMessagesType), implicit=True))
    search_type: T.SearchType | None = field(
        default=None, metadata=opt("search-type", 12, Sequence(T.SearchType), implicit=True))
    supply_medium_info_type: tuple[T.SupplyMediumInfoType, ...] | None = field(default=None, metadata=opt(
        "supply-medium-info-type", 13, SequenceOf(Sequence(T.SupplyMediumInfoType)), implicit=True))
    place_on_hold: E.PlaceOnHoldType = field(
        default=E.PlaceOnHoldType.ACCORDING_TO_RESPONDER_POLICY,
        metadata=dflt("place-on-hold", 14, Enumerated(E.PlaceOnHoldType),
                      E.PlaceOnHoldType.ACCORDING_TO_RESPONDER_POLICY, implicit=True))
    client_id: T.ClientId | None = field(default=None, metadata=opt("client-id", 15, Sequence(T.ClientId),
                                                                    implicit=True))
    item_id: T.ItemId = field(metadata=req("item-id", 16, Sequence(T.ItemId), implicit=True))
    supplemental_item_description: tuple[External, ...] | None = field(default=None, metadata=opt(
        "supplemental-item-description", 17, T.SUPPLEMENTAL_ITEM_DESCRIPTION, implicit=True))
    cost_info_type: T.CostInfoType | None = field(
        default=None, metadata=opt("cost-info-type", 18, Sequence(T.CostInfoType), implicit=True))
    copyright_compliance: ILLString | None = field(default=None, metadata=opt("copyright-compliance", 19, S))
    third_party_info_type: T.ThirdPartyInfoType | None = field(
        default=None, metadata=opt("third-party-info-type", 20, Sequence(T.ThirdPartyInfoType), implicit=True))
    retry_flag: bool = field(default=False, metadata=dflt("retry-flag", 21, BOOLEAN, False, implicit=True))
    forward_flag: bool = field(default=False, metadata=dflt("forward-flag", 22, BOOLEAN, False, implicit=True))
    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    forward_note: ILLString | None = field(default=None, metadata=opt("forward-note", 47, S))
    ill_request_extensions: tuple[T.Extension, ...] | None = _extensions("iLL-request-extensions")


@frozen(kw_only=True)
class ForwardNotification(APDU):
    APDU_TYPE = E.ILLAPDUType.FORWARD_NOTIFICATION
    ASN1_NAME = "Forward-Notification"
    EXTENSIONS_FIELD = "forward_notification_extensions"

    responder_id: T.SystemId = field(metadata=req("responder-id", 4, _SID, implicit=True))
    responder_address: T.SystemAddress | None = field(
        default=None, metadata=opt("responder-address", 24, _SADDR, implicit=True))
    intermediary_id: T.SystemId = field(metadata=req("intermediary-id", 25, _SID, implicit=True))
    notification_note: ILLString | None = field(default=None, metadata=opt("notification-note", 48, S))
    forward_notification_extensions: tuple[T.Extension, ...] | None = _extensions(
        "forward-notification-extensions")


@frozen(kw_only=True)
class Shipped(APDU):
    APDU_TYPE = E.ILLAPDUType.SHIPPED
    ASN1_NAME = "Shipped"
    EXTENSIONS_FIELD = "shipped_extensions"

    responder_address: T.SystemAddress | None = field(
        default=None, metadata=opt("responder-address", 24, _SADDR, implicit=True))
    intermediary_id: T.SystemId | None = field(default=None, metadata=opt("intermediary-id", 25, _SID,
                                                                          implicit=True))
    supplier_id: T.SystemId | None = field(default=None, metadata=opt("supplier-id", 26, _SID, implicit=True))
    client_id: T.ClientId | None = field(default=None, metadata=opt("client-id", 15, Sequence(T.ClientId),
                                                                    implicit=True))
    transaction_type: E.TransactionType = field(default=E.TransactionType.SIMPLE, metadata=dflt(
        "transaction-type", 5, _TRANSACTION_TYPE, E.TransactionType.SIMPLE, implicit=True))
    supplemental_item_description: tuple[External, ...] | None = field(default=None, metadata=opt(
        "supplemental-item-description", 17, T.SUPPLEMENTAL_ITEM_DESCRIPTION, implicit=True))
    shipped_service_type: E.ILLServiceType = field(
        metadata=req("shipped-service-type", 27, _SHIPPED_SERVICE_TYPE, implicit=True))
    responder_optional_messages: T.ResponderOptionalMessagesType | None = field(default=None, metadata=opt(
        "responder-optional-messages", 28, Sequence(T.ResponderOptionalMessagesType), implicit=True))
    supply_details: T.SupplyDetails = field(
        metadata=req("supply-details", 29, Sequence(T.SupplyDetails), implicit=True))
    return_to_address: T.PostalAddress | None = field(
        default=None, metadata=opt("return-to-address", 30, Sequence(T.PostalAddress), implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    shipped_extensions: tuple[T.Extension, ...] | None = _extensions("shipped-extensions")


@frozen(kw_only=True)
class ILLAnswer(APDU):
    APDU_TYPE = E.ILLAPDUType.ILL_ANSWER
    ASN1_NAME = "ILL-Answer"
    EXTENSIONS_FIELD = "ill_answer_extensions"

    transaction_results: E.TransactionResults = field(
        metadata=req("transaction-results", 31, Enumerated(E.TransactionResults), implicit=True))
    results_explanation: T.ResultsExplanation | None = field(
        default=None, metadata=opt("results-explanation", 32, T.RESULTS_EXPLANATION))
    responder_specific_results: External | None = field(
        default=None, metadata=opt("responder-specific-results", 33, EXTERNAL_T))
    supplemental_item_description: tuple[External, ...] | None = field(default=None, metadata=opt(
        "supplemental-item-description", 17, T.SUPPLEMENTAL_ITEM_DESCRIPTION, implicit=True))
    send_to_list: tuple[T.SendToListEntry, ...] | None = field(
        default=None, metadata=opt("send-to-list", 23, T.SEND_TO_LIST_TYPE, implicit=True))
    already_tried_list: tuple[T.SystemId, ...] | None = field(
        default=None, metadata=opt("already-tried-list", 34, T.ALREADY_TRIED_LIST_TYPE, implicit=True))
    responder_optional_messages: T.ResponderOptionalMessagesType | None = field(default=None, metadata=opt(
        "responder-optional-messages", 28, Sequence(T.ResponderOptionalMessagesType), implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    ill_answer_extensions: tuple[T.Extension, ...] | None = _extensions("ill-answer-extensions")


@frozen(kw_only=True)
class ConditionalReply(APDU):
    APDU_TYPE = E.ILLAPDUType.CONDITIONAL_REPLY
    ASN1_NAME = "Conditional-Reply"
    EXTENSIONS_FIELD = "conditional_reply_extensions"

    answer: bool = field(metadata=req("answer", 35, BOOLEAN, implicit=True))
    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    conditional_reply_extensions: tuple[T.Extension, ...] | None = _extensions("conditional-reply-extensions")


@frozen(kw_only=True)
class Cancel(APDU):
    APDU_TYPE = E.ILLAPDUType.CANCEL
    ASN1_NAME = "Cancel"
    EXTENSIONS_FIELD = "cancel_extensions"

    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    cancel_extensions: tuple[T.Extension, ...] | None = _extensions("cancel-extensions")


@frozen(kw_only=True)
class CancelReply(APDU):
    APDU_TYPE = E.ILLAPDUType.CANCEL_REPLY
    ASN1_NAME = "Cancel-Reply"
    EXTENSIONS_FIELD = "cancel_reply_extensions"

    answer: bool = field(metadata=req("answer", 35, BOOLEAN, implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    cancel_reply_extensions: tuple[T.Extension, ...] | None = _extensions("cancel-reply-extensions")


@frozen(kw_only=True)
class Received(APDU):
    APDU_TYPE = E.ILLAPDUType.RECEIVED
    ASN1_NAME = "Received"
    EXTENSIONS_FIELD = "received_extensions"

    supplier_id: T.SystemId | None = field(default=None, metadata=opt("supplier-id", 26, _SID, implicit=True))
    supplemental_item_description: tuple[External, ...] | None = field(default=None, metadata=opt(
        "supplemental-item-description", 17, T.SUPPLEMENTAL_ITEM_DESCRIPTION, implicit=True))
    date_received: str = field(metadata=req("date-received", 36, DATE, implicit=True))
    shipped_service_type: E.ILLServiceType = field(
        metadata=req("shipped-service-type", 27, _SHIPPED_SERVICE_TYPE, implicit=True))
    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    received_extensions: tuple[T.Extension, ...] | None = _extensions("received-extensions")


@frozen(kw_only=True)
class Recall(APDU):
    APDU_TYPE = E.ILLAPDUType.RECALL
    ASN1_NAME = "Recall"
    EXTENSIONS_FIELD = "recall_extensions"

    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    recall_extensions: tuple[T.Extension, ...] | None = _extensions("recall-extensions")


@frozen(kw_only=True)
class Returned(APDU):
    APDU_TYPE = E.ILLAPDUType.RETURNED
    ASN1_NAME = "Returned"
    EXTENSIONS_FIELD = "returned_extensions"

    supplemental_item_description: tuple[External, ...] | None = field(default=None, metadata=opt(
        "supplemental-item-description", 17, T.SUPPLEMENTAL_ITEM_DESCRIPTION, implicit=True))
    date_returned: str = field(metadata=req("date-returned", 37, DATE, implicit=True))
    returned_via: ILLString | None = field(default=None, metadata=opt("returned-via", 38, S))
    insured_for: T.Amount | None = field(default=None, metadata=opt("insured-for", 39, Sequence(T.Amount),
                                                                    implicit=True))
    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    returned_extensions: tuple[T.Extension, ...] | None = _extensions("returned-extensions")


@frozen(kw_only=True)
class CheckedIn(APDU):
    APDU_TYPE = E.ILLAPDUType.CHECKED_IN
    ASN1_NAME = "Checked-In"
    EXTENSIONS_FIELD = "checked_in_extensions"

    date_checked_in: str = field(metadata=req("date-checked-in", 40, DATE, implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    checked_in_extensions: tuple[T.Extension, ...] | None = _extensions("checked-in-extensions")


@frozen(kw_only=True)
class Overdue(APDU):
    APDU_TYPE = E.ILLAPDUType.OVERDUE
    ASN1_NAME = "Overdue"
    EXTENSIONS_FIELD = "overdue_extensions"

    date_due: T.DateDue = field(metadata=req("date-due", 41, Sequence(T.DateDue), implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    overdue_extensions: tuple[T.Extension, ...] | None = _extensions("overdue-extensions", explicit=True)


@frozen(kw_only=True)
class Renew(APDU):
    APDU_TYPE = E.ILLAPDUType.RENEW
    ASN1_NAME = "Renew"
    EXTENSIONS_FIELD = "renew_extensions"

    desired_due_date: str | None = field(default=None, metadata=opt("desired-due-date", 42, DATE, implicit=True))
    requester_note: ILLString | None = field(default=None, metadata=opt("requester-note", 46, S))
    renew_extensions: tuple[T.Extension, ...] | None = _extensions("renew-extensions")


@frozen(kw_only=True)
class RenewAnswer(APDU):
    APDU_TYPE = E.ILLAPDUType.RENEW_ANSWER
    ASN1_NAME = "Renew-Answer"
    EXTENSIONS_FIELD = "renew_answer_extensions"

    answer: bool = field(metadata=req("answer", 35, BOOLEAN, implicit=True))
    date_due: T.DateDue | None = field(default=None, metadata=opt("date-due", 41, Sequence(T.DateDue),
                                                                  implicit=True))
    responder_note: ILLString | None = field(default=None, metadata=opt("responder-note", 46, S))
    renew_answer_extensions: tuple[T.Extension, ...] | None = _extensions("renew-answer-extensions")


@frozen(kw_only=True)
class Lost(APDU):
    APDU_TYPE = E.ILLAPDUType.LOST
    ASN1_NAME = "Lost"
    EXTENSIONS_FIELD = "lost_extensions"

    note: ILLString | None = field(default=None, metadata=opt("note", 46, S))
    lost_extensions: tuple[T.Extension, ...] | None = _extensions("lost-extensions")


@frozen(kw_only=True)
class Damaged(APDU):
    APDU_TYPE = E.ILLAPDUType.DAMAGED
    ASN1_NAME = "Damaged"
    EXTENSIONS_FIELD = "damaged_extensions"

    # YAZ (and PyZ3950, k-int) tag this [5]; the NLC text has [51]. Both decode; the codec writes [5].
    damaged_details: T.DamagedDetails | None = field(default=None, metadata=opt(
        "damaged-details", 5, Sequence(T.DamagedDetails), implicit=True, alt_tags=(51,)))
    note: ILLString | None = field(default=None, metadata=opt("note", 46, S))
    damaged_extensions: tuple[T.Extension, ...] | None = _extensions("damaged-extensions")


@frozen(kw_only=True)
class Message(APDU):
    APDU_TYPE = E.ILLAPDUType.MESSAGE
    ASN1_NAME = "Message"
    EXTENSIONS_FIELD = "message_extensions"

    note: ILLString = field(metadata=req("note", 46, S))
    message_extensions: tuple[T.Extension, ...] | None = _extensions("message-extensions")


@frozen(kw_only=True)
class StatusQuery(APDU):
    APDU_TYPE = E.ILLAPDUType.STATUS_QUERY
    ASN1_NAME = "Status-Query"
    EXTENSIONS_FIELD = "status_query_extensions"

    note: ILLString | None = field(default=None, metadata=opt("note", 46, S))
    status_query_extensions: tuple[T.Extension, ...] | None = _extensions("status-query-extensions")


@frozen(kw_only=True)
class StatusOrErrorReport(APDU):
    APDU_TYPE = E.ILLAPDUType.STATUS_OR_ERROR_REPORT
    ASN1_NAME = "Status-Or-Error-Report"
    EXTENSIONS_FIELD = "status_or_error_report_extensions"

    reason_no_report: E.ReasonNoReport | None = field(
        default=None, metadata=opt("reason-no-report", 43, Enumerated(E.ReasonNoReport), implicit=True))
    status_report: T.StatusReport | None = field(
        default=None, metadata=opt("status-report", 44, Sequence(T.StatusReport), implicit=True))
    error_report: T.ErrorReport | None = field(
        default=None, metadata=opt("error-report", 45, Sequence(T.ErrorReport), implicit=True))
    note: ILLString | None = field(default=None, metadata=opt("note", 46, S))
    status_or_error_report_extensions: tuple[T.Extension, ...] | None = _extensions(
        "status-or-error-report-extensions")


@frozen(kw_only=True)
class Expired(APDU):
    APDU_TYPE = E.ILLAPDUType.EXPIRED
    ASN1_NAME = "Expired"
    EXTENSIONS_FIELD = "expired_extensions"

    expired_extensions: tuple[T.Extension, ...] | None = _extensions("expired-extensions")


APDU_CLASSES: tuple[type[APDU], ...] = (
    ILLRequest, ForwardNotification, Shipped, ILLAnswer, ConditionalReply, Cancel, CancelReply, Received,
    Recall, Returned, CheckedIn, Overdue, Renew, RenewAnswer, Lost, Damaged, Message, StatusQuery,
    StatusOrErrorReport, Expired,
)
APDU_BY_TYPE: dict[int, type[APDU]] = {cls.APDU_TYPE: cls for cls in APDU_CLASSES}

# The ASN.1 names indexed by ILL-APDU-Type (0 is no APDU), for error paths and rendering.
APDU_NAMES: tuple[str, ...] = ("", *(APDU_BY_TYPE[n].ASN1_NAME for n in range(1, len(APDU_CLASSES) + 1)))

ILLAPDU = (ILLRequest | ForwardNotification | Shipped | ILLAnswer | ConditionalReply | Cancel | CancelReply
           | Received | Recall | Returned | CheckedIn | Overdue | Renew | RenewAnswer | Lost | Damaged | Message
           | StatusQuery | StatusOrErrorReport | Expired)
