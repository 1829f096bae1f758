"""A table-driven, sans-IO state-machine runner shared by the ISO 10161 and ISO 18626 transaction machines.

Transitions are data (rows of party, state, event -> state, h11 style); the engine looks them up and applies them.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import attrs

__all__ = [
    "MAX_LOG", "PREVIOUS", "Confidence", "Direction", "Engine", "Logged", "Record", "Row", "Step", "Table",
    "TableError", "log_record",
]


class Confidence(enum.Enum):
    """How sure a row is: stated by a cited source, or inferred from the semantics of the services."""

    DOCUMENTED = "documented"
    INFERRED = "inferred"


class _Previous(enum.Enum):
    PREVIOUS = "PREVIOUS"

    def __repr__(self) -> str:
        return "PREVIOUS"


#: A row target meaning "the state this party was in before it entered the current one" (a refused
#: cancel or an answered renew goes back to wherever the transaction was).
PREVIOUS = _Previous.PREVIOUS


class TableError(Exception):
    """A transition table is inconsistent (a programming error in the table, raised at import time)."""


@attrs.frozen
class Row:
    """One transition: in `source`, `event` moves `party` to `target`.

    `when` names a fact that must hold (a guard such as an announcement made earlier in the transaction);
    `ref` cites where the row comes from.
    """

    party: Hashable
    source: Hashable
    event: Hashable
    target: Hashable
    when: str | None = None
    confidence: Confidence = Confidence.INFERRED
    ref: str = ""


class Table:
    """An immutable set of rows indexed by (party, source, event), with each party's initial and final states."""

    def __init__(self, name: str, rows: Iterable[Row], *, initial: Mapping[Any, Any],
                 terminal: Mapping[Any, Collection[Any]] | None = None) -> None:
        self.name = name
        self.rows: tuple[Row, ...] = tuple(rows)
        self.initial: dict[Hashable, Hashable] = dict(initial)
        self.terminal: dict[Hashable, frozenset[Hashable]] = {
            p: frozenset(s) for p, s in (terminal or {}).items()}
        self._index: dict[tuple[Hashable, Hashable, Hashable], list[Row]] = {}
        for row in self.rows:
            if row.party not in self.initial:
                raise TableError(f"{name}: row for unknown party {row.party!r}")
            same = self._index.setdefault((row.party, row.source, row.event), [])
            if any(r.when == row.when for r in same):
                raise TableError(f"{name}: two rows for {row.party!r} {row.source!r} {row.event!r} "
                                 f"when {row.when!r}")
            # guarded rows are tried first: a fact that holds opens the more specific transition
            same.append(row)
            same.sort(key=lambda r: r.when is None)

    def lookup(self, party: Hashable, state: Hashable, event: Hashable,
               facts: Collection[str] = ()) -> Row | None:
        """The row that applies, or None when the event is prohibited in this state."""
        for row in self._index.get((party, state, event), ()):
            if row.when is None or row.when in facts:
                return row
        return None

    def events(self, party: Hashable, state: Hashable, facts: Collection[str] = ()) -> list[Hashable]:
        """Every event allowed for `party` in `state` given `facts`, in table order."""
        seen: list[Hashable] = []
        for row in self.rows:
            if row.party == party and row.source == state and (row.when is None or row.when in facts) \
                    and row.event not in seen:
                seen.append(row.event)
        return seen

    def states(self, party: Hashable) -> list[Hashable]:
        """Every state of `party` that a row mentions, initial first, in table order."""
        out: list[Hashable] = [self.initial[party]]
        for row in self.rows:
            if row.party != party:
                continue
            for s in (row.source, row.target):
                if s is not PREVIOUS and s not in out:
                    out.append(s)
        return out

    def parties(self) -> list[Hashable]:
        return list(self.initial)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Any:
        return iter(self.rows)


@attrs.frozen
class Step:
    """What an event does to one party: `row` is None when the table prohibits it."""

    party: Hashable
    event: Hashable
    before: Hashable
    after: Hashable
    row: Row | None

    @property
    def accepted(self) -> bool:
        return self.row is not None


