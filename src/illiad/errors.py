"""Typed errors of the ILLiad Web Platform client, over the distribution's IsoIllError.

Each HTTP answer ILLiad documents has its class; `retryable` says whether the outbox should try again later.
"""

from __future__ import annotations

from typing import Any

from illcore.errors import IsoIllError


class ILLiadError(IsoIllError):
    """Root of every error the illiad package raises. `retryable`: a later attempt may succeed."""

    retryable = False


class ILLiadConnectionError(ILLiadError):
    """The Web Platform could not be reached (refused, timed out, connection lost): retry later."""

    retryable = True


class ILLiadResponseError(ILLiadError):
    """The Web Platform answered with an error status. `status`, its `{"Message": ...}` text and the body."""

    def __init__(self, status: int, message: str, body: Any = None, *, method: str = "", url: str = ""):
        self.status = status
        self.message = message
        self.body = body
        self.method = method
        self.url = url
        where = f" ({method} {url})" if method else ""
        super().__init__(f"ILLiad answered {status}: {message}{where}")


class BadRequest(ILLiadResponseError):
    """400: ILLiad refused the fields. `model_state` maps a field (``model.UserName``) to its messages."""

    def __init__(self, message: str, model_state: dict[str, list[str]], body: Any = None, **kw: str):
        self.model_state = model_state
        super().__init__(400, message, body, **kw)

    def field_messages(self) -> list[str]:
        """One line per field message: ``UserName: Username foo already exists.``"""
        out = []
        for field, messages in self.model_state.items():
            name = field.split(".", 1)[1] if field.startswith("model.") else field
            out += [f"{name or '(request)'}: {m}" for m in messages]
        return out or [self.message]


class Unauthorized(ILLiadResponseError):
    """401 (or 403): the Web Platform refused the API key (WebPlatformConfig), or this client's address."""


class NotFound(ILLiadResponseError):
    """404: no such user or transaction (``{"Message": "User jdoe was not found."}``)."""


class ServerError(ILLiadResponseError):
    """5xx: the Web Platform failed; the request may be retried later (through the outbox)."""

    retryable = True
