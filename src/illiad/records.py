"""ILLiad Web Platform records (transaction, user, note) as frozen attrs classes, and their JSON field tables.

Reading is tolerant (any key case, extra keys kept in `extra`, nulls as None, numbers for strings); writing
uses the names ILLiad documents and leaves out what is None.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

from .errors import ILLiadError

# (attribute, ILLiad JSON key, type): the keys clients and fixtures of the Web Platform show (research 1.3).
TRANSACTION_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("transaction_number", "TransactionNumber", int),
    ("username", "Username", str),
    ("external_user_id", "ExternalUserId", str),
    ("request_type", "RequestType", str),
    ("process_type", "ProcessType", str),
    ("document_type", "DocumentType", str),
    ("transaction_status", "TransactionStatus", str),
    ("loan_title", "LoanTitle", str),
    ("loan_author", "LoanAuthor", str),
    ("loan_publisher", "LoanPublisher", str),
    ("loan_place", "LoanPlace", str),
    ("loan_date", "LoanDate", str),
    ("loan_edition", "LoanEdition", str),
    ("photo_journal_title", "PhotoJournalTitle", str),
    ("photo_journal_volume", "PhotoJournalVolume", str),
    ("photo_journal_issue", "PhotoJournalIssue", str),
    ("photo_journal_month", "PhotoJournalMonth", str),
    ("photo_journal_year", "PhotoJournalYear", str),
    ("photo_journal_inclusive_pages", "PhotoJournalInclusivePages", str),
    ("photo_article_author", "PhotoArticleAuthor", str),
    ("photo_article_title", "PhotoArticleTitle", str),
    ("issn", "ISSN", str),
    ("esp_number", "ESPNumber", str),
    ("cited_in", "CitedIn", str),
    ("cited_title", "CitedTitle", str),
    ("reference_number", "ReferenceNumber", str),
    ("not_wanted_after", "NotWantedAfter", str),
    ("accept_alternate_edition", "AcceptAlternateEdition", bool),
    ("call_number", "CallNumber", str),
    ("doi", "DOI", str),
    ("spec_ins", "SpecIns", str),
    ("item_info1", "ItemInfo1", str),
    ("item_info2", "ItemInfo2", str),
    ("item_info3", "ItemInfo3", str),
    ("item_info4", "ItemInfo4", str),
    ("item_info5", "ItemInfo5", str),
    ("lending_library", "LendingLibrary", str),
    ("due_date", "DueDate", str),
    ("transaction_date", "TransactionDate", str),
    ("creation_date", "CreationDate", str),
    ("system_id", "SystemID", str),
)
USER_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("username", "UserName", str),
    ("external_user_id", "ExternalUserId", str),
    ("last_name", "LastName", str),
    ("first_name", "FirstName", str),
    ("email_address", "EMailAddress", str),
    ("status", "Status", str),
    ("department", "Department", str),
    ("phone", "Phone", str),
    ("nvtgc", "NVTGC", str),
    ("site", "Site", str),
    ("notification_method", "NotificationMethod", str),
    ("delivery_method", "DeliveryMethod", str),
    ("loan_delivery_method", "LoanDeliveryMethod", str),
    ("cleared", "Cleared", str),
    ("auth_type", "AuthType", str),
)
# What a POST body calls differently from a response (research 1.4: request `Username`, `EmailAddress`).
_USER_POST_NAMES = {"username": "Username", "email_address": "EmailAddress"}
NOTE_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("transaction_number", "TransactionNumber", int),
    ("note", "Note", str),
    ("note_type", "NoteType", str),
    ("added_by", "AddedBy", str),
    ("note_date", "NoteDate", str),
)


@attrs.frozen(kw_only=True)
class Transaction:
    """An ILLiad transaction (request). `extra` keeps every other key the Web Platform sent."""

    transaction_number: int | None = None
    username: str | None = None
    external_user_id: str | None = None
    request_type: str | None = None
    process_type: str | None = None
    document_type: str | None = None
    transaction_status: str | None = None
    loan_title: str | None = None
    loan_author: str | None = None
    loan_publisher: str | None = None
    loan_place: str | None = None
    loan_date: str | None = None
    loan_edition: str | None = None
    photo_journal_title: str | None = None
    photo_journal_volume: str | None = None
    photo_journal_issue: str | None = None
    photo_journal_month: str | None = None
    photo_journal_year: str | None = None
    photo_journal_inclusive_pages: str | None = None
    photo_article_author: str | None = None
    photo_article_title: str | None = None
    issn: str | None = None
    esp_number: str | None = None
    cited_in: str | None = None
    cited_title: str | None = None
    reference_number: str | None = None
    not_wanted_after: str | None = None
    accept_alternate_edition: bool | None = None
    call_number: str | None = None
    doi: str | None = None
    spec_ins: str | None = None
    item_info1: str | None = None
    item_info2: str | None = None
    item_info3: str | None = None
    item_info4: str | None = None
    item_info5: str | None = None
    lending_library: str | None = None
    due_date: str | None = None
    transaction_date: str | None = None
    creation_date: str | None = None
    system_id: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON body ILLiad takes: documented names, None left out, `extra` keys as given."""
        return _to_json(self, TRANSACTION_FIELDS, {})

    @classmethod
    def from_json(cls, data: Any) -> Transaction:
        return _from_json(cls, data, TRANSACTION_FIELDS)


