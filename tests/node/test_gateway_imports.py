"""Imported requests through the gateway, end to end on loopback: a FAKE Libris with a few requests, a gateway whose
`[[import]]` runs on its schedule (virtual clock), and an ISO 18626 lender written here from the protocol library
that loans. Every message the lender receives passes the official XSD (when /work/shared is there); the borrowing
records move on in the store, `isoill transactions --json` shows them, and the loans are reported to Libris."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from lxml import etree

import iso18626
from illcore.request import BorrowingRequest
from illnode import cli
from illnode.gateway.local import ImportConfigError, parse_imports
from illnode.gateway.node import ConfigError, Node, parse_config
from illnode.gateway.rota import Member, Rota, RotaError, RotaRule, with_requested
from illnode.imports import ImportJob
from illnode.imports.store import open_store
from illnode.testing.fake_libris import FakeLibris, FakeLibrisServer, sample_requests
from iso18626 import http
from libris import LibrisClient, LibrisImporter, LibrisMapping

WAIT = 10.0
KEY = "s3cret"


class Clock:
    """A virtual clock the test moves (the node reads it for timers and schedules)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


class Lender:
    """An ISO 18626 supplier that lends: answers every request at once with a RequestResponse, Loaned with a due
    date (CopyCompleted for a copy). Checks each body it receives against the official XSD, if given."""

    def __init__(self, xsd: Any) -> None:
        self.xsd = xsd
        self.gateway_url = ""
        self.requests: list[iso18626.Request] = []
        self.problems: list[str] = []
        self.tasks: list[asyncio.Task[Any]] = []
        inner = http.ISO18626App(self._handle)

        async def app(scope: Any, receive: Any, send: Any) -> None:
            async def check() -> Any:
                event = await receive()
                if self.xsd is not None and event.get("type") == "http.request" and event.get("body"):
                    if not self.xsd.validate(etree.fromstring(event["body"])):
                        self.problems.append(f"XSD: {self.xsd.error_log}")
                return event
            await inner(scope, check, send)

        self.app = app

    async def _handle(self, message: Any) -> http.HandlerResult:
        if isinstance(message, iso18626.Request):
            self.requests.append(message)
            self.tasks.append(asyncio.create_task(self._lend(message)))
        return None

    async def _lend(self, request: iso18626.Request) -> None:
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        copy = request.service_info is not None and request.service_info.service_type is iso18626.ServiceType.COPY
        msg = iso18626.SupplyingAgencyMessage(
            header=attrs.evolve(request.header, timestamp=now,
                                supplying_agency_request_id=f"RS-{len(self.requests)}"),
            message_info=iso18626.MessageInfo(reason_for_message=iso18626.ReasonForMessage.REQUEST_RESPONSE),
            status_info=iso18626.StatusInfo(
                status=iso18626.Status.COPY_COMPLETED if copy else iso18626.Status.LOANED, last_change=now,
                due_date=None if copy else now + dt.timedelta(days=28)),
            delivery_info=iso18626.DeliveryInfo(date_sent=now))
        await http.post_message(self.gateway_url, msg, timeout=WAIT)


def _config(store: str, libris_url: str, lender_port: int, **imports: Any) -> Any:
    return parse_config({
        "node": {"symbol": "GW", "store": store, "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0", "api_key": "k"},
        "partner": [{"symbol": "RESHARE1", "protocol": "iso18626",
                     "address": f"http://127.0.0.1:{lender_port}/iso18626"}],
        "rota": [{"name": "pod", "members": ["RESHARE1"]}],
        "rule": [{"rota": "pod", "requested": "first"}],
        "import": [{"system": "libris", "url": libris_url, "library": "Abc", "api_key": KEY,
                    "since": dt.date(2026, 11, 1), "map": {"Abc": "MAIN"}, **imports}],
    })


