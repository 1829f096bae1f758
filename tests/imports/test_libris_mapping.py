"""The Libris -> BorrowingRequest mapping (sans-IO): every row of the table in docs/importing.md."""

from __future__ import annotations

from typing import Any

import pytest

from illcore.importer import MappingFailure
from illcore.request import ExternalId, Patron, Service
from illcore.requestjson import request_from_dict, request_to_dict
from libris import LibrisMapping, to_borrowing_request
from libris.mapping import split_isbn_issn
from libris.model import read_request

MAPPING = LibrisMapping(library="Abc", libraries={"Abc": "MAIN", "Abcd": "BRANCH"}, partners=("GBG", "u"))


def _req(**fields: Any) -> Any:
    base: dict[str, Any] = {"lf_number": "LF1", "last_modified": "2026-11-01 10:00:00", "media_type": "Lån",
                            "requesting_library": "Abc"}
    base.update(fields)
    return read_request({k: v for k, v in base.items() if v is not None}, "ill_requests[0]")


def test_loan_fields() -> None:
    req = _req(title="Röda rummet", author="Strindberg, August", imprint="Stockholm : Bonnier",
               place_of_publication="Stockholm", year=1879, isbn_issn="978-91-0-012345-6 91-7447-123-X",
               receiving_library={"library_code": "Abcd", "name": "Filialen"},
               recipients=[{"library_code": "gbg"}, {"library_code": "U"}, {"library_code": "Li"}],
               end_user={"first_name": "Anna", "last_name": "Svensson", "email": "a@example.org",
                         "library_card": "123", "user_id": "u9", "phone": "070-1"},
               message="Behövs snart", bib_id="9876", status="Uteliggande")
    br = to_borrowing_request(req, MAPPING)
    assert br.request_id == "libris:LF1"
    assert br.external_ids == (ExternalId("libris", "LF1"),)
    assert (br.title, br.author, br.publisher, br.place_of_publication, br.publication_date) == (
        "Röda rummet", "Strindberg, August", "Stockholm : Bonnier", "Stockholm", "1879")
    assert br.service is Service.LOAN
    assert br.isbn == ("978-91-0-012345-6", "91-7447-123-X") and br.issn == ()
    assert br.requester == "MAIN" and br.pickup_library == "BRANCH"
    assert br.suppliers == ("GBG", "u", "Li")  # the partner's spelling when known, else Libris's
    assert br.patron == Patron(id="123", name="Anna Svensson", email="a@example.org")
    assert br.note is not None
    for line in ("Libris message: Behövs snart", "Libris bib_id: 9876", "Libris status: Uteliggande",
                 "recipients not in the partner directory: Li"):
        assert line in br.note.splitlines()
    assert "070-1" not in br.note  # patron contact details stay in the stored record, not in the note


def test_copy_fields() -> None:
    br = to_borrowing_request(_req(media_type="Kopia", title="Nature", isbn_issn="0028-0836",
                                   title_of_article="A paper", author_of_article="Doe, J",
                                   volume_designation="512:3", pages="1-9"), MAPPING)
    assert br.service is Service.COPY
    assert br.issn == ("0028-0836",) and br.isbn == ()
    assert (br.title_of_component, br.author_of_component, br.volume, br.pages) == (
        "A paper", "Doe, J", "512:3", "1-9")


def test_unmapped_requesting_library_fails_naming_the_code() -> None:
    with pytest.raises(MappingFailure) as info:
        to_borrowing_request(_req(requesting_library="Xyz"), MAPPING)
    assert info.value.external_id == "LF1"
    assert "'Xyz'" in info.value.reason and "--map Xyz=" in info.value.reason


def test_sigils_are_case_sensitive() -> None:
    with pytest.raises(MappingFailure, match="'abc'"):
        to_borrowing_request(_req(requesting_library="abc"), MAPPING)


def test_unmapped_receiving_library_fails() -> None:
    with pytest.raises(MappingFailure, match="receiving library 'Zz'"):
        to_borrowing_request(_req(receiving_library={"library_code": "Zz"}), MAPPING)


def test_requester_defaults_to_the_harvested_library() -> None:
    assert to_borrowing_request(_req(requesting_library=None), MAPPING).requester == "MAIN"


def test_unknown_media_type_fails() -> None:
    with pytest.raises(MappingFailure, match="unknown media_type 'Mikrofilm'"):
        to_borrowing_request(_req(media_type="Mikrofilm"), MAPPING)


def test_recipient_without_code_fails() -> None:
    with pytest.raises(MappingFailure, match=r"recipients\[1\] has no library_code"):
        to_borrowing_request(_req(recipients=[{"library_code": "U"}, {"location": "x"}]), MAPPING)


def test_without_partner_list_codes_pass_as_they_are() -> None:
    br = to_borrowing_request(_req(recipients=[{"library_code": "gbg"}]), LibrisMapping(
        library="Abc", libraries={"Abc": "MAIN"}))
    assert br.suppliers == ("gbg",) and br.note is None


def test_unrecognised_isbn_issn_text_is_kept_in_the_note() -> None:
    assert split_isbn_issn("91-7447-123-X (inb.)") == (("91-7447-123-X",), (), False)
    br = to_borrowing_request(_req(isbn_issn="91-7447-123-X (inb.)"), MAPPING)
    assert br.isbn == ("91-7447-123-X",)
    assert br.note == "Libris isbn_issn: 91-7447-123-X (inb.)"


def test_mapped_request_survives_json() -> None:
    br = to_borrowing_request(_req(media_type="Kopia", recipients=[{"library_code": "U"}],
                                   end_user={"first_name": "A"}), MAPPING)
    assert request_from_dict(request_to_dict(br)) == br
