"""Registered ISO 10161 extensions (carried as EXTERNALs) and the registry that maps their OIDs to types."""

from isoill.extensions.registry import ExtensionType, entries, lookup, register

__all__ = ["ExtensionType", "entries", "lookup", "register"]
