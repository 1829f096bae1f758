"""Bytes -> message: a hardened lxml parse, XSD validation (version told by structure), the generated readers.

strict=True accepts only schema-valid documents; strict=False repairs what real peers send and reports it.
"""

from __future__ import annotations

import warnings
from itertools import islice
from typing import Any

import attrs
from lxml import etree

from illcore.xml import hardened_parser
from iso18626._model import tables as T
from iso18626._model.codes import ErrorType
from iso18626._model.messages import Message
from iso18626._xml.positional import VALID_READERS
from iso18626._xml.readers import READ_AS, READERS, ReadContext, element_path
from iso18626._xml.repairs import Repair, RepairWarning
from iso18626._xml.salvage import MESSAGE_NAMES, extract
from iso18626._xml.xsd import validator
from iso18626.errors import ValidationError

DEFAULT_MAX_BYTES = 1 << 20
DEFAULT_MAX_DEPTH = 32
DEFAULT_MAX_ATTRIBUTES = 16
DEFAULT_MAX_ELEMENTS = 10_000  # a real message has well under 100 (OCLC's largest sample: 90)
_MIN_ELEMENT_OCTETS = 4  # the shortest element is <a/>: 4 characters of at least one octet each
_Q = "{" + T.NS + "}"
_ENVELOPE = _Q + "ISO18626Message"
_VERSION = _Q + "version"
_SCHEME = _Q + "scheme"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_CLASSES = {_Q + name: READ_AS.get(spec.cls, spec.cls) for name, spec in T.MESSAGES["1.2"].items()}
_TRY_ORDER = ("1.2", "2021", "1.1")
# Element names only 2021 has, and only v1.2 has: the structural version signal.
_ONLY_2021 = frozenset({"consortialId", "authorId", "publisherId", "preferredEdition", "retryInfo", "shippingInfo",
                        "deliveryMethod", "courierName", "URL", "itemFormat", "trackingId", "insurance",
                        "insuranceThirdParty", "thirdPartyName", "insuranceCosts"})
_ONLY_12 = frozenset({"preferredFormat", "sentVia", "deliveredFormat", "offeredCosts", "retryAfter",
                      "retryBefore"})
_KNOWN_NAMES = frozenset(
    el.xml for v in T.VERSIONS for spec in T.all_specs(v) for el in spec.elements
) | frozenset(MESSAGE_NAMES) | {"ISO18626Message", "electronicAddress", "physicalAddress"}


@attrs.frozen
class Parsed:
    """The result of `iso18626.read`: the message, the version its structure matches, the declared
    `version` attribute as sent (None if absent), and the repairs a lenient read made (empty when strict)."""

    message: Message
    version: str
    declared_version: str | None
    repairs: tuple[Repair, ...] = ()




def _bad(detail: str, path: str = "", error_type: ErrorType = ErrorType.BADLY_FORMED_MESSAGE,
         root: Any = None) -> ValidationError:
    return ValidationError(error_type, detail, path, extract(root) if root is not None else None)


