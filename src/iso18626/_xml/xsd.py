"""The bundled XSDs (package data from schemas/): compiled lxml validators, and precise reasons on failure.

lxml validates on the fast path; xmlschema is imported only to explain a failure, never on the hot path.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources
from typing import Any

from lxml import etree

from iso18626._xml.xsdgen import FILES

_local = threading.local()


def xsd_text(version: str) -> bytes:
    """The XSD of one version ("1.1", "1.2", "2021") as bytes, read from the package data."""
    return (resources.files("iso18626") / "schemas" / FILES[version]).read_bytes()


@functools.cache
def _schema_doc(version: str) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xsd_text(version), parser)


def validator(version: str) -> etree.XMLSchema:
    """A compiled validator for this thread (lxml's XMLSchema keeps per-object error state)."""
    cache: dict[str, etree.XMLSchema] | None = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    schema = cache.get(version)
    if schema is None:
        schema = cache[version] = etree.XMLSchema(_schema_doc(version))
    return schema


def explain(root: Any, version: str) -> list[str]:
    """Human reasons why `root` fails the XSD of `version`, from xmlschema (slow; failure path only)."""
    try:
        import xmlschema
    except ImportError:  # pragma: no cover - xmlschema is a dependency, but only needed here
        return []
    schema = _xmlschema(version, xmlschema)
    reasons = []
    for err in schema.iter_errors(root):
        reasons.append(f"{err.path}: {err.reason}")
        if len(reasons) >= 5:
            break
    return reasons


@functools.cache
def _xmlschema(version: str, module: Any) -> Any:
    return module.XMLSchema(xsd_text(version).decode("utf-8"))
