"""`isoill import libris`: import borrowing requests from Libris ILL into a store, once or on a schedule.

Prints the run report (or JSON with --json); a progress bar on stderr when it is a terminal.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import signal
import sys
import threading
from typing import Any, TextIO

from illcore.importer import SourceRefused, SourceUnavailable
from illnode.commands import (
    EXIT_CODES,
    EXIT_INVALID,
    EXIT_NETWORK,
    EXIT_OK,
    EXIT_PEER_ERROR,
    EXIT_USAGE,
    STORE_HELP,
    Failure,
)

__all__ = ["register"]
API_KEY_ENV = "ISOILL_LIBRIS_API_KEY"


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _mapping(text: str) -> tuple[str, str]:
    external, sep, local = text.partition("=")
    if not sep or not external or not local:
        raise argparse.ArgumentTypeError(f"expected EXTERNAL=LOCAL, got {text!r}")
    return external, local


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="import borrowing requests from an external ILL system (Libris)",
                       description="Import borrowing requests that patrons placed in an external ILL system into "
                                   "a store, as borrowing transactions waiting for the gateway.")
    systems = p.add_subparsers(dest="system", metavar="SYSTEM")
    systems.required = True
    s = systems.add_parser(
        "libris", help="import a library's outgoing requests from Libris ILL (fjärrlån)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Harvest LIBRARY's outgoing (borrowing) requests placed from --since to today, map each to a "
                    "borrowing request and store it; a request imported before is updated when its last_modified "
                    "changed, else counted unchanged. An interrupted run is resumed by the next one. With "
                    "--schedule, keep running and import at the scheduled times (stop with Ctrl-C or SIGTERM).",
        epilog=EXIT_CODES.replace("invalid input: the file cannot be decoded, encoded or validated",
                                  "some requests failed to import (the report says which and why)")
        + "\nThe run report, the cursor and the requests are kept in the store (see docs/importing.md).")
    s.add_argument("--url", required=True, help="the API base, e.g. https://iller.libris.kb.se/librisfjarrlan/api")
    s.add_argument("--library", required=True, metavar="CODE", help="the library's sigil in Libris "
                   "(case-sensitive)")
    s.add_argument("--api-key", metavar="KEY", help=f"the library's API key (default: ${API_KEY_ENV})")
    s.add_argument("--since", required=True, type=_date, metavar="YYYY-MM-DD",
                   help="harvest requests placed on or after this day")
    s.add_argument("--store", required=True, metavar="URL", help=STORE_HELP)
    s.add_argument("--map", action="append", type=_mapping, default=[], metavar="EXTERNAL=LOCAL",
                   help="a Libris sigil and the local library it stands for (repeat; without any, LIBRARY maps "
                        "to itself); a request naming an unmapped sigil fails")
    s.add_argument("--partner", action="append", default=[], metavar="SYMBOL",
                   help="a known partner symbol; recipients match it regardless of case (repeat). The partner "
                        "records in the store and in --directory are known too")
    s.add_argument("--directory", metavar="FILE", help="partner records in a TOML file ([[partner]] tables)")
    s.add_argument("--window-days", type=int, default=7, metavar="N", help="days per harvest call (7)")
    s.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="HTTP timeout (30)")
    s.add_argument("--schedule", metavar="WHEN", help='keep running: "daily HH:MM" or "weekly DAY HH:MM" '
                   "(local time)")
    s.add_argument("--json", action="store_true",
                   help="print the report as JSON: {imported, updated, unchanged, failed: [{external_id, "
                        "reason}], ...}")
    s.set_defaults(func=cmd_import_libris)


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


class ProgressBar:
    """Windows done out of all, and requests seen, redrawn on one terminal line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def __call__(self, report: Any) -> None:
        total = max(1, report.windows_total)
        filled = 30 * report.windows_done // total
        seen = report.imported + report.updated + report.unchanged + len(report.failed)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {report.windows_done}/{report.windows_total} "
                          f"windows, {seen} requests")
        self.stream.flush()
        self.drawn = True

    def done(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
        return
    print(f"{report.system} {report.source}: {report.since} to {report.until}"
          f"{' (resumed)' if report.resumed else ''}: {report.imported} imported, {report.updated} updated, "
          f"{report.unchanged} unchanged, {len(report.failed)} failed", flush=True)
    for f in report.failed:
        print(f"  failed {f.external_id}: {f.reason}", flush=True)


def _directory(store: Any, path: str | None) -> Any:
    """The partner directory: the records kept in the store, and those of a TOML file over them."""
    from illnode.directory import Directory, DirectoryError

    try:
        directory = Directory.from_store(store)
        if path:
            directory = Directory([*directory, *Directory.load(path)])
    except DirectoryError as exc:
        raise Failure(str(exc), EXIT_INVALID) from None
    return directory


def cmd_import_libris(args: argparse.Namespace) -> int:
    from illnode.commands.store import open_or_fail
    from illnode.imports import ImportJob, Schedule, ScheduleError, run_forever
    from illnode.imports.store import StoreError, StoreUnavailable
    from libris import LibrisClient, LibrisImporter, LibrisMapping

    api_key = args.api_key or os.environ.get(API_KEY_ENV)
    if not api_key:
        raise Failure(f"no API key: give --api-key or set {API_KEY_ENV}", EXIT_USAGE)
    if args.window_days < 1:
        raise Failure("--window-days must be at least 1", EXIT_USAGE)
    schedule = None
    if args.schedule:
        try:
            schedule = Schedule.parse(args.schedule)
        except ScheduleError as exc:
            raise Failure(str(exc), EXIT_USAGE) from None
    store = open_or_fail(args.store)
    try:
        partners = (*args.partner, *(p.symbol for p in _directory(store, args.directory)))
    except BaseException:
        store.close()
        raise
    mapping = LibrisMapping(library=args.library, libraries=dict(args.map) or {args.library: args.library},
                            partners=partners)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    client = LibrisClient(args.library, api_key, base_url=args.url, timeout=args.timeout)
    job = ImportJob(LibrisImporter(client, mapping), store, source=args.library, since=args.since,
                    window_days=args.window_days, clock=_now, progress=bar)

    def once() -> int:
        try:
            report = job.run()
        except SourceUnavailable as exc:
            raise Failure(f"{exc} (the next run resumes where this one stopped)", EXIT_NETWORK) from None
        except SourceRefused as exc:
            raise Failure(str(exc), EXIT_PEER_ERROR) from None
        except StoreUnavailable as exc:
            raise Failure(f"store unavailable: {exc} (the next run resumes where this one stopped)",
                          EXIT_NETWORK) from None
        except StoreError as exc:  # e.g. a ConflictError: another import of this library is running
            raise Failure(f"store: {exc}", EXIT_INVALID) from None
        finally:
            if bar:
                bar.done()
        _print_report(report, args.json)
        return EXIT_INVALID if report.failed else EXIT_OK

    try:
        if schedule is None:
            return once()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        print(f"isoill: importing {args.library} from Libris {schedule}; next run at "
              f"{schedule.next_run(_now()).isoformat(timespec='minutes')}", file=sys.stderr, flush=True)

        def on_error(exc: BaseException) -> None:
            print(f"isoill: {exc}", file=sys.stderr, flush=True)

        run_forever(once, schedule, clock=_now, stop=stop, on_error=on_error)
        return EXIT_OK
    finally:
        client.close()
        store.close()
