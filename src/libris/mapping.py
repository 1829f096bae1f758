"""A Libris request as the neutral `BorrowingRequest` (sans-IO): the mapping table of docs/importing.md.

Library sigils map to local libraries through the configuration (an unmapped sigil fails the request, naming it);
recipients become the suppliers to ask, matched to known partner symbols regardless of case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from illcore.importer import MappingFailure
from illcore.request import BorrowingRequest, ExternalId, Patron, Service

from .model import MEDIA_COPY, MEDIA_LOAN, LibrisRequest

__all__ = ["SYSTEM", "LibrisMapping", "request_id_for", "to_borrowing_request"]

#: the system name in `ExternalId` and in store records
SYSTEM = "libris"

_SERVICES = {MEDIA_LOAN: Service.LOAN, MEDIA_COPY: Service.COPY}
# Fields with no counterpart in BorrowingRequest travel in its note, one "Libris <name>: value" line each.
_NOTE_FIELDS = ("message", "bib_id", "request_type", "processing_time", "delivery_type", "status", "xstatus",
                "journal_article", "active_library")
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")
_ISBN = re.compile(r"^(?:\d{9}[\dXx]|\d{13})$")


@attrs.frozen(kw_only=True)
class LibrisMapping:
    """How Libris names become ours. `libraries`: Libris sigil -> local library code (sigils are case-sensitive,
    so this lookup is too); `partners`: the symbols of known partners, which recipients match regardless of
    case; `library`: the sigil harvested, taken as the requester when a request does not name one."""

    library: str
    libraries: Mapping[str, str] = attrs.field(factory=dict)
    partners: tuple[str, ...] = ()

    def local(self, sigil: str, what: str, lf_number: str) -> str:
        try:
            return self.libraries[sigil]
        except KeyError:
            raise MappingFailure(lf_number, f"no local library is mapped to the Libris {what} {sigil!r} "
                                            f"(add --map {sigil}=LOCAL)") from None


def request_id_for(lf_number: str) -> str:
    """Our key for an imported request: fixed by its Libris number, so importing it twice finds the same key."""
    return f"{SYSTEM}:{lf_number}"


def split_isbn_issn(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The ISBNs and ISSNs in ``isbn_issn`` (one or several, separated by spaces, commas or semicolons) and
    whether every part was recognised (if not, the caller keeps the text whole in the note)."""
    isbn: list[str] = []
    issn: list[str] = []
    complete = True
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        bare = part.replace("-", "")
        if _ISSN.match(part) and len(bare) == 8:
            issn.append(part)
        elif _ISBN.match(bare):
            isbn.append(part)
        else:
            complete = False
    return tuple(isbn), tuple(issn), complete


def _suppliers(codes: Iterable[str], partners: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    known = {p.casefold(): p for p in partners}
    out: list[str] = []
    unknown: list[str] = []
    for code in codes:
        match = known.get(code.casefold())
        if match is None and partners:
            unknown.append(code)
        out.append(match if match is not None else code)
    return tuple(out), unknown


def _patron(req: LibrisRequest) -> Patron | None:
    user = req.end_user
    if user is None:
        return None
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or None
    pid = user.library_card or user.user_id or req.enduser_id or req.user_id
    if name is None and pid is None and user.email is None:
        return None
    return Patron(id=pid, name=name, email=user.email)


def to_borrowing_request(req: LibrisRequest, mapping: LibrisMapping) -> BorrowingRequest:
    """`req` as a neutral borrowing request; `MappingFailure` when it cannot be one (the reason names the code)."""
    lf = req.lf_number
    if req.media_type is None:
        service = Service.LOAN
    elif req.media_type in _SERVICES:
        service = _SERVICES[req.media_type]
    else:
        raise MappingFailure(lf, f"unknown media_type {req.media_type!r} (expected {MEDIA_LOAN!r} or "
                                 f"{MEDIA_COPY!r})")
    requester = mapping.local(req.requesting_library or mapping.library, "requesting library", lf)
    pickup = None
    if req.receiving_library is not None and req.receiving_library.library_code:
        pickup = mapping.local(req.receiving_library.library_code, "receiving library", lf)
    codes = []
    for i, r in enumerate(req.recipients):
        if not r.library_code:
            raise MappingFailure(lf, f"recipients[{i}] has no library_code")
        codes.append(r.library_code)
    suppliers, unknown = _suppliers(codes, mapping.partners)

    notes = [f"Libris {name}: {getattr(req, name)}" for name in _NOTE_FIELDS if getattr(req, name)]
    isbn: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    if req.isbn_issn:
        isbn, issn, complete = split_isbn_issn(req.isbn_issn)
        if not complete:
            notes.append(f"Libris isbn_issn: {req.isbn_issn}")
    if unknown:
        notes.append(f"recipients not in the partner directory: {', '.join(unknown)}")

    return BorrowingRequest(
        request_id=request_id_for(lf),
        requester=requester,
        service=service,
        title=req.title,
        author=req.author,
        publisher=req.imprint,
        place_of_publication=req.place_of_publication,
        publication_date=req.year,
        title_of_component=req.title_of_article,
        author_of_component=req.author_of_article,
        volume=req.volume_designation,
        pages=req.pages,
        isbn=isbn,
        issn=issn,
        patron=_patron(req),
        pickup_library=pickup,
        note="\n".join(notes) or None,
        suppliers=suppliers,
        external_ids=(ExternalId(SYSTEM, lf),),
    )
