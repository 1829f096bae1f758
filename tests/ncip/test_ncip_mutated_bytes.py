"""Byte-level mutations of valid NCIP messages: every outcome is a message or a typed error (strict and lenient),
and whatever a lenient read accepts can be written back or is refused with SerializeError, never a crash."""

from __future__ import annotations

import random

from lxml import etree
from ncip_docgen import document

import ncip
from ncip import tables as T

_NAMES = [m for m in T.MESSAGES if m not in T.NOT_IN_202] + ["Problem"]
_SNIPPETS = [b"<", b">", b"</", b"/>", b"&amp;", b"&", b'"', b"ncip:", b"xmlns=\"\"", b" version=\"2.0\"",
             b"<Ext><x/></Ext>", b"\x00", b"\xff", b"<!DOCTYPE a>", b"Scheme=\"u\"", b"-1", b"2024-13-40T99:99:99"]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(4)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            del buf[pos:pos + rng.randint(1, 12)]
        elif op == 1:
            buf[pos:pos] = rng.choice(_SNIPPETS)
        elif op == 2 and buf:
            start = rng.randrange(len(buf))
            buf[pos:pos] = buf[start:start + rng.randint(1, 40)]
        elif buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
    return bytes(buf)


def test_mutated_messages_fail_typed_or_survive() -> None:
    rng = random.Random(99)
    outcomes = {"ok": 0, "refused": 0}
    for i in range(1000):
        data = etree.tostring(document(_NAMES[i % len(_NAMES)], rng))
        if i % 3 == 0:
            data = data.replace(b"ns1:", b"").replace(b"xmlns:ns1=", b"xmlns=")  # default-namespace form
        bad = _mutate(data, rng)
        for strict in (True, False):
            try:
                parsed = ncip.read(bad, strict=strict)
            except ncip.ValidationError:
                outcomes["refused"] += 1
                continue
            outcomes["ok"] += 1
            try:
                out = ncip.serialize(parsed.message)
            except ncip.SerializeError:
                continue
            again = ncip.read(out, strict=False).message
            assert again == parsed.message, bad
    assert outcomes["ok"] > 50 and outcomes["refused"] > 300
