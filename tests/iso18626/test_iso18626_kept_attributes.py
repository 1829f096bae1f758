"""strict=False: elements kept verbatim in extras keep their attributes (the repair pass strips unknown
attributes only where they are ignored), and only attributes really ignored are reported."""

from __future__ import annotations

import iso18626

NS = "http://illtransactions.org/2013/iso18626"
HEADER = (
    "<ill:header><ill:supplyingAgencyId><ill:agencyIdType>ISIL</ill:agencyIdType>"
    "<ill:agencyIdValue>S</ill:agencyIdValue></ill:supplyingAgencyId><ill:requestingAgencyId>"
    "<ill:agencyIdType>ISIL</ill:agencyIdType><ill:agencyIdValue>R</ill:agencyIdValue></ill:requestingAgencyId>"
    "<ill:multipleItemRequestId/><ill:timestamp>2024-05-06T07:08:09Z</ill:timestamp>"
    '<ill:requestingAgencyRequestId>R-1</ill:requestingAgencyRequestId><ill:timestamp y="8">2024-05-06T07:08:10Z'
    "</ill:timestamp></ill:header>"
)
DOC = (
    f'<ill:ISO18626Message xmlns:ill="{NS}" ill:version="1.2"><ill:requestingAgencyMessage>{HEADER}'
    '<ill:action c="3">Received</ill:action>'
    '<v:tracking xmlns:v="urn:v" v:id="7" scheme="s" a="1"><v:n b="2" scheme="x">1</v:n><v:m/></v:tracking>'
    "</ill:requestingAgencyMessage></ill:ISO18626Message>"
).encode()


def test_kept_elements_keep_every_attribute_in_order() -> None:
    result = iso18626.read(DOC, strict=False)
    (tracking,) = result.message.extras
    assert 'v:id="7" scheme="s" a="1"><v:n b="2" scheme="x">1</v:n><v:m/>' in tracking  # not ill:scheme
    (duplicate,) = result.message.header.extras
    assert 'y="8"' in duplicate
    out = iso18626.serialize(result.message, extras="emit")
    for kept in (b'v:id="7" scheme="s" a="1"', b'<v:n b="2" scheme="x">', b'y="8"'):
        assert kept in out
    again = iso18626.read(out, strict=False).message
    assert again.extras == result.message.extras and again.header.extras == result.message.header.extras


def test_only_attributes_really_ignored_are_reported() -> None:
    repairs = iso18626.read(DOC, strict=False).repairs
    ignored = [(r.path, r.detail) for r in repairs if r.code in ("unknown-attribute", "unqualified-scheme")]
    assert ignored == [("/ISO18626Message/requestingAgencyMessage/action", "c='3' ignored")]
    codes = [r.code for r in repairs]
    assert codes.count("unknown-element") == 1 and codes.count("duplicate-element") == 1
