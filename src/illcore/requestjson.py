"""The neutral borrowing request as JSON-ready dicts and back (cattrs), for stores and files.

Strict on the way in: an unknown key is an error that names it, so a stored request is never half read.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import cattrs

from illcore.errors import IsoIllError
from illcore.request import BorrowingRequest

__all__ = ["RequestJSONError", "request_from_dict", "request_to_dict"]


class RequestJSONError(IsoIllError):
    """A dict is not a borrowing request (an unknown key, a wrong type); the message names the member."""


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(omit_if_default=True, forbid_extra_keys=True)
    conv.register_unstructure_hook(_dt.date, lambda d: d.isoformat())
    conv.register_structure_hook(_dt.date, lambda v, _: _dt.date.fromisoformat(v))
    return conv


_CONVERTER = _converter()


def request_to_dict(request: BorrowingRequest) -> dict[str, Any]:
    """The request as plain JSON types (fields at their default are left out)."""
    out: dict[str, Any] = _CONVERTER.unstructure(request)
    return out


def request_from_dict(data: Any) -> BorrowingRequest:
    """The request back from `request_to_dict`'s output; `RequestJSONError` names what does not fit."""
    try:
        return _CONVERTER.structure(data, BorrowingRequest)
    except Exception as exc:  # cattrs reports through (nested) exception groups: one line with the paths
        raise RequestJSONError(f"not a borrowing request: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    notes = getattr(exc, "__notes__", [])
    group = getattr(exc, "exceptions", None)
    here = f"{exc}" + (f" ({'; '.join(notes)})" if notes else "")
    if group:
        return "; ".join(_describe(e) for e in group) + ("" if not notes else f" ({'; '.join(notes)})")
    return here
