"""Every ENUMERATED of ISO-10161-ILL-1 (named and anonymous) as IntEnum, values as in ill9702.

Anonymous enumerations are named after the component that holds them.
"""

from __future__ import annotations

from enum import IntEnum

# protocol-version-num is an INTEGER with named numbers, not ENUMERATED: other values must still decode.
VERSION_1 = 1
VERSION_2 = 2


class ILLAPDUType(IntEnum):
    ILL_REQUEST = 1
    FORWARD_NOTIFICATION = 2
    SHIPPED = 3
    ILL_ANSWER = 4
    CONDITIONAL_REPLY = 5
    CANCEL = 6
    CANCEL_REPLY = 7
    RECEIVED = 8
    RECALL = 9
    RETURNED = 10
    CHECKED_IN = 11
    OVERDUE = 12
    RENEW = 13
    RENEW_ANSWER = 14
    LOST = 15
    DAMAGED = 16
    MESSAGE = 17
    STATUS_QUERY = 18
    STATUS_OR_ERROR_REPORT = 19
    EXPIRED = 20


class CurrentState(IntEnum):
    NOT_SUPPLIED = 1
    PENDING = 2
    IN_PROCESS = 3
    FORWARD = 4
    CONDITIONAL = 5
    CANCEL_PENDING = 6
    CANCELLED = 7
    SHIPPED = 8
    RECEIVED = 9
    RENEW_PENDING = 10
    NOT_RECEIVED_OVERDUE = 11
    RENEW_OVERDUE = 12
    OVERDUE = 13
    RETURNED = 14
    CHECKED_IN = 15
    RECALL = 16
    LOST = 17
    UNKNOWN = 18


class TransactionType(IntEnum):
    SIMPLE = 1
    CHAINED = 2
    PARTITIONED = 3


class ILLServiceType(IntEnum):
    LOAN = 1
    COPY_NON_RETURNABLE = 2
    LOCATIONS = 3
    ESTIMATE = 4
    RESPONDER_SPECIFIC = 5


class PlaceOnHoldType(IntEnum):
    YES = 1
    NO = 2
    ACCORDING_TO_RESPONDER_POLICY = 3


class TransactionResults(IntEnum):
    CONDITIONAL = 1
    RETRY = 2
    UNFILLED = 3
    LOCATIONS_PROVIDED = 4
    WILL_SUPPLY = 5
    HOLD_PLACED = 6
    ESTIMATE = 7


class ItemType(IntEnum):
    """Item-Id.item-type."""

    MONOGRAPH = 1
    SERIAL = 2
    OTHER = 3


class MediumType(IntEnum):
    PRINTED = 1
    MICROFORM = 3
    FILM_OR_VIDEO_RECORDING = 4
    AUDIO_RECORDING = 5
    MACHINE_READABLE = 6
    OTHER = 7


class SupplyMediumType(IntEnum):
    PRINTED = 1
    PHOTOCOPY = 2
    MICROFORM = 3
    FILM_OR_VIDEO_RECORDING = 4
    AUDIO_RECORDING = 5
    MACHINE_READABLE = 6
    OTHER = 7


class MessageRequirement(IntEnum):
    """requester-SHIPPED / requester-CHECKED-IN / responder-RECEIVED / responder-RETURNED."""

    REQUIRES = 1
    DESIRES = 2
    NEITHER = 3


class ExpiryFlag(IntEnum):
    """Search-Type.expiry-flag."""

    NEED_BEFORE_DATE = 1
    OTHER_DATE = 2
    NO_EXPIRY = 3


class Preference(IntEnum):
    """Third-Party-Info-Type.preference."""

    ORDERED = 1
    UNORDERED = 2


class Conditions(IntEnum):
    """Conditional-Results.conditions."""

    COST_EXCEEDS_LIMIT = 13
    CHARGES = 14
    PREPAYMENT_REQUIRED = 15
    LACKS_COPYRIGHT_COMPLIANCE = 16
    LIBRARY_USE_ONLY = 22
    NO_REPRODUCTION = 23
    CLIENT_SIGNATURE_REQUIRED = 24
    SPECIAL_COLLECTIONS_SUPERVISION_REQUIRED = 25
    OTHER = 27
    RESPONDER_SPECIFIC = 28
    PROPOSED_DELIVERY_SERVICE = 30


class ReasonNotAvailable(IntEnum):
    """Retry-Results.reason-not-available."""

    IN_USE_ON_LOAN = 1
    IN_PROCESS = 2
    ON_ORDER = 6
    VOLUME_ISSUE_NOT_YET_AVAILABLE = 7
    AT_BINDERY = 8
    COST_EXCEEDS_LIMIT = 13
    CHARGES = 14
    PREPAYMENT_REQUIRED = 15
    LACKS_COPYRIGHT_COMPLIANCE = 16
    NOT_FOUND_AS_CITED = 17
    ON_HOLD = 19
    OTHER = 27
    RESPONDER_SPECIFIC = 28


