"""The bundled NCIP 2.02 XSD (package data from schemas/): a compiled lxml validator, precise reasons on failure.

lxml validates on the fast path; xmlschema is imported only to explain a failure.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources
from typing import Any

from lxml import etree

from .xsdgen import FILE

_local = threading.local()


def xsd_text() -> bytes:
    """Our NCIP 2.02 XSD as bytes, read from the package data."""
    return (resources.files("ncip") / "schemas" / FILE).read_bytes()


@functools.cache
def _schema_doc() -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xsd_text(), parser)


def validator() -> etree.XMLSchema:
    """A compiled validator for this thread (lxml's XMLSchema keeps per-object error state)."""
    schema: etree.XMLSchema | None = getattr(_local, "schema", None)
    if schema is None:
        schema = _local.schema = etree.XMLSchema(_schema_doc())
    return schema


def first_error(root: Any) -> tuple[str, str]:
    """(reason, element path) of the first schema error of `root` (which must have failed `validator()`)."""
    log: Any = validator().error_log
    errors: list[Any] = list(log)
    err = errors[0] if errors else None
    if err is None:  # pragma: no cover - only called after a failed validation
        return "not valid against the NCIP 2.02 schema", ""
    where = ""
    if err.path:
        try:
            found = root.getroottree().xpath(err.path)
        except etree.XPathError:  # pragma: no cover - lxml's own paths evaluate
            found = []
        if found:
            where = _element_path(found[0])
    return err.message, where


def _element_path(el: Any) -> str:
    names = []
    while el is not None:
        names.append(el.tag.rsplit("}", 1)[-1])
        el = el.getparent()
    return "/" + "/".join(reversed(names))
