"""What the XML protocol packages (ISO 18626, NCIP) share: the hardened lxml parser and the lenient-read repair.

A parser that never fetches, expands or loads anything, one per thread; a repair as a lenient read reports it.
"""

from __future__ import annotations

import threading

import attrs
from lxml import etree

__all__ = ["Repair", "RepairWarning", "hardened_parser"]

_local = threading.local()


def hardened_parser() -> etree.XMLParser:
    """This thread's parser: no DTDs, no entity expansion, no network, libxml2's default depth and size limits
    (huge_tree off), comments and processing instructions dropped. lxml parsers are not thread-safe: one each."""
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
            collect_ids=False, remove_comments=True, remove_pis=True)
    return parser


@attrs.frozen
class Repair:
    """One repair: a code from the package's REPAIR_CODES, the element path and a human detail."""

    code: str
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code} at {self.path}: {self.detail}" if self.path else f"{self.code}: {self.detail}"


class RepairWarning(UserWarning):
    """Issued once per repair by a lenient read; `.repair` holds the Repair. Each package has its own subclass."""

    def __init__(self, repair: Repair):
        self.repair = repair
        super().__init__(str(repair))