class Direction(str, enum.Enum):
    """Which way a message goes, seen from this side: the one vocabulary of both protocols' records.

    ISO 10161 writes the same two as service primitives (`.req`: this side invokes the service, `.ind`: it is
    indicated to this side); `isoill.Event` prints them that way. A str, so `Direction.SEND == "send"`.
    """

    SEND = "send"
    RECEIVE = "receive"


@attrs.frozen
class Record:
    """One entry of a transaction's log: a message sent or received, and what it did.

    `at` is the time the message itself carries (no clock is read); `problem` says why a refused message was
    refused (its state was kept). `count` is how many identical copies arrived (a repeat is counted, not logged
    again: see `log_record`). In a record restored from a snapshot, `message` is a `Logged` naming the
    message's type (snapshots keep state; the messages themselves are in the store's journal).
    """

    direction: Direction
    message: Any
    before: Any
    after: Any
    accepted: bool
    at: Any = None
    problem: str | None = None
    repeats: int = 0  # further identical occurrences counted here instead of logged again (see `log_record`)


@attrs.frozen
class Logged:
    """Stands for the message of a log record restored from a snapshot: its type's name only (snapshots keep
    state; the messages themselves are in the store's journal)."""

    type_name: str


# A transaction's log keeps at most this many records: a peer repeating messages cannot grow a server's memory.
MAX_LOG = 256


def log_record(log: list[Record], record: Record, limit: int = MAX_LOG) -> Record:
    """Append `record` to a transaction's `log`, bounded; returns the record as logged.

    A record identical to the last one (same direction, message, states and outcome: a peer repeating itself)
    is counted in the last one's `repeats` instead of stored. Past `limit` records the oldest one after the
    first (the request that opened the transaction) is dropped.
    """
    if log:
        last = log[-1]
        if (last.direction == record.direction and last.accepted == record.accepted and last.before == record.before
                and last.after == record.after and last.problem == record.problem
                and (last.message is record.message or last.message == record.message)):
            counted = attrs.evolve(last, repeats=last.repeats + 1)
            log[-1] = counted
            return counted
    log.append(record)
    if len(log) > limit:
        del log[1]
    return record


class Engine:
    """Runs one Table: the current state of each party, and the state each was in before its current one."""

    def __init__(self, table: Table, states: Mapping[Hashable, Hashable] | None = None,
                 previous: Mapping[Hashable, Hashable] | None = None) -> None:
        self.table = table
        self._states: dict[Hashable, Hashable] = dict(table.initial)
        self._states.update(states or {})
        self._previous: dict[Hashable, Hashable] = dict(previous or {})

    def state(self, party: Hashable) -> Any:
        return self._states[party]

    def previous(self, party: Hashable) -> Any:
        return self._previous.get(party)

    def dump(self) -> tuple[dict[Hashable, Hashable], dict[Hashable, Hashable]]:
        """(states, previous states) of every party: with the table, all an Engine is (for snapshots). A party
        missing from the previous states has none (PREVIOUS cannot be taken)."""
        return dict(self._states), dict(self._previous)

    def check(self, party: Hashable, event: Hashable, facts: Collection[str] = ()) -> Step:
        """What `event` would do to `party` now; changes nothing."""
        before = self._states[party]
        row = self.table.lookup(party, before, event, facts)
        if row is None:
            return Step(party, event, before, before, None)
        after = row.target
        if after is PREVIOUS:
            if party not in self._previous:
                return Step(party, event, before, before, None)
            after = self._previous[party]
        return Step(party, event, before, after, row)

    def fire(self, moves: Iterable[tuple[Hashable, Hashable]], facts: Collection[str] = (),
             ) -> tuple[Step, ...]:
        """Apply several (party, event) moves as one: all are applied when all are accepted, else none."""
        steps = tuple(self.check(p, e, facts) for p, e in moves)
        if all(s.accepted for s in steps):
            for s in steps:
                if s.after != s.before:
                    self._previous[s.party] = s.before
                    self._states[s.party] = s.after
        return steps
