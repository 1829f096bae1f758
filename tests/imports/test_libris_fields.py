"""The model and the FAKE Libris against the shared field list (../shared/samples/libris/fields.json): every
documented field is read, the fake sends no field that public clients do not read; and reading never crashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from illcore.importer import MappingFailure
from illnode.testing.fake_libris import sample_requests
from libris import LibrisFormatError, LibrisMapping, to_borrowing_request
from libris.model import EndUser, Library, LibraryRef, LibrisRequest, Recipient, read_request, read_update


@pytest.fixture(scope="module")
def documented(shared_dir: Path) -> set[str]:
    path = shared_dir / "samples" / "libris" / "fields.json"
    if not path.is_file():
        pytest.skip("../shared/samples/libris/fields.json not available")
    return {f["path"] for f in json.loads(path.read_text(encoding="utf-8"))["fields"]}


def _model_paths() -> set[str]:
    paths = {"count", "error", "ill_requests[]", "libraries[]", "update_action", "update_message",
             "update_success"}
    nested = {"receiving_library": LibraryRef, "recipients": Recipient, "end_user": EndUser}
    for f in attrs.fields(LibrisRequest):
        if f.name == "raw":
            continue
        paths.add(f"ill_requests[].{f.name}")
        if f.name in nested:
            sub = "[]" if f.name == "recipients" else ""
            paths |= {f"ill_requests[].{f.name}{sub}.{g.name}" for g in attrs.fields(nested[f.name])}
    paths |= {f"libraries[].{g.name}" for g in attrs.fields(Library)}
    return paths


def test_the_model_reads_every_documented_field(documented: set[str]) -> None:
    # exactly the documented fields: none left unread, none invented
    assert _model_paths() == documented


def test_the_fake_sends_only_documented_fields(documented: set[str]) -> None:
    for stored in sample_requests(30):
        for key, value in stored.json.items():
            assert f"ill_requests[].{key}" in documented, key
            if isinstance(value, dict):
                assert {f"ill_requests[].{key}.{k}" for k in value} <= documented
            if isinstance(value, list):
                assert {f"ill_requests[].{key}[].{k}" for item in value for k in item} <= documented


_scalar = st.one_of(st.none(), st.text(max_size=8), st.integers(), st.booleans(), st.floats(allow_nan=False))
_json = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                     max_leaves=8)
_names = st.sampled_from([f.name for f in attrs.fields(LibrisRequest) if f.name != "raw"] + ["library_code"])
_request = st.dictionaries(_names, st.one_of(_scalar, _json, st.lists(st.dictionaries(_names, _json, max_size=3),
                                                                         max_size=3)), max_size=10)


@settings(max_examples=150, deadline=None)
@given(_request)
def test_any_json_is_read_or_refused_with_a_path(doc: dict[str, Any]) -> None:
    mapping = LibrisMapping(library="Abc", libraries={"Abc": "MAIN"}, partners=("X",))
    try:
        req = read_request(doc, "ill_requests[0]")
    except LibrisFormatError as exc:
        assert exc.path.startswith("ill_requests[0].")
        return
    try:
        br = to_borrowing_request(req, mapping)
    except MappingFailure as exc:
        assert exc.external_id == req.lf_number and exc.reason
        return
    assert br.external_id("libris") == req.lf_number


@settings(max_examples=50, deadline=None)
@given(_json)
def test_any_update_answer_is_read_or_refused(doc: Any) -> None:
    try:
        result = read_update(doc)
    except LibrisFormatError:
        return
    assert isinstance(result.success, bool)
