"""What the ISO 10161 server says about input it refuses: an unset (0) enumeration, HTTP on the ISO port."""

from __future__ import annotations

import asyncio
import datetime as dt

import attrs

import isoill
from illnode.commands.new import template
from isoill import net


async def _exchange(octets: bytes) -> isoill.StatusOrErrorReport:
    async def handler(incoming: net.Incoming) -> None:  # never reached: the input is refused first
        raise AssertionError(incoming)

    async with net.ILLServer(handler, port=0) as server:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(octets)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 30)
        writer.close()
    report = isoill.decode(answer)
    assert isinstance(report, isoill.StatusOrErrorReport) and report.error_report is not None
    return report


def _request_with_transaction_type_0() -> bytes:


    request = template(isoill.ILLRequest, dt.datetime(2026, 1, 2, 3, 4, 5))
    octets = isoill.encode(attrs.evolve(request, transaction_type=isoill.TransactionType.CHAINED))
    tlv = b"\x85\x01\x02"  # [5] IMPLICIT ENUMERATED chained (2)
    assert octets.count(tlv) == 1
    return octets.replace(tlv, b"\x85\x01\x00")


def test_an_unset_enumeration_is_explained() -> None:
    report = asyncio.run(_exchange(_request_with_transaction_type_0()))
    text = str(report.error_report.correlation_information)
    assert "value 0 is not a TransactionType" in text and "left the field unset" in text


def test_http_on_the_iso_port_is_named() -> None:
    report = asyncio.run(_exchange(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
    text = str(report.error_report.correlation_information)
    assert text.startswith("this looks like an HTTP request; ISO 10161 peers send raw BER")
    assert report.error_report.provider_error_report is isoill.GeneralProblem.BADLY_STRUCTURED_APDU


def test_looks_like_http() -> None:
    assert net.looks_like_http(b"GET / HTTP/1.1\r\n") and net.looks_like_http(b"PRI * HTTP/2.0\r\n")
    assert net.looks_like_http(b"HTTP/1.1 400 Bad Request")
    assert not net.looks_like_http(isoill.encode(template(isoill.Message, dt.datetime.now())))
