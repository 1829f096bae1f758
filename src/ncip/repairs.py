"""What a lenient NCIP read changed: Repair records, the RepairWarning category and the list of repair codes.

`ncip.read()` returns them with the message; `ncip.parse(..., strict=False)` also issues each as a RepairWarning.
"""

from __future__ import annotations

from illcore.xml import Repair as Repair  # re-exported: the package's public Repair
from illcore.xml import RepairWarning as _RepairWarning

#: Every repair code a lenient read can report, with what it means.
REPAIR_CODES: dict[str, str] = {
    "no-namespace": "elements without the NCIP namespace were read as NCIP 2 elements",
    "unqualified-version": "an unqualified `version` attribute was read as the NCIP version attribute",
    "unqualified-scheme": "an unqualified `Scheme` attribute was read as the NCIP Scheme attribute",
    "missing-version": "the NCIPMessage had no version attribute",
    "unknown-version": "a version attribute naming no known NCIP 2 version was read as NCIP 2.02",
    "stray-text": "text between elements where the schema allows none was ignored (its value is in the detail)",
    "duplicate-element": "a repeated non-repeatable element: the first was used",
    "not-in-2.02": "a service NCIP 2.02 dropped (NCIP 1's LookupVersion) was read",
    "schema-invalid": "the document did not validate after the other repairs (order, occurrences); read anyway",
}


class RepairWarning(_RepairWarning):
    """Issued by `ncip.parse(..., strict=False)` once per repair; `.repair` holds the Repair."""
