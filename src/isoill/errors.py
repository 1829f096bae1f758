"""The ISO 10161 error hierarchy: every failure to decode or encode is one of these, with where it happened.

`ILLError` is a ValueError (through the distribution-wide `IsoIllError`); `.path` is the list of ASN.1 names,
`.where` the dotted form, `.offset` the byte offset, `.detail` (also `.reason`) the fault alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from illcore.errors import IsoIllError

if TYPE_CHECKING:
    from illcore.engine import Direction
    from isoill._model.apdus import APDU, StatusOrErrorReport
    from isoill._model.enums import CurrentState
    from isoill._model.types import ErrorReport, ServiceDateTime


class ILLError(IsoIllError):
    """Base of the errors raised by the `isoill` package."""


class _PathError(ILLError):
    def __init__(self, message: str, *, offset: int | None = None, path: Iterable[str] = ()) -> None:
        self.reason = message
        self.detail = message
        self.offset = offset
        self.path: list[str] = list(path)
        super().__init__(message)

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


class ProtocolError(ILLError):
    """An APDU the protocol machine prohibits (strict mode). The state is unchanged.

    `error_report` is the Error-Report to send back (state-transition-prohibited with aPDU-type and
    current-state, or transaction-id-problem); `reply(service_date_time=...)` wraps it in the
    Status-Or-Error-Report APDU. `direction` says whether the APDU was being sent or had arrived.
    """

    def __init__(self, message: str, *, apdu: APDU, direction: Direction, state: CurrentState | None,
                 error_report: ErrorReport) -> None:
        super().__init__(message)
        self.apdu = apdu
        self.direction = direction
        self.state = state
        self.error_report = error_report

    def reply(self, *, service_date_time: ServiceDateTime) -> StatusOrErrorReport:
        from isoill._protocol import reports

        return reports.reply(self.apdu, service_date_time=service_date_time, error_report=self.error_report)


class StructureError(ILLError):
    """Plain data (JSON) does not fit the model: an unknown key, a missing field, a value of the wrong kind.

    `.path` is the dotted path in the data (`ILLRequest.item_id.titel`'s parent, `ILLRequest.item_id`).
    """

    def __init__(self, message: str, path: str = "") -> None:
        self.path = path
        super().__init__(message)
