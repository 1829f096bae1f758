"""The ILLiad export: mapping a neutral BorrowingRequest by the partner settings, and the flow (find or create
the user, create, route, note) against the FAKE Web Platform, sync and async."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

import illiad
from illcore.request import BorrowingRequest, Patron, Service
from illnode.testing.fake_illiad import FakeILLiad

URL = "https://lib.illiad.example.org/ILLiadWebPlatform/transaction"


def _request(**kw: object) -> BorrowingRequest:
    base: dict[str, object] = dict(request_id="01CUNY_BC-77", requester="BC", title="Dune", author="Herbert, Frank",
                                   isbn=("9780441013593", "0441013597"), oclc_number="1234",
                                   patron=Patron(id="23456789", name="Jane Doe", email="jdoe@bc.example.edu"))
    base.update(kw)
    return BorrowingRequest(**base)  # type: ignore[arg-type]


def test_loan_mapping() -> None:
    settings = illiad.ExportSettings(status="Created via Alma")
    tx, note = illiad.transaction_for(_request(need_before=dt.date(2026, 3, 1), edition="2nd", note="rush"),
                                      settings, "jdoe")
    assert tx.to_json() == {
        "Username": "jdoe", "RequestType": "Loan", "ProcessType": "Borrowing", "DocumentType": "Book",
        "TransactionStatus": "Created via Alma", "LoanTitle": "Dune", "LoanAuthor": "Herbert, Frank",
        "LoanEdition": "2nd", "ISSN": "9780441013593", "ESPNumber": "1234", "CitedIn": "01CUNY_BC-77",
        "NotWantedAfter": "2026-03-01", "DeliveryMethod": "Hold for Pickup"}
    assert note == "Other ISSN/ISBN: 0441013597\nrush"  # nothing without a field is dropped


def test_copy_mapping_and_reference_number() -> None:
    settings = illiad.ExportSettings(export_id_tag="ReferenceNumber")
    tx, note = illiad.transaction_for(_request(
        service=Service.COPY, title="Nature", title_of_component="A result", author_of_component="Smith",
        volume="7", issue="2", pages="1-9", publication_date="2024", isbn=(), issn=("0028-0836",)),
        settings, "jdoe")
    assert (tx.request_type, tx.document_type, tx.photo_journal_title, tx.photo_article_title) == (
        "Article", "Article", "Nature", "A result")
    assert (tx.photo_article_author, tx.photo_journal_volume, tx.photo_journal_issue,
            tx.photo_journal_inclusive_pages, tx.photo_journal_year) == ("Smith", "7", "2", "1-9", "2024")
    assert tx.reference_number == "01CUNY_BC-77" and tx.cited_in is None and tx.issn == "0028-0836"
    assert note == ""
    chapter, _ = illiad.transaction_for(_request(service=Service.COPY, medium="Book"), settings, "jdoe")
    assert chapter.document_type == "Book Chapter"


@pytest.mark.parametrize("field, regex, expected", [
    ("email", r"^[^@]*", "jdoe"), ("email", None, "jdoe@bc.example.edu"), ("id", None, "23456789"),
    ("email", r"^([^@]*)@bc\.", "jdoe")])
def test_user_identifier_by_type_and_regex(field: str, regex: str | None, expected: str) -> None:
    settings = illiad.ExportSettings(identifier=field, identifier_regex=regex)
    assert illiad.patron_identifier(_request(), settings) == expected


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="export_id_tag"):
        illiad.ExportSettings(export_id_tag="Notes")
    with pytest.raises(ValueError, match="did you mean 'create_user'"):
        illiad.ExportSettings.from_mapping({"create_users": True})
    assert illiad.ExportSettings.from_mapping({"create_user": True, "identifier": "email"}).create_user
    with pytest.raises(illiad.ExportError, match="no patron"):
        illiad.patron_identifier(_request(patron=None), illiad.ExportSettings())
    with pytest.raises(illiad.ExportError, match="finds nothing"):
        illiad.patron_identifier(_request(), illiad.ExportSettings(identifier="email", identifier_regex="^x+"))


def test_export_creates_a_missing_user_then_the_transaction_routed_and_noted() -> None:
    fake = FakeILLiad("K", quirky=True)
    settings = illiad.ExportSettings(identifier="email", identifier_regex=r"^[^@]*", create_user=True,
                                     status="Created via Alma", route_to="Request Imported from Alma")
    with illiad.ILLiadClient(URL, "K", transport=fake.transport()) as client:
        result = illiad.export(client, _request(note="from the gateway"), settings)
    assert result.created_user and result.user.username == "jdoe"
    assert fake.users["jdoe"]["NotificationMethod"] == "Electronic"
    assert fake.users["jdoe"]["DeliveryMethod"] == "Hold for Pickup"
    assert (fake.users["jdoe"]["FirstName"], fake.users["jdoe"]["LastName"]) == ("Jane", "Doe")
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/ILLiadWebPlatform/Users/jdoe"), ("POST", "/ILLiadWebPlatform/Users"),
        ("POST", "/ILLiadWebPlatform/Transaction"), ("PUT", "/ILLiadWebPlatform/Transaction/1000/route"),
        ("POST", "/ILLiadWebPlatform/Transaction/1000/notes")]
    assert all(r.headers["apikey"] == "K" for r in fake.requests)
    assert result.transaction.transaction_status == "Request Imported from Alma"
    assert result.transaction.cited_in == "01CUNY_BC-77"
    assert result.note is not None and "from the gateway" in (result.note.note or "")


def test_export_with_an_existing_user_by_external_id_and_no_creation() -> None:
    fake = FakeILLiad("K")
    fake.add_user("bc23456789", ExternalUserId="23456789")
    settings = illiad.ExportSettings(search="external_id")
    with illiad.ILLiadClient(URL, "K", transport=fake.transport()) as client:
        result = illiad.export(client, _request(isbn=()), settings)
        assert not result.created_user and result.transaction.username == "bc23456789"
        assert [r.method for r in fake.requests] == ["GET", "POST"] and result.note is None
        with pytest.raises(illiad.ExportError, match="creating users is off"):
            illiad.export(client, _request(patron=Patron(id="unknown")), settings)


def test_a_user_created_meanwhile_is_looked_up_again() -> None:
    fake = FakeILLiad("K")
    settings = illiad.ExportSettings(create_user=True)
    flow = illiad.export_flow(_request(), settings)
    first = next(flow)
    assert first.path == "/Users/23456789"
    create = flow.throw(illiad.NotFound(404, "User 23456789 was not found."))
    assert (create.method, create.path) == ("POST", "/Users")
    again = flow.throw(illiad.BadRequest("The request is invalid.", {"UserName": ["Username 23456789 already exists."]}))
    assert again.path == "/Users/23456789"
    post = flow.send({"UserName": "23456789"})
    assert post.path == "/Transaction" and post.body["Username"] == "23456789"
    assert fake.requests == []  # sans-IO: nothing was sent


def test_async_export() -> None:
    fake = FakeILLiad("K")
    fake.add_user("23456789")

    async def run() -> illiad.ExportResult:
        async with illiad.AsyncILLiadClient(URL, "K", transport=fake.transport()) as client:
            return await illiad.export_async(client, _request(), illiad.ExportSettings())
    result = asyncio.run(run())
    assert result.transaction.transaction_number == 1000 and result.transaction.loan_title == "Dune"
