"""Snapshots of `isoill.Transaction`: the machine's state as JSON-ready data, versioned, so a transaction can be
stored (see `illcore.store`) and restored by a later isoill. `Transaction.snapshot()` / `.restore()` call here.

Format version 1 (a dict; every snapshot version stays readable: `_RESTORE` maps each to its reader):
  format "isoill.Transaction", version 1, role "requester"|"responder", strict,
  state / previous: Current-State names (None for IDLE; previous [] when there is none, else [name-or-None]),
  facts (announcements), copy (copy-non-returnable delivered), transaction_id (JSON of isoill.convert),
  request / last_received / service APDUs as base64 BER (service with the role that sent it; "request" for
  last_received or service when it is the request itself),
  shipped_service_type / results: enum names, last_transition: date,
  log: one entry per record: direction, type (APDU class), before, after, accepted, at [date, time], problem,
  count. The APDUs of the log are not kept (the store's journal has every one, verbatim).
"""

from __future__ import annotations

import base64
from collections.abc import Hashable
from typing import Any

from illcore.engine import Direction, Engine, Logged, Record
from isoill import convert
from isoill._ber.codec import Codec
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.apdus import APDU, ILLRequest
from isoill._protocol.machine import PRIMITIVE, TABLE, Role, Transaction
from isoill.errors import ILLError

__all__ = ["FORMAT", "VERSION", "SnapshotError", "restore", "snapshot"]

FORMAT = "isoill.Transaction"
VERSION = 1

_codec: Codec | None = None


_FROM_PRIMITIVE = {"req": Direction.SEND, "ind": Direction.RECEIVE}


def _get_codec() -> Codec:
    global _codec
    if _codec is None:
        _codec = Codec()
    return _codec


class SnapshotError(ILLError):
    """A snapshot this isoill cannot restore: another format, a newer version, or a damaged field (named)."""


def _state(state: E.CurrentState | None) -> str | None:
    return state.name if state is not None else None


def _ber(t: Transaction, apdu: APDU | None) -> str | None:
    # An APDU's text is kept on the transaction: the request (and often the last APDU received and the last
    # service) is the same object snapshot after snapshot, and a restored one keeps the text it came from.
    if apdu is None:
        return None
    cache: dict[int, tuple[APDU, str]] = t.__dict__.setdefault("_snapshot_text", {})
    hit = cache.get(id(apdu))
    if hit is not None and hit[0] is apdu:
        return hit[1]
    text = base64.b64encode(_get_codec().encode(apdu)).decode("ascii")
    if len(cache) > 8:  # only the few APDUs a snapshot holds are worth keeping
        cache.clear()
    cache[id(apdu)] = (apdu, text)
    return text


def _type_name(message: object) -> str:
    return message.type_name if isinstance(message, Logged) else type(message).__name__


def snapshot(t: Transaction) -> dict[str, Any]:
    states, previous = t._engine.dump()
    prev = [_state(previous[t.role])] if t.role in previous else []  # type: ignore[arg-type]
    request = _ber(t, t._request)

    def same(apdu: APDU | None) -> str | None:  # "request": the request itself (saves a copy of its text)
        return "request" if apdu is not None and apdu is t._request else _ber(t, apdu)

    service = [same(t._service[0]), t._service[1].value] if t._service is not None else None
    # Format v1 writes ISO 10161's service primitives ("req" sent, "ind" received) for the log's Direction.
    log = [{"direction": PRIMITIVE.get(r.direction, r.direction), "type": _type_name(r.message),
            "before": _state(r.before), "after": _state(r.after), "accepted": r.accepted,
            "at": [r.at.date, r.at.time] if isinstance(r.at, T.DateTime) else None, "problem": r.problem,
            "count": r.repeats + 1} for r in t._log]
    return {
        "format": FORMAT, "version": VERSION, "role": t.role.value, "strict": t.strict,
        "state": _state(t.state), "previous": prev, "facts": sorted(t._facts), "copy": t._copy,
        "transaction_id": convert.to_dict(t.transaction_id) if t.transaction_id is not None else None,
        "request": request, "last_received": same(t._last_received), "service": service,
        "shipped_service_type": t._shipped_service_type.name if t._shipped_service_type is not None else None,
        "results": t._results.name if t._results is not None else None,
        "last_transition": t._last_transition, "log": log,
    }


def restore(data: dict[str, Any]) -> Transaction:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise SnapshotError(f"not an {FORMAT} snapshot (format {found!r})")
    version = data.get("version")
    reader = _RESTORE.get(version)  # type: ignore[arg-type]
    if reader is None:
        raise SnapshotError(f"{FORMAT} snapshot version {version!r}: this isoill reads versions "
                            f"{', '.join(map(str, sorted(_RESTORE)))} (a newer isoill wrote it?)")
    try:
        return reader(data)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SnapshotError(f"{FORMAT} snapshot version {version}: damaged ({type(exc).__name__}: {exc})") from None


def _current(name: str | None) -> E.CurrentState | None:
    return E.CurrentState[name] if name is not None else None


def _apdu(t: Transaction, text: str | None, field: str) -> APDU | None:
    if text is None:
        return None
    if text == "request":
        return t._request
    cache: dict[int, tuple[APDU, str]] = t.__dict__.setdefault("_snapshot_text", {})
    for apdu, seen in cache.values():  # request, last_received and service are often one APDU
        if seen == text:
            return apdu
    try:
        apdu = _get_codec().decode(base64.b64decode(text, validate=True))
    except (ValueError, ILLError) as exc:
        raise SnapshotError(f"{FORMAT} snapshot: {field} is not a base64 BER APDU ({exc})") from None
    cache[id(apdu)] = (apdu, text)
    return apdu


def _restore_v1(data: dict[str, Any]) -> Transaction:
    role = Role(data["role"])
    t = Transaction(role, strict=bool(data["strict"]))
    previous: dict[Hashable, Hashable] = {role: _current(data["previous"][0])} if data["previous"] else {}
    t._engine = Engine(TABLE, states={role: _current(data["state"])}, previous=previous)
    t._facts = set(data["facts"])
    t._copy = bool(data["copy"])
    tid = data["transaction_id"]
    t.transaction_id = convert.from_dict(tid, T.TransactionId) if tid is not None else None
    request = _apdu(t, data["request"], "request")
    if request is not None and not isinstance(request, ILLRequest):
        raise SnapshotError(f"{FORMAT} snapshot: request is a {type(request).__name__}, not an ILLRequest")
    t._request = request
    t._last_received = _apdu(t, data["last_received"], "last_received")
    service = data["service"]
    if service is not None:
        apdu = _apdu(t, service[0], "service")
        assert apdu is not None
        t._service = (apdu, Role(service[1]))
    sst = data["shipped_service_type"]
    t._shipped_service_type = E.ILLServiceType[sst] if sst is not None else None
    t._results = E.TransactionResults[data["results"]] if data["results"] is not None else None
    t._last_transition = data["last_transition"]
    t._log = [Record(_FROM_PRIMITIVE[r["direction"]], Logged(r["type"]), _current(r["before"]), _current(r["after"]), bool(r["accepted"]),
                     T.DateTime(date=r["at"][0], time=r["at"][1]) if r["at"] else None, r["problem"],
                     int(r["count"]) - 1) for r in data["log"]]
    return t


_RESTORE = {1: _restore_v1}
