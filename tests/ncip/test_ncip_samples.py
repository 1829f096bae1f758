"""The issue's must-hold on FOLIO's real NCIP messages: strict where the official schema accepts, lenient with
reported repairs where it rejects only an unqualified version or a missing namespace, typed errors elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import ncip

_LENIENT_CODES = {"unqualified version attribute made namespace-qualified": "unqualified-version",
                  "moved un-namespaced elements (and Scheme/version attributes) into http://www.niso.org/2008/ncip":
                  "no-namespace"}


def _round_trip(message: Any, official: Any) -> None:
    out = ncip.serialize(message)
    assert official.validate(etree.fromstring(out)), official.error_log
    assert ncip.parse(out) == message


def test_official_accepts_means_strict_parse(ncip_manifest: list[dict[str, Any]], official_ncip: Any) -> None:
    valid = [e for e in ncip_manifest if e["xsd_valid"]]
    assert len(valid) == 8
    for entry in valid:
        parsed = ncip.read(entry["data"])
        assert type(parsed.message).__name__ == entry["service"]
        assert parsed.repairs == ()
        _round_trip(parsed.message, official_ncip)


def test_rejected_only_for_version_or_namespace_reads_leniently(
        ncip_manifest: list[dict[str, Any]], official_ncip: Any) -> None:
    fixable = [e for e in ncip_manifest if not e["xsd_valid"] and e["xsd_valid_after_normalising"]]
    assert len(fixable) == 9
    for entry in fixable:
        with pytest.raises(ncip.ValidationError) as caught:
            ncip.parse(entry["data"])
        assert caught.value.path == "/NCIPMessage"
        parsed = ncip.read(entry["data"], strict=False)
        codes = {r.code for r in parsed.repairs}
        assert {_LENIENT_CODES[n] for n in entry["lenient_normalisations"]} <= codes
        assert "schema-invalid" not in codes
        assert type(parsed.message).__name__ == entry["service"]
        _round_trip(parsed.message, official_ncip)
        with pytest.warns(ncip.RepairWarning):
            assert ncip.parse(entry["data"], strict=False) == parsed.message


def test_other_samples_get_a_typed_error_or_a_reported_repair(ncip_manifest: list[dict[str, Any]]) -> None:
    rest = [e for e in ncip_manifest if not e["xsd_valid"] and not e["xsd_valid_after_normalising"]]
    assert rest
    for entry in rest:
        with pytest.raises(ncip.ValidationError):
            ncip.parse(entry["data"])
        try:
            parsed = ncip.read(entry["data"], strict=False)
        except ncip.ValidationError as exc:
            assert exc.path.startswith("/NCIPMessage")
        else:
            assert "schema-invalid" in {r.code for r in parsed.repairs}


def test_the_sample_with_both_userid_and_authentication_cannot_be_rewritten(
        ncip_manifest: list[dict[str, Any]]) -> None:
    entry = next(e for e in ncip_manifest if e["file"].endswith("ncip-lookupUserCheckPin.xml"))
    parsed = ncip.read(entry["data"], strict=False)
    assert ("schema-invalid", "/NCIPMessage/LookupUser/AuthenticationInput") in {
        (r.code, r.path) for r in parsed.repairs}
    message = parsed.message
    assert message.user_id is not None and message.authentication_input
    with pytest.raises(ncip.SerializeError, match="AuthenticationInput"):
        ncip.serialize(message)
