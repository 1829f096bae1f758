"""A transaction's log is bounded: a peer repeating one message is counted, not stored again, and no sequence of
messages grows a log past `illcore.engine.MAX_LOG` records (both machines)."""

from __future__ import annotations

from conftest import ROOT

import iso18626
from illcore.engine import MAX_LOG
from iso18626 import _machine as m18626
from isoill._ber.codec import Codec
from isoill._protocol import machine as m10161

VECTORS = ROOT / "tests" / "vectors" / "iso10161"


def test_10161_repeated_apdu_is_counted() -> None:
    codec = Codec()
    request = codec.decode((VECTORS / "illclient-request-plain.ber").read_bytes())
    txn = m10161.Transaction(m10161.Role.RESPONDER, strict=False)
    first = txn.receive(request)
    for _ in range(5000):  # a retransmitted request, accepted or refused by the state, is logged each time
        record = txn.receive(request)
    assert len(txn.log) == 2
    assert txn.log[0] is first and txn.log[1] is record
    assert record.repeats == 4999


def test_10161_log_bounded_whatever_the_sequence() -> None:
    codec = Codec()
    request = codec.decode((VECTORS / "illclient-request-plain.ber").read_bytes())
    message = codec.decode((VECTORS / "message-long-note.ber").read_bytes())
    txn = m10161.Transaction(m10161.Role.RESPONDER, strict=False)
    txn.receive(request)
    for i in range(3 * MAX_LOG):  # alternating: never identical to the last record
        txn.receive(message if i % 2 else request)
    assert len(txn.log) == MAX_LOG
    assert txn.log[0].message == request and txn.log[0].accepted


def test_18626_repeated_message_is_counted() -> None:
    request = iso18626.read((ROOT / "fuzz" / "corpus" / "xml" / "gen-request-1.2.xml").read_bytes()).message
    txn = m18626.Transaction(m18626.Role.SUPPLYING, strict=False)
    txn.receive(request)
    for _ in range(1000):
        record = txn.receive(request)
    assert len(txn.log) == 2 and txn.log[1].repeats == 999 and not record.accepted
