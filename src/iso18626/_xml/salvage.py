"""What can still be read from a message that failed to parse: its kind, header ids, action or reason.

Lets `confirmation_for` answer a ValidationError with the right confirmation echoing the peer's ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from iso18626._model.codes import Action, ReasonForMessage, SchemeValue
from iso18626._model.parts import AgencyId
from iso18626._model.timestamps import lenient_datetime

MESSAGE_NAMES = ("request", "requestConfirmation", "supplyingAgencyMessage", "supplyingAgencyMessageConfirmation",
                 "requestingAgencyMessage", "requestingAgencyMessageConfirmation")


@attrs.frozen(kw_only=True)
class Salvaged:
    """Best-effort facts about a rejected message (any field may be None)."""

    kind: str | None = None
    supplying_agency_id: AgencyId | None = None
    requesting_agency_id: AgencyId | None = None
    timestamp: datetime | None = None
    requesting_agency_request_id: str | None = None
    multiple_item_request_id: str | None = None
    action: Action | None = None
    reason_for_message: ReasonForMessage | None = None


def _local(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el: Any, name: str) -> Any:
    if el is None:
        return None
    for ch in el:
        if _local(ch) == name:
            return ch
    return None


def _agency(el: Any) -> AgencyId | None:
    typ, val = _child(el, "agencyIdType"), _child(el, "agencyIdValue")
    if typ is None or val is None:
        return None
    scheme = next((v for k, v in typ.attrib.items() if k.rsplit("}", 1)[-1] == "scheme"), None)
    return AgencyId(agency_id_type=SchemeValue(typ.text or "", scheme), agency_id_value=val.text or "")


def _code(el: Any, cls: Any) -> Any:
    text = (el.text or "").strip().lower() if el is not None else ""
    return next((m for m in cls if m.value.lower() == text), None)


def extract(root: Any) -> Salvaged | None:
    """Read what a (possibly invalid) tree says about itself; never raises."""
    try:
        msg = root if _local(root) in MESSAGE_NAMES else next(
            (ch for ch in root if _local(ch) in MESSAGE_NAMES), None)
        if msg is None:
            return Salvaged()
        header = _child(msg, "header")
        if header is None:
            header = _child(msg, "confirmationHeader")
        stamp = None
        ts = _child(header, "timestamp")
        if ts is not None and ts.text:
            try:
                stamp = lenient_datetime(ts.text)[0]
            except ValueError:
                stamp = None
        rid, mir = _child(header, "requestingAgencyRequestId"), _child(header, "multipleItemRequestId")
        return Salvaged(
            kind=_local(msg),
            supplying_agency_id=_agency(_child(header, "supplyingAgencyId")),
            requesting_agency_id=_agency(_child(header, "requestingAgencyId")),
            timestamp=stamp,
            requesting_agency_request_id=None if rid is None else rid.text or "",
            multiple_item_request_id=None if mir is None else mir.text or None,
            action=_code(_child(msg, "action"), Action),
            reason_for_message=_code(_child(_child(msg, "messageInfo"), "reasonForMessage"), ReasonForMessage),
        )
    except Exception:  # noqa: BLE001 - best effort on a document already known to be broken
        return None
