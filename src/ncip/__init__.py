"""NCIP 2.02 (Z39.83-1, circulation interchange) over XML: model, strict and lenient parser, writer, HTTP.

`parse(data, strict=True)` -> message, `serialize(message)` -> bytes; NCIP 1 is refused with a typed error.
"""

from __future__ import annotations

from .errors import (
    INVALID_MESSAGE_SYNTAX,
    NEEDED_DATA_MISSING,
    UNSUPPORTED_SERVICE,
    NCIPError,
    SerializeError,
    UnsupportedVersionError,
    ValidationError,
)
from .events import ItemEvent, ItemEventHandler
from .http import AsyncNCIPClient, Handler, NCIPApp, NCIPClient, NCIPProblem, NCIPTransportError, serve
from .model import (
    AcceptItem,
    AcceptItemResponse,
    Amount,
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
    FiscalTransactionInformation,
    FiscalTransactionReferenceId,
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
from .responses import PROBLEM_SCHEME, problem, problem_response, response_header_for
from .tables import NS, VERSION_URI
from .values import Ext, SchemeValue
from .writer import serialize

__all__ = [
    "INVALID_MESSAGE_SYNTAX", "NEEDED_DATA_MISSING", "NS", "PROBLEM_SCHEME", "REPAIR_CODES", "UNSUPPORTED_SERVICE",
    "VERSION_URI",
    "AsyncNCIPClient", "Handler", "ItemEvent", "ItemEventHandler", "NCIPApp", "NCIPClient", "NCIPProblem",
    "NCIPTransportError", "problem", "problem_response", "response_header_for", "serve",
    "AcceptItem", "AcceptItemResponse", "Amount", "FiscalTransactionInformation", "FiscalTransactionReferenceId", "AuthenticationInput", "BibliographicDescription", "BibliographicId",
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