async def _until(check: Any, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + WAIT
    while not check():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _flow(tmp_path: Path, xsd: Any, fake: FakeLibris) -> None:
    lender = Lender(xsd)
    stop = asyncio.Event()
    ports: dict[str, int] = {}
    started = asyncio.Event()

    def ready(port: int) -> None:
        ports["lender"] = port
        started.set()

    lender_task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=lender.app, ready=ready,
                                                 shutdown=stop))
    await asyncio.wait_for(started.wait(), WAIT)
    url = f"sqlite:///{tmp_path}/gw.db"
    # the machine's local wall clock, as schedules are read: 01:59, a minute before the import is due
    clock = Clock(dt.datetime(2026, 11, 5, 1, 59).astimezone())
    with FakeLibrisServer(fake) as libris:
        node = Node(_config(url, libris.url, ports["lender"], schedule="daily 02:00", report=True), clock=clock,
                    poll=0.05)
        await node.start()
        lender.gateway_url = f"http://127.0.0.1:{node.ports['iso18626']}/iso18626"
        try:
            await asyncio.sleep(0.3)
            assert not fake.calls and node.store.find(protocol="borrowing") == []  # not due yet
            clock.now += dt.timedelta(minutes=2)
            await _until(lambda: len(node.store.find(protocol="borrowing")) == 3, "the import")
            # the loans are out; the copy is complete once sent (a copy is not returned)
            await _until(lambda: sorted(r.state for r in node.store.find(protocol="borrowing")) ==
                         ["completed", "supplied", "supplied"], "every request supplied")
            await _until(lambda: len(fake.posts) == 3, "three reports to Libris")
            assert lender.problems == []
            assert sorted(r.bibliographic_info.title or "" for r in lender.requests) == \
                ["Bok nummer 0", "Bok nummer 1", "Tidskrift 2"]
            assert {r.header.requesting_agency_id.agency_id_value for r in lender.requests} == {"GW"}
            assert sorted((p["lf_number"], p["action"], p["response_id"]) for p in fake.posts) == \
                [("700000", "response", "1"), ("700001", "response", "1"), ("700002", "response", "9")]
            assert fake.requests["700002"].json["status"] == "Levererad"
            for record in node.store.find(protocol="borrowing"):
                assert record.partner == "RESHARE1"
                routing = record.data["routing"]
                assert routing["supplier"] == "RESHARE1" and routing["reported"] == ["supplied"]
                # the first supplier is the requested one (Libris recipient "reshare1", matched case-insensitively)
                assert routing["suppliers"] == ["RESHARE1"]
                txn = node.service.transaction(record.key)
                assert txn is not None and txn.requester.protocol == "local"
                kinds = [e.message_type for e in node.store.journal(record.key)]
                assert kinds[0] == "imported request" and "Request" in kinds
            # the staff API lists them like any other transaction, the imported request first in the journal
            async with httpx.AsyncClient() as api:
                listed = (await api.get(f"http://127.0.0.1:{node.ports['api']}/transactions",
                                        headers={"X-API-Key": "k"})).json()
            assert sorted((t["key"], t["requester"], t["supplier"], t["stage"]) for t in listed) == [
                ("libris:700000", "MAIN", "RESHARE1", "supplied"), ("libris:700001", "MAIN", "RESHARE1", "supplied"),
                ("libris:700002", "MAIN", "RESHARE1", "completed")]
            # a later tick does not import again before the next scheduled time
            calls = dict(fake.calls)
            clock.now += dt.timedelta(hours=1)
            await asyncio.sleep(0.3)
            assert fake.calls.get("GET illrequests") == calls.get("GET illrequests")
        finally:
            await node.close()
            stop.set()
            await asyncio.gather(lender_task, *lender.tasks, return_exceptions=True)


