"""A tiny BER tag-length-value tree: parse any length form, re-emit with a chosen length form.

Only for making test vectors (craft.py, capture_peer.py); it knows nothing of the ILL schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Node:
    tag: bytes  # identifier octets exactly as read (class, P/C bit and number)
    children: list[Node] | None = None  # constructed
    value: bytes = b""  # primitive contents
    indefinite: bool = False  # how it was read (kept for "as read" re-emission)
    len_octets: bytes = field(default=b"", repr=False)  # the length octets as read

    @property
    def constructed(self) -> bool:
        return bool(self.tag[0] & 0x20)


def _read_tag(data: bytes, i: int) -> int:
    j = i + 1
    if data[i] & 0x1F == 0x1F:
        while data[j] & 0x80:
            j += 1
        j += 1
    return j


def parse_one(data: bytes, i: int = 0) -> tuple[Node, int]:
    """Parse one TLV at offset i; return it and the offset just after it."""
    j = _read_tag(data, i)
    tag = data[i:j]
    first = data[j]
    if first == 0x80:
        if not tag[0] & 0x20:
            raise ValueError(f"indefinite length on a primitive at {i}")
        k = j + 1
        kids = []
        while data[k : k + 2] != b"\x00\x00":
            kid, k = parse_one(data, k)
            kids.append(kid)
        return Node(tag, kids, indefinite=True, len_octets=b"\x80"), k + 2
    if first & 0x80:
        n = first & 0x7F
        length = int.from_bytes(data[j + 1 : j + 1 + n], "big")
        start = j + 1 + n
    else:
        length = first
        start = j + 1
    end = start + length
    if end > len(data):
        raise ValueError(f"length runs past the end at {i}")
    lo = data[j:start]
    if tag[0] & 0x20:
        kids = []
        k = start
        while k < end:
            kid, k = parse_one(data, k)
            kids.append(kid)
        if k != end:
            raise ValueError(f"children overrun their parent at {i}")
        return Node(tag, kids, len_octets=lo), end
    return Node(tag, None, data[start:end], len_octets=lo), end


def parse(data: bytes) -> Node:
    node, end = parse_one(data, 0)
    if end != len(data):
        raise ValueError("trailing bytes after the outer TLV")
    return node


def enc_len(n: int, form: str) -> bytes:
    """Definite length octets; form 'short' means minimal (short when < 128), 'long' always long form."""
    if form == "short" and n < 0x80:
        return bytes([n])
    body = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big")
    return bytes([0x80 | len(body)]) + body


def emit(node: Node, form: str = "asread") -> bytes:
    """Re-encode. form: 'asread' (keep every length as read), 'short' (minimal definite),
    'long' (long-form definite everywhere), 'indefinite' (every constructed indefinite)."""
    if node.children is None:
        lo = node.len_octets if form == "asread" else enc_len(len(node.value), "long" if form == "long" else "short")
        return node.tag + lo + node.value
    body = b"".join(emit(k, form) for k in node.children)
    if form == "indefinite" or (form == "asread" and node.indefinite):
        return node.tag + b"\x80" + body + b"\x00\x00"
    if form == "asread":
        return node.tag + enc_len(len(body), "short") + body
    return node.tag + enc_len(len(body), form) + body


def walk(node: Node) -> list[Node]:
    out = [node]
    for k in node.children or []:
        out.extend(walk(k))
    return out
