"""The import job against the FAKE Libris on loopback with an in-memory store: what is imported, updated,
unchanged and failed; resuming after an injected crash; the report and cursor in the store; status write-back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from import_helpers import FIRST_DAY, Clock

from illcore.importer import ExternalRecord, SourceUnavailable
from illcore.lifecycle import Stage
from illcore.requestjson import request_from_dict
from illnode.imports import CURSOR_KIND, PROTOCOL, REPORT_KIND, ImportJob, RunReport, report_status
from illnode.imports.store import TransactionRecord, open_store
from illnode.testing.fake_libris import FakeLibris
from libris import LibrisClient, LibrisImporter, LibrisMapping, LibrisUpdateRejected

SINCE = FIRST_DAY + dt.timedelta(days=2)  # days 2..5 of six: 20 of the 30 requests


def _importer(client: LibrisClient, **maps: str) -> LibrisImporter:
    return LibrisImporter(client, LibrisMapping(library="Abc", libraries=maps or {"Abc": "MAIN"},
                                                partners=("GBG", "U", "LI")))


def _job(client: LibrisClient, store: Any, clock: Clock, **kw: Any) -> ImportJob:
    return ImportJob(_importer(client), store, source="Abc", since=SINCE, window_days=2, clock=clock, **kw)


def _expected(fake: FakeLibris) -> set[str]:
    return {lf for lf, r in fake.requests.items() if r.created >= SINCE}


def _stored(store: Any) -> dict[str, TransactionRecord]:
    return {r.data["external_id"]: r for r in store.find(protocol=PROTOCOL)}


def test_first_run_imports_from_since_then_nothing_is_new(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    seen: list[tuple[str, str]] = []
    first = _job(client, store, clock, on_request=lambda rec, outcome: seen.append((rec.key, outcome))).run()
    assert (first.imported, first.updated, first.unchanged, first.failed) == (20, 0, 0, [])
    stored = _stored(store)
    assert set(stored) == _expected(fake) and len(stored) == 20
    assert sorted(seen) == sorted((f"libris:{lf}", "imported") for lf in stored)
    one = stored["700002"]
    assert (one.protocol, one.role, one.state, one.key, one.partner, one.version) == (
        "borrowing", "requester", "idle", "libris:700002", "LI", 1)
    assert one.data["external_version"] == fake.requests["700002"].json["last_modified"]
    assert one.data["record"] == fake.requests["700002"].json
    assert request_from_dict(one.data["request"]).title == "Tidskrift 2"
    # 2026-11-03..2026-11-08 in windows of two days
    assert (first.windows_total, first.windows_done, fake.calls["GET illrequests"]) == (3, 3, 3)

    second = _job(client, store, clock).run()
    assert (second.imported, second.updated, second.unchanged, second.failed) == (0, 0, 20, [])
    assert second.run_id != first.run_id
    assert {k: r.version for k, r in _stored(store).items()} == {k: 1 for k in stored}


def test_a_changed_last_modified_updates_one(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    _job(client, store, clock).run()
    stamp = fake.touch("700010", title="Ny titel")
    report = _job(client, store, clock).run()
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 19)
    rec = _stored(store)["700010"]
    assert rec.version == 2 and rec.data["external_version"] == stamp
    assert request_from_dict(rec.data["request"]).title == "Ny titel"
    assert len(store.find(protocol=PROTOCOL)) == 20


def test_the_gateways_state_and_data_survive_an_update(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    _job(client, store, clock).run()
    rec = _stored(store)["700010"]
    store.put(TransactionRecord(**{**_fields(rec), "state": "requested", "data": {**rec.data, "rota": 2}}))
    fake.touch("700010")
    _job(client, store, clock).run()
    after = _stored(store)["700010"]
    assert after.state == "requested" and after.data["rota"] == 2


def _fields(rec: TransactionRecord) -> dict[str, Any]:
    return {f: getattr(rec, f) for f in ("protocol", "role", "key", "state", "partner", "snapshot", "data",
                                         "created", "updated", "version")}


def test_an_unmapped_library_fails_alone_naming_the_code(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    fake.touch("700004", requesting_library="Xyz")
    report = _job(client, store, clock).run()
    assert (report.imported, report.updated, report.unchanged) == (19, 0, 0)
    assert [(f.external_id, "'Xyz'" in f.reason) for f in report.failed] == [("700004", True)]
    assert "700004" not in _stored(store)
    saved = store.get_doc(REPORT_KIND, report.run_id)
    assert saved == report.to_dict() and saved is not None
    assert saved["failed"][0]["external_id"] == "700004"


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs (not even the runner's error handling)."""


class CrashingStore:
    """A store whose `put` dies after `after` successful writes."""

    def __init__(self, inner: Any, after: int) -> None:
        self.inner = inner
        self.after = after

    def put(self, record: TransactionRecord, *, expected_version: int | None = None) -> TransactionRecord:
        if self.after == 0:
            raise Crash()
        self.after -= 1
        return self.inner.put(record, expected_version=expected_version)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize("after", [0, 1, 9, 10, 13, 19])
def test_resume_after_a_crash_no_duplicates_nothing_missing(client: LibrisClient, fake: FakeLibris,
                                                             after: int) -> None:
    store, clock = open_store("memory:"), Clock()
    with pytest.raises(Crash):
        _job(client, CrashingStore(store, after), clock).run()
    assert len(_stored(store)) == after
    cursor = store.get_doc(CURSOR_KIND, "libris:Abc")
    assert cursor is not None and not cursor["finished"]

    resumed = _job(client, store, clock).run()
    assert resumed.resumed and resumed.finished is not None
    # the resumed run counts what it imported before the crash too: exactly 20, once each
    assert (resumed.imported, resumed.updated, resumed.unchanged, resumed.failed) == (20, 0, 0, [])
    stored = _stored(store)
    assert set(stored) == _expected(fake)
    assert all(r.version == 1 for r in stored.values())
    assert store.get_doc(CURSOR_KIND, "libris:Abc")["finished"] is True  # type: ignore[index]
    again = _job(client, store, clock).run()
    assert not again.resumed and again.unchanged == 20


