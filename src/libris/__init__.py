"""libris: a client of the Libris ILL API (Sweden's Libris fjärrlån) and its importer of borrowing requests.

`LibrisClient` speaks the JSON API (httpx, ``api-key`` header); `LibrisImporter` harvests a library's outgoing
requests and maps them to `illcore.request.BorrowingRequest` (the table in docs/importing.md).
"""

from .client import DEFAULT_BASE_URL, LibrisClient
from .errors import LibrisError, LibrisFormatError, LibrisHTTPError, LibrisUnavailable, LibrisUpdateRejected
from .importer import STAGE_RESPONSES, LibrisImporter
from .mapping import SYSTEM, LibrisMapping, request_id_for, to_borrowing_request
from .model import (
    MEDIA_COPY,
    MEDIA_LOAN,
    EndUser,
    Library,
    LibraryRef,
    LibrisRequest,
    Recipient,
    RequestList,
    Response,
    UpdateResult,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MEDIA_COPY",
    "MEDIA_LOAN",
    "STAGE_RESPONSES",
    "SYSTEM",
    "EndUser",
    "Library",
    "LibraryRef",
    "LibrisClient",
    "LibrisError",
    "LibrisFormatError",
    "LibrisHTTPError",
    "LibrisImporter",
    "LibrisMapping",
    "LibrisRequest",
    "LibrisUnavailable",
    "LibrisUpdateRejected",
    "Recipient",
    "RequestList",
    "Response",
    "UpdateResult",
    "request_id_for",
    "to_borrowing_request",
]
