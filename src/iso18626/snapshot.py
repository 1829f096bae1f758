"""Snapshots of `iso18626.Transaction`: the machine's state as JSON-ready data, versioned, so a transaction can be
stored (see `illcore.store`) and restored by a later release. `Transaction.snapshot()` / `.restore()` call here.

Format version 1 (a dict; every version stays readable: `_RESTORE` maps each to its reader):
  format "iso18626.Transaction", version 1, role "requesting"|"supplying", strict,
  status (Status token or None), progress (Progress token), previous: {party: [state token or None]} for the
  parties that have a previous state, sam_seen, request_id, service_type (token or None),
  retry_of: the snapshot of the transaction this one retries (itself without a retry_of) or None,
  log: one entry per record: direction, type (message class), before/after [status, progress], accepted,
  at (ISO 8601), problem, count (Record.repeats + 1). Messages are not kept (the store's journal has every one, verbatim).
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Any

from illcore.engine import Direction, Engine, Logged, Record
from iso18626._machine import TABLE, Party, Progress, Role, Transaction
from iso18626._model.codes import ServiceType, Status
from iso18626.errors import ISO18626Error

__all__ = ["FORMAT", "VERSION", "SnapshotError", "restore", "snapshot"]

FORMAT = "iso18626.Transaction"
VERSION = 1


class SnapshotError(ISO18626Error):
    """A snapshot this release cannot restore: another format, a newer version, or a damaged field."""


def _token(state: Any) -> str | None:
    return state.value if state is not None else None


def _pair(states: Any) -> list[str | None] | None:
    if not isinstance(states, tuple):
        return None
    return [_token(states[0]), _token(states[1])]


def _type_name(message: object) -> str:
    return message.type_name if isinstance(message, Logged) else type(message).__name__


def snapshot(t: Transaction, *, nested: bool = False) -> dict[str, Any]:
    _, previous = t._engine.dump()
    log = [{"direction": r.direction.value, "type": _type_name(r.message),
            "before": _pair(r.before), "after": _pair(r.after), "accepted": r.accepted,
            "at": r.at.isoformat() if isinstance(r.at, datetime) else None, "problem": r.problem,
            "count": r.repeats + 1} for r in t._log]
    return {
        "format": FORMAT, "version": VERSION, "role": t.role.value, "strict": t.strict,
        "status": _token(t.status), "progress": t.progress.value,
        "previous": {p.value: [_token(s)] for p, s in previous.items() if isinstance(p, Party)},
        "sam_seen": t._sam_seen, "request_id": t.request_id, "service_type": _token(t.service_type),
        # a retry needs only the previous transaction's own state, not its history of retries
        "retry_of": snapshot(t.previous, nested=True) if t.previous is not None and not nested else None,
        "log": log,
    }


def restore(data: dict[str, Any]) -> Transaction:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise SnapshotError(f"not an {FORMAT} snapshot (format {found!r})")
    version = data.get("version")
    reader = _RESTORE.get(version)  # type: ignore[arg-type]
    if reader is None:
        raise SnapshotError(f"{FORMAT} snapshot version {version!r}: this release reads versions "
                            f"{', '.join(map(str, sorted(_RESTORE)))} (a newer one wrote it?)")
    try:
        return reader(data)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{FORMAT} snapshot version {version}: damaged ({type(exc).__name__}: {exc})") from None


def _state(party: Party, token: str | None) -> Status | Progress | None:
    if token is None:
        return None
    return Status(token) if party is Party.SUPPLIER else Progress(token)


def _states(pair: list[str | None] | None) -> tuple[Status | None, Progress] | None:
    if pair is None:
        return None
    return (Status(pair[0]) if pair[0] is not None else None, Progress(pair[1]))


def _restore_v1(data: dict[str, Any]) -> Transaction:
    retry_of = data["retry_of"]
    t = Transaction(Role(data["role"]), strict=bool(data["strict"]),
                    previous=_restore_v1(retry_of) if retry_of is not None else None)
    states: dict[Hashable, Hashable] = {Party.SUPPLIER: _state(Party.SUPPLIER, data["status"]),
              Party.REQUESTER: _state(Party.REQUESTER, data["progress"])}
    previous: dict[Hashable, Hashable] = {Party(p): _state(Party(p), v[0]) for p, v in data["previous"].items()}
    t._engine = Engine(TABLE, states=states, previous=previous)
    t._sam_seen = bool(data["sam_seen"])
    t.request_id = data["request_id"]
    t.service_type = ServiceType(data["service_type"]) if data["service_type"] is not None else None
    t._log = [Record(Direction(r["direction"]), Logged(r["type"]), _states(r["before"]), _states(r["after"]), bool(r["accepted"]),
                     datetime.fromisoformat(r["at"]) if r["at"] else None, r["problem"], int(r["count"]) - 1)
              for r in data["log"]]
    return t


_RESTORE = {1: _restore_v1}
