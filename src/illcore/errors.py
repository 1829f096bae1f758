"""The root of every error this distribution raises for bad data or a broken protocol rule.

Both `isoill` (ISO 10161) and `iso18626` derive their hierarchies from `IsoIllError`, so a gateway that
speaks both can catch one class.
"""

from __future__ import annotations


class IsoIllError(ValueError):
    """Base of all typed errors raised by the isoill distribution (a ValueError)."""
