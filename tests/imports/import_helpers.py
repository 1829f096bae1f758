"""Constants and helpers shared by the import tests (a module with a unique name, importable from the tests)."""

from __future__ import annotations

import datetime as dt

KEY = "s3cret"
FIRST_DAY = dt.date(2026, 11, 1)


class Clock:
    """An injected clock: each reading is one second after the last (so every run has its own id)."""

    def __init__(self, start: dt.datetime = dt.datetime(2026, 11, 8, 2, 0, tzinfo=dt.timezone.utc)) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now
