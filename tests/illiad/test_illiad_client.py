"""The ILLiad Web Platform client against the FAKE Web Platform: requests as documented, answers read
tolerantly, every documented error status a typed exception; sync and async alike."""

from __future__ import annotations

import asyncio
import socket

import pytest

import illiad
from illnode.testing.fake_illiad import FakeILLiad

URL = "https://lib.illiad.example.org/ILLiadWebPlatform"


@pytest.fixture
def fake() -> FakeILLiad:
    fake = FakeILLiad("KEY-1", quirky=True)
    fake.add_user("jdoe", ExternalUserId="E-1", EMailAddress="jdoe@example.org")
    return fake


def _client(fake: FakeILLiad, key: str = "KEY-1") -> illiad.ILLiadClient:
    return illiad.ILLiadClient(URL, key, transport=fake.transport())


def test_create_transaction_posts_documented_fields_with_the_api_key(fake: FakeILLiad) -> None:
    with _client(fake) as client:
        tx = client.create_transaction(illiad.Transaction(
            username="jdoe", request_type="Loan", process_type="Borrowing", loan_title="Dune",
            loan_author="Herbert", esp_number="123", cited_in="01CUNY_1", accept_alternate_edition=True))
    assert tx.transaction_number == 1000 and tx.loan_title == "Dune" and tx.username == "jdoe"
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/ILLiadWebPlatform/Transaction")
    assert sent.headers["apikey"] == "KEY-1"
    assert sent.json == {"Username": "jdoe", "RequestType": "Loan", "ProcessType": "Borrowing", "LoanTitle": "Dune",
                         "LoanAuthor": "Herbert", "ESPNumber": "123", "CitedIn": "01CUNY_1",
                         "AcceptAlternateEdition": True}
    # quirky answers: a repeated key (first null), unknown keys kept, nulls as None
    assert tx.extra["WebPlatformVersion"] == "9.2.0.0" and "Unused" in tx.extra
    assert tx.photo_journal_title is None


def test_read_note_route(fake: FakeILLiad) -> None:
    with _client(fake) as client:
        number = client.create_transaction({"Username": "jdoe", "RequestType": "Article"}).transaction_number
        assert number is not None
        assert client.get_transaction(number).request_type == "Article"
        note = client.add_note(number, "from the gateway")
        assert (note.note, note.note_type, note.transaction_number) == ("from the gateway", "Staff", number)
        routed = client.route(number, "Request Imported from Alma")
        assert routed.transaction_status == "Request Imported from Alma"
    assert [(r.method, r.path) for r in fake.requests[-3:]] == [
        ("GET", f"/ILLiadWebPlatform/Transaction/{number}"), ("POST", f"/ILLiadWebPlatform/Transaction/{number}/notes"),
        ("PUT", f"/ILLiadWebPlatform/Transaction/{number}/route")]
    assert fake.requests[-1].json == {"Status": "Request Imported from Alma"}


def test_users(fake: FakeILLiad) -> None:
    with _client(fake) as client:
        assert client.get_user("jdoe").external_user_id == "E-1"
        assert client.get_user_by_external_id("E-1").username == "jdoe"
        made = client.create_user(illiad.User(username="a b/c", email_address="ab@example.org", first_name="A"))
        assert made.username == "a b/c" and made.email_address == "ab@example.org"
        assert client.get_user("a b/c").first_name == "A"
        assert fake.requests[-2].json["EmailAddress"] == "ab@example.org"
        with pytest.raises(illiad.NotFound, match="User nobody was not found"):
            client.get_user("nobody")
        with pytest.raises(illiad.BadRequest) as caught:
            client.create_user({"Username": "jdoe"})
    assert caught.value.model_state == {"UserName": ["Username jdoe already exists."]}
    assert caught.value.field_messages() == ["UserName: Username jdoe already exists."]


def test_bad_request_model_state(fake: FakeILLiad) -> None:
    with _client(fake) as client, pytest.raises(illiad.BadRequest) as caught:
        client.create_transaction({"RequestType": "Thesis"})
    assert caught.value.status == 400
    assert "Username: The Username field is required." in caught.value.field_messages()
    assert any(m.startswith("RequestType:") for m in caught.value.field_messages())


def test_bad_key_and_server_errors(fake: FakeILLiad) -> None:
    with _client(fake, "WRONG") as client, pytest.raises(illiad.Unauthorized) as caught:
        client.get_user("jdoe")
    assert caught.value.status == 401 and not caught.value.retryable
    fake.fail_next(503)
    with _client(fake) as client:
        with pytest.raises(illiad.ServerError) as server:
            client.get_user("jdoe")
        assert server.value.retryable
        assert client.get_user("jdoe").username == "jdoe"  # the next attempt succeeds


def test_unreachable_is_a_retryable_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with illiad.ILLiadClient(f"http://127.0.0.1:{port}", "k", timeout=2) as client:
        with pytest.raises(illiad.ILLiadConnectionError) as caught:
            client.get_user("x")
    assert caught.value.retryable


def test_async_client(fake: FakeILLiad) -> None:
    async def run() -> tuple[illiad.Transaction, illiad.User]:
        async with illiad.AsyncILLiadClient(URL, "KEY-1", transport=fake.transport()) as client:
            tx = await client.create_transaction({"Username": "jdoe", "RequestType": "Loan", "LoanTitle": "T"})
            with pytest.raises(illiad.NotFound):
                await client.get_transaction(9)
            return tx, await client.get_user_by_external_id("E-1")
    tx, user = asyncio.run(run())
    assert tx.loan_title == "T" and user.username == "jdoe"


def test_loopback_server_serves_the_same_fake(fake: FakeILLiad) -> None:
    with fake.serve() as url, illiad.ILLiadClient(url, "KEY-1", timeout=5) as client:
        assert client.get_user("jdoe").username == "jdoe"


@pytest.mark.parametrize("given", ["https://x.illiad.oclc.org", "https://x.illiad.oclc.org/ILLiadWebPlatform/",
                                   "https://x.illiad.oclc.org/ILLiadWebPlatform/transaction"])
def test_base_url_from_a_partner_record(given: str) -> None:
    assert illiad.base_url(given) == "https://x.illiad.oclc.org/ILLiadWebPlatform"


def test_answers_read_tolerantly_or_fail_typed() -> None:
    assert illiad.answer(200, b'{"A": 1, "A": null, "B": 2, "B": 3}') == {"A": 1, "B": 3}
    with pytest.raises(illiad.ILLiadError, match="not JSON"):
        illiad.answer(200, b"<html>")
    with pytest.raises(illiad.ILLiadResponseError, match="418"):
        illiad.answer(418, b"")
    with pytest.raises(illiad.ILLiadError, match="expected a number"):
        illiad.Transaction.from_json({"TransactionNumber": "abc"})
    assert illiad.Transaction.from_json({"transactionnumber": "12", "ESPNumber": 77}).esp_number == "77"
