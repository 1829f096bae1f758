"""The registry of peer profiles by name: each names its ISO 10161 part (`isoill.profiles`) and its ISO 18626
part (`iso18626.profiles`), either of which may be absent (ReShare speaks only ISO 18626, IPIG only ISO 10161).
"""

from __future__ import annotations

import difflib

import attrs

import iso18626.profiles as p18626
import isoill.profiles as p10161

__all__ = ["NAMES", "PeerProfile", "get"]


@attrs.frozen
class PeerProfile:
    """One kind of partner system: its name and what it does in each protocol it speaks."""

    name: str
    iso10161: p10161.Profile | None
    iso18626: p18626.Profile | None

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(p for p, part in (("iso10161", self.iso10161), ("iso18626", self.iso18626)) if part)


_TABLE: tuple[PeerProfile, ...] = (
    PeerProfile("alma", p10161.ALMA, p18626.ALMA),
    PeerProfile("illiad", p10161.ILLIAD, p18626.ILLIAD),
    PeerProfile("ipig", p10161.IPIG, None),
    PeerProfile("oclc", p10161.OCLC, p18626.OCLC),
    PeerProfile("reshare", None, p18626.RESHARE),
    PeerProfile("crosslink", None, p18626.CROSSLINK),
)
NAMES: dict[str, PeerProfile] = {p.name: p for p in _TABLE}


def get(name: str) -> PeerProfile:
    """The profile called `name` (case-insensitive; "rapido" is Alma's); KeyError naming the known ones."""
    key = name.strip().lower()
    key = {"rapido": "alma"}.get(key, key)  # crosslink maps Rapido to the Alma vendor (ill-systems.md 4.1)
    if key in NAMES:
        return NAMES[key]
    close = difflib.get_close_matches(key, NAMES, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise KeyError(f"no profile {name!r}{hint}; known: {', '.join(NAMES)}")
