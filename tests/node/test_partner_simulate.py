"""Partner simulators: `isoill simulate --profile alma` answers a dummy request on a new connection to its return
address (unfilled; loaned: Shipped, then Checked-In after Received and Returned), scenarios per request, strict
refusal, directory routing, and the ISO 18626 simulator POSTing to the requester's URL."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import iso18626
import isoill
from illnode import cli
from illnode.directory import Directory, Partner
from illnode.dummy import DummyRequest, build_10161
from illnode.simulators import Simulator10161, Simulator18626
from iso18626 import http
from iso18626 import profiles as p18626
from isoill import Role, net
from isoill.extensions import APDUDeliveryInfo
from isoill.extensions.delivery_info import delivery_info, reply_address, with_delivery_info
from isoill.profiles import ALMA, IPIG

SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_simulator_answers_unfilled_on_a_new_connection(alma_args: list[str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", "simulate", "--profile", "alma", "--scenario",
                             "unfilled", "--port", "0", "--symbol", "01CALS_XYZ"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # "isoill: simulating alma (ISO 10161) as 01CALS_XYZ on 127.0.0.1:PORT, ..."
        assert "simulating alma" in line, line
        port = line.split("127.0.0.1:")[1].split(",")[0]
        args = [a if a != "127.0.0.1:16110" else f"127.0.0.1:{_free_port()}" for a in alma_args]
        assert cli.main([*args, "--send", f"127.0.0.1:{port}", "--wait", "20"]) == 0
        out = capsys.readouterr().out
        assert "--- reply 1 (new connection from 127.0.0.1:" in out
        assert "ILL-Answer" in out and "transaction-results: unfilled (3)" in out
        assert "reply 2" not in out
    finally:
        proc.terminate()
        proc.wait(10)


async def _requester() -> tuple[net.ILLServer, asyncio.Queue[isoill.APDU]]:
    got: asyncio.Queue[isoill.APDU] = asyncio.Queue()

    async def handle(incoming: net.Incoming) -> None:
        await got.put(incoming.apdu)

    server = net.ILLServer(handle, port=0, strict=False)
    await server.start()
    return server, got


def _request(sim: Simulator10161, return_port: int | None, note: str | None = None,
             profile: Any = ALMA) -> isoill.ILLRequest:
    return build_10161(DummyRequest(sender="CNO", recipient="01CALS_XYZ", title="A book", note=note,
                                    delivery_address="CNO Library, 1 Main St",
                                    return_address=f"127.0.0.1:{return_port}" if return_port else None,
                                    partner_address=sim.address), profile, dt.datetime.now())


def _follow(request: isoill.ILLRequest, cls: type[isoill.APDU], ret: str, sim: Simulator10161,
            **kw: Any) -> isoill.APDU:
    base = {a: getattr(request, a) for a in ("transaction_id", "service_date_time", "requester_id", "responder_id")}
    return with_delivery_info(cls(**base, **kw), delivery_info(ret, sim.address))


def test_loaned_shipped_then_checked_in_after_received_and_returned() -> None:
    async def run() -> None:
        server, got = await _requester()
        ret = f"127.0.0.1:{server.port}"
        async with Simulator10161(ALMA, "loaned", symbol="01CALS_XYZ") as sim:
            request = _request(sim, server.port)
            assert await net.send_apdus("127.0.0.1", sim.server.port, [request], wait=0.1) == []
            shipped = await asyncio.wait_for(got.get(), 10)
            assert isinstance(shipped, isoill.Shipped)  # Alma lends without a will-supply ILL-Answer
            received = _follow(request, isoill.Received, ret, sim, date_received="20260101",
                               shipped_service_type=isoill.ILLServiceType.LOAN)
            returned = _follow(request, isoill.Returned, ret, sim, date_returned="20260120")
            await net.send_apdus("127.0.0.1", sim.server.port, [received], wait=0.1)
            await asyncio.sleep(0.2)
            assert got.empty()  # Received is noted, not answered
            await net.send_apdus("127.0.0.1", sim.server.port, [returned], wait=0.1)
            checked_in = await asyncio.wait_for(got.get(), 10)
            assert isinstance(checked_in, isoill.CheckedIn)
            for apdu in (shipped, checked_in):
                assert ALMA.check(apdu, sender=Role.RESPONDER) == []
                info = apdu.extension(APDUDeliveryInfo)
                assert info is not None and reply_address(info) == ("127.0.0.1", sim.server.port)
                assert info.recipient_info[0].transport.telecom_service_address == ret
            txn = sim.server.store.get(net.transaction_key(request))
            assert txn is not None and txn.state is isoill.CurrentState.CHECKED_IN
        await server.close()

    asyncio.run(run())


@pytest.mark.parametrize(("note", "expected"), [
    ("#scenario=expire", isoill.Expired), ("#scenario=error-report", isoill.StatusOrErrorReport),
    ("please #scenario=unfilled", isoill.ILLAnswer), ("#scenario=conditional", isoill.ILLAnswer),
])
def test_scenario_per_request_from_the_note(note: str, expected: type) -> None:
    async def run() -> isoill.APDU:
        server, got = await _requester()
        async with Simulator10161(ALMA, "loaned") as sim:
            await net.send_apdus("127.0.0.1", sim.server.port, [_request(sim, server.port, note)], wait=0.1)
            reply = await asyncio.wait_for(got.get(), 10)
        await server.close()
        return reply

    reply = asyncio.run(run())
    assert type(reply) is expected
    if isinstance(reply, isoill.StatusOrErrorReport):
        assert reply.error_report is not None
    if isinstance(reply, isoill.ILLAnswer):  # alma has no conditional answer: it says so in an unfilled one
        assert reply.transaction_results is isoill.TransactionResults.UNFILLED
        if "conditional" in note:
            assert "not possible with the alma profile" in str(reply.responder_note)


def test_conditional_with_an_ipig_peer_then_shipped_when_accepted() -> None:
    with pytest.raises(ValueError, match="alma profile cannot play conditional"):
        Simulator10161(ALMA, "conditional")

    async def run() -> list[isoill.APDU]:
        server, got = await _requester()
        async with Simulator10161(IPIG, "conditional") as sim:
            request = _request(sim, server.port, profile=IPIG)
            await net.send_apdus("127.0.0.1", sim.server.port, [request], wait=0.1)
            answer = await asyncio.wait_for(got.get(), 10)
            reply = _follow(request, isoill.ConditionalReply, f"127.0.0.1:{server.port}", sim, answer=True)
            await net.send_apdus("127.0.0.1", sim.server.port, [reply], wait=0.1)
            shipped = await asyncio.wait_for(got.get(), 10)
        await server.close()
        return [answer, shipped]

    answer, shipped = asyncio.run(run())
    assert isinstance(answer, isoill.ILLAnswer) and answer.transaction_results is isoill.TransactionResults.CONDITIONAL
    assert isinstance(shipped, isoill.Shipped)


def test_strict_profile_refuses_on_the_same_connection() -> None:
    strict_alma = attrs.evolve(ALMA, strict=True)

    async def run() -> list[bytes]:
        async with Simulator10161(strict_alma, "unfilled") as sim:
            request = attrs.evolve(_request(sim, 1611), delivery_address=None)
            return await net.send_apdus("127.0.0.1", sim.server.port, [request], wait=5, max_replies=1)

    replies = asyncio.run(run())
    report = isoill.decode(replies[0])
    assert isinstance(report, isoill.StatusOrErrorReport) and report.error_report is not None
    assert "ILL-Request.delivery-address" in str(report.note)


def test_reply_address_from_the_directory_and_unknown_requesters_learnt() -> None:
    async def run() -> tuple[isoill.APDU, Directory]:
        server, got = await _requester()
        directory = Directory([Partner(symbol="CNO", address=f"127.0.0.1:{server.port}")])
        async with Simulator10161(None, "unfilled", directory=directory) as sim:
            request = _request(sim, None, profile=None)  # no APDU-Delivery-Info at all
            await net.send_apdus("127.0.0.1", sim.server.port, [request], wait=0.1)
            answer = await asyncio.wait_for(got.get(), 10)
            new = isoill.SystemId(person_or_institution_symbol=isoill.InstitutionSymbol("NEW"))
            other = attrs.evolve(_request(sim, server.port, profile=None), requester_id=new)
            await net.send_apdus("127.0.0.1", sim.server.port, [other], wait=0.1)
            await asyncio.wait_for(got.get(), 10)
        await server.close()
        return answer, directory

    answer, directory = asyncio.run(run())
    assert isinstance(answer, isoill.ILLAnswer)
    learnt = directory.get("NEW")
    assert learnt is not None and learnt.generated and learnt.address.startswith("127.0.0.1:")
    assert not directory.get("CNO").generated  # type: ignore[union-attr]


# --- ISO 18626 -------------------------------------------------------------------------------------------

def _18626_request(note: str | None = None) -> iso18626.Request:
    agency = iso18626.SchemeValue("ISIL")
    return iso18626.Request(
        header=iso18626.Header(
            supplying_agency_id=iso18626.AgencyId(agency_id_type=agency, agency_id_value="01CALS_XYZ"),
            requesting_agency_id=iso18626.AgencyId(agency_id_type=agency, agency_id_value="US-CNO"),
            timestamp=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc), requesting_agency_request_id="CNO-1"),
        bibliographic_info=iso18626.BibliographicInfo(title="A book"),
        service_info=iso18626.ServiceInfo(service_type=iso18626.ServiceType.LOAN, note=note))


async def _play_18626(profile: Any, note: str, then: iso18626.RequestingAgencyMessage | None = None,
                      ) -> tuple[iso18626.Confirmation, list[iso18626.Message]]:
    """Send one request (and maybe a requesting agency message) to a simulator; what it confirmed and POSTed."""
    inbox: list[iso18626.Message] = []

    async def requester(message: iso18626.Message) -> http.HandlerResult:
        inbox.append(message)
        return None

    sim = Simulator18626(profile, "unfilled", reply_to="http://cno.test/",
                         transport=httpx.ASGITransport(app=http.ISO18626App(requester)))  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=sim.app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport) as client:
        body = iso18626.serialize(_18626_request(note))
        response = await client.post("http://sim.test/", content=body,
                                     headers={"content-type": "application/xml"})
        confirmation = iso18626.read(response.content).message
        await sim.idle()
        if then is not None:
            await client.post("http://sim.test/", content=iso18626.serialize(then),
                              headers={"content-type": "application/xml"})
    await sim.close()
    return confirmation, inbox  # type: ignore[return-value]


@pytest.mark.parametrize(("profile", "note", "expected"), [
    (p18626.RESHARE, "#scenario=unfilled", [("RequestResponse", "Unfilled", None)]),
    (p18626.ALMA, "#scenario=conditional", [("Notification", "WillSupply",
                                             "Condition: LibraryUseOnly. Please respond ACCEPT or REJECT")]),
    (p18626.RESHARE, "#scenario=conditional", [("RequestResponse", "WillSupply",
                                                "#ReShareAddLoanCondition# LibraryUseOnly")]),
    (None, "#scenario=expire", [("RequestResponse", "Unfilled", "Simulated: the request expired")]),
])
def test_iso18626_scenarios(profile: Any, note: str, expected: list[tuple[str, str, str | None]]) -> None:
    confirmation, inbox = asyncio.run(_play_18626(profile, note))
    assert confirmation.confirmation_header.message_status is iso18626.MessageStatus.OK
    assert [(m.message_info.reason_for_message.value, m.status_info.status.value,  # type: ignore[union-attr]
             m.message_info.note) for m in inbox] == expected  # type: ignore[union-attr]


def test_iso18626_conditional_accepted_then_loaned_and_error_report() -> None:
    accept = iso18626.RequestingAgencyMessage(header=_18626_request().header, action=iso18626.Action.NOTIFICATION,
                                              note="ACCEPT")
    _, inbox = asyncio.run(_play_18626(p18626.ALMA, "#scenario=conditional", accept))
    assert [m.status_info.status for m in inbox] == [iso18626.Status.WILL_SUPPLY,  # type: ignore[union-attr]
                                                     iso18626.Status.LOANED]
    confirmation, inbox = asyncio.run(_play_18626(p18626.ALMA, "#scenario=error-report"))
    assert confirmation.confirmation_header.message_status is iso18626.MessageStatus.ERROR
    assert inbox == []


def test_iso18626_simulator_posts_to_the_requester_url_from_the_directory() -> None:
    inbox: list[iso18626.Message] = []

    async def requester(message: iso18626.Message) -> http.HandlerResult:
        inbox.append(message)
        return None

    requester_app = http.ISO18626App(requester)
    directory = Directory([Partner(symbol="ISIL:US-CNO", protocol="iso18626", address="http://cno.test/iso18626")])

    async def run() -> None:
        sim = Simulator18626(p18626.ALMA, "loaned", directory=directory,
                             transport=httpx.ASGITransport(app=requester_app))  # type: ignore[arg-type]
        request = _18626_request()
        async with http.Client(transport=httpx.ASGITransport(app=sim.app)) as client:  # type: ignore[arg-type]
            await client.send("http://sim.test/", request)
            for _ in range(100):
                if len(inbox) == 2:
                    break
                await asyncio.sleep(0.05)
            ram = iso18626.RequestingAgencyMessage(header=request.header, action=iso18626.Action.SHIPPED_RETURN)
            await client.send("http://sim.test/", ram)
            for _ in range(100):
                if len(inbox) == 3:
                    break
                await asyncio.sleep(0.05)
        await sim.close()

    asyncio.run(run())
    assert not directory.get("ISIL:US-CNO").generated  # type: ignore[union-attr]  # known: not learnt again
    statuses = [(m.message_info.reason_for_message.value, m.status_info.status.value)  # type: ignore[union-attr]
                for m in inbox]
    assert statuses == [("RequestResponse", "WillSupply"), ("StatusChange", "Loaned"),
                        ("StatusChange", "LoanCompleted")]
    assert all(p18626.ALMA.check(m) == [] for m in inbox)


def test_simulate_refuses_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["simulate", "--profile", "nope", "--scenario", "loaned", "--port", "0"]) == 2
    assert "no profile 'nope'" in capsys.readouterr().err
    assert cli.main(["simulate", "--profile", "reshare", "--protocol", "iso10161", "--scenario", "loaned",
                     "--port", "0"]) == 2



def test_iso18626_request_command_against_the_cli_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    inbox = _free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", "simulate", "--profile", "reshare", "--scenario",
                             "unfilled", "--port", "0", "--reply-to", f"http://127.0.0.1:{inbox}/"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "simulating reshare (ISO 18626)" in line, line
        url = line.split(" on ")[1].split(",")[0]
        assert cli.main(["request", "--profile", "reshare", "--from", "ISIL:US-CNO", "--to", "ISIL:US-ABC",
                         "--title", "A book", "--note", "#scenario=loaned", "--send", url,
                         "--return-address", f"127.0.0.1:{inbox}", "--wait", "20"]) == 0
        out = capsys.readouterr().out
        assert "--- confirmation" in out and "<ill:messageStatus>OK</ill:messageStatus>" in out
        assert "--- message 1 from the partner: SupplyingAgencyMessage RequestResponse WillSupply" in out
        assert "--- message 2 from the partner: SupplyingAgencyMessage StatusChange Loaned" in out
    finally:
        proc.terminate()
        proc.wait(10)


def test_illiad_refuses_an_illegal_transition_on_the_same_connection() -> None:
    from isoill.profiles import ILLIAD

    async def run() -> tuple[isoill.APDU, list[bytes]]:
        server, got = await _requester()
        async with Simulator10161(ILLIAD, "unfilled") as sim:
            request = _request(sim, server.port, profile=ILLIAD)
            await net.send_apdus("127.0.0.1", sim.server.port, [request], wait=0.1)
            answer = await asyncio.wait_for(got.get(), 10)
            # unfilled ends the transaction: a Returned now breaks ILLiad's state tables
            returned = _follow(request, isoill.Returned, f"127.0.0.1:{server.port}", sim, date_returned="20260101")
            replies = await net.send_apdus("127.0.0.1", sim.server.port, [returned], wait=5, max_replies=1)
        await server.close()
        return answer, replies

    answer, replies = asyncio.run(run())
    assert isinstance(answer, isoill.ILLAnswer)
    report = isoill.decode(replies[0])
    assert isinstance(report, isoill.StatusOrErrorReport) and report.error_report is not None
    assert isinstance(report.error_report.provider_error_report, isoill.StateTransitionProhibited)
