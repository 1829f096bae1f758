"""What an importer of borrowing requests from an external ILL system provides (Libris, a CSV drop, ...).

The interface and its errors only: the systems' clients implement it, `illnode.imports` runs and persists it.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from illcore.errors import IsoIllError
from illcore.lifecycle import Stage
from illcore.request import BorrowingRequest

__all__ = ["ExternalRecord", "Importer", "MappingFailure", "SourceError", "SourceRefused", "SourceUnavailable",
           "windows"]


class SourceError(IsoIllError):
    """The external system failed us: root of the errors an importer raises for its system."""


class SourceUnavailable(SourceError):
    """The external system cannot be reached now (network, timeout): a run stops and can be resumed."""


class SourceRefused(SourceError):
    """The external system answered with an error (authentication, a refused update, a malformed answer)."""


class MappingFailure(IsoIllError):
    """One record cannot become a borrowing request; `reason` says why (an unmapped library names its code)."""

    def __init__(self, external_id: str, reason: str) -> None:
        self.external_id = external_id
        self.reason = reason
        super().__init__(f"{external_id}: {reason}")


@attrs.frozen
class ExternalRecord:
    """One request as the external system holds it: its id there, a version that changes whenever the record
    does (Libris's ``last_modified``), and the decoded record, kept whole."""

    system: str
    external_id: str
    version: str | None
    data: Mapping[str, Any] = attrs.field(eq=False, repr=False)


class Importer(Protocol):
    """An external ILL system that patrons place borrowing requests in.

    `harvest` lists the requests placed in a window of days (both ends included); `fetch` reads one again;
    `to_request` maps one to the neutral borrowing request (sans-IO; raises `MappingFailure`); `report` writes a
    stage back to the system, where `version` is the record's version we know (an optimistic lock: a record
    changed since is not overwritten) and returns the record as it is afterwards. Network failures raise
    `SourceUnavailable`, other failures of the system `SourceRefused`.
    """

    @property
    def system(self) -> str: ...

    def harvest(self, start: _dt.date, end: _dt.date) -> Sequence[ExternalRecord]: ...

    def fetch(self, external_id: str) -> ExternalRecord: ...

    def to_request(self, record: ExternalRecord) -> BorrowingRequest: ...

    def report(self, external_id: str, stage: Stage, version: str, *, note: str = "") -> ExternalRecord: ...


def windows(since: _dt.date, until: _dt.date, days: int) -> list[tuple[_dt.date, _dt.date]]:
    """The inclusive windows of at most `days` days that cover since..until, in order (empty if since > until)."""
    if days < 1:
        raise ValueError(f"a harvest window is at least one day, not {days}")
    out = []
    start = since
    while start <= until:
        end = min(until, start + _dt.timedelta(days=days - 1))
        out.append((start, end))
        start = end + _dt.timedelta(days=1)
    return out
