"""The Libris ILL API's JSON as attrs classes, read leniently from decoded JSON (field names from public clients).

Field names are certain (public clients read them); types are not documented, so every scalar is kept as text.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import attrs

from .errors import LibrisFormatError

__all__ = ["MEDIA_COPY", "MEDIA_LOAN", "EndUser", "Library", "LibraryRef", "LibrisRequest", "Recipient",
           "RequestList", "Response", "UpdateResult", "read_libraries", "read_request_list", "read_update"]

#: ill_requests[].media_type values public clients compare with: a loan, or a copy kept (article copy)
MEDIA_LOAN = "Lån"
MEDIA_COPY = "Kopia"


class Response(enum.IntEnum):
    """The `response_id` of ``action=response`` (Libris-defined; Libriotech docs/flow.pod)."""

    UTLANAD = 1  # lent
    FORKOMMEN = 2  # lost
    UTLANAS_EJ = 3  # not lent out
    FINNS_EJ = 4  # not held (Libris shows "Negativt svar")
    FN_EJ_TILLGANGLIG = 5  # not available at present
    EJ_ANLAND = 6  # not arrived
    RESERVERAD_FOR_ER = 7  # reserved for you
    OVRIGT = 8  # other (see added_response)
    LEVERERAD = 9  # delivered


@attrs.frozen(kw_only=True)
class LibraryRef:
    """A library as a request names it (``receiving_library``)."""

    library_code: str | None = None
    name: str | None = None


@attrs.frozen(kw_only=True)
class Recipient:
    """One library the request goes to (``recipients[]``), in Libris's order: the suppliers to ask."""

    library_code: str | None = None
    library_id: str | None = None
    location: str | None = None
    response: str | None = None
    response_date: str | None = None
    is_active_library: str | None = None


@attrs.frozen(kw_only=True)
class EndUser:
    """The patron (``end_user``)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    address: str | None = None
    city: str | None = None
    zip_code: str | None = None
    phone: str | None = None
    mobile: str | None = None
    library_card: str | None = None
    user_id: str | None = None
    institution: str | None = None
    institution_delivery: str | None = None
    institution_phone: str | None = None
    approved_by: str | None = None


@attrs.frozen(kw_only=True)
class LibrisRequest:
    """One element of ``ill_requests``. `raw` is the element as decoded, so nothing the server sent is lost."""

    lf_number: str
    last_modified: str | None = None
    request_id: str | None = None
    title: str | None = None
    author: str | None = None
    imprint: str | None = None
    place_of_publication: str | None = None
    year: str | None = None
    isbn_issn: str | None = None
    bib_id: str | None = None
    media_type: str | None = None
    journal_article: str | None = None
    title_of_article: str | None = None
    author_of_article: str | None = None
    volume_designation: str | None = None
    pages: str | None = None
    request_type: str | None = None
    processing_time: str | None = None
    processing_time_code: str | None = None
    delivery_type: str | None = None
    delivery_type_code: str | None = None
    status: str | None = None
    xstatus: str | None = None
    local_status: str | None = None
    message: str | None = None
    active_library: str | None = None
    requesting_library: str | None = None
    receiving_library: LibraryRef | None = None
    recipients: tuple[Recipient, ...] = ()
    user: str | None = None
    user_id: str | None = None
    enduser_id: str | None = None
    libris_enduser_request_id: str | None = None
    end_user: EndUser | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class RequestList:
    """``{count, ill_requests}``: what the list endpoints and the one-request endpoint answer."""

    count: int
    requests: tuple[LibrisRequest, ...]


@attrs.frozen(kw_only=True)
class UpdateResult:
    """The answer to a form POST: ``update_action``, ``update_success``, ``update_message`` and the request now."""

    action: str | None
    success: bool
    message: str
    requests: tuple[LibrisRequest, ...] = ()


@attrs.frozen(kw_only=True)
class Library:
    """One element of ``libraries`` (``libraries/{sigil}/{codes}``)."""

    library_code: str | None = None
    library_id: str | None = None
    name: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    city: str | None = None
    zip_code: str | None = None


# --- reading ----------------------------------------------------------------------------------------------

def _text(value: Any, path: str) -> str | None:
    """A scalar as text. The API's types are undocumented: numbers and booleans are accepted and written out."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(value)
    raise LibrisFormatError(f"expected a text or number, got {type(value).__name__}", path)


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LibrisFormatError(f"expected an object, got {type(value).__name__}", path)
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise LibrisFormatError(f"expected a list, got {type(value).__name__}", path)
    return value