def _tree(data: bytes | str, max_bytes: int, max_elements: int = DEFAULT_MAX_ELEMENTS) -> Any:
    if isinstance(data, str):
        data = data.encode("utf-8")
        if data.startswith(b"<?xml"):  # the declaration may name another encoding than the one we just used
            end = data.find(b"?>")
            data = data[end + 2:] if end > 0 else data
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"parse() needs bytes or str, not {type(data).__name__}")
    if len(data) > max_bytes:
        raise _bad(f"message of {len(data)} bytes exceeds the limit of {max_bytes}")
    # Both markers contain "!": one memchr for that byte (about a tenth of a substring search) clears most
    # documents, and only those that hold one pay for the two searches.
    if b"!" in data and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        raise _bad("DOCTYPE and entity declarations are not allowed")
    try:
        root = etree.fromstring(bytes(data), hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise _bad(f"not well-formed XML: {exc}") from None
    info: Any = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:  # e.g. a UTF-16 document the byte scan missed
        raise _bad("DOCTYPE and entity declarations are not allowed")
    # A document shorter than 4 octets per allowed element cannot hold too many (whatever its encoding):
    # real messages skip the count; longer ones are counted, stopping one past the limit.
    if len(data) > _MIN_ELEMENT_OCTETS * max_elements and (
            sum(1 for _ in islice(root.iter(), max_elements + 1)) > max_elements):
        raise _bad(f"more than {max_elements} elements")
    return root


def _check_limits(root: Any, max_depth: int, max_attributes: int) -> None:
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > max_depth:
            raise _bad(f"elements nested deeper than {max_depth}", element_path(el))
        if len(el.attrib) > max_attributes:
            raise _bad(f"more than {max_attributes} attributes", element_path(el))
        stack.extend((ch, depth + 1) for ch in el)


def _message_element(root: Any) -> Any:
    for ch in root:
        if isinstance(ch.tag, str):
            return ch
    raise _bad("ISO18626Message holds no message", element_path(root), root=root)


def _guess_version(root: Any) -> str:
    """The version a document's structure points to, for documents no schema accepts."""
    new = old = 0
    mir = False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = el.tag.rsplit("}", 1)[-1]
        if name in _ONLY_2021:
            new += 1
        elif name in _ONLY_12:
            old += 1
        elif name == "multipleItemRequestId":
            mir = True
        elif name == "bibliographicItemId" and len(el) and str(el[0].tag).endswith("IdentifierCode"):
            new += 1
    if new > old:
        return "2021"
    return "1.2" if mir or old else "1.1" if _has_header(root) else "1.2"


def _has_header(root: Any) -> bool:
    return any(str(el.tag).endswith("}header") or el.tag == "header" for el in root.iter())


_ENUM_ERRORS = ("SCHEMAV_CVC_ENUMERATION_VALID", "SCHEMAV_CVC_DATATYPE_VALID_1_2_1")


def _classify(root: Any, version: str) -> ValidationError:
    """Turn the schema's complaint into the ISO 18626 errorType a confirmation should carry."""
    schema = validator(version)
    schema.validate(root)
    errors: list[Any] = list(schema.error_log)  # type: ignore[call-overload]
    chosen = errors[0] if errors else None
    error_type = ErrorType.BADLY_FORMED_MESSAGE
    for err in errors:  # an unsupported action or reason decides the answer even after other faults
        leaf = _leaf(err.path)
        if err.type_name in _ENUM_ERRORS and leaf in ("action", "reasonForMessage"):
            chosen = err
            break
    if chosen is None:
        return _bad(f"document does not match ISO 18626 {version}", root=root)
    leaf = _leaf(chosen.path)
    msg = chosen.message.replace(_Q, "")
    if chosen.type_name in _ENUM_ERRORS or chosen.type_name.startswith("SCHEMAV_CVC_DATATYPE") or (
            chosen.type_name.startswith("SCHEMAV_CVC_") and "is not a valid value" in msg):
        error_type = {"action": ErrorType.UNSUPPORTED_ACTION_TYPE,
                      "reasonForMessage": ErrorType.UNSUPPORTED_REASON_FOR_MESSAGE_TYPE}.get(
            leaf, ErrorType.UNRECOGNISED_DATA_VALUE)
    elif "not expected" in msg:
        name = msg.split("Element '", 1)[-1].split("'", 1)[0].rsplit("}", 1)[-1]
        error_type = (ErrorType.BADLY_FORMED_MESSAGE if name in _KNOWN_NAMES
                      else ErrorType.UNRECOGNISED_DATA_ELEMENT)
    elif chosen.type_name == "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1" or (
            chosen.type_name == "SCHEMAV_CVC_TYPE_3_1_1" and "is not allowed" in msg):
        # an attribute the schema does not know (3.2.1 on a complex type, 3.1.1 on a simple-typed leaf)
        error_type = ErrorType.UNRECOGNISED_DATA_ELEMENT
    return _bad(f"{msg} (ISO 18626 {version} schema)", _clean_path(chosen.path), error_type, root)


def _leaf(path: str | None) -> str:
    return _clean_path(path).rsplit("/", 1)[-1]


def _clean_path(path: str | None) -> str:
    """lxml gives /ill:ISO18626Message/ill:request[1]/...; we report /ISO18626Message/request/..."""
    if not path:
        return ""
    parts = []
    for seg in path.split("/")[1:]:
        seg = seg.split("[", 1)[0].rsplit(":", 1)[-1].rsplit("}", 1)[-1]
        parts.append(seg)
    return "/" + "/".join(parts)


def _validate_any(root: Any) -> str | None:
    for version in _TRY_ORDER:
        if validator(version).validate(root):
            return version
    return None


def _read_valid(root: Any, version: str) -> Message:
    """Read a tree that has just validated against `version` (see positional.py)."""
    el = _message_element(root)
    msg: Message = VALID_READERS[version][el.tag](el, None)
    return msg


def _read(root: Any, c: ReadContext | None) -> Message:
    el = _message_element(root)
    cls = _CLASSES.get(el.tag)
    if cls is None:
        raise _bad(f"{el.tag} is not an ISO 18626 message", element_path(el), ErrorType.UNRECOGNISED_DATA_ELEMENT,
                   root)
    msg: Message = READERS[cls](el, c)
    return msg


def read(data: bytes | str, *, strict: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
         max_depth: int = DEFAULT_MAX_DEPTH, max_attributes: int = DEFAULT_MAX_ATTRIBUTES,
         max_elements: int = DEFAULT_MAX_ELEMENTS) -> Parsed:
    """Parse one ISO 18626 document and say which version it is and what was repaired.

    Raises ValidationError (a ValueError) with the errorType to answer with. See docs/iso18626.md.
    """
    root = _tree(data, max_bytes, max_elements)
    if root.tag == _ENVELOPE:
        version = _validate_any(root)
        if version is not None:
            return Parsed(_read_valid(root, version), version, root.get(_VERSION))
    _check_limits(root, max_depth, max_attributes)
    if strict:
        if root.tag != _ENVELOPE:
            name = root.tag.rsplit("}", 1)[-1]
            hint = " (a bare message without the envelope: strict=False accepts it)" if name in MESSAGE_NAMES else ""
            raise _bad(f"root element is {name}, not ISO18626Message{hint}", "/" + name, root=root)
        if not any(isinstance(ch.tag, str) for ch in root):
            raise _bad("ISO18626Message holds no message", "/ISO18626Message", root=root)
        raise _classify(root, _guess_version(root))
    c = ReadContext()
    root, declared = _repair_tree(root, c)
    version = _validate_any(root)
    if version is None:
        version = _guess_version(root)
        log: Any = validator(version).error_log
        first = log[0] if len(log) else None
        _check_header_mir(root, version, c)
        if first is not None:
            c.repairs.append(Repair("schema-invalid", _clean_path(first.path), first.message))
        message = _read(root, c)
        return Parsed(message, version, declared, c.final())
    return Parsed(_read_valid(root, version), version, declared, tuple(c.repairs))


def parse(data: bytes | str, *, strict: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
          max_depth: int = DEFAULT_MAX_DEPTH, max_attributes: int = DEFAULT_MAX_ATTRIBUTES,
          max_elements: int = DEFAULT_MAX_ELEMENTS) -> Message:
    """Parse one ISO 18626 document into a message. With strict=False each repair is issued as a RepairWarning
    (use `read()` to get them as data)."""
    result = read(data, strict=strict, max_bytes=max_bytes, max_depth=max_depth, max_attributes=max_attributes,
                  max_elements=max_elements)
    for repair in result.repairs:
        warnings.warn(RepairWarning(repair), stacklevel=2)
    return result.message


def _repair_tree(root: Any, c: ReadContext) -> tuple[Any, str | None]:
    """Namespace, envelope and attribute repairs, made on the tree before it is validated again."""
    ns = etree.QName(root).namespace
    if ns != T.NS:
        count = 0
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).namespace == ns:
                el.tag = _Q + etree.QName(el).localname
                count += 1
        code = "no-namespace" if ns is None else "foreign-namespace"
        c.repairs.append(Repair(code, "", f"{count} elements {'without namespace' if ns is None else 'in ' + ns}"
                                f" read in {T.NS}"))
    name = etree.QName(root).localname
    if name in MESSAGE_NAMES:
        envelope = etree.Element(_ENVELOPE, nsmap={"ill": T.NS})
        for key, value in list(root.attrib.items()):  # a version on a bare root belongs to the envelope
            if etree.QName(key).localname == "version":
                envelope.set(key, value)
                del root.attrib[key]
        envelope.append(root)
        root = envelope
        c.repairs.append(Repair("bare-root", "/" + name, f"{name} without ISO18626Message envelope"))
    elif name != "ISO18626Message":
        raise _bad(f"root element is {name}, not ISO18626Message", "/" + name, root=root)
    declared = root.get(_VERSION)
    if declared is None:
        for key in list(root.attrib):
            if etree.QName(key).localname == "version":
                declared = root.attrib.pop(key)
                c.repairs.append(Repair("unqualified-version", "/ISO18626Message", f"version={declared!r}"))
                break
        else:
            c.repairs.append(Repair("missing-version", "/ISO18626Message", "no version attribute"))
        root.set(_VERSION, declared or "")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        original: list[tuple[str, str]] | None = None
        for key in list(el.attrib):
            if key == _VERSION and el is root or key == _SCHEME:
                continue
            qn = etree.QName(key)
            if qn.namespace == _XSI:
                continue
            if original is None:  # kept for the reader: an element it keeps verbatim gets them back
                original = list(el.attrib.items())
                c.stripped[el] = (original, [])
            value = el.attrib.pop(key)
            if qn.localname == "scheme" and _SCHEME not in el.attrib:
                el.set(_SCHEME, value)
                c.warn("unqualified-scheme", el, f"scheme={value!r}")
            else:
                c.warn("unknown-attribute", el, f"{key}={value!r} ignored")
            c.stripped[el][1].append(c.repairs[-1])
    if not any(isinstance(ch.tag, str) for ch in root):
        raise _bad("ISO18626Message holds no message", "/ISO18626Message", root=root)
    return root, declared


def _check_header_mir(root: Any, version: str, c: ReadContext) -> None:
    if version == "2021":
        return
    msg = _message_element(root)
    header = msg.find(_Q + "header")
    if header is not None and header.find(_Q + "multipleItemRequestId") is None:
        c.warn("missing-multiple-item-request-id", header, "read as None; v1.2 output writes it empty")
