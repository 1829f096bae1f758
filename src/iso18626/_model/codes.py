"""ISO 18626 code lists: closed codes as enums with the exact XSD tokens, open codes as SchemeValue.

Members marked 2021 exist only in ISO 18626:2021; writing them as v1.2 raises SerializeError.
"""

from __future__ import annotations

import enum

import attrs


class Action(enum.Enum):
    """type_action: what a requesting agency message asks or reports."""

    STATUS_REQUEST = "StatusRequest"
    RECEIVED = "Received"
    CANCEL = "Cancel"
    RENEW = "Renew"
    HOLD_RETURN = "HoldReturn"  # 2021
    SHIPPED_RETURN = "ShippedReturn"
    SHIPPED_FORWARD = "ShippedForward"
    NOTIFICATION = "Notification"
    LOST = "Lost"  # 2021


class Status(enum.Enum):
    """type_status: the supplier's view of the transaction."""

    REQUEST_RECEIVED = "RequestReceived"
    EXPECT_TO_SUPPLY = "ExpectToSupply"
    WILL_SUPPLY = "WillSupply"
    LOANED = "Loaned"
    OVERDUE = "Overdue"
    RECALLED = "Recalled"
    RETRY_POSSIBLE = "RetryPossible"
    UNFILLED = "Unfilled"
    HOLD_RETURN = "HoldReturn"  # 2021
    RELEASE_HOLD_RETURN = "ReleaseHoldReturn"  # 2021
    COPY_COMPLETED = "CopyCompleted"
    LOAN_COMPLETED = "LoanCompleted"
    COMPLETED_WITHOUT_RETURN = "CompletedWithoutReturn"
    CANCELLED = "Cancelled"


class ReasonForMessage(enum.Enum):
    """type_reasonForMessage: why a supplying agency message was sent."""

    REQUEST_RESPONSE = "RequestResponse"
    STATUS_REQUEST_RESPONSE = "StatusRequestResponse"
    RENEW_RESPONSE = "RenewResponse"
    CANCEL_RESPONSE = "CancelResponse"
    STATUS_CHANGE = "StatusChange"
    NOTIFICATION = "Notification"


class ErrorType(enum.Enum):
    """type_errorType, in the XSD's British spelling (the standard's prose spells some with z)."""

    UNSUPPORTED_ACTION_TYPE = "UnsupportedActionType"
    UNSUPPORTED_REASON_FOR_MESSAGE_TYPE = "UnsupportedReasonForMessageType"
    UNRECOGNISED_DATA_ELEMENT = "UnrecognisedDataElement"
    UNRECOGNISED_DATA_VALUE = "UnrecognisedDataValue"
    BADLY_FORMED_MESSAGE = "BadlyFormedMessage"


class MessageStatus(enum.Enum):
    """type_messageStatus of a confirmation."""

    OK = "OK"
    ERROR = "ERROR"


class RequestType(enum.Enum):
    """type_requestType."""

    NEW = "New"
    RETRY = "Retry"
    REMINDER = "Reminder"


class RequestSubType(enum.Enum):
    """type_requestSubType (v1.2 and later)."""

    BOOKING_REQUEST = "BookingRequest"
    MULTIPLE_ITEM_REQUEST = "MultipleItemRequest"
    PATRON_REQUEST = "PatronRequest"
    TRANSFER_REQUEST = "TransferRequest"
    SUPPLYING_LIBRARYS_CHOICE = "SupplyingLibrarysChoice"


class ServiceType(enum.Enum):
    """type_serviceType."""

    COPY = "Copy"
    LOAN = "Loan"
    COPY_OR_LOAN = "CopyOrLoan"


class YesNo(enum.Enum):
    """type_yesNo."""

    Y = "Y"
    N = "N"


class PreferredEdition(enum.Enum):
    """type_preferredEdition (2021 only)."""

    MOST_RECENT_EDITION = "MostRecentEdition"
    THIS_EDITION = "ThisEdition"
    ANY_EDITION = "AnyEdition"


#: Members that ISO 18626 v1.2 does not know (the 2021 additions).
ONLY_2021: frozenset[enum.Enum] = frozenset(
    {Action.HOLD_RETURN, Action.LOST, Status.HOLD_RETURN, Status.RELEASE_HOLD_RETURN}
)

#: Every closed code list, keyed by the XSD simple type name.
CLOSED_CODES: dict[str, type[enum.Enum]] = {
    "type_action": Action,
    "type_status": Status,
    "type_reasonForMessage": ReasonForMessage,
    "type_errorType": ErrorType,
    "type_messageStatus": MessageStatus,
    "type_requestType": RequestType,
    "type_requestSubType": RequestSubType,
    "type_serviceType": ServiceType,
    "type_yesNo": YesNo,
    "type_preferredEdition": PreferredEdition,
}


@attrs.frozen
class SchemeValue:
    """An open code (type_schemeValuePair): any value, optionally qualified by a scheme URI.

    `SchemeValue("ISIL")` has no scheme; OCLC sends the Annex B list URIs as schemes.
    """

    value: str
    scheme: str | None = None

    def __str__(self) -> str:
        return self.value