def _flat(cls: type[Any], obj: Mapping[str, Any], path: str) -> Any:
    """An instance of a class of text fields from the members of the same names (others stay in the raw JSON)."""
    return cls(**{f.name: _text(obj.get(f.name), f"{path}.{f.name}") for f in attrs.fields(cls)})


_NESTED = {"receiving_library", "recipients", "end_user", "requesting_library", "lf_number", "raw"}
_REQUEST_TEXT = tuple(f.name for f in attrs.fields(LibrisRequest) if f.name not in _NESTED)


def read_request(value: Any, path: str) -> LibrisRequest:
    obj = _object(value, path)
    lf = _text(obj.get("lf_number"), f"{path}.lf_number")
    if not lf:
        raise LibrisFormatError("a request without lf_number", f"{path}.lf_number")
    requesting = obj.get("requesting_library")
    if isinstance(requesting, Mapping):  # a string in the clients' templates; accept an object with a code too
        requesting = requesting.get("library_code")
    receiving = obj.get("receiving_library")
    recipients = obj.get("recipients")
    end_user = obj.get("end_user")
    return LibrisRequest(
        lf_number=lf,
        requesting_library=_text(requesting, f"{path}.requesting_library"),
        receiving_library=None if receiving is None else _flat(
            LibraryRef, _object(receiving, f"{path}.receiving_library"), f"{path}.receiving_library"),
        recipients=() if recipients is None else tuple(
            _flat(Recipient, _object(r, f"{path}.recipients[{i}]"), f"{path}.recipients[{i}]")
            for i, r in enumerate(_list(recipients, f"{path}.recipients"))),
        end_user=None if end_user is None else _flat(EndUser, _object(end_user, f"{path}.end_user"),
                                                     f"{path}.end_user"),
        raw=dict(obj),
        **{name: _text(obj.get(name), f"{path}.{name}") for name in _REQUEST_TEXT},
    )


def _requests(obj: Mapping[str, Any]) -> tuple[LibrisRequest, ...]:
    items = obj.get("ill_requests")
    if items is None:
        return ()
    return tuple(read_request(r, f"ill_requests[{i}]") for i, r in enumerate(_list(items, "ill_requests")))


def read_request_list(doc: Any) -> RequestList:
    """``{count, ill_requests: [...]}``; an ``error`` member is reported as a format error naming it."""
    obj = _object(doc, "")
    if "error" in obj and "ill_requests" not in obj:
        raise LibrisFormatError(f"Libris reported an error: {obj['error']}", "error")
    if "ill_requests" not in obj:
        raise LibrisFormatError("no ill_requests member", "ill_requests")
    requests = _requests(obj)
    count = obj.get("count", len(requests))
    try:
        n = int(count)
    except (TypeError, ValueError):
        raise LibrisFormatError(f"count is not a number: {count!r}", "count") from None
    if n != len(requests):
        # nothing says the lists are paged: a count above the list length would mean requests we never saw
        raise LibrisFormatError(f"count says {n} but ill_requests holds {len(requests)}", "count")
    return RequestList(n, requests)


def read_update(doc: Any) -> UpdateResult:
    obj = _object(doc, "")
    if "update_success" not in obj:
        raise LibrisFormatError("no update_success member in the answer to an update", "update_success")
    success = obj["update_success"]
    return UpdateResult(action=_text(obj.get("update_action"), "update_action"),
                        success=success is True or _text(success, "update_success") in ("1", "true"),
                        message=_text(obj.get("update_message"), "update_message") or "",
                        requests=_requests(obj))


def read_libraries(doc: Any) -> tuple[Library, ...]:
    obj = _object(doc, "")
    items = _list(obj.get("libraries"), "libraries")
    return tuple(_flat(Library, _object(x, f"libraries[{i}]"), f"libraries[{i}]") for i, x in enumerate(items))
