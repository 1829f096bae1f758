"""The ILLiad export ("lender of last resort"): a neutral BorrowingRequest becomes an ILLiad transaction.

`ExportSettings` are the partner record's parameters; `export(client, request, settings)` finds or creates the
user, creates the transaction, routes it and notes what has no field. One sans-IO flow drives both clients.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import Any

import attrs

from illcore.request import BorrowingRequest, Service

from .client import AsyncILLiadClient, Call, ILLiadClient, _Calls, create_transaction_call
from .errors import BadRequest, ILLiadError, NotFound
from .records import Note, Transaction, User

EXPORT_ID_TAGS = ("CitedIn", "ReferenceNumber")
USER_SEARCHES = ("username", "external_id")
PATRON_IDENTIFIERS = ("id", "email")


class ExportError(ILLiadError):
    """The request cannot be exported as configured (no patron identifier, user missing and not to be created)."""


@attrs.frozen(kw_only=True)
class RequestTypeRule:
    """Service (and optionally a medium pattern, case-insensitive) -> ILLiad RequestType and DocumentType."""

    service: Service
    request_type: str
    document_type: str | None = None
    medium: str | None = None

    def matches(self, request: BorrowingRequest) -> bool:
        if request.service is not self.service:
            return False
        return self.medium is None or bool(request.medium and re.search(self.medium, request.medium, re.I))


#: Copies are Articles, loans are Loans (research 1.3); a copy from a book is a chapter.
DEFAULT_REQUEST_TYPES = (
    RequestTypeRule(service=Service.COPY, medium=r"book|chapter", request_type="Article",
                    document_type="Book Chapter"),
    RequestTypeRule(service=Service.COPY, request_type="Article", document_type="Article"),
    RequestTypeRule(service=Service.LOAN, request_type="Loan", document_type="Book"),
)


@attrs.frozen(kw_only=True)
class ExportSettings:
    """The ILLiad partner's parameters (Alma's "Export to third party: Using API" and the user settings).

    `identifier`: which patron field names the ILLiad user ("id", Alma's primary identifier, or "email");
    `identifier_regex`: the part of it to use (``^[^@]*`` takes an e-mail's local part; group 1 if it has one);
    `search`: look the user up by "username" or by "external_id"; `create_user`: create a missing user;
    `export_id_tag`: the transaction field carrying our request id (CitedIn or ReferenceNumber; None: neither);
    `status`: the TransactionStatus (queue) to create in; `route_to`: a queue to route to afterwards.
    """

    identifier: str = "id"
    identifier_regex: str | None = None
    search: str = "username"
    create_user: bool = False
    export_id_tag: str | None = "CitedIn"
    status: str | None = None
    route_to: str | None = None
    notification_method: str = "Electronic"
    delivery_method: str = "Hold for Pickup"
    user_status: str | None = None
    nvtgc: str | None = None
    request_types: tuple[RequestTypeRule, ...] = DEFAULT_REQUEST_TYPES

    def __attrs_post_init__(self) -> None:
        if self.identifier not in PATRON_IDENTIFIERS:
            raise ValueError(f"identifier must be one of {PATRON_IDENTIFIERS}, not {self.identifier!r}")
        if self.search not in USER_SEARCHES:
            raise ValueError(f"search must be one of {USER_SEARCHES}, not {self.search!r}")
        if self.export_id_tag is not None and self.export_id_tag not in EXPORT_ID_TAGS:
            raise ValueError(f"export_id_tag must be one of {EXPORT_ID_TAGS} or None, not {self.export_id_tag!r}")
        if self.identifier_regex is not None:
            re.compile(self.identifier_regex)

    @classmethod
    def from_mapping(cls, params: dict[str, Any]) -> ExportSettings:
        """Settings from a partner record's parameters (the directory's `protocol = "illiad"` entries);
        an unknown key is an error that names the closest valid one."""
        import difflib

        names = [a.name for a in attrs.fields(cls) if a.name != "request_types"]
        for key in params:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                raise ValueError(f"unknown ILLiad export setting {key!r}" + (f" (did you mean {close[0]!r}?)"
                                                                             if close else ""))
        return cls(**params)


@attrs.frozen
class ExportResult:
    """What an export did: the created transaction, the ILLiad user, whether it was created, the note added."""

    transaction: Transaction
    user: User
    created_user: bool
    note: Note | None = None


def patron_identifier(request: BorrowingRequest, settings: ExportSettings) -> str:
    """The ILLiad username/external id for the request's patron, by the settings' field and regex."""
    patron = request.patron
    raw = (patron.id if settings.identifier == "id" else patron.email) if patron else None
    if not raw:
        raise ExportError(f"request {request.request_id} has no patron {settings.identifier} to find the ILLiad user by")
    if settings.identifier_regex:
        m = re.search(settings.identifier_regex, raw)
        if not m or not (m.group(1) if m.re.groups else m.group(0)):
            raise ExportError(f"the user identifier regex {settings.identifier_regex!r} finds nothing in {raw!r}")
        raw = m.group(1) if m.re.groups else m.group(0)
    return raw


def transaction_for(request: BorrowingRequest, settings: ExportSettings, username: str) -> tuple[Transaction, str]:
    """The transaction to create, and the note text for what has no ILLiad field (empty if nothing)."""
    rule = next((r for r in settings.request_types if r.matches(request)), None)
    if rule is None:
        raise ExportError(f"no RequestType rule for service {request.service.value} and medium {request.medium!r}")
    title = request.title
    if title and request.subtitle:
        title = f"{title}: {request.subtitle}"
    ids = list(request.issn) + list(request.isbn)  # ILLiad has one ISSN field and puts ISBNs there too
    notes = []
    if len(ids) > 1:
        notes.append("Other ISSN/ISBN: " + ", ".join(ids[1:]))
    if request.series_title:
        notes.append(f"Series: {request.series_title}")
    if request.delivery_address:
        notes.append(f"Deliver to: {request.delivery_address}")
    if request.note:
        notes.append(request.note)
    fields: dict[str, Any] = {
        "username": username, "request_type": rule.request_type, "process_type": "Borrowing",
        "document_type": rule.document_type, "transaction_status": settings.status,
        "issn": ids[0] if ids else None, "esp_number": request.oclc_number,
        "not_wanted_after": request.need_before.isoformat() if request.need_before else None,
    }
    if rule.request_type == "Article":
        fields.update(photo_journal_title=title, photo_article_title=request.title_of_component,
                      photo_article_author=request.author_of_component or request.author,
                      photo_journal_volume=request.volume, photo_journal_issue=request.issue,
                      photo_journal_year=request.publication_date, photo_journal_inclusive_pages=request.pages)
        if request.author_of_component and request.author:
            fields["loan_author"] = request.author  # the book's author, for a chapter
    else:
        fields.update(loan_title=title, loan_author=request.author, loan_publisher=request.publisher,
                      loan_place=request.place_of_publication, loan_date=request.publication_date,
                      loan_edition=request.edition)
        if request.volume or request.pages:
            notes.append(" ".join(p for p in (f"Volume {request.volume}" if request.volume else "",
                                              f"pages {request.pages}" if request.pages else "") if p))
    if settings.export_id_tag == "CitedIn":
        fields["cited_in"] = request.request_id
    elif settings.export_id_tag == "ReferenceNumber":
        fields["reference_number"] = request.request_id
    extra = {"DeliveryMethod": settings.delivery_method} if settings.delivery_method else {}
    return Transaction(**fields, extra=extra), "\n".join(notes)


def _new_user(request: BorrowingRequest, settings: ExportSettings, identifier: str) -> User:
    patron = request.patron
    first = last = None
    if patron and patron.name:
        if "," in patron.name:
            last, _, first = (s.strip() for s in patron.name.partition(","))
        else:
            first, _, last = patron.name.rpartition(" ")
            first = first or None
    return User(username=identifier, external_user_id=identifier if settings.search == "external_id" else None,
                first_name=first, last_name=last or None, email_address=patron.email if patron else None,
                status=settings.user_status, nvtgc=settings.nvtgc, cleared="Yes",
                notification_method=settings.notification_method, delivery_method=settings.delivery_method,
                loan_delivery_method=settings.delivery_method)


Flow = Generator[Call, Any, ExportResult]


def export_flow(request: BorrowingRequest, settings: ExportSettings) -> Flow:
    """The export as Calls (sans-IO): send each, `send()` back its JSON or `throw()` its typed error."""
    identifier = patron_identifier(request, settings)
    find = (_Calls.get_user(identifier) if settings.search == "username"
            else _Calls.get_user_by_external_id(identifier))
    created = False
    try:
        user = User.from_json((yield find))
    except NotFound:
        if not settings.create_user:
            raise ExportError(f"user {identifier!r} is not in ILLiad and creating users is off") from None
        try:
            user = User.from_json((yield _Calls.create_user(_new_user(request, settings, identifier))))
            created = True
        except BadRequest as exc:
            # Someone created it meanwhile (Princeton's client treats "already exists" the same way).
            if not any("already exists" in m for m in exc.field_messages()):
                raise
            user = User.from_json((yield find))
    transaction, note_text = transaction_for(request, settings, user.username or identifier)
    made = Transaction.from_json((yield create_transaction_call(transaction)))
    number = made.transaction_number
    if number is None:
        raise ExportError("ILLiad created the transaction but answered without a TransactionNumber")
    if settings.route_to:
        made = Transaction.from_json((yield _Calls.route(number, settings.route_to)))
    note = Note.from_json((yield _Calls.add_note(number, note_text, "Staff")) or {}) if note_text else None
    return ExportResult(made, user, created, note)


def _drive(flow: Flow, step: Any) -> ExportResult:
    call = next(flow)
    while True:
        try:
            result = step(call)
        except ILLiadError as exc:
            try:
                call = flow.throw(exc)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            continue
        try:
            call = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]


def export(client: ILLiadClient, request: BorrowingRequest, settings: ExportSettings) -> ExportResult:
    """Export one request through a blocking client."""
    return _drive(export_flow(request, settings), client.call)


async def export_async(client: AsyncILLiadClient, request: BorrowingRequest,
                       settings: ExportSettings) -> ExportResult:
    """Export one request through the asyncio client."""
    flow = export_flow(request, settings)
    call = next(flow)
    while True:
        try:
            result = await client.call(call)
        except ILLiadError as exc:
            try:
                call = flow.throw(exc)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            continue
        try:
            call = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
