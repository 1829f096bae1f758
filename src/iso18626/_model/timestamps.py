"""xs:dateTime reading and writing: exact lexical parsing, nanosecond precision, UTC `Z` output.

`lenient_datetime` also accepts what peers send (+hhmm, space separator, no seconds) and says what it repaired.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc

# xs:dateTime: [-]YYYY-MM-DDThh:mm:ss[.f+][Z|(+|-)hh:mm]. Negative and 5+ digit years cannot be held by
# Python's datetime and are rejected as values, not as syntax.
_XSD = re.compile(
    r"(-?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?"
)
_LENIENT = re.compile(
    r"\s*(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?(?:[.,](\d+))?\s*(Z|z|UTC|[+-]\d\d(?::?\d\d)?)?\s*"
)
_FAST = sys.version_info >= (3, 11)


class Timestamp(datetime):
    """A datetime that also keeps nanoseconds (xs:dateTime has arbitrary precision; peers send up to 9 digits).

    Only created when a value has 7 to 9 fractional digits; `nanosecond` is 0-999 beyond `microsecond`.
    """

    nanosecond: int

    def __new__(cls, *args: Any, nanosecond: int = 0, **kw: Any) -> Timestamp:
        self = super().__new__(cls, *args, **kw)
        self.nanosecond = nanosecond
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, datetime):
            return NotImplemented
        return datetime.__eq__(self, other) and self.nanosecond == getattr(other, "nanosecond", 0)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((datetime.__hash__(self), self.nanosecond))

    def __repr__(self) -> str:
        return f"{datetime.__repr__(self)[:-1]}, nanosecond={self.nanosecond})"

    def __reduce__(self) -> Any:
        return (_rebuild, (datetime(*self.timetuple()[:6], self.microsecond, self.tzinfo), self.nanosecond))


def _rebuild(dt: datetime, ns: int) -> Timestamp:
    return Timestamp(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, dt.tzinfo,
                     nanosecond=ns)


def _zone(z: str | None) -> timezone | None:
    if z is None:
        return None
    if z in ("Z", "z", "UTC"):
        return UTC
    sign = -1 if z[0] == "-" else 1
    digits = z[1:].replace(":", "")
    hh, mm = int(digits[:2]), int(digits[2:4] or 0)
    if hh > 14 or mm > 59:
        raise ValueError(f"time zone offset out of range: {z}")
    return timezone(sign * timedelta(hours=hh, minutes=mm)) if hh or mm else UTC


def _make(y: str, mo: str, d: str, h: str, mi: str, s: str | None, frac: str | None, z: str | None,
          keep_ns: bool) -> tuple[datetime, bool]:
    """Build the datetime; the flag says digits beyond nanoseconds were dropped."""
    micro = ns = 0
    lost = False
    if frac:
        digits = frac[:9].ljust(9, "0")
        micro, ns = int(digits[:6]), int(digits[6:])
        lost = bool(frac[9:].strip("0"))
    tz = _zone(z)
    hour, extra = int(h), timedelta()
    if hour == 24:  # xs:dateTime allows 24:00:00 for the end of a day
        if int(mi) or int(s or 0) or micro or ns:
            raise ValueError("24:00 must be 24:00:00")
        hour, extra = 0, timedelta(days=1)
    if ns and keep_ns:
        out: datetime = Timestamp(int(y), int(mo), int(d), hour, int(mi), int(s or 0), micro, tz, nanosecond=ns)
    else:
        out = datetime(int(y), int(mo), int(d), hour, int(mi), int(s or 0), micro, tz)
    if extra:
        out = out + extra
    return out, lost or bool(ns and not keep_ns)


def parse_datetime(text: str) -> datetime:
    """Parse text that is already a valid xs:dateTime (the schema checked it); ValueError when Python cannot
    hold the value (year 0 or above 9999, negative years, more than 9 fractional digits)."""
    if _FAST:
        n = len(text)
        if n <= 25 and text[19:20] != ".":
            frac_ok = True
        else:
            j = 20
            while j < n and text[j].isdigit():
                j += 1
            frac_ok = j - 20 <= 6
        if frac_ok:  # fromisoformat is exact for up to 6 digits; longer fractions it would truncate
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
    return strict_datetime(text)


def strict_datetime(text: str) -> datetime:
    """Parse any text as xs:dateTime, refusing everything the XSD lexical space does not contain."""
    m = _XSD.fullmatch(text)
    if m is None:
        raise ValueError(f"not an xs:dateTime: {text!r}")
    y = m.group(1)
    if y.startswith("-") or len(y) > 4 or y == "0000":
        raise ValueError(f"year out of range: {text!r}")
    g = m.groups()
    out, lost = _make(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], keep_ns=True)
    if lost:
        raise ValueError(f"precision beyond nanoseconds: {text!r}")
    return out


def lenient_datetime(text: str) -> tuple[datetime, str | None]:
    """Parse a timestamp as peers write it; returns the value and a note on what was repaired (None if nothing)."""
    try:
        return strict_datetime(text), None
    except ValueError:
        pass
    m = _LENIENT.fullmatch(text)
    if m is None:
        raise ValueError(f"not a timestamp: {text!r}")
    g = m.groups()
    out, lost = _make(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], keep_ns=True)
    note = "read non-standard timestamp " + repr(text)
    if lost:
        note += " (digits beyond nanoseconds dropped)"
    return out, note


def format_datetime(dt: datetime) -> str:
    """xs:dateTime text: aware values in UTC with Z, naive values as they are (no zone), minimal fraction."""
    tz = dt.tzinfo
    if tz is UTC and type(dt) is datetime:  # the common case, on C-level isoformat
        text = dt.replace(tzinfo=None).isoformat()
        return (text.rstrip("0") if dt.microsecond else text) + "Z"
    if tz is not None:
        off = dt.utcoffset()
        if off:
            try:
                dt = (dt - off).replace(tzinfo=UTC) if not isinstance(dt, Timestamp) else _shift(dt, off)
            except OverflowError:  # year 1 or 9999 at the edge: keep the offset rather than fail
                return _fmt(dt, _offset_text(off))
        zone = "Z"
    else:
        zone = ""
    return _fmt(dt, zone)


def _shift(dt: Timestamp, off: timedelta) -> Timestamp:
    plain = datetime.__sub__(dt, off)
    assert isinstance(plain, datetime)
    return _rebuild(plain.replace(tzinfo=UTC), dt.nanosecond)


def _offset_text(off: timedelta) -> str:
    mins = int(off.total_seconds()) // 60
    sign = "-" if mins < 0 else "+"
    mins = abs(mins)
    return f"{sign}{mins // 60:02d}:{mins % 60:02d}"


def _fmt(dt: datetime, zone: str) -> str:
    base = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    ns = getattr(dt, "nanosecond", 0)
    if ns:
        base += "." + f"{dt.microsecond:06d}{ns:03d}".rstrip("0")
    elif dt.microsecond:
        base += "." + f"{dt.microsecond:06d}".rstrip("0")
    return base + zone
