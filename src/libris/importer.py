"""The Libris ILL API as an `illcore.importer.Importer`: harvest a library's outgoing (borrowing) requests by
day windows, fetch one, map one (`libris.mapping`), write a stage back as ``action=response``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

from illcore.importer import ExternalRecord
from illcore.lifecycle import Stage
from illcore.request import BorrowingRequest

from .client import LibrisClient
from .errors import LibrisError, LibrisUpdateRejected
from .mapping import SYSTEM, LibrisMapping, to_borrowing_request
from .model import MEDIA_COPY, LibrisRequest, Response, read_request

__all__ = ["STAGE_RESPONSES", "LibrisImporter"]

#: the Libris response a stage is written back as; (loan, copy) where the two differ
STAGE_RESPONSES: dict[Stage, tuple[Response, Response]] = {
    Stage.SUPPLIED: (Response.UTLANAD, Response.LEVERERAD),
    Stage.UNFILLED: (Response.FINNS_EJ, Response.FINNS_EJ),  # Libris shows it as "Negativt svar"
    Stage.LOST: (Response.FORKOMMEN, Response.FORKOMMEN),
}


def record_of(req: LibrisRequest) -> ExternalRecord:
    return ExternalRecord(SYSTEM, req.lf_number, req.last_modified, req.raw)


class LibrisImporter:
    """Borrowing requests of one Libris library (the client's sigil), mapped by `mapping`."""

    system = SYSTEM

    def __init__(self, client: LibrisClient, mapping: LibrisMapping) -> None:
        self.client = client
        self.mapping = mapping

    def harvest(self, start: _dt.date, end: _dt.date) -> Sequence[ExternalRecord]:
        return [record_of(r) for r in self.client.outgoing(start, end).requests]

    def fetch(self, external_id: str) -> ExternalRecord:
        return record_of(self.client.request(external_id))

    def to_request(self, record: ExternalRecord) -> BorrowingRequest:
        return to_borrowing_request(read_request(record.data, "ill_requests[0]"), self.mapping)

    def report(self, external_id: str, stage: Stage, version: str, *, note: str = "") -> ExternalRecord:
        """Write `stage` back as the matching `Response` (see STAGE_RESPONSES), with `version` as the
        ``timestamp``: if the request changed in Libris since, Libris refuses (`LibrisUpdateRejected`)."""
        if stage not in STAGE_RESPONSES:
            raise LibrisError(f"no Libris response stands for the stage {stage.value!r} "
                              f"(one of {', '.join(s.value for s in STAGE_RESPONSES)})")
        current = self.client.request(external_id)
        if current.last_modified != version:  # Libris checks the timestamp too; refuse before writing anything
            raise LibrisUpdateRejected(external_id, "response", f"the request changed in Libris since "
                                       f"(last_modified {current.last_modified!r}, ours {version!r})")
        loan, copy = STAGE_RESPONSES[stage]
        response = copy if current.media_type == MEDIA_COPY else loan
        result = self.client.respond(external_id, response, version, note=note)
        for req in result.requests:
            if req.lf_number == external_id:
                return record_of(req)
        return self.fetch(external_id)
