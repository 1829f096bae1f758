"""NCIP 2.02 (Z39.83-1, circulation interchange) over XML: model, strict and lenient parser, writer, HTTP.

`parse(data, strict=True)` -> message, `serialize(message)` -> bytes; NCIP 1 is refused with a typed error.
"""

from __future__ import annotations

from .errors import NCIPError, SerializeError, UnsupportedVersionError, ValidationError
from .model import (
    AcceptItem,
    AcceptItemResponse,
    AuthenticationInput,
    BibliographicDescription,
    BibliographicId,
    BibliographicItemId,
    BibliographicRecordId,
    CancelRequestItem,
    CancelRequestItemResponse,
    CheckInItem,
    CheckInItemResponse,
    CheckOutItem,
    CheckOutItemResponse,
    CreateUserFiscalTransaction,
    CreateUserFiscalTransactionResponse,
    DeleteItem,
    DeleteItemResponse,
    FromAgencyId,
    InitiationHeader,
    ItemId,
    ItemOptionalFields,
    LookupUser,
    LookupUserResponse,
    LookupVersion,
    LookupVersionResponse,
    Message,
    Problem,
    ProblemResponse,
    RecallItem,
    RecallItemResponse,
    RenewItem,
    RenewItemResponse,
    RequestId,
    RequestItem,
    RequestItemResponse,
    ResponseHeader,
    ToAgencyId,
    UserId,
    UserOptionalFields,
)
from .parse import Parsed, parse, read
from .repairs import REPAIR_CODES, Repair, RepairWarning
from .tables import NS, VERSION_URI
from .values import Ext, SchemeValue
from .writer import serialize

__all__ = [
    "NS", "REPAIR_CODES", "VERSION_URI",
    "AcceptItem", "AcceptItemResponse", "AuthenticationInput", "BibliographicDescription", "BibliographicId",
    "BibliographicItemId", "BibliographicRecordId", "CancelRequestItem", "CancelRequestItemResponse",
    "CheckInItem", "CheckInItemResponse", "CheckOutItem", "CheckOutItemResponse", "CreateUserFiscalTransaction",
    "CreateUserFiscalTransactionResponse", "DeleteItem", "DeleteItemResponse", "Ext", "FromAgencyId",
    "InitiationHeader", "ItemId", "ItemOptionalFields", "LookupUser", "LookupUserResponse", "LookupVersion",
    "LookupVersionResponse", "Message", "NCIPError", "Parsed", "Problem", "ProblemResponse", "RecallItem",
    "RecallItemResponse", "RenewItem", "RenewItemResponse", "Repair", "RepairWarning", "RequestId",
    "RequestItem", "RequestItemResponse", "ResponseHeader", "SchemeValue", "SerializeError", "ToAgencyId",
    "UnsupportedVersionError", "UserId", "UserOptionalFields", "ValidationError",
    "parse", "read", "serialize",
]
