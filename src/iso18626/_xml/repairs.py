"""What a lenient read changed: Repair records, the RepairWarning category and the list of repair codes.

`iso18626.read()` returns them with the message; `iso18626.parse()` also issues each as a RepairWarning.
"""

from __future__ import annotations

from illcore.xml import Repair as Repair  # re-exported: the package's public Repair
from illcore.xml import RepairWarning as _RepairWarning

#: Every repair code a lenient read can report, with what it means.
REPAIR_CODES: dict[str, str] = {
    "no-namespace": "elements without the ISO 18626 namespace were read as ISO 18626 elements",
    "foreign-namespace": "elements in another namespace than the root's expected one were read as ISO 18626",
    "bare-root": "a message without the ISO18626Message envelope was wrapped in one",
    "unqualified-version": "an unqualified `version` attribute was read as ill:version",
    "missing-version": "the envelope had no version attribute",
    "unqualified-scheme": "an unqualified `scheme` attribute was read as ill:scheme",
    "unknown-attribute": "an attribute the schema does not define was ignored (its value is in the detail)",
    "missing-multiple-item-request-id": "a v1.1-style header without multipleItemRequestId (written empty in v1.2)",
    "timestamp-format": "a timestamp that is not a valid xs:dateTime (+hhmm, space, no seconds) was read",
    "empty-timestamp": "an empty timestamp: optional ones read as absent, required ones as the zero time",
    "error-type-spelling": "an errorType in US or other spelling was read as the XSD token",
    "closed-code-case": "a closed code in the wrong letter case was read as the XSD token",
    "empty-closed-code": "an empty closed code (action, status, ...) was read as absent (None)",
    "empty-value": "an empty numeric or boolean element was read as absent",
    "boolean-spelling": "a boolean other than true/false/1/0 (e.g. True, Y) was read",
    "unknown-element": "an element the schema does not define was kept verbatim in `extras`",
    "duplicate-element": "a repeated non-repeatable element: the first is used, the rest kept in `extras`",
    "schema-invalid": "the document did not validate after the other repairs (order, occurrences); read anyway",
}


class RepairWarning(_RepairWarning):
    """Issued by `iso18626.parse(..., strict=False)` once per repair; `.repair` holds the Repair."""
