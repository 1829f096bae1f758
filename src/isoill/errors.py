"""The ISO 10161 error hierarchy: every failure to decode or encode is one of these, with where it happened.

`ILLError` is a ValueError (through the distribution-wide `IsoIllError`), so callers can catch either.
"""

from __future__ import annotations

from collections.abc import Iterable

from illcore.errors import IsoIllError


class ILLError(IsoIllError):
    """Base of the errors raised by the `isoill` package."""


class _PathError(ILLError):
    def __init__(self, message: str, *, offset: int | None = None, path: Iterable[str] = ()) -> None:
        self.reason = message
        self.offset = offset
        self.path: list[str] = list(path)
        super().__init__(message)

    @property
    def where(self) -> str:
        """The dotted field path, outermost first (ASN.1 names)."""
        return ".".join(self.path)

    def __str__(self) -> str:
        parts = [self.reason]
        if self.offset is not None:
            parts.append(f"at byte offset {self.offset}")
        if self.path:
            parts.append(f"in {self.where}")
        return " ".join(parts)


class DecodeError(_PathError):
    """The octets are not a valid APDU: carries `.offset` (byte offset) and `.path` (field path)."""


class EncodeError(_PathError):
    """A model value cannot be encoded: carries `.path` to the offending field."""


class StructureError(ILLError):
    """Plain data (JSON) does not fit the model: an unknown key, a missing field, a value of the wrong kind.

    `.path` is the dotted path in the data (`ILLRequest.item_id.titel`'s parent, `ILLRequest.item_id`).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)
