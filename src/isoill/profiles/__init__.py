"""ISO 10161 peer profiles: what a partner system (Alma, ILLiad, IPIG/OCLC peers) sends, accepts and requires,
as data (a services table and a few settings) plus the few rules that do not fit a table, each with its source.

`PROFILES[name].check(apdu, sender=Role.REQUESTER)` lists every violation; `.enforce(...)` raises one error.
"""

from isoill.profiles._profile import (
    EVERY_SERVICE,
    Profile,
    Rule,
    Service,
    asn1_path,
)
from isoill.profiles.alma import ALMA
from isoill.profiles.illiad import ILLIAD
from isoill.profiles.ipig import IPIG, OCLC

PROFILES: dict[str, Profile] = {p.name: p for p in (ALMA, ILLIAD, IPIG, OCLC)}

__all__ = ["ALMA", "EVERY_SERVICE", "ILLIAD", "IPIG", "OCLC", "PROFILES", "Profile", "Rule", "Service",
           "asn1_path"]
