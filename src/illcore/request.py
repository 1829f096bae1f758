"""The protocol-neutral borrowing request: what a patron asked for, whatever system or protocol carried it.

ISO 10161 ILL-Request, ISO 18626 request, an ILLiad transaction and a Libris request all map to and from it.
"""

from __future__ import annotations

import datetime as _dt
import enum

import attrs

__all__ = ["BorrowingRequest", "ExternalId", "Patron", "Service"]


class Service(enum.Enum):
    """What the requester wants: the item lent (returnable) or a copy kept (non-returnable)."""

    LOAN = "loan"
    COPY = "copy"


@attrs.frozen(kw_only=True)
class Patron:
    """The end user the request is for, as far as the carrying system tells."""

    id: str | None = None
    name: str | None = None
    email: str | None = None


@attrs.frozen
class ExternalId:
    """The request's identifier in another system: ("libris", "LF-12345"), ("illiad", "1234567"), ..."""

    system: str
    value: str


@attrs.frozen(kw_only=True)
class BorrowingRequest:
    """A borrowing request in neutral terms.

    `request_id` is the node's own key for it; `requester` the symbol of the borrowing library; `suppliers` the
    lenders the carrying system named, in its order (a rota may add to or reorder them). The bibliographic fields
    follow ISO 18626's bibliographicInfo/publicationInfo, which both ISO 10161's Item-Id and ILLiad's fields map
    onto. Whatever a source carries that has no field here goes into `note`, never dropped.
    """

    request_id: str
    requester: str
    service: Service = Service.LOAN
    title: str | None = None
    author: str | None = None
    subtitle: str | None = None
    series_title: str | None = None
    edition: str | None = None
    publisher: str | None = None
    place_of_publication: str | None = None
    publication_date: str | None = None
    #: medium as the source named it (book, journal, article, ...), free text
    medium: str | None = None
    # a component of the item (article or chapter), for copies
    title_of_component: str | None = None
    author_of_component: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    isbn: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    oclc_number: str | None = None
    patron: Patron | None = None
    need_before: _dt.date | None = None
    delivery_address: str | None = None
    #: the requester's library (branch) the item is to be picked up at, when the source names one
    pickup_library: str | None = None
    note: str | None = None
    suppliers: tuple[str, ...] = ()
    external_ids: tuple[ExternalId, ...] = ()

    def external_id(self, system: str) -> str | None:
        """This request's identifier in `system`, if it came from or went to it."""
        for ext in self.external_ids:
            if ext.system == system:
                return ext.value
        return None
