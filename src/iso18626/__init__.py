"""ISO 18626 (interlibrary loan over XML/HTTP): model, strict and lenient parser, per-version writer, confirmations.

`parse(data)` -> message, `serialize(msg, version="1.2")` -> bytes, `confirmation_for(msg_or_error, ...)`,
`Transaction` (the machine). Public modules beside this one: `iso18626.http` (ASGI app, httpx client, hypercorn
listener), `iso18626.convert` (dict/JSON), `iso18626.errors`. Everything under `iso18626._*` is internal.
"""

from __future__ import annotations

from iso18626._confirm import confirmation_for
from iso18626._machine import Role, Transaction
from iso18626._model.codes import (
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
from iso18626._model.messages import (
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
from iso18626._model.parts import (
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
from iso18626._model.supplying import (
    DeliveryInfo,
    MessageInfo,
    RetryInfo,
    ReturnInfo,
    ShippingInfo,
    StatusInfo,
)
from iso18626._model.tables import NS
from iso18626._model.timestamps import Timestamp
from iso18626._xml.read import Parsed, parse, read
from iso18626._xml.repairs import REPAIR_CODES, Repair, RepairWarning
from iso18626._xml.salvage import Salvaged
from iso18626._xml.serialize import serialize
from iso18626._xml.xsd import explain, xsd_text
from iso18626.errors import ISO18626Error, ProtocolError, SerializeError, StructureError, ValidationError

VERSIONS = ("1.2", "2021")

__all__ = [
    "NS", "REPAIR_CODES", "VERSIONS",
    "Action", "Address", "AgencyId", "BibliographicInfo", "BibliographicItemId", "BibliographicRecordId",
    "BillingInfo", "Confirmation", "ConfirmationHeader", "Costs", "DeliveryInfo", "ElectronicAddress",
    "ErrorData", "ErrorType", "Header", "ISO18626Error", "Salvaged", "Message", "MessageInfo", "MessageStatus",
    "Parsed", "PatronInfo", "PhysicalAddress", "PreferredEdition", "PublicationInfo", "ReasonForMessage",
    "Repair", "RepairWarning", "Request", "RequestConfirmation", "RequestSubType", "RequestType",
    "RequestedDeliveryInfo", "RequestingAgencyAuthentication", "RequestingAgencyInfo", "RequestingAgencyMessage",
    "RequestingAgencyMessageConfirmation", "RetryInfo", "ReturnInfo", "SchemeValue", "SerializeError", "StructureError",
    "ServiceInfo", "ServiceType", "ShippingInfo", "Status", "StatusInfo", "SupplierInfo",
    "SupplyingAgencyMessage", "SupplyingAgencyMessageConfirmation", "Timestamp", "ValidationError", "YesNo",
    "confirmation_for", "explain", "parse", "read", "serialize", "xsd_text",
    # the transaction machine
    "ProtocolError", "Role", "Transaction",
]
