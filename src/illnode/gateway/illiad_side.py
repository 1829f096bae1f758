"""The gateway's third side: an ILLiad Web Platform partner (`protocol = "illiad"`), the lender of last resort.
What the gateway "sends" it (the export, then notes) as data, and ILLiad's NCIP item messages read as bridge steps.

ILLiad takes a request through its Web Platform API and answers nothing on that channel; it reports the item's
moves over NCIP (ncip.ItemEventHandler): AcceptItem, CheckOutItem, CheckInItem, RequestItem, fees. The table
`EVENTS` says what each means for the borrowing transaction; the node does the HTTP (illnode.lastresort).
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

import attrs
import cattrs.preconf.json

from illcore.request import BorrowingRequest, Service
from illnode.gateway.bridge import Kind, Step

__all__ = ["EVENTS", "IDS_ILLIAD", "Export", "IlliadNote", "decode", "encode", "link_key", "step_of_event"]

IDS_ILLIAD = "illiad"


@attrs.frozen(kw_only=True)
class Export:
    """Create the request in ILLiad (Web Platform `POST /Transaction`, the user first if configured)."""

    request: BorrowingRequest


@attrs.frozen(kw_only=True)
class IlliadNote:
    """A message for a request already in ILLiad (the requester's Received, a Cancel, ...): ILLiad has no
    service for it over the Web Platform, so it is added to the transaction as a Staff note, never dropped."""

    leg: str                      # our leg id (the CitedIn / ReferenceNumber of the export)
    text: str
    transaction_number: str = ""  # ILLiad's, once the export answered


IlliadMessage = Export | IlliadNote

#: What an NCIP item message means for the borrowing transaction, as the bridge row relayed to the requester
#: (None: a note to the requester, no lifecycle move). AcceptItem is the item arriving for the request (Alma's
#: "Accept Item with automatic receive"): to the requester it has been supplied, so it gets Shipped / the copy.
#: CheckInItem is ILLiad checking the item back in: the loan is over, the requester gets Checked-In. A check-out
#: to the patron, a RequestItem or a fee have no lifecycle move: the requester is told in a note.
EVENTS: dict[str, tuple[Kind | None, str]] = {
    "received": (Kind.SHIPPED_LOAN, "ILLiad has received the item (NCIP AcceptItem)"),
    "checked-out": (None, "ILLiad checked the item out to the patron (NCIP CheckOutItem)"),
    "returned": (Kind.CHECKED_IN, "ILLiad checked the item in (NCIP CheckInItem)"),
    "requested": (None, "ILLiad placed a request for the item (NCIP RequestItem)"),
    "fee": (None, "ILLiad charged the patron a fee (NCIP CreateUserFiscalTransaction)"),
}


def link_key(leg_id: str) -> str:
    """What an NCIP message for an exported leg is found by (the leg id ILLiad keeps in CitedIn)."""
    return f"{IDS_ILLIAD}:{leg_id}"


def step_of_event(meaning: str, service: Service | None, *, at: _dt.datetime, date_due: _dt.datetime | None = None,
                  detail: str = "") -> Step | None:
    """The bridge step an NCIP event stands for (None: a meaning the table does not know)."""
    row = EVENTS.get(meaning)
    if row is None:
        return None
    kind, text = row
    if kind is Kind.SHIPPED_LOAN and service is Service.COPY:
        kind = Kind.SHIPPED_COPY
    note = f"{text}{': ' + detail if detail else ''}"
    return Step(kind=kind or Kind.MESSAGE_FROM_SUPPLIER, at=at, note=note, service=service,
                date=at.date() if kind is not None else None,
                date_due=date_due.date() if date_due is not None and kind is Kind.SHIPPED_LOAN else None)


_CONVERTER = cattrs.preconf.json.make_converter()


def encode(message: IlliadMessage) -> bytes:
    """The JSON the journal and the outbox keep (what the node turns into Web Platform calls)."""
    kind = "export" if isinstance(message, Export) else "note"
    return json.dumps({"kind": kind, **_CONVERTER.unstructure(message)}, sort_keys=True).encode()


def decode(data: bytes) -> IlliadMessage:
    raw: dict[str, Any] = json.loads(data)
    if raw.pop("kind") == "export":
        return _CONVERTER.structure(raw, Export)
    return _CONVERTER.structure(raw, IlliadNote)


def message_type(message: IlliadMessage) -> str:
    return "ILLiad export" if isinstance(message, Export) else "ILLiad note"
