"""What every peer profile shares, whatever the protocol: a violation (where, what, which source says so) and
the typed error that lists every violation of a message about to be sent.

Profiles themselves are protocol data (`isoill.profiles`, `iso18626.profiles`); `illnode.profiles` names them.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from illcore.errors import IsoIllError

__all__ = ["ProfileViolation", "Violation"]


@attrs.frozen
class Violation:
    """One way a message breaks a peer profile: `path` names the service or field (ISO names, e.g.
    "ILL-Request.delivery-address" or "supplyingAgencyMessage/statusInfo/status"), `message` says what the
    profile wants, `source` where that fact comes from."""

    path: str
    message: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ProfileViolation(IsoIllError):
    """A message breaks its peer's profile; `violations` lists every violation (not only the first)."""

    def __init__(self, profile: str, violations: Iterable[Violation]) -> None:
        self.profile = profile
        self.violations = tuple(violations)
        lines = "; ".join(str(v) for v in self.violations)
        super().__init__(f"{len(self.violations)} violation(s) of the {profile} profile: {lines}")
