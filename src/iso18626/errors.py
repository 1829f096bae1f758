"""Typed errors of the ISO 18626 codec: one root (ISO18626Error) over the distribution's IsoIllError.

ValidationError carries the ISO 18626 errorType to answer with; SerializeError says what a version cannot express.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from illcore.errors import IsoIllError

if TYPE_CHECKING:
    from .codes import ErrorType
    from .incoming import Incoming


class ISO18626Error(IsoIllError):
    """Root of every error the iso18626 package raises (a ValueError)."""


class ValidationError(ISO18626Error):
    """An incoming message is not acceptable.

    `error_type` is the ISO 18626 errorType a confirmation should carry, `path` the element path
    (``/ISO18626Message/request/header/timestamp``; "" when the document is not XML at all), and `incoming`
    whatever could still be read of the message (kind, header ids, action/reason) so that
    `iso18626.confirmation_for` can answer it.
    """

    def __init__(self, error_type: ErrorType, message: str, path: str = "", incoming: Incoming | None = None):
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


class StructureError(ISO18626Error):
    """Plain data (JSON, a dict) does not fit the model: an unknown key, a missing field, a code not in its list.

    `.path` is the dotted path in the data (`Request.bibliographic_info`).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)
