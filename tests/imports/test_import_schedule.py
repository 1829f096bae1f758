"""Schedules: parsing, the next run computed from an injected time, and the loops that wait for it."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from illnode.imports import Schedule, ScheduleError, run_forever, run_forever_async
from illnode.imports.schedule import seconds_until

UTC = dt.timezone.utc


@pytest.mark.parametrize(("text", "at", "weekday"), [
    ("daily 02:00", dt.time(2, 0), None),
    ("  Daily 2:05 ", dt.time(2, 5), None),
    ("weekly mon 02:00", dt.time(2, 0), 0),
    ("weekly Sunday 23:59", dt.time(23, 59), 6),
    ("weekly thurs 00:00", dt.time(0, 0), 3),
])
def test_parse(text: str, at: dt.time, weekday: int | None) -> None:
    s = Schedule.parse(text)
    assert (s.at, s.weekday) == (at, weekday)
    assert Schedule.parse(str(s)) == s


@pytest.mark.parametrize(("text", "what"), [
    ("hourly", "daily HH:MM"), ("daily", "daily HH:MM"), ("weekly 02:00", "daily HH:MM"),
    ("weekly mo 02:00", "unknown weekday 'mo'"), ("weekly funday 02:00", "unknown weekday"),
    ("daily 24:00", "no such time"), ("daily 02:60", "no such time"), ("daily 02:00 extra", "daily HH:MM"),
])
def test_parse_errors_say_what_is_accepted(text: str, what: str) -> None:
    with pytest.raises(ScheduleError, match=what):
        Schedule.parse(text)


def test_daily_next_run() -> None:
    s = Schedule.parse("daily 02:00")
    assert s.next_run(dt.datetime(2026, 12, 2, 1, 59, tzinfo=UTC)) == dt.datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    # exactly at the time: the next one, not this one again
    assert s.next_run(dt.datetime(2026, 12, 2, 2, 0, tzinfo=UTC)) == dt.datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    assert s.next_run(dt.datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == dt.datetime(2027, 1, 1, 2, 0, tzinfo=UTC)


def test_weekly_next_run() -> None:
    s = Schedule.parse("weekly mon 02:00")
    wed = dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # a Wednesday
    assert wed.weekday() == 2
    assert s.next_run(wed) == dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    monday_early = dt.datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    assert s.next_run(monday_early) == dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert s.next_run(dt.datetime(2026, 12, 7, 2, 0, tzinfo=UTC)) == dt.datetime(2026, 12, 14, 2, 0, tzinfo=UTC)


def test_wall_clock_time_across_daylight_saving() -> None:
    sthlm = ZoneInfo("Europe/Stockholm")
    s = Schedule.parse("daily 02:00")
    before = dt.datetime(2026, 10, 24, 3, 0, tzinfo=sthlm)  # summer time ends on Sunday 25 October 2026
    after = s.next_run(before)
    assert after == dt.datetime(2026, 10, 25, 2, 0, tzinfo=sthlm) and after.utcoffset() == dt.timedelta(hours=2)
    later = s.next_run(after)
    assert later.utcoffset() == dt.timedelta(hours=1)  # still 02:00 on the clock, now winter time
    assert later.astimezone(UTC) - after.astimezone(UTC) == dt.timedelta(hours=25)
    assert seconds_until(later, after) == 25 * 3600


class FakeTime:
    """A clock that moves only when the loop waits."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start


def test_run_forever_runs_at_each_scheduled_time() -> None:
    t = FakeTime(dt.datetime(2026, 12, 2, 12, 0, tzinfo=UTC))
    s = Schedule.parse("daily 02:00")
    runs: list[dt.datetime] = []
    errors: list[BaseException] = []

    class Stop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            assert timeout is not None
            t.now += dt.timedelta(seconds=timeout)  # time passes exactly as long as asked
            return self.is_set()

    stop = Stop()

    def run() -> None:
        runs.append(t.now)
        if len(runs) == 2:
            raise RuntimeError("Libris down")
        if len(runs) == 3:
            stop.set()

    run_forever(run, s, clock=lambda: t.now, stop=stop, on_error=errors.append)
    assert runs == [dt.datetime(2026, 12, d, 2, 0, tzinfo=UTC) for d in (3, 4, 5)]
    assert [str(e) for e in errors] == ["Libris down"]  # a failed run does not end the schedule


def test_run_forever_async_stops_promptly() -> None:
    runs: list[int] = []

    async def main() -> None:
        stop = asyncio.Event()
        now = dt.datetime(2026, 12, 2, 1, 59, 59, 900000, tzinfo=UTC)
        clock = iter([now, now + dt.timedelta(hours=1)])
        task = asyncio.create_task(run_forever_async(lambda: runs.append(1), Schedule.parse("daily 02:00"),
                                                     clock=lambda: next(clock), stop=stop))
        await asyncio.sleep(0.5)  # the first run was due 0.1 s after start
        stop.set()
        await asyncio.wait_for(task, 2)

    asyncio.run(main())
    assert runs == [1]
