"""The sans-IO ISO 10161 session: octets in -> APDUs with their transaction and automatic replies; APDUs -> octets."""

from __future__ import annotations

from pathlib import Path

import pytest

import isoill

VECTORS = Path(__file__).parent.parent / "vectors" / "iso10161"
REQUEST = (VECTORS / "illclient-request-plain.ber").read_bytes()
SHIPPED = (VECTORS / "shipped.ber").read_bytes()
AT = isoill.ServiceDateTime(date_time_of_this_service=isoill.DateTime(date="20260101", time="120000"))


def events(session: isoill.Session) -> list[isoill.SessionEvent]:
    out = []
    while (event := session.next_event(at=AT)) is not None:
        out.append(event)
    return out


def provider_problem(reply: isoill.StatusOrErrorReport) -> object:
    assert reply.error_report is not None
    return reply.error_report.provider_error_report


def test_an_apdu_split_across_chunks_arrives_once_whole_with_its_transaction() -> None:
    session = isoill.Session()
    assert session.receive_data(REQUEST[:7]) == 0
    assert events(session) == [] and session.in_apdu
    assert session.receive_data(REQUEST[7:]) == 1
    (event,) = events(session)
    assert isinstance(event, isoill.Arrival)
    assert event.data == REQUEST and event.apdu == isoill.decode(REQUEST) and event.refusal is None
    assert event.transaction is not None and event.transaction.state is isoill.CurrentState.IN_PROCESS
    assert session.store.get(isoill.transaction_key(event.apdu)) is event.transaction


def test_strict_session_answers_a_prohibited_apdu_itself() -> None:
    session = isoill.Session()
    session.receive_data(SHIPPED)  # no ILL-Request came first: an unknown transaction
    (event,) = events(session)
    assert isinstance(event, isoill.AutoReply) and not event.close
    assert event.about == isoill.decode(SHIPPED) and "refused" in event.reason
    assert isoill.decode(event.octets) == event.reply
    assert event.reply.transaction_id == event.about.transaction_id
    assert provider_problem(event.reply) is isoill.TransactionIdProblem.UNKNOWN_TRANSACTION_ID
    assert event.reply.service_date_time == AT


def test_tolerant_session_hands_the_refusal_to_the_application() -> None:
    session = isoill.Session(strict=False)
    session.receive_data(SHIPPED)
    (event,) = events(session)
    assert isinstance(event, isoill.Arrival) and event.refusal is not None
    assert provider_problem(event.refusal) is isoill.TransactionIdProblem.UNKNOWN_TRANSACTION_ID


def test_bad_framing_after_good_apdus_delivers_them_then_answers_and_closes() -> None:
    session = isoill.Session(track=False)
    assert session.receive_data(REQUEST + b"GET / HTTP/1.1\r\n") == 1
    first, second = events(session)
    assert isinstance(first, isoill.Arrival) and first.transaction is None
    assert isinstance(second, isoill.AutoReply) and second.close and second.about is None
    assert provider_problem(second.reply) is isoill.GeneralProblem.BADLY_STRUCTURED_APDU
    assert session.closed and session.receive_data(REQUEST) == 0 and events(session) == []


def test_an_unknown_application_tag_is_an_unrecognized_apdu() -> None:
    session = isoill.Session()
    session.receive_data(bytes([0x7F, 0x19, 0x03, 0x02, 0x01, 0x02]) + REQUEST)  # [APPLICATION 25], then more
    (event,) = events(session)  # nothing after an undecodable APDU: the stream cannot be trusted
    assert isinstance(event, isoill.AutoReply) and event.close
    assert provider_problem(event.reply) is isoill.GeneralProblem.UNRECOGNIZED_APDU
    assert "cannot decode" in str(event.reply.error_report.correlation_information)  # type: ignore[union-attr]


def test_sessions_sharing_a_store_share_transactions() -> None:
    store = isoill.MemoryStore()
    first, second = isoill.Session(store=store), isoill.Session(store=store)
    first.receive_data(REQUEST)
    (one,) = events(first)
    second.receive_data(REQUEST)  # the same request again, on another connection
    (two,) = events(second)
    assert isinstance(one, isoill.Arrival) and isinstance(two, isoill.Arrival)
    assert two.transaction is one.transaction and len(store) == 1


def test_send_gives_the_codecs_octets_and_apply_checks_the_machine() -> None:
    session = isoill.Session()
    request = isoill.decode(REQUEST)
    assert session.send(request) == isoill.encode(request) and len(session.store) == 0  # type: ignore[arg-type]
    assert session.send(b"\x01\x02") == b"\x01\x02"
    session.send(request, apply=True)
    assert session.store.get(isoill.transaction_key(request)).state is isoill.CurrentState.PENDING  # type: ignore
    with pytest.raises(isoill.ProtocolError):
        session.send(isoill.decode(SHIPPED), apply=True)  # no request in this transaction: nothing to ship


def test_status_reply_uses_the_machines_history() -> None:
    session = isoill.Session()
    session.receive_data(REQUEST)
    (arrival,) = events(session)
    assert isinstance(arrival, isoill.Arrival)
    reply = isoill.status_reply(arrival.apdu, arrival.transaction, service_date_time=AT)
    assert reply.status_report is not None
    assert reply.status_report.provider_status_report is isoill.CurrentState.IN_PROCESS
    bare = isoill.status_reply(arrival.apdu, None, service_date_time=AT)
    assert bare.status_report is not None and bare.status_report.provider_status_report is isoill.CurrentState.UNKNOWN


def test_the_documented_session_example_runs() -> None:
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "transports.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "isoill.Session(" in b]
    namespace: dict[str, object] = {}
    exec(compile(block, "transports.md session example", "exec"), namespace)  # noqa: S102 - our own docs
    assert isinstance(namespace["octets"], bytes) and isoill.decode(namespace["octets"]).note == "hello"  # type: ignore
