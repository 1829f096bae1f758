"""Derive the negative/ and unusual/ vectors from the YAZ-encoded positive ones, byte for byte.

Run by regenerate.sh: `craft.py reply DIR` (the capture reply) and `craft.py edge DIR` (DIR = this folder).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bertree import Node, emit, enc_len, parse, walk

# Context tags of ILL-Request fields that carry a DEFAULT (all IMPLICIT primitives):
# transaction-type [5], place-on-hold [14], retry-flag [21], forward-flag [22].
REQUEST_DEFAULT_TAGS = {b"\x85", b"\x8e", b"\x95", b"\x96"}
ITEM_ID = b"\xb0"  # [16] IMPLICIT Item-Id, constructed
NOTE = b"\xbf\x2e"  # [46] ILL-String (explicit), constructed
DAMAGED_DETAILS_5 = b"\xa5"  # YAZ's tag for Damaged.damaged-details
DAMAGED_DETAILS_51 = b"\xbf\x33"  # the NLC text's tag
REQ_OPT_MSGS = b"\xab"  # [11] IMPLICIT Requester-Optional-Messages-Type
DATE_DUE = b"\xbf\x29"  # [41] IMPLICIT Date-Due


def _seq(apdu: Node) -> Node:
    # Every conformant APDU is [APPLICATION n] EXPLICIT around one UNIVERSAL SEQUENCE.
    assert apdu.children is not None and len(apdu.children) == 1 and apdu.children[0].tag == b"\x30"
    return apdu.children[0]


def _find(root: Node, tag: bytes) -> Node:
    hits = [n for n in walk(root) if n.tag == tag]
    assert len(hits) == 1, f"expected one {tag.hex()}, got {len(hits)}"
    return hits[0]


def _drop(seq: Node, tags: set[bytes]) -> None:
    assert seq.children is not None
    before = len(seq.children)
    seq.children = [k for k in seq.children if k.tag not in tags]
    assert len(seq.children) == before - len(tags)


# ---- negative: each must be rejected -------------------------------------------------------------


def truncated(src: dict[str, bytes]) -> bytes:
    return src["message"][:40]


def eoc_alone(src: dict[str, bytes]) -> bytes:
    return b"\x00\x00"


def unknown_application_21(src: dict[str, bytes]) -> bytes:
    data = src["expired"]
    assert data[0] == 0x74  # [APPLICATION 20] constructed
    return b"\x75" + data[1:]


def context_tag_1_apdu(src: dict[str, bytes]) -> bytes:
    data = src["request-yaz"]
    assert data[0] == 0x61
    return b"\xa1" + data[1:]  # [1] constructed instead of [APPLICATION 1]


def implicit_application_tag(src: dict[str, bytes]) -> bytes:
    # Biblio::ILL::ISO style: [APPLICATION 1] IMPLICIT SEQUENCE, i.e. no inner 30.
    apdu = parse(src["request-yaz"])
    apdu.children = _seq(apdu).children
    return emit(apdu)


def utf8string_note(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["message"])
    note = _find(apdu, NOTE)
    assert note.children is not None and note.children[0].tag == b"\x1b"
    note.children[0].tag = b"\x0c"
    return emit(apdu)


def request_missing_item_id(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["request"])
    _drop(_seq(apdu), {ITEM_ID})
    return emit(apdu)


def unknown_trailing_field_60(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["message"])
    seq = _seq(apdu)
    assert seq.children is not None
    seq.children.append(parse(b"\xbf\x3c\x03\x1b\x01x"))  # [60] { GeneralString "x" }
    return emit(apdu)


def bytes_left_in_apdu(src: dict[str, bytes]) -> bytes:
    # A NULL after the SEQUENCE, still inside the [APPLICATION 17] wrapper.
    apdu = parse(src["message"])
    assert apdu.children is not None
    apdu.children.append(parse(b"\x05\x00"))
    return emit(apdu)


def bytes_left_in_date_due(src: dict[str, bytes]) -> bytes:
    # An extra BOOLEAN after Date-Due.renewable, inside the Date-Due SEQUENCE.
    apdu = parse(src["overdue"])
    dd = _find(apdu, DATE_DUE)
    assert dd.children is not None
    dd.children.append(parse(b"\x01\x01\x00"))
    return emit(apdu)


# ---- unusual: legal BER, not what YAZ writes ---------------------------------------------------


def request_defaults_absent(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["request"])
    _drop(_seq(apdu), REQUEST_DEFAULT_TAGS)
    return emit(apdu)


def overdue_renewable_absent(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["overdue"])
    dd = _find(apdu, DATE_DUE)
    assert dd.children is not None and dd.children[-1].tag == b"\x81"
    dd.children.pop()
    return emit(apdu)


def damaged_details_51(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["damaged"])
    _find(apdu, DAMAGED_DETAILS_5).tag = DAMAGED_DETAILS_51
    return emit(apdu)


def request_long_form_lengths(src: dict[str, bytes]) -> bytes:
    return emit(parse(src["request"]), "long")


def request_all_indefinite(src: dict[str, bytes]) -> bytes:
    return emit(parse(src["request"]), "indefinite")


def request_all_definite(src: dict[str, bytes]) -> bytes:
    return emit(parse(src["request"]), "short")


def request_boolean_ff(src: dict[str, bytes]) -> bytes:
    apdu = parse(src["request"])
    rom = _find(apdu, REQ_OPT_MSGS)
    assert rom.children is not None and rom.children[0].value == b"\x01"
    rom.children[0].value = b"\xff"  # can-send-RECEIVED TRUE written the DER way
    return emit(apdu)


NEGATIVE: dict[str, Callable[[dict[str, bytes]], bytes]] = {
    "truncated": truncated,
    "eoc-alone": eoc_alone,
    "unknown-application-21": unknown_application_21,
    "context-tag-1-apdu": context_tag_1_apdu,
    "implicit-application-tag": implicit_application_tag,
    "utf8string-note": utf8string_note,
    "request-missing-item-id": request_missing_item_id,
    "unknown-trailing-field-60": unknown_trailing_field_60,
    "bytes-left-in-apdu": bytes_left_in_apdu,
    "bytes-left-in-date-due": bytes_left_in_date_due,
}

UNUSUAL: dict[str, Callable[[dict[str, bytes]], bytes]] = {
    "request-defaults-absent": request_defaults_absent,
    "overdue-renewable-absent": overdue_renewable_absent,
    "damaged-details-51": damaged_details_51,
    "request-long-form-lengths": request_long_form_lengths,
    "request-all-indefinite": request_all_indefinite,
    "request-all-definite": request_all_definite,
    "request-boolean-ff": request_boolean_ff,
}


def reply_long_form(status_report: bytes) -> bytes:
    """The capture peer's reply: the same APDU with its outer length in definite long form.

    YAZ sniffs a buffer whose first 4 octets are printable as HTTP (research 3.4); 0x81 is not printable,
    and neither is YAZ's own 0x80, but the long form is what this project's encoder writes."""
    apdu = parse(status_report)
    assert apdu.children is not None
    body = b"".join(emit(k) for k in apdu.children)  # inner lengths stay exactly as YAZ wrote them
    return apdu.tag + enc_len(len(body), "long") + body


def build(base: Path) -> dict[str, dict[str, bytes]]:
    """Return {'negative': {name: bytes}, 'unusual': {...}} from the positive vectors in base."""
    src = {p.stem: p.read_bytes() for p in base.glob("*.ber")}
    return {
        "negative": {name: fn(src) for name, fn in NEGATIVE.items()},
        "unusual": {name: fn(src) for name, fn in UNUSUAL.items()},
    }


def main() -> None:
    cmd, base = sys.argv[1], Path(sys.argv[2])
    if cmd == "reply":
        data = reply_long_form((base / "status-report.ber").read_bytes())
        (base / "illclient-reply-status-report.ber").write_bytes(data)
        return
    assert cmd == "edge", cmd
    for sub, vectors in build(base).items():
        (base / sub).mkdir(exist_ok=True)
        for name, data in vectors.items():
            (base / sub / f"{name}.ber").write_bytes(data)


if __name__ == "__main__":
    main()
