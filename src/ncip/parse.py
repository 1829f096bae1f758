"""Bytes -> NCIP message: a hardened lxml parse, NCIP 1 refusal, lenient repairs, XSD validation, the reader.

strict=True accepts only documents our 2.02 schema accepts; strict=False repairs what real peers send and reports it.
"""

from __future__ import annotations

import re
import warnings
from itertools import islice
from typing import Any

import attrs
from lxml import etree

from illcore.xml import hardened_parser

from . import tables as T
from .errors import MISSING_VERSION, UNSUPPORTED_SERVICE, UnsupportedVersionError, ValidationError
from .model import Message, ProblemResponse
from .reader import ReadContext, local_name, read_element
from .repairs import Repair, RepairWarning
from .schema import first_error, validator

DEFAULT_MAX_BYTES = 1 << 20
DEFAULT_MAX_DEPTH = 40
DEFAULT_MAX_ELEMENTS = 10_000
_Q = "{" + T.NS + "}"
_VERSION = _Q + "version"
_SCHEME = _Q + "Scheme"
_ROOT = _Q + "NCIPMessage"
_EXT = _Q + "Ext"
_SUPPORTED = frozenset(T.MESSAGES)
# NCIP 1 (Z39.83-2002, DTD era): its DOCTYPE, its version URIs, and element names NCIP 2 renamed away.
_NCIP1_DOCTYPE = re.compile(rb"<!DOCTYPE\s+NCIPMessage[^>]*(NCIP DTD Version 1|ncip_v1)", re.I)
_NCIP1_VERSION = re.compile(r"ncip[/_]v1|/v1_0/|^1(\.0\d?)?$", re.I)
_NCIP2_VERSION = re.compile(r"ncip[/_]v2_0[12]?\b|/v2_0[12]?/|^2\.0[12]?$", re.I)
_NCIP1_ELEMENTS = frozenset({"UniqueAgencyId", "UniqueUserId", "UniqueItemId", "UniqueRequestId",
                             "UniqueBibliographicId", "VisibleUserId"})


@attrs.frozen
class Parsed:
    """The result of `ncip.read`: the message, the `version` attribute as sent (None if absent), and the
    repairs a lenient read made (empty when strict)."""

    message: Message
    declared_version: str | None
    repairs: tuple[Repair, ...] = ()




def _tree(data: bytes | str, max_bytes: int) -> Any:
    if isinstance(data, str):
        data = re.sub(r"^\s*<\?xml[^>]*\?>", "", data).encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse() needs bytes or str, not {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_bytes:
        raise ValidationError(f"message of {len(data)} bytes exceeds the limit of {max_bytes}")
    if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        found = _NCIP1_DOCTYPE.search(data)
        if found:
            raise UnsupportedVersionError("an NCIP version 1 message (DTD era); only NCIP 2 is spoken",
                                          found.group(0).decode("ascii", "replace"))
        raise ValidationError("DOCTYPE and entity declarations are not allowed")
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"not well-formed XML: {exc}") from None
    info: Any = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:  # e.g. a UTF-16 document the byte scan missed
        raise ValidationError("DOCTYPE and entity declarations are not allowed")
    return root


def _check_limits(root: Any, size: int, max_elements: int) -> None:
    # A document shorter than 4 octets per allowed element (<a/>) cannot hold too many: real messages skip it.
    if size > 4 * max_elements and sum(1 for _ in islice(root.iter(), max_elements + 1)) > max_elements:
        raise ValidationError(f"more than {max_elements} elements", "/NCIPMessage")
    # Depth is bounded by libxml2 (256) while parsing, by the reader on the elements it reads, and by the Ext
    # reader on open content; the schema's own nesting is finite.


def _path(el: Any) -> str:
    names = []
    while el is not None:
        names.append(local_name(el.tag))
        el = el.getparent()
    return "/" + "/".join(reversed(names))


def _refuse_ncip1(root: Any, version: str | None) -> None:
    if version is not None and _NCIP1_VERSION.search(version.strip()):
        raise UnsupportedVersionError(f"an NCIP version 1 message (version {version!r}); only NCIP 2 is spoken",
                                      version)
    if root.tag == "NCIPMessage":
        for el in islice(root.iter(), 200):
            if isinstance(el.tag, str) and el.tag in _NCIP1_ELEMENTS:
                raise UnsupportedVersionError(
                    f"an NCIP version 1 message (it has {el.tag}, which NCIP 2 does not); only NCIP 2 is spoken",
                    version or "", _path(el))


def _into_namespace(root: Any, repairs: list[Repair]) -> None:
    """Move un-namespaced elements (not Ext content) and their Scheme/version attributes into NCIP."""
    stack = [root]
    moved = 0
    while stack:
        el = stack.pop()
        if el.tag[0] != "{":
            el.tag = _Q + el.tag
            moved += 1
        if el.tag != _EXT:
            stack.extend(ch for ch in el if isinstance(ch.tag, str))
    if moved:
        repairs.append(Repair("no-namespace", "/NCIPMessage", f"{moved} elements read in {T.NS}"))


def _qualify_schemes(root: Any, repairs: list[Repair]) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "Scheme" in el.attrib and el.tag != _EXT:
            el.set(_SCHEME, el.attrib.pop("Scheme"))
            repairs.append(Repair("unqualified-scheme", _path(el), "Scheme read as ncip:Scheme"))


