"""ISO 18626 (interlibrary loan over XML/HTTP): model, strict and lenient parser, per-version writer, confirmations.

`parse(data)` -> message, `serialize(msg, version="1.2")` -> bytes, `confirmation_for(msg_or_error, ...)`.
"""

from __future__ import annotations

from .codes import (
    Action,
    ErrorType,
    MessageStatus,
    PreferredEdition,
    ReasonForMessage,
    RequestSubType,
    RequestType,
    SchemeValue,
    ServiceType,
    Status,
    YesNo,
)
from .confirm import confirmation_for
from .errors import ISO18626Error, SerializeError, StructureError, ValidationError
from .incoming import Incoming
from .machine import ProtocolError, Role, Transaction
from .messages import (
    Confirmation,
    ConfirmationHeader,
    ErrorData,
    Header,
    Message,
    Request,
    RequestConfirmation,
    RequestingAgencyMessage,
    RequestingAgencyMessageConfirmation,
    SupplyingAgencyMessage,
    SupplyingAgencyMessageConfirmation,
)
from .parse import Parsed, parse, read
from .parts import (
    Address,
    AgencyId,
    BibliographicInfo,
    BibliographicItemId,
    BibliographicRecordId,
    BillingInfo,
    Costs,
    ElectronicAddress,
    PatronInfo,
    PhysicalAddress,
    PublicationInfo,
    RequestedDeliveryInfo,
    RequestingAgencyAuthentication,
    RequestingAgencyInfo,
    ServiceInfo,
    SupplierInfo,
)
from .repairs import REPAIR_CODES, Repair, RepairWarning
from .serialize import serialize
from .supplying import DeliveryInfo, MessageInfo, RetryInfo, ReturnInfo, ShippingInfo, StatusInfo
from .tables import NS
from .timestamps import Timestamp

VERSIONS = ("1.2", "2021")

__all__ = [
    "NS", "REPAIR_CODES", "VERSIONS",
    "Action", "Address", "AgencyId", "BibliographicInfo", "BibliographicItemId", "BibliographicRecordId",
    "BillingInfo", "Confirmation", "ConfirmationHeader", "Costs", "DeliveryInfo", "ElectronicAddress",
    "ErrorData", "ErrorType", "Header", "ISO18626Error", "Incoming", "Message", "MessageInfo", "MessageStatus",
    "Parsed", "PatronInfo", "PhysicalAddress", "PreferredEdition", "PublicationInfo", "ReasonForMessage",
    "Repair", "RepairWarning", "Request", "RequestConfirmation", "RequestSubType", "RequestType",
    "RequestedDeliveryInfo", "RequestingAgencyAuthentication", "RequestingAgencyInfo", "RequestingAgencyMessage",
    "RequestingAgencyMessageConfirmation", "RetryInfo", "ReturnInfo", "SchemeValue", "SerializeError", "StructureError",
    "ServiceInfo", "ServiceType", "ShippingInfo", "Status", "StatusInfo", "SupplierInfo",
    "SupplyingAgencyMessage", "SupplyingAgencyMessageConfirmation", "Timestamp", "ValidationError", "YesNo",
    "confirmation_for", "parse", "read", "serialize",
    # the transaction machine (iso18626.machine)
    "ProtocolError", "Role", "Transaction",
]
