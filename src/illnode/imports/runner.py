"""The import job: harvest an external system window by window, upsert each request as a borrowing transaction,
remember how far it got (a cursor document) and keep a run report; a crashed run resumes where it stopped.

Idempotent by construction: a request's key is fixed by its external id, and its stored version says whether it
changed. Records stamped with the run's id let a resumed run count exactly what it did before the crash.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

import attrs

from illcore.importer import ExternalRecord, Importer, MappingFailure, windows
from illcore.lifecycle import Stage
from illcore.request import BorrowingRequest
from illcore.requestjson import request_to_dict

from .store import ImportStore, StoreError, TransactionRecord

__all__ = ["CURSOR_KIND", "PROTOCOL", "REPORT_KIND", "Failed", "ImportJob", "RunReport", "report_status"]

#: imported requests are borrowing transactions of this protocol kind, with us as requester, waiting (idle)
#: for the gateway to send them down their rota
PROTOCOL = "borrowing"
ROLE = "requester"
STATE = Stage.IDLE.value
CURSOR_KIND = "import-cursor"
REPORT_KIND = "import-run"


@attrs.frozen
class Failed:
    """A request that was not imported, and why."""

    external_id: str
    reason: str


@attrs.define
class RunReport:
    """What one run did. `finished` is None while it runs (or after it crashed); `error` says why it stopped."""

    run_id: str
    system: str
    source: str
    since: _dt.date
    until: _dt.date
    started: _dt.datetime
    finished: _dt.datetime | None = None
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[Failed] = attrs.Factory(list)
    windows_done: int = 0
    windows_total: int = 0
    resumed: bool = False
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "system": self.system, "source": self.source,
                "since": self.since.isoformat(), "until": self.until.isoformat(),
                "started": self.started.isoformat(),
                "finished": None if self.finished is None else self.finished.isoformat(),
                "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
                "failed": [{"external_id": f.external_id, "reason": f.reason} for f in self.failed],
                "windows_done": self.windows_done, "windows_total": self.windows_total, "resumed": self.resumed,
                "error": self.error}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RunReport:
        return cls(run_id=d["run_id"], system=d["system"], source=d["source"],
                   since=_dt.date.fromisoformat(d["since"]), until=_dt.date.fromisoformat(d["until"]),
                   started=_dt.datetime.fromisoformat(d["started"]),
                   finished=None if d["finished"] is None else _dt.datetime.fromisoformat(d["finished"]),
                   imported=d["imported"], updated=d["updated"], unchanged=d["unchanged"],
                   failed=[Failed(f["external_id"], f["reason"]) for f in d["failed"]],
                   windows_done=d["windows_done"], windows_total=d["windows_total"], resumed=d["resumed"],
                   error=d["error"])


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


class ImportJob:
    """Import what `importer` harvests for `source` (the library code there) from `since` to today into `store`.

    `clock` gives the time (injected in tests); `window_days` the harvest window; `progress(report)` is called
    after each request and window; `on_request(record, outcome)` after each import or update ("imported" /
    "updated"): the hook through which a gateway puts new requests on their rota.
    """

    def __init__(self, importer: Importer, store: ImportStore, *, source: str, since: _dt.date,
                 window_days: int = 7, clock: Callable[[], _dt.datetime] = _utcnow,
                 progress: Callable[[RunReport], None] | None = None,
                 on_request: Callable[[TransactionRecord, str], None] | None = None) -> None:
        self.importer = importer
        self.store = store
        self.source = source
        self.since = since
        self.window_days = window_days
        self.clock = clock
        self.progress = progress
        self.on_request = on_request
        self.cursor_key = f"{importer.system}:{source}"

    def run(self) -> RunReport:
        """One run, or the rest of a crashed one. A `SourceUnavailable` (or store failure) propagates after the
        report and cursor are saved with the error: the next run resumes from the first unfinished window."""
        report, position = self._start()
        spans = windows(report.since, report.until, self.window_days)
        report.windows_total = len(spans)
        seen: set[str] = set()
        try:
            for start, end in spans:
                if start < position:
                    continue
                saved = (report.imported, report.updated, report.unchanged, len(report.failed))
                try:
                    self._window(report, start, end, seen)
                except BaseException:
                    # the partial window is redone on resume; its records carry the run id (see _upsert)
                    report.imported, report.updated, report.unchanged, nfailed = saved
                    del report.failed[nfailed:]
                    raise
                report.windows_done += 1
                self._save(report, end + _dt.timedelta(days=1))
                if self.progress:
                    self.progress(report)
        except Exception as exc:
            report.error = f"{type(exc).__name__}: {exc}"
            self._save(report, None)
            raise
        report.finished = self.clock()
        report.error = None
        self._save(report, None, finished=True)
        return report

    # --- steps -----------------------------------------------------------------------------------------

    def _start(self) -> tuple[RunReport, _dt.date]:
        cursor = self.store.get_doc(CURSOR_KIND, self.cursor_key)
        if (cursor is not None and not cursor["finished"] and cursor["since"] == self.since.isoformat()
                and "report" in cursor):
            report = RunReport.from_dict(cursor["report"])
            report.resumed = True
            report.error = None
            return report, _dt.date.fromisoformat(cursor["position"])
        now = self.clock()
        run_id = f"{self.cursor_key}:{now.isoformat()}"
        n = 1
        while self.store.get_doc(REPORT_KIND, run_id) is not None or (
                cursor is not None and cursor["run_id"] == run_id):  # a clock that stands still (tests, VMs)
            n += 1
            run_id = f"{self.cursor_key}:{now.isoformat()}.{n}"
        report = RunReport(run_id=run_id, system=self.importer.system,
                           source=self.source, since=self.since, until=now.date(), started=now)
        self._save(report, self.since)
        return report, self.since

    def _save(self, report: RunReport, position: _dt.date | None, *, finished: bool = False) -> None:
        # The position and the counts that go with it are one document, written at once: a crash between two
        # writes must not leave counts that include a window the position says is still to do. The report
        # document is a copy for readers, written after.
        cursor = self.store.get_doc(CURSOR_KIND, self.cursor_key) or {}
        self.store.put_doc(CURSOR_KIND, self.cursor_key, {
            "run_id": report.run_id, "since": report.since.isoformat(), "until": report.until.isoformat(),
            "position": position.isoformat() if position else cursor.get("position", report.since.isoformat()),
            "finished": finished, "last_finished_run": report.run_id if finished else
            cursor.get("last_finished_run"), "report": report.to_dict()})
        self.store.put_doc(REPORT_KIND, report.run_id, report.to_dict())

    def _window(self, report: RunReport, start: _dt.date, end: _dt.date, seen: set[str]) -> None:
        for record in self.importer.harvest(start, end):
            if record.external_id in seen:  # listed again in a later window: counted once per run
                continue
            seen.add(record.external_id)
            try:
                request = self.importer.to_request(record)
            except MappingFailure as exc:
                report.failed.append(Failed(record.external_id, exc.reason))
            else:
                outcome = self._upsert(report.run_id, record, request)
                setattr(report, outcome, getattr(report, outcome) + 1)
            if self.progress:
                self.progress(report)

    def _upsert(self, run_id: str, record: ExternalRecord, request: BorrowingRequest) -> str:
        existing = self.store.get(PROTOCOL, request.request_id)
        now = self.clock()
        ours = {"source": record.system, "external_id": record.external_id, "external_version": record.version,
                "request": request_to_dict(request), "record": dict(record.data), "run_id": run_id}
        # unchanged: the same version there and the same mapping here (a new --map or partner list updates)
        if (existing is not None and existing.data.get("external_version") == record.version
                and existing.data.get("request") == ours["request"]):
            if existing.data.get("run_id") == run_id:  # written by this run before a crash
                return str(existing.data.get("run_outcome", "unchanged"))
            return "unchanged"
        if existing is None:
            outcome = "imported"
        elif existing.data.get("run_id") == run_id and existing.data.get("run_outcome") == "imported":
            outcome = "imported"
        else:
            outcome = "updated"
        ours["run_outcome"] = outcome
        if existing is None:
            new = TransactionRecord(protocol=PROTOCOL, role=ROLE, key=request.request_id, state=STATE,
                                    partner=request.suppliers[0] if request.suppliers else "", snapshot={},
                                    data=ours, created=now, updated=now)
            # expected_version 0: a record created meanwhile by another run is a conflict, not overwritten
            stored = self.store.put(new, expected_version=0)
        else:
            # the gateway's own entries in data (rota position, ...) and the state it reached stay
            new = attrs.evolve(existing, data={**existing.data, **ours}, updated=now)
            stored = self.store.put(new, expected_version=existing.version)
        if self.on_request:
            self.on_request(stored, outcome)
        return outcome


def report_status(importer: Importer, store: ImportStore, request_id: str, stage: Stage, *, note: str = "",
                  clock: Callable[[], _dt.datetime] = _utcnow) -> TransactionRecord:
    """Write `stage` of an imported request back to its system, with the version we imported as the optimistic
    lock, and keep the version the system answers with (so the next run does not see our own change as news)."""
    record = store.get(PROTOCOL, request_id)
    if record is None or record.data.get("source") != importer.system:
        raise StoreError(f"no request {request_id!r} imported from {importer.system}")
    after = importer.report(record.data["external_id"], stage, record.data["external_version"], note=note)
    data = {**record.data, "external_version": after.version, "record": dict(after.data)}
    try:  # the record as it is now (its status, say) mapped again, as a run would
        data["request"] = request_to_dict(importer.to_request(after))
    except MappingFailure:
        pass  # the mapping changed since the import: the next run reports it
    return store.put(attrs.evolve(record, data=data, updated=clock()), expected_version=record.version)