@attrs.frozen(kw_only=True)
class User:
    """An ILLiad user. `extra` keeps every other key the Web Platform sent (addresses, UserInfo1-5, ...)."""

    username: str | None = None
    external_user_id: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    email_address: str | None = None
    status: str | None = None
    department: str | None = None
    phone: str | None = None
    nvtgc: str | None = None
    site: str | None = None
    notification_method: str | None = None
    delivery_method: str | None = None
    loan_delivery_method: str | None = None
    cleared: str | None = None
    auth_type: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON body of `POST /Users` (Username, EmailAddress as the create call spells them)."""
        return _to_json(self, USER_FIELDS, _USER_POST_NAMES)

    @classmethod
    def from_json(cls, data: Any) -> User:
        return _from_json(cls, data, USER_FIELDS)


@attrs.frozen(kw_only=True)
class Note:
    """A note on a transaction, as `POST /Transaction/{n}/notes` answers it."""

    transaction_number: int | None = None
    note: str | None = None
    note_type: str | None = None
    added_by: str | None = None
    note_date: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_json(cls, data: Any) -> Note:
        return _from_json(cls, data, NOTE_FIELDS)


def _to_json(record: Any, table: Iterable[tuple[str, str, type]], rename: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, key, _ in table:
        value = getattr(record, attr)
        if value is not None:
            out[rename.get(attr, key)] = value
    for key, value in record.extra.items():
        out.setdefault(key, value)
    return out


R = TypeVar("R")


def _from_json(cls: type[R], data: Any, table: Iterable[tuple[str, str, type]]) -> R:
    if not isinstance(data, dict):
        raise ILLiadError(f"expected a JSON object for {cls.__name__}, got {type(data).__name__}")
    by_key = {key.lower(): (attr, kind) for attr, key, kind in table}
    for attr, _key, kind in table:
        by_key.setdefault(attr.replace("_", ""), (attr, kind))
    by_key["emailaddress"] = by_key.get("emailaddress", ("email_address", str))
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in data.items():
        known = by_key.get(str(key).lower())
        if known is None:
            extra[key] = value
            continue
        attr, kind = known
        if value is None:
            kwargs.setdefault(attr, None)
            continue
        kwargs[attr] = _coerce(value, kind, key, cls.__name__)
    kwargs["extra"] = extra
    return cls(**kwargs)


def _coerce(value: Any, kind: type, key: str, where: str) -> Any:
    if kind is int:
        if isinstance(value, bool):
            raise ILLiadError(f"{where}.{key}: expected a number, got {value!r}")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ILLiadError(f"{where}.{key}: expected a number, got {value!r}") from None
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
            return value.lower() in ("true", "yes", "1")
        raise ILLiadError(f"{where}.{key}: expected true or false, got {value!r}")
    if isinstance(value, (dict, list)):
        raise ILLiadError(f"{where}.{key}: expected text, got {type(value).__name__}")
    return value if isinstance(value, str) else json.dumps(value)


def loads(text: bytes | str) -> Any:
    """JSON as the Web Platform sends it: a repeated key keeps its last non-null value (browsers keep the last)."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if value is not None or key not in out:
                out[key] = value
        return out
    return json.loads(text, object_pairs_hook=pairs)


def date_text(value: _dt.date) -> str:
    """ILLiad's date fields (NotWantedAfter) as YYYY-MM-DD."""
    return value.isoformat()
