"""illnode.imports: borrowing requests imported from external ILL systems (Libris first) into the store.

`ImportJob` runs an `illcore.importer.Importer` idempotently with a resumable cursor and a run report;
`Schedule` says when it runs again; `report_status` writes a stage back to the system a request came from.
"""

from .runner import CURSOR_KIND, PROTOCOL, REPORT_KIND, Failed, ImportJob, RunReport, report_status
from .schedule import Schedule, ScheduleError, run_forever, run_forever_async

__all__ = [
    "CURSOR_KIND",
    "PROTOCOL",
    "REPORT_KIND",
    "Failed",
    "ImportJob",
    "RunReport",
    "Schedule",
    "ScheduleError",
    "report_status",
    "run_forever",
    "run_forever_async",
]