class ReasonUnfilled(IntEnum):
    IN_USE_ON_LOAN = 1
    IN_PROCESS = 2
    LOST = 3
    NON_CIRCULATING = 4
    NOT_OWNED = 5
    ON_ORDER = 6
    VOLUME_ISSUE_NOT_YET_AVAILABLE = 7
    AT_BINDERY = 8
    LACKING = 9
    NOT_ON_SHELF = 10
    ON_RESERVE = 11
    POOR_CONDITION = 12
    COST_EXCEEDS_LIMIT = 13
    CHARGES = 14
    PREPAYMENT_REQUIRED = 15
    LACKS_COPYRIGHT_COMPLIANCE = 16
    NOT_FOUND_AS_CITED = 17
    LOCATIONS_NOT_FOUND = 18
    ON_HOLD = 19
    POLICY_PROBLEM = 20
    MANDATORY_MESSAGING_NOT_SUPPORTED = 21
    EXPIRY_NOT_SUPPORTED = 22
    REQUESTED_DELIVERY_SERVICES_NOT_SUPPORTED = 23
    PREFERRED_DELIVERY_TIME_NOT_POSSIBLE = 24
    OTHER = 27
    RESPONDER_SPECIFIC = 28


class ReasonLocsProvided(IntEnum):
    IN_USE_ON_LOAN = 1
    IN_PROCESS = 2
    LOST = 3
    NON_CIRCULATING = 4
    NOT_OWNED = 5
    ON_ORDER = 6
    VOLUME_ISSUE_NOT_YET_AVAILABLE = 7
    AT_BINDERY = 8
    LACKING = 9
    NOT_ON_SHELF = 10
    ON_RESERVE = 11
    POOR_CONDITION = 12
    COST_EXCEEDS_LIMIT = 13
    ON_HOLD = 19
    OTHER = 27
    RESPONDER_SPECIFIC = 28


class ReasonWillSupply(IntEnum):
    """Will-Supply-Results.reason-will-supply."""

    IN_USE_ON_LOAN = 1
    IN_PROCESS = 2
    ON_ORDER = 6
    AT_BINDERY = 8
    ON_HOLD = 19
    BEING_PROCESSED_FOR_SUPPLY = 26
    OTHER = 27
    RESPONDER_SPECIFIC = 28
    ELECTRONIC_DELIVERY = 30


class ShippedConditions(IntEnum):
    """Supply-Details.shipped-conditions."""

    LIBRARY_USE_ONLY = 22
    NO_REPRODUCTION = 23
    CLIENT_SIGNATURE_REQUIRED = 24
    SPECIAL_COLLECTIONS_SUPERVISION_REQUIRED = 25
    OTHER = 27


class MostRecentService(IntEnum):
    """History-Report.most-recent-service (ILL-APDU-Type numbers plus fORWARD 21)."""

    ILL_REQUEST = 1
    FORWARD = 21
    FORWARD_NOTIFICATION = 2
    SHIPPED = 3
    ILL_ANSWER = 4
    CONDITIONAL_REPLY = 5
    CANCEL = 6
    CANCEL_REPLY = 7
    RECEIVED = 8
    RECALL = 9
    RETURNED = 10
    CHECKED_IN = 11
    RENEW_ANSWER = 14
    LOST = 15
    DAMAGED = 16
    MESSAGE = 17
    STATUS_QUERY = 18
    STATUS_OR_ERROR_REPORT = 19
    EXPIRED = 20


class GeneralProblem(IntEnum):
    UNRECOGNIZED_APDU = 1
    MISTYPED_APDU = 2
    BADLY_STRUCTURED_APDU = 3
    PROTOCOL_VERSION_NOT_SUPPORTED = 4
    OTHER = 5


class TransactionIdProblem(IntEnum):
    DUPLICATE_TRANSACTION_ID = 1
    INVALID_TRANSACTION_ID = 2
    UNKNOWN_TRANSACTION_ID = 3


class IntermediaryProblem(IntEnum):
    CANNOT_SEND_ONWARD = 1


class UnableToPerform(IntEnum):
    NOT_AVAILABLE = 1
    RESOURCE_LIMITATION = 2
    OTHER = 3


class ReasonNoReport(IntEnum):
    TEMPORARY = 1
    PERMANENT = 2


class ReportSource(IntEnum):
    USER = 1
    PROVIDER = 2
