"""The gateway's requester side for imported requests (Libris first): a requester that is not a protocol partner but
a borrowing record an import job stored, picked up, routed down its rota, with each outcome written back.

`[[import]]` tables of the gateway's TOML file are read here too, and the imports run on their schedule inside the
node. The borrowing side's rules stay in `core`; this module only starts transactions and reports them.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import attrs

from illcore.errors import IsoIllError
from illcore.importer import Importer, SourceRefused
from illcore.lifecycle import Stage
from illcore.request import BorrowingRequest
from illcore.requestjson import request_from_dict
from illcore.store import JournalEntry
from illnode.gateway.core import Gateway, Link, Outcome
from illnode.gateway.rota import RotaCursor, RotaError, build_rota, choose_rule, with_requested
from illnode.gateway.state import Leg, Peer, Transaction
from illnode.imports import ImportJob, Schedule, ScheduleError, report_status
from illnode.imports.runner import PROTOCOL, STATE
from illnode.imports.store import ConflictError

__all__ = ["LOCAL", "ImportSource", "LocalRequests", "parse_imports", "start_imported"]

log = logging.getLogger("illnode.gateway.local")

#: The protocol of a requester leg that is an imported request: messages "to" it are not sent anywhere; the
#: outbox hands them to `LocalRequests.deliver`, which records the outcome and reports it to the source.
LOCAL = "local"
API_KEY_ENV = "ISOILL_LIBRIS_API_KEY"

#: Which stages are written back to the source, and the requester stages that mean each was reached (a loan
#: relayed and completed before the report went out was still supplied).
REPORTED: dict[Stage, frozenset[Stage]] = {
    Stage.SUPPLIED: frozenset({Stage.SUPPLIED, Stage.RECEIVED, Stage.RENEW_PENDING, Stage.OVERDUE, Stage.RECALLED,
                               Stage.RETURNED, Stage.COMPLETED}),
    Stage.UNFILLED: frozenset({Stage.UNFILLED}),
    Stage.LOST: frozenset({Stage.LOST}),
}


class ImportConfigError(IsoIllError):
    """An `[[import]]` table that cannot work (names the table and key)."""


@attrs.frozen(kw_only=True)
class ImportSource:
    """One `[[import]]` table: where requests come from, how sigils map, when to import, whether to report back."""

    system: str
    url: str
    library: str
    api_key: str
    since: _dt.date
    map: dict[str, str] = attrs.field(factory=dict)
    schedule: Schedule | None = None
    report: bool = False
    window_days: int = 7

    @property
    def name(self) -> str:
        """`libris:Abc`: the import job's cursor key, the requester leg's address."""
        return f"{self.system}:{self.library}"


_KEYS = {"system", "url", "library", "api_key", "since", "map", "schedule", "report", "window_days"}


def parse_imports(tables: list[dict[str, Any]]) -> tuple[ImportSource, ...]:
    """The `[[import]]` tables; ImportConfigError names what is wrong."""
    out = []
    for i, t in enumerate(tables):
        where = f"[[import]] {i + 1}"
        unknown = set(t) - _KEYS
        if unknown:
            raise ImportConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_KEYS))})")
        system = str(t.get("system", "libris"))
        if system != "libris":
            raise ImportConfigError(f"{where}: system {system!r} is not one the gateway imports from (libris)")
        for key in ("url", "library", "since"):
            if not t.get(key):
                raise ImportConfigError(f"{where}: `{key}` is required")
        api_key = str(t.get("api_key") or os.environ.get(API_KEY_ENV, ""))
        if not api_key:
            raise ImportConfigError(f"{where}: `api_key` is required (or set ${API_KEY_ENV})")
        since = t["since"]
        try:
            since = since if isinstance(since, _dt.date) else _dt.date.fromisoformat(str(since))
            schedule = Schedule.parse(t["schedule"]) if t.get("schedule") else None
        except (ValueError, ScheduleError) as err:
            raise ImportConfigError(f"{where}: {err}") from None
        mapping = t.get("map", {})
        if not isinstance(mapping, dict):
            raise ImportConfigError(f"{where}: `map` is a table of Libris sigil = local library")
        window = t.get("window_days", 7)
        if not isinstance(window, int) or window < 1:
            raise ImportConfigError(f"{where}: `window_days` must be a whole number of days, at least 1")
        out.append(ImportSource(system=system, url=str(t["url"]), library=str(t["library"]), api_key=api_key,
                                since=since, map={str(k): str(v) for k, v in mapping.items()}, schedule=schedule,
                                report=bool(t.get("report", False)), window_days=window))
    return tuple(out)


def start_imported(gateway: Gateway, request: BorrowingRequest, *, key: str, address: str, at: _dt.datetime,
                   members: dict[str, Any]) -> Outcome:
    """A new borrowing transaction for an imported request: the requester's leg is LOCAL (messages to it are
    recorded, not sent); the rota comes from the rules, with the request's own suppliers put in as the matching
    rule's `requested` says; then the first supplier is asked, as for a partner's request."""
    cfg = gateway.config
    requester = Leg(symbol=request.requester, protocol=LOCAL, address=address, key=f"{LOCAL}:{key}",
                    ids={"requesting": request.requester, "supplying": cfg.symbol, "request_id": key,
                         "supplier_request_id": key}, stage=Stage.REQUESTED)
    txn = Transaction(key=key, request=request, requester=requester)
    txn = txn.note(at, f"request {request.title or ''!r} imported from {address} for {request.requester}")
    actions: list[Any] = [Link(key=requester.key, transaction=key)]
    try:
        rule = choose_rule(cfg.rules, request)
        rota = cfg.rotas[rule.rota]
    except (RotaError, KeyError) as err:
        return gateway._finish(txn, at, actions, f"no rota: {err}")
    exclude = (request.requester, cfg.symbol)
    suppliers = with_requested(rule, rota, build_rota(rota, members, seed=key, exclude=exclude), request.suppliers,
                               members, exclude=exclude)
    txn = attrs.evolve(txn, rota=rota.name, cursor=RotaCursor(suppliers=suppliers))
    asked = f" (requested {rule.requested}: {', '.join(request.suppliers)})" if rule.requested != "ignore" else ""
    txn = txn.note(at, f"rota {rota.name}{asked}: {', '.join(suppliers) or '(nobody)'}")
    return gateway._next_supplier(txn, at, actions, members, why="")


def _libris_importer(source: ImportSource, peers: dict[str, Peer]) -> tuple[Importer, Any]:
    from libris import LibrisClient, LibrisImporter, LibrisMapping

    client = LibrisClient(source.library, source.api_key, base_url=source.url, timeout=30)
    mapping = LibrisMapping(library=source.library, libraries=source.map or {source.library: source.library},
                            partners=tuple(peers))
    return LibrisImporter(client, mapping), client


class LocalRequests:
    """Imported requests on the gateway: `pick_up` starts a transaction for every idle borrowing record, `deliver`
    takes the outbox items addressed to a LOCAL requester (records the outcome on the borrowing record and reports
    it to the source), `run_imports` runs the `[[import]]` jobs that are due. `service` is the GatewayService."""

    def __init__(self, service: Any, sources: tuple[ImportSource, ...], *, clock: Callable[[], _dt.datetime],
                 wake: Callable[[], None] = lambda: None) -> None:
        self.service = service
        self.sources = {s.name: s for s in sources}
        self.clock = clock
        self.wake = wake
        self._importers: dict[str, Importer] = {}
        self._clients: list[Any] = []
        now = clock()
        # no schedule: once when the node starts; else at each scheduled time (the machine's local wall clock)
        self.next_run: dict[str, _dt.datetime | None] = {
            s.name: now if s.schedule is None else s.schedule.next_run(now.astimezone()) for s in sources}
        self.reports: list[Any] = []
        self._lock = threading.RLock()

    @property
    def store(self) -> Any:
        return self.service.store

    def importer(self, name: str) -> Importer | None:
        if name not in self._importers and name in self.sources:
            importer, client = _libris_importer(self.sources[name], self.service.gateway.config.peers)
            self._importers[name] = importer
            self._clients.append(client)
        return self._importers.get(name)

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # --- imports --------------------------------------------------------------------------------------------
    def run_imports(self, now: _dt.datetime) -> int:
        """Run every import whose time has come; returns how many ran. A failed run is logged and resumed by the
        next one (the job keeps its cursor)."""
        ran = 0
        for name, source in self.sources.items():
            due = self.next_run[name]
            if due is None or now < due:
                continue
            self.next_run[name] = source.schedule.next_run(now.astimezone()) if source.schedule else None
            importer = self.importer(name)
            assert importer is not None
            job = ImportJob(importer, self.store, source=source.library, since=source.since,
                            window_days=source.window_days, clock=self.clock,
                            on_request=self._on_request)
            ran += 1
            try:
                report = job.run()
            except IsoIllError as err:
                log.warning("import %s: %s (the next run resumes it)", name, err)
                continue
            self.reports.append(report)
            log.info("import %s: %d imported, %d updated, %d unchanged, %d failed", name, report.imported,
                     report.updated, report.unchanged, len(report.failed))
        return ran

    # --- taking requests ------------------------------------------------------------------------------------
    def _on_request(self, record: Any, outcome: str) -> None:
        # the job's hook: a new request goes on its rota at once, not at the next pick-up scan (an updated one
        # that the gateway already routes is left alone by `take`)
        self.take(record, self.clock())

    def _source_of(self, record: Any) -> str:
        # the run id starts with the job's cursor key ("libris:Abc:<time>"): the source that imported it
        run_id = str(record.data.get("run_id", ""))
        for name in self.sources:
            if run_id.startswith(f"{name}:"):
                return name
        return str(record.data.get("source", PROTOCOL))

    def pick_up(self, now: _dt.datetime) -> int:
        """Start a gateway transaction for every idle borrowing record (imported by a job in this node or by
        `isoill import` beside it); returns how many started."""
        return sum(self.take(record, now) for record in self.store.find(protocol=PROTOCOL, state=STATE))

    def take(self, record: Any, at: _dt.datetime) -> bool:
        """Route one imported request (once: its gateway transaction has the same key)."""
        if record.protocol != PROTOCOL or record.state != STATE or "request" not in record.data:
            return False
        key = record.key
        started = False
        if self.service.transaction(key) is None:
            address = self._source_of(record)
            try:
                request = request_from_dict(record.data["request"])
            except IsoIllError as err:
                log.warning("imported request %s cannot be read: %s", key, err)
                return False
            entry = JournalEntry(protocol=LOCAL, direction="in", peer=address, transaction=key,
                                 message_type="imported request",
                                 data=json.dumps(record.data["request"], ensure_ascii=False).encode(),
                                 outcome="accepted", at=at)

            def start(txn: Transaction | None) -> Outcome:
                if txn is not None:  # another process (or the job's callback) was first
                    return Outcome(transaction=txn, problem="already routed")
                return start_imported(self.service.gateway, request, key=key, address=address, at=at,
                                      members=self.service.members())

            # the service's one write path: the transaction, its journal entry and the first request, atomically
            outcome = self.service._update(key, start, entry, at)
            started = outcome.problem is None
            self.wake()
        self.sync(key)
        return started

    # --- outcomes --------------------------------------------------------------------------------------------
    def deliver(self, item: Any) -> None:
        """An outbox item for a LOCAL requester: the gateway told the requester something. Record where the
        request is now, and report it to the source if configured. Raises (so the outbox retries) when the
        source cannot be reached."""
        self.sync(item.transaction)

    def sync(self, key: str) -> None:
        """Bring the borrowing record in line with its gateway transaction (state, current supplier, rota) and
        report a newly reached stage to the source. One at a time in this process: the pick-up and the outbox
        may sync one record at once, and a stage must be reported once."""
        with self._lock:
            txn = self.service.transaction(key)
            if txn is None:
                return

            def routed(record: Any) -> Any:
                routing = {**record.data.get("routing", {}), "transaction": key, "rota": txn.rota,
                           "suppliers": list(txn.cursor.suppliers),
                           "passed": [[s, why] for s, why in txn.cursor.passed],
                           "supplier": txn.supplier.symbol if txn.supplier else None}
                return attrs.evolve(record, state=txn.requester.stage.value,
                                    partner=txn.supplier.symbol if txn.supplier else record.partner,
                                    finished=txn.ended, data={**record.data, "routing": routing})

            self._change(key, routed)
            self._report(key, txn)

    def _change(self, key: str, fn: Callable[[Any], Any]) -> Any:
        """Write `fn(record)` over the borrowing record unless it is unchanged; an import run may write the same
        record meanwhile (a version conflict): re-read and apply again. Returns the record as stored."""
        for attempt in range(10):
            record = self.store.get(PROTOCOL, key)
            if record is None:
                return None
            new = fn(record)
            if (new.state, new.partner, new.finished, new.data) == \
                    (record.state, record.partner, record.finished, record.data):
                return record
            try:
                return self.store.put(attrs.evolve(new, updated=self.clock()), expected_version=record.version)
            except ConflictError:
                if attempt == 9:  # changed by others ten times in a row: give up (the outbox retries)
                    raise
        return None

    def _report(self, key: str, txn: Transaction) -> None:
        name = txn.requester.address
        source = self.sources.get(name)
        if source is None or not source.report:
            return
        for stage, reached in REPORTED.items():
            if txn.requester.stage not in reached or not self._claim(key, stage):
                continue
            importer = self.importer(name)
            assert importer is not None
            try:
                report_status(importer, self.store, key, stage,
                              note=f"via {txn.supplier.symbol}" if txn.supplier else "", clock=self.clock)
            except SourceRefused as err:  # the source said no (changed there since): kept for staff, not retried
                log.warning("report %s of %s to %s refused: %s", stage.value, key, name, err)
                self._routing(key, report_error=f"{stage.value}: {err}")
            except Exception:
                # not reached (network, store): unclaimed, and the outbox item that brought us here is retried
                record = self.store.get(PROTOCOL, key)
                done = record.data.get("routing", {}).get("reported", []) if record is not None else []
                self._routing(key, reported=[s for s in done if s != stage.value])
                raise

    def _claim(self, key: str, stage: Stage) -> bool:
        """Mark `stage` reported in the store before posting it, so that another process syncing the record
        does not post it too; False when it was already."""
        claimed = False

        def claim(record: Any) -> Any:
            nonlocal claimed
            routing = dict(record.data.get("routing", {}))
            claimed = stage.value not in routing.get("reported", [])
            if claimed:
                routing["reported"] = [*routing.get("reported", []), stage.value]
            return attrs.evolve(record, data={**record.data, "routing": routing})

        return self._change(key, claim) is not None and claimed

    def _routing(self, key: str, **values: Any) -> None:
        self._change(key, lambda r: attrs.evolve(r, data={**r.data, "routing": {**r.data.get("routing", {}),
                                                                                   **values}}))

    # --- the node's task ----------------------------------------------------------------------------------------
    async def run(self, stop: asyncio.Event, poll: float) -> None:
        """Pick up idle records and run due imports once per `poll` seconds until `stop`."""
        while not stop.is_set():
            try:
                now = self.clock()
                await asyncio.to_thread(self.run_imports, now)
                if await asyncio.to_thread(self.pick_up, now):
                    self.wake()
            except Exception:  # the loop must outlive a store hiccup or one bad record
                log.exception("imported requests")
            try:
                await asyncio.wait_for(stop.wait(), poll)
            except asyncio.TimeoutError:
                pass
