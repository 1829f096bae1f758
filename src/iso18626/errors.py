"""Typed errors of the ISO 18626 codec: one root (ISO18626Error) over the distribution's IsoIllError.

ValidationError carries the ISO 18626 errorType to answer with; SerializeError says what a version cannot express.
`.path` is the element path (XPath), `.where` the same string, `.detail` the fault alone (see illcore.errors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from illcore.errors import IsoIllError

if TYPE_CHECKING:
    from datetime import datetime

    from illcore.engine import Direction
    from iso18626._model.codes import ErrorType
    from iso18626._model.messages import Confirmation, Message
    from iso18626._xml.salvage import Salvaged


class ISO18626Error(IsoIllError):
    """Root of every error the iso18626 package raises (a ValueError)."""


class ValidationError(ISO18626Error):
    """An incoming message is not acceptable.

    `error_type` is the ISO 18626 errorType a confirmation should carry, `path` the element path
    (``/ISO18626Message/request/header/timestamp``; "" when the document is not XML at all), and `incoming`
    whatever could still be read of the message (kind, header ids, action/reason) so that
    `iso18626.confirmation_for` can answer it.
    """

    def __init__(self, error_type: ErrorType, message: str, path: str = "", incoming: Salvaged | None = None):
        self.error_type = error_type
        self.path = path
        self.detail = message
        self.incoming = incoming
        super().__init__(f"{error_type.value}: {message}" + (f" (at {path})" if path else ""))


class SerializeError(ISO18626Error):
    """A message cannot be written in the requested version (a value it cannot express, a missing field)."""

    def __init__(self, message: str, path: str = "", version: str = ""):
        self.path = path
        self.version = version
        self.detail = message
        where = f" at {path}" if path else ""
        super().__init__(f"cannot write ISO 18626 {version}{where}: {message}" if version else message + where)


class ProtocolError(ISO18626Error):
    """A message the transaction rules prohibit (strict mode); the state is unchanged.

    `error_type` and `detail` say what to answer; `confirmation` is that answer (messageStatus ERROR with
    errorData), stamped with the time given to send/receive (default: the message's own timestamp); use
    `confirmation_at(timestamp)` to stamp it again.
    """

    def __init__(self, error_type: ErrorType, detail: str, *, message: Message, direction: Direction,
                 timestamp: datetime) -> None:
        super().__init__(f"{error_type.value}: {detail}")
        self.error_type = error_type
        self.detail = detail
        self.message = message
        self.direction = direction
        self.confirmation = self.confirmation_at(timestamp)

    def confirmation_at(self, timestamp: datetime) -> Confirmation:
        from iso18626._confirm import confirmation_for
        from iso18626._model.messages import ErrorData

        return confirmation_for(self.message, timestamp=timestamp,
                                errors=[ErrorData(error_type=self.error_type, error_value=self.detail)])


class HTTPError(Exception):
    """Base of the ISO 18626 HTTP client's errors (transport outcomes, not bad data: not an ISO18626Error)."""


class TransportError(HTTPError):
    """The endpoint could not be reached or did not answer in time (connect, TLS, timeout, connection lost)."""


class PeerError(HTTPError):
    """The endpoint answered, but not with an OK confirmation: `status`, `body` and, if one could be read,
    `confirmation` tell how. `kind` is "http-status", "no-confirmation" or "error-confirmation"."""

    def __init__(self, message: str, *, kind: str, status: int, body: bytes,
                 confirmation: Confirmation | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.body = body
        self.confirmation = confirmation


class StructureError(ISO18626Error):
    """Plain data (JSON, a dict) does not fit the model: an unknown key, a missing field, a code not in its list.

    `.path` is the dotted path in the data (`Request.bibliographic_info`).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)
