"""The scenarios a partner simulator plays, and the note marker (`#scenario=NAME`) that picks one per request.

Like crosslink's illmock, which takes its scenario from a token in the request (research notes ill-systems.md 4.1).
"""

from __future__ import annotations

import re

__all__ = ["SCENARIOS", "scenario_in"]

SCENARIOS: dict[str, str] = {
    "unfilled": "answer unfilled (the requester moves on to its next partner)",
    "loaned": "lend: (will-supply where the profile has it,) shipped; check in after received and returned",
    "conditional": "answer with a condition; lend when the requester accepts it",
    "expire": "let the request expire (Expired / an unfilled answer saying so)",
    "error-report": "answer with an error (Status-Or-Error-Report / an ERROR confirmation)",
}

_MARKER = re.compile(r"#scenario=([a-z-]+)", re.IGNORECASE)


def scenario_in(note: object, default: str) -> str:
    """The scenario named by a `#scenario=NAME` marker in `note`, else `default` (an unknown name too)."""
    found = _MARKER.search(str(note or ""))
    if found is not None and found.group(1).lower() in SCENARIOS:
        return found.group(1).lower()
    return default
