"""Typed errors of the NCIP codec: one root (NCIPError) over the distribution's IsoIllError.

ValidationError carries the NCIP Problem type to answer with and the element path; NCIP 1 gets its own class.
"""

from __future__ import annotations

from illcore.errors import IsoIllError

#: NCIP messaging-error Problem types (Z39.83-1 Appendix A) this package answers with.
INVALID_MESSAGE_SYNTAX = "Invalid Message Syntax Error"
UNSUPPORTED_SERVICE = "Unsupported Service"
NEEDED_DATA_MISSING = "Needed Data Missing"
MISSING_VERSION = "Missing Version"


class NCIPError(IsoIllError):
    """Root of every error the ncip package raises (a ValueError)."""


class ValidationError(NCIPError):
    """An incoming NCIP message is not acceptable.

    `problem_type` is the NCIP Problem type a response should carry, `path` the element path
    (``/NCIPMessage/AcceptItem/RequestId``; "" when the document is not XML at all), `element` the offending
    element's name when there is one, and `service` the service element's name when it could be read (so a
    responder can answer with the matching response element).
    """

    def __init__(self, message: str, path: str = "", *, problem_type: str = INVALID_MESSAGE_SYNTAX,
                 element: str | None = None, service: str | None = None):
        self.problem_type = problem_type
        self.path = path
        self.detail = message
        self.element = element
        self.service = service
        super().__init__(f"{problem_type}: {message}" + (f" (at {path})" if path else ""))


class UnsupportedVersionError(ValidationError):
    """An NCIP version 1 (DTD era) message, or a version attribute naming no NCIP 2 version: refused.

    `version` is what identified it (the DOCTYPE public id or the version attribute).
    """

    def __init__(self, message: str, version: str, path: str = "/NCIPMessage"):
        self.version = version
        super().__init__(message, path, element="NCIPMessage")


class SerializeError(NCIPError):
    """A message cannot be written (a value XML cannot carry, a missing required element)."""

    def __init__(self, message: str, path: str = ""):
        self.path = path
        self.detail = message
        super().__init__(message + (f" (at {path})" if path else ""))