class DocCrashingStore(CrashingStore):
    """A store that dies at its `at`th document write (the cursor and the report are separate writes)."""

    def __init__(self, inner: Any, at: int) -> None:
        super().__init__(inner, 1 << 30)
        self.at = at

    def put_doc(self, kind: str, key: str, value: dict[str, Any]) -> None:
        self.at -= 1
        if self.at == 0:
            raise Crash()
        self.inner.put_doc(kind, key, value)


@pytest.mark.parametrize("at", range(1, 10))  # start: 2 writes, 2 per window of the 3, then the finish (9, 10)
def test_a_crash_between_any_two_document_writes_counts_each_request_once(client: LibrisClient, at: int) -> None:
    store, clock = open_store("memory:"), Clock()
    with pytest.raises(Crash):
        _job(client, DocCrashingStore(store, at), clock).run()
    report = _job(client, store, clock).run()
    assert (report.imported, report.updated, report.unchanged, report.failed) == (20, 0, 0, [])
    assert len(_stored(store)) == 20 and all(r.version == 1 for r in _stored(store).values())
    assert store.get_doc(REPORT_KIND, report.run_id) == report.to_dict()


def test_resume_skips_windows_already_done(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    with pytest.raises(Crash):
        _job(client, CrashingStore(store, 13), clock).run()  # windows hold 10, 10, 0 requests: dies in the second
    calls = fake.calls["GET illrequests"]
    _job(client, store, clock).run()
    assert fake.calls["GET illrequests"] - calls == 2  # the second window again, and the third


class FlakyImporter:
    """The Libris importer, with the network gone from the `fail_at`th harvest on."""

    def __init__(self, inner: LibrisImporter, fail_at: int) -> None:
        self.inner = inner
        self.system = inner.system
        self.fail_at = fail_at

    def harvest(self, start: dt.date, end: dt.date) -> list[ExternalRecord]:
        self.fail_at -= 1
        if self.fail_at <= 0:
            raise SourceUnavailable("network down (injected)")
        return list(self.inner.harvest(start, end))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_network_failure_saves_the_report_and_the_next_run_resumes(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    job = ImportJob(FlakyImporter(_importer(client), 2), store, source="Abc", since=SINCE, window_days=2,
                    clock=clock)
    with pytest.raises(SourceUnavailable):
        job.run()
    cursor = store.get_doc(CURSOR_KIND, "libris:Abc")
    assert cursor is not None
    saved = RunReport.from_dict(store.get_doc(REPORT_KIND, cursor["run_id"]) or {})
    assert saved.error is not None and "network down" in saved.error and saved.finished is None
    assert (saved.imported, saved.windows_done) == (10, 1)
    resumed = _job(client, store, clock).run()
    assert resumed.run_id == saved.run_id and resumed.imported == 20 and resumed.error is None


def test_a_new_since_starts_a_new_run(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    with pytest.raises(Crash):
        _job(client, CrashingStore(store, 3), clock).run()
    report = ImportJob(_importer(client), store, source="Abc", since=FIRST_DAY, clock=clock).run()
    assert not report.resumed
    assert (report.imported, report.unchanged) == (27, 3)


def test_a_changed_mapping_updates_what_it_changes(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    _job(client, store, clock).run()
    job = ImportJob(_importer(client, Abc="CENTRAL"), store, source="Abc", since=SINCE, clock=clock)
    report = job.run()
    assert report.updated == 20
    assert {request_from_dict(r.data["request"]).requester for r in _stored(store).values()} == {"CENTRAL"}


def test_status_write_back_with_the_optimistic_lock(client: LibrisClient, fake: FakeLibris) -> None:
    store, clock = open_store("memory:"), Clock()
    importer = _importer(client)
    _job(client, store, clock).run()
    rec = report_status(importer, store, "libris:700002", Stage.SUPPLIED, note="skickad", clock=clock)
    assert fake.posts[-1]["response_id"] == "9" and fake.posts[-1]["action"] == "response"  # a copy: Levererad
    assert rec.data["external_version"] == fake.requests["700002"].json["last_modified"]
    assert fake.requests["700002"].json["status"] == "Levererad"
    # our own change is not news to the next run
    assert _job(client, store, clock).run().unchanged == 20

    fake.touch("700003")  # changed in Libris after we imported it: the write-back is refused, nothing is posted
    posts = len(fake.posts)
    with pytest.raises(LibrisUpdateRejected, match="changed in Libris"):
        report_status(importer, store, "libris:700003", Stage.UNFILLED, clock=clock)
    assert len(fake.posts) == posts
    with pytest.raises(ValueError, match="no Libris response"):
        report_status(importer, store, "libris:700004", Stage.RECEIVED, clock=clock)


def test_a_clock_that_stands_still_still_gives_each_run_its_own_id(client: LibrisClient) -> None:
    store = open_store("memory:")
    fixed = dt.datetime(2026, 11, 8, 2, 0, tzinfo=dt.timezone.utc)
    first = ImportJob(_importer(client), store, source="Abc", since=SINCE, clock=lambda: fixed).run()
    second = ImportJob(_importer(client), store, source="Abc", since=SINCE, clock=lambda: fixed).run()
    assert first.run_id != second.run_id
    assert (second.imported, second.unchanged) == (0, 20)
    assert store.get_doc(REPORT_KIND, first.run_id)["imported"] == 20  # type: ignore[index]
