"""Typed errors of the Libris ILL client: one root (LibrisError) over the distribution's IsoIllError.

Transport failures, refusals by the server, answers that are not the documented JSON, and refused updates.
"""

from __future__ import annotations

from illcore.importer import SourceError, SourceRefused, SourceUnavailable

__all__ = ["LibrisError", "LibrisFormatError", "LibrisHTTPError", "LibrisUnavailable", "LibrisUpdateRejected"]


class LibrisError(SourceError):
    """Root of every error the libris package raises (a ValueError)."""


class LibrisUnavailable(LibrisError, SourceUnavailable):
    """The server cannot be reached: connection refused, DNS failure, timeout, connection lost (temporary)."""


class LibrisHTTPError(LibrisError, SourceRefused):
    """The server answered with a non-2xx status (a wrong api-key gives 401/403)."""

    def __init__(self, status: int, url: str, body: str) -> None:
        self.status = status
        self.url = url
        self.body = body
        super().__init__(f"Libris answered HTTP {status} for {url}" + (f": {body[:200]}" if body else ""))


class LibrisFormatError(LibrisError, SourceRefused):
    """An answer is not the JSON the API documents; `path` names the offending member (``ill_requests[3].title``)."""

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        self.detail = message
        super().__init__(message + (f" (at {path})" if path else ""))


class LibrisUpdateRejected(LibrisError, SourceRefused):
    """A form POST was answered with ``update_success`` false, e.g. a stale ``timestamp`` (``last_modified``)."""

    def __init__(self, lf_number: str, action: str, message: str) -> None:
        self.lf_number = lf_number
        self.action = action
        self.update_message = message
        super().__init__(f"Libris refused {action!r} on {lf_number}: {message or 'no reason given'}")