def test_imported_requests_are_routed_end_to_end(tmp_path: Path, shared_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    base = shared_dir / "reference" / "iso18626"
    xsd = etree.XMLSchema(etree.parse(str(base / "ISO-18626-v1_2.xsd"))) if base.is_dir() else None
    fake = FakeLibris({"Abc": KEY}, sample_requests(3, sigil="Abc", first_day=dt.date(2026, 11, 1), days=3,
                                                    lenders=("Gbg", "reshare1")))
    for stored in fake.requests.values():  # Gbg is no partner of the gateway: skipped, reshare1 asked
        stored.json["recipients"] = sorted(stored.json["recipients"], key=lambda r: r["library_code"])
    asyncio.run(_flow(tmp_path, xsd, fake))
    capsys.readouterr()
    assert cli.main(["transactions", "--store", f"sqlite:///{tmp_path}/gw.db", "--json"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["protocol"] == "borrowing"]
    assert sorted((r["data"]["external_id"], r["state"], r["partner"]) for r in rows) == \
        [("700000", "supplied", "RESHARE1"), ("700001", "supplied", "RESHARE1"), ("700002", "completed", "RESHARE1")]


async def _pick_up(tmp_path: Path, fake: FakeLibris) -> None:
    """Requests imported by `isoill import` (a job of its own) into the gateway's store: picked up, and a request
    no supplier can take ends unfilled, reported to Libris as such unless Libris changed it since."""
    url = f"sqlite:///{tmp_path}/gw.db"
    with FakeLibrisServer(fake) as libris:
        store = open_store(url)
        with LibrisClient("Abc", KEY, base_url=libris.url) as client:
            job = ImportJob(LibrisImporter(client, LibrisMapping(library="Abc", libraries={"Abc": "MAIN"})), store,
                            source="Abc", since=dt.date(2026, 11, 1),
                            clock=lambda: dt.datetime(2026, 11, 5, 2, 0, tzinfo=dt.timezone.utc))
            assert job.run().imported == 2
        store.close()
        fake.touch("700001", message="ändrad i Libris")  # changed there since: its report must be refused
        # RESHARE1 is closed: the rota is empty, so each request ends unfilled at once
        config = _config(url, libris.url, 9, report=True, since="2026-12-01")
        config = attrs.evolve(config, gateway=attrs.evolve(config.gateway, peers={
            s: attrs.evolve(p, active=False) for s, p in config.gateway.peers.items()}))
        node = Node(config, clock=lambda: dt.datetime(2026, 11, 6, tzinfo=dt.timezone.utc), poll=0.05)
        await node.start()
        try:
            await _until(lambda: [r.state for r in node.store.find(protocol="borrowing")] == ["unfilled"] * 2,
                         "both requests unfilled")
            # "reported" is marked before posting: wait for what comes after (the post; the refusal noted)
            await _until(lambda: len(fake.posts) == 1 and "report_error" in node.store.get(
                "borrowing", "libris:700001").data["routing"], "the reports")
            # Finns ej (a negative answer) for the first; nothing posted over the second's newer version
            assert [(p["lf_number"], p["response_id"]) for p in fake.posts] == [("700000", "4")]
            routing = node.store.get("borrowing", "libris:700001").data["routing"]
            assert "changed in Libris since" in routing["report_error"] and routing["reported"] == ["unfilled"]
            assert all(r.finished for r in node.store.find(protocol="borrowing"))
            assert all(t.ended for t in node.service.transactions())
            assert node.local.pick_up(node.clock()) == 0  # nothing idle is left: nothing starts twice
        finally:
            await node.close()


def test_idle_records_from_a_separate_import_are_picked_up(tmp_path: Path) -> None:
    fake = FakeLibris({"Abc": KEY}, sample_requests(2, sigil="Abc", first_day=dt.date(2026, 11, 1), days=2))
    asyncio.run(_pick_up(tmp_path, fake))


def test_requested_suppliers_first_only_or_ignored() -> None:
    members = {s: Member(symbol=s, active=s != "OFF") for s in ("A", "B", "C", "OFF", "LAST")}
    rota = Rota(name="r", members=("A", "B", "C"), last_resort="LAST")
    built = ("A", "B", "C", "LAST")
    asked = ("c", "C", "OFF", "UNKNOWN", "B")  # already case-matched by the import; unknown and inactive skipped
    assert with_requested(RotaRule(rota="r"), rota, built, asked, members) == built
    assert with_requested(RotaRule(rota="r", requested="first"), rota, built, asked, members) == \
        ("C", "B", "A", "LAST")
    assert with_requested(RotaRule(rota="r", requested="only"), rota, built, asked, members) == ("C", "B", "LAST")
    assert with_requested(RotaRule(rota="r", requested="first"), rota, built, ("UNKNOWN",), members) == built
    assert with_requested(RotaRule(rota="r", requested="only"), rota, built, ("C",), members, exclude=("C",)) == \
        built
    with pytest.raises(RotaError, match="requested = 'sometimes'"):
        RotaRule(rota="r", requested="sometimes")
    assert BorrowingRequest(request_id="x", requester="MAIN", suppliers=("C",)).suppliers == ("C",)


@pytest.mark.parametrize(("table", "message"), [
    ({"url": "http://x", "library": "Abc", "api_key": "k"}, "`since` is required"),
    ({"url": "http://x", "library": "Abc", "api_key": "k", "since": "2026-11-01", "schedule": "hourly"},
     "cannot read the schedule"),
    ({"url": "http://x", "library": "Abc", "api_key": "k", "since": "2026-11-01", "sigil": "x"},
     "unknown key 'sigil'"),
    ({"system": "netpunkt", "url": "http://x", "library": "Abc", "api_key": "k", "since": "2026-11-01"},
     "system 'netpunkt'"),
    ({"url": "http://x", "library": "Abc", "api_key": "k", "since": "2026-11-01", "window_days": 0},
     "window_days"),
])
def test_import_tables_are_checked(table: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImportConfigError, match=message):
        parse_imports([table])
    with pytest.raises(ConfigError, match=r"\[\[import\]\] 1"):
        parse_config({"node": {"symbol": "GW"}, "rota": [{"name": "r", "members": []}], "import": [table]})


def test_import_table_reads_its_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISOILL_LIBRIS_API_KEY", "from-env")
    (src,) = parse_imports([{"url": "http://x/api", "library": "Abc", "since": dt.date(2026, 11, 1),
                             "map": {"Abc": "MAIN"}, "schedule": "weekly mon 02:00", "report": True}])
    assert (src.api_key, src.since, src.map, str(src.schedule), src.report, src.name) == \
        ("from-env", dt.date(2026, 11, 1), {"Abc": "MAIN"}, "weekly mon 02:00", True, "libris:Abc")
    monkeypatch.delenv("ISOILL_LIBRIS_API_KEY")
    with pytest.raises(ImportConfigError, match="api_key"):
        parse_imports([{"url": "http://x/api", "library": "Abc", "since": "2026-11-01"}])


def test_the_documented_import_table_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from illnode.gateway.node import tomllib

    text = (Path(__file__).resolve().parents[2] / "docs" / "gateway.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```toml\n(.*?)```", text, re.S)
    config = parse_config(tomllib.loads(block))
    (src,) = config.imports
    assert (src.library, src.map, str(src.schedule), src.report) == \
        ("Abc", {"Abc": "MAIN", "Abcd": "BRANCH"}, "daily 02:00", True)
    assert [r.requested for r in config.gateway.rules] == ["ignore", "first"]
