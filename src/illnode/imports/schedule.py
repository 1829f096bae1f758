"""When an import runs: ``daily HH:MM`` or ``weekly DAY HH:MM`` parsed, the next run computed from a given time
(sans-IO), and the loops that wait for it (a process of its own, or a task inside the gateway).
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import re
import threading
from collections.abc import Callable
from typing import Any

import attrs

from illcore.errors import IsoIllError

__all__ = ["WEEKDAYS", "Schedule", "ScheduleError", "run_forever", "run_forever_async", "seconds_until"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FORM = re.compile(r"^\s*(?:(daily)|weekly\s+([a-z]+))\s+(\d{1,2}):(\d{2})\s*$", re.I)


class ScheduleError(IsoIllError):
    """A schedule that is not ``daily HH:MM`` or ``weekly DAY HH:MM``; the message shows the accepted forms."""


@attrs.frozen
class Schedule:
    """Every day at `at`, or every `weekday` (0 = Monday) at `at`, on the wall clock of the times given."""

    at: _dt.time
    weekday: int | None = None

    @classmethod
    def parse(cls, text: str) -> Schedule:
        m = _FORM.match(text)
        if m is None:
            raise ScheduleError(f"cannot read the schedule {text!r}: write \"daily HH:MM\" or "
                                f"\"weekly DAY HH:MM\" with DAY one of {', '.join(WEEKDAYS)}")
        day = m.group(2)
        weekday = None
        if day is not None:
            # "mon", "Monday", "tues": three letters or more of the English name
            names = [n for n in _NAMES if len(day) >= 3 and n.startswith(day.lower())]
            if not names:
                raise ScheduleError(f"unknown weekday {day!r} in {text!r} (one of {', '.join(WEEKDAYS)})")
            weekday = _NAMES.index(names[0])
        hour, minute = int(m.group(3)), int(m.group(4))
        if hour > 23 or minute > 59:
            raise ScheduleError(f"no such time of day {hour:02d}:{minute:02d} in {text!r}")
        return cls(_dt.time(hour, minute), weekday)

    def __str__(self) -> str:
        when = "daily" if self.weekday is None else f"weekly {WEEKDAYS[self.weekday]}"
        return f"{when} {self.at.strftime('%H:%M')}"

    def next_run(self, after: _dt.datetime) -> _dt.datetime:
        """The first scheduled time strictly after `after`, in `after`'s time zone (or naive, if it is)."""
        day = after.date()
        for _ in range(8):
            candidate = _dt.datetime.combine(day, self.at, tzinfo=after.tzinfo)
            if candidate > after and (self.weekday is None or day.weekday() == self.weekday):
                return candidate
            day += _dt.timedelta(days=1)
        raise AssertionError("unreachable: a week always holds a scheduled day")


def seconds_until(when: _dt.datetime, now: _dt.datetime) -> float:
    """How long to wait from `now` until `when` (0 if past), in real seconds."""
    if when.tzinfo is not None:  # Python subtracts wall clocks within one zone: compare instants (DST)
        when, now = when.astimezone(_dt.timezone.utc), now.astimezone(_dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


def run_forever(run: Callable[[], Any], schedule: Schedule, *, clock: Callable[[], _dt.datetime],
                stop: threading.Event, on_error: Callable[[BaseException], None] | None = None) -> None:
    """Call `run()` at every scheduled time until `stop` is set (a long-running process). A run that raises is
    reported to `on_error` and the schedule goes on: the next run resumes what it left."""
    while not stop.is_set():
        now = clock()
        if stop.wait(seconds_until(schedule.next_run(now), now)):
            return
        try:
            run()
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)


async def run_forever_async(run: Callable[[], Any], schedule: Schedule, *, clock: Callable[[], _dt.datetime],
                            stop: asyncio.Event, on_error: Callable[[BaseException], None] | None = None) -> None:
    """The same inside an event loop (the gateway's hook): `run` is synchronous and runs in a worker thread."""
    while not stop.is_set():
        now = clock()
        try:
            await asyncio.wait_for(stop.wait(), seconds_until(schedule.next_run(now), now))
            return
        except asyncio.TimeoutError:
            pass
        try:
            await asyncio.to_thread(run)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
