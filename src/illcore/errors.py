"""The root of every error this distribution raises for bad data or a broken protocol rule, and the field
vocabulary every located error shares (`.detail`, `.path`, `.where`, `.offset`).

Both `isoill` (ISO 10161) and `iso18626` derive their hierarchies from `IsoIllError`, so a gateway that
speaks both can catch one class.
"""

from __future__ import annotations


class IsoIllError(ValueError):
    """Base of all typed errors raised by the isoill distribution (a ValueError).

    Errors that point into a message use one vocabulary in every package:

    - `.detail`: what is wrong, without the location (the message text minus "at ..." / "in ...");
    - `.path`: where, outermost first, in the standard's own names: ISO 10161 gives the list of ASN.1 component
      names (``["ILL-Request", "transaction-id", "initial-requester-id"]``), ISO 18626 the element path written
      as XPath (``"/ISO18626Message/request/header/timestamp"``); empty when the fault is the whole message;
    - `.where`: `.path` printed the way the standard writes it (dotted ASN.1 names, or the element path), a str
      in every package, so a log line reads the same for both protocols;
    - `.offset`: the byte offset of the fault when the codec knows it (BER), else None.
    """

    offset: int | None = None  # (`.detail` and `.path` are set by each package's classes, with their own types)

    @property
    def where(self) -> str:
        """The location as one string ("" when there is none)."""
        path = getattr(self, "path", "")
        return path if isinstance(path, str) else ".".join(path)