def read(data: bytes | str, *, strict: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
         max_depth: int = DEFAULT_MAX_DEPTH, max_elements: int = DEFAULT_MAX_ELEMENTS) -> Parsed:
    """Parse one NCIPMessage into a Parsed (message, declared version, repairs). Raises ValidationError,
    or UnsupportedVersionError for NCIP 1."""
    root = _tree(data, max_bytes)
    _check_limits(root, len(data), max_elements)
    if local_name(root.tag) != "NCIPMessage":
        raise ValidationError(f"the root element is {local_name(root.tag)}, not NCIPMessage", _path(root),
                              element=local_name(root.tag))
    repairs: list[Repair] = []
    declared = root.get(_VERSION)
    if declared is None:
        declared = root.get("version")
    _refuse_ncip1(root, declared)
    if root.tag != _ROOT:
        if root.tag != "NCIPMessage":
            raise ValidationError(f"NCIPMessage is in namespace {root.tag[1:].split('}')[0]!r}, not {T.NS}",
                                  "/NCIPMessage", element="NCIPMessage")
        if strict:
            raise ValidationError(f"the message has no namespace (NCIP 2 elements are in {T.NS})",
                                  "/NCIPMessage", element="NCIPMessage")
        _into_namespace(root, repairs)
    if root.get(_VERSION) is None:
        if "version" in root.attrib:
            if strict:
                raise ValidationError("the version attribute is not namespace-qualified (ncip:version)",
                                      "/NCIPMessage", element="NCIPMessage", problem_type=MISSING_VERSION)
            root.set(_VERSION, root.attrib.pop("version"))
            repairs.append(Repair("unqualified-version", "/NCIPMessage", "version read as ncip:version"))
        elif strict:
            raise ValidationError("NCIPMessage has no version attribute", "/NCIPMessage",
                                  element="NCIPMessage", problem_type=MISSING_VERSION)
        else:
            repairs.append(Repair("missing-version", "/NCIPMessage", "read as NCIP 2.02"))
    if not strict and declared is not None and not _NCIP2_VERSION.search(declared.strip()):
        # The schema types version as any string, so a strict read takes it as sent (FOLIO sends "5.6").
        repairs.append(Repair("unknown-version", "/NCIPMessage", f"{declared!r} read as NCIP 2.02"))
    if not strict:
        _qualify_schemes(root, repairs)
    children = [ch for ch in root if isinstance(ch.tag, str)]
    if not children:
        raise ValidationError("NCIPMessage holds no message", "/NCIPMessage", element="NCIPMessage")
    service = local_name(children[0].tag)
    ctx = ReadContext(strict, service if service != "Problem" else None, max_depth)
    if service != "Problem" and service not in _SUPPORTED:
        raise ValidationError(f"{service} is not a service this library speaks", f"/NCIPMessage/{service}",
                              element=service, problem_type=UNSUPPORTED_SERVICE, service=service)
    if service in T.NOT_IN_202:
        if strict:
            raise ValidationError(f"{service} is an NCIP 1 service, not in NCIP 2.02", f"/NCIPMessage/{service}",
                                  element=service, problem_type=UNSUPPORTED_SERVICE, service=service)
        repairs.append(Repair("not-in-2.02", f"/NCIPMessage/{service}", f"{service} read as NCIP 1 defines it"))
    elif not validator().validate(root):
        reason, where = first_error(root)
        where = where or "/NCIPMessage"
        if strict:
            raise ValidationError(reason, where, service=ctx.service)
        repairs.append(Repair("schema-invalid", where, reason))
    if root.text and root.text.strip() or any(ch.tail and ch.tail.strip() for ch in children):
        if strict:
            raise ValidationError("text where only elements are allowed", "/NCIPMessage")
        stray = (root.text or "").strip() or next(ch.tail.strip() for ch in children if ch.tail and ch.tail.strip())
        repairs.append(Repair("stray-text", "/NCIPMessage", repr(stray[:80])))
    message: Message
    if service == "Problem":
        problems = []
        for ch in children:
            name = local_name(ch.tag)
            if name != "Problem":
                raise ValidationError(f"{name} after a Problem in NCIPMessage", f"/NCIPMessage/{name}",
                                      element=name)
            problems.append(read_element(ch, "Problem", "/NCIPMessage/Problem", ctx))
        message = ProblemResponse(problem=tuple(problems))
    else:
        if len(children) > 1:
            extra = local_name(children[1].tag)
            if strict:
                raise ValidationError(f"a second element ({extra}) after {service}", f"/NCIPMessage/{extra}",
                                      element=extra, service=service)
            repairs.append(Repair("duplicate-element", f"/NCIPMessage/{extra}", "ignored: one message per NCIPMessage"))
        message = read_element(children[0], service, f"/NCIPMessage/{service}", ctx)
    repairs += ctx.repairs
    return Parsed(message, declared, tuple(repairs))


def parse(data: bytes | str, *, strict: bool = True, **limits: int) -> Message:
    """Parse one NCIPMessage; a lenient read (strict=False) issues a RepairWarning per repair."""
    parsed = read(data, strict=strict, **limits)
    for repair in parsed.repairs:
        warnings.warn(RepairWarning(repair), stacklevel=2)
    return parsed.message
