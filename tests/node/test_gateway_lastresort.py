"""The ILLiad lender of last resort inside the gateway (issue 17's must-hold): an ISO 10161 requester's request that
every rota member refuses is exported to the FAKE ILLiad Web Platform; ILLiad's NCIP AcceptItem and CheckInItem for
it (posted as the ILLiad addons post them) move the borrowing transaction and reach the requester as Shipped and
Checked-In. The requester is the independent peer of test_gateway_e2e (YAZ checks every APDU it receives)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from test_gateway_e2e import Requester, _now, _sdt
from test_gateway_simulators import _serve18626
from test_lastresort_loop import _ncip

import isoill
import ncip
from illcore.store import open_store
from illnode import profiles
from illnode.gateway.node import ConfigError, Node, parse_config
from illnode.simulators import Simulator10161, Simulator18626
from illnode.testing.fake_illiad import FakeILLiad
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.values import External
from isoill.extensions import APDUDeliveryInfo, APDUDeliveryParameters, APDUEncoding

WAIT = 15.0


def _config(alma: str, reshare: str, illiad_url: str, **node: Any) -> Any:
    return parse_config({
        "node": {"symbol": "GW", "store": "memory:", "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0", "ncip": "127.0.0.1:0", **node},
        "partner": [{"symbol": "ILLIAD1", "protocol": "iso10161"},
                    {"symbol": "01CALS_XYZ", "protocol": "iso10161", "address": alma, "profile": "alma"},
                    {"symbol": "RESHARE1", "protocol": "iso18626", "address": reshare, "profile": "reshare"},
                    {"symbol": "BC_ILLIAD", "protocol": "illiad", "address": illiad_url, "api_key": "K",
                     "export": {"identifier": "id", "identifier_regex": "^[^@]*", "create_user": True,
                                "export_id_tag": "CitedIn", "status": "Created via Alma"}}],
        "rota": [{"name": "pod", "members": ["01CALS_XYZ", "RESHARE1"], "last_resort": "BC_ILLIAD"}]})


def _request(reply_port: int, gateway_port: int) -> isoill.ILLRequest:
    sid = T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("ILLIAD1"))
    params = [APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=T.SystemAddress(
        telecom_service_identifier="TCP/IP", telecom_service_address=f"127.0.0.1:{p}")) for p in (reply_port,
                                                                                                  gateway_port)]
    info = APDUDeliveryInfo(sender_info=(params[0],), recipient_info=(params[1],))
    return isoill.ILLRequest(
        transaction_id=T.TransactionId(initial_requester_id=sid, transaction_group_qualifier="ILLIAD1",
                                       transaction_qualifier="ILL-2002"),
        service_date_time=_sdt(), requester_id=sid,
        responder_id=T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("GW")),
        ill_service_type=(E.ILLServiceType.LOAN,),
        requester_optional_messages=T.RequesterOptionalMessagesType(
            can_send_received=True, can_send_returned=True, requester_shipped=E.MessageRequirement.REQUIRES,
            requester_checked_in=E.MessageRequirement.REQUIRES),
        client_id=T.ClientId(client_name="Ada Byron", client_identifier="ada@bc.example.edu"),
        delivery_address=T.DeliveryAddress(postal_address=T.PostalAddress(city="Springfield")),
        item_id=T.ItemId(item_type=E.ItemType.MONOGRAPH, title="The Timeless Way of Building", author="Alexander"),
        ill_request_extensions=(T.Extension(item=External.of("1.0.10161.13.3", info)),))


async def _until(requester: Requester, kind: type) -> isoill.APDU:
    while True:
        apdu = await asyncio.wait_for(requester.got.get(), WAIT)
        if isinstance(apdu, kind):
            return apdu


async def _flow(oracle: Path, fake: FakeILLiad, illiad_url: str) -> tuple[Node, list[Any], list[str]]:
    requester = Requester(oracle)
    await requester.server.start()
    lines: list[str] = []
    alma = Simulator10161(profiles.get("alma").iso10161, "unfilled", symbol="01CALS_XYZ", out=lines.append)
    await alma.start()
    stop = asyncio.Event()
    reshare = Simulator18626(profiles.get("reshare").iso18626, "unfilled", out=lines.append)
    reshare_port, reshare_task = await _serve18626(reshare, stop)
    node = Node(_config(alma.address, f"http://127.0.0.1:{reshare_port}/", illiad_url), store=open_store("memory:"),
                poll=0.05, retry=dt.timedelta(0))
    await node.start()
    reshare.reply_to = f"http://127.0.0.1:{node.ports['iso18626']}/iso18626"
    gw = node.ports["iso10161"]
    replies: list[Any] = []
    try:
        request = _request(requester.server.port, gw)
        await requester.send(request, gw)
        answer = await _until(requester, isoill.ILLAnswer)  # ILLiad took it: will-supply
        assert answer.transaction_results is E.TransactionResults.WILL_SUPPLY, (answer.responder_note, answer.results_explanation)
        assert "exported to ILLiad as transaction 1000" in str(answer.responder_note)
        ncip_url = f"http://127.0.0.1:{node.ports['ncip']}/"
        today = _now().strftime("%Y%m%d")
        ids = {"transaction_id": request.transaction_id, "requester_id": request.requester_id,
               "responder_id": request.responder_id}
        async with httpx.AsyncClient() as client:
            reply = await client.post(ncip_url, content=_ncip("AcceptItem", "1000"))
            replies.append(ncip.parse(reply.content))
            shipped = await _until(requester, isoill.Shipped)
            assert shipped.shipped_service_type is E.ILLServiceType.LOAN
            assert requester.state(request) is E.CurrentState.SHIPPED
            await requester.send(isoill.Received(**ids, service_date_time=_sdt(), date_received=today,
                                                 shipped_service_type=E.ILLServiceType.LOAN), gw)
            await requester.send(isoill.Returned(**ids, service_date_time=_sdt(), date_returned=today), gw)
            for _ in range(200):  # the Received and Returned reach ILLiad as notes on its transaction
                if len(fake.notes.get(1000, [])) >= 3:
                    break
                await asyncio.sleep(0.05)
            reply = await client.post(ncip_url, content=_ncip("CheckInItem", "1000"))
            replies.append(ncip.parse(reply.content))
            await _until(requester, isoill.CheckedIn)
            reply = await client.post(ncip_url, content=_ncip("AcceptItem", "4711"))  # not ours
            replies.append(ncip.parse(reply.content))
        assert requester.problems == [], requester.problems
        assert not [line for line in lines if "profile" in line], lines
        return node, replies, lines
    finally:
        await node.close()
        await reshare.close()
        stop.set()
        await asyncio.gather(reshare_task, return_exceptions=True)
        await alma.close()
        await requester.server.close()


def test_refused_by_every_member_exported_to_illiad_and_ncip_reaches_the_requester(yaz_oracle: Path) -> None:
    fake = FakeILLiad("K")
    fake.fail_next(503)  # the first export attempt meets a 5xx: retried through the outbox
    with fake.serve() as url:
        node, replies, _ = asyncio.run(asyncio.wait_for(_flow(yaz_oracle, fake, url), 90))
    posts = [r for r in fake.requests if r.method == "POST" and r.path.lower().endswith("/transaction")]
    assert len(posts) == 1  # created once
    (export,) = [i for i in node.store.outbox(include_done=True) if i.message_type == "ILLiad export"]
    assert export.done and len(export.errors) == 1 and "ServerError" in export.errors[0]  # the 503, then the retry
    (tx,) = fake.transactions.values()
    assert tx["TransactionNumber"] == 1000 and tx["LoanTitle"] == "The Timeless Way of Building"
    assert tx["TransactionStatus"] == "Created via Alma" and tx["Username"] == "ada"  # created, e-mail's local part
    (txn,) = node.service.transactions()
    assert tx["CitedIn"] == txn.supplier.ids["leg"] == f"{txn.key}-3"
    assert [leg.symbol for leg in txn.passed] == ["01CALS_XYZ", "RESHARE1"] and txn.supplier.symbol == "BC_ILLIAD"
    assert txn.ended and txn.requester.stage.value == "completed" and txn.supplier.stage.value == "completed"
    notes = [n["Note"] for n in fake.notes[1000]]
    assert any(n.startswith("received") for n in notes) and any(n.startswith("returned") for n in notes)
    accept, check_in, unknown = replies
    assert isinstance(accept, ncip.AcceptItemResponse) and not accept.problem
    assert isinstance(check_in, ncip.CheckInItemResponse) and not check_in.problem
    assert isinstance(unknown, ncip.AcceptItemResponse) and unknown.problem[0].problem_type.value == "Unknown Request"
    # the NCIP messages are journalled verbatim with the transaction
    journal = [e for e in node.store.journal(txn.key) if e.protocol == "ncip"]
    assert [e.message_type for e in journal] == ["AcceptItem", "CheckInItem"]
    assert journal[0].data == _ncip("AcceptItem", "1000")


def test_illiad_refusing_the_export_ends_the_rota_unfilled(yaz_oracle: Path) -> None:
    """A 401 (the key refused) is not retried: the last resort is passed over and the requester gets unfilled."""
    fake = FakeILLiad("another-key")

    async def run(url: str) -> tuple[isoill.APDU, Node]:
        requester = Requester(yaz_oracle)
        await requester.server.start()
        config = _config("127.0.0.1:9", "http://127.0.0.1:9/", url)
        only_illiad = attrs.evolve(config.gateway.rotas["pod"], members=())  # a rota of the last resort alone
        node = Node(attrs.evolve(config, gateway=attrs.evolve(config.gateway, rotas={"pod": only_illiad})),
                    store=open_store("memory:"), poll=0.05)
        await node.start()
        try:
            await requester.send(_request(requester.server.port, node.ports["iso10161"]), node.ports["iso10161"])
            return await _until(requester, isoill.ILLAnswer), node
        finally:
            await node.close()
            await requester.server.close()

    with fake.serve() as url:
        answer, node = asyncio.run(asyncio.wait_for(run(url), 60))
    assert answer.transaction_results is E.TransactionResults.UNFILLED
    assert "BC_ILLIAD refused: Unauthorized" in str(answer.responder_note)
    assert len(fake.requests) == 1 and not fake.transactions  # refused at the first call, never retried


def test_illiad_partner_config_is_checked() -> None:
    base = _config("127.0.0.1:1", "http://127.0.0.1:2/", "http://127.0.0.1:3/")
    assert base.ncip == "127.0.0.1:0" and base.gateway.peers["BC_ILLIAD"].export["create_user"] is True
    with pytest.raises(ConfigError, match="did you mean 'create_user'"):
        parse_config({"node": {"symbol": "GW"},
                      "partner": [{"symbol": "I", "protocol": "illiad", "address": "https://x/", "api_key": "K",
                                   "export": {"create_users": True}}]})
    with pytest.raises(ConfigError, match="needs `address` .* and `api_key`"):
        parse_config({"node": {"symbol": "GW"}, "partner": [{"symbol": "I", "protocol": "illiad",
                                                             "address": "https://x/"}]})
    with pytest.raises(ConfigError, match="illiad partners only"):
        parse_config({"node": {"symbol": "GW"}, "partner": [{"symbol": "R", "protocol": "iso18626",
                                                             "address": "https://x/", "api_key": "K"}]})
    # an illiad partner turns the NCIP responder on at its default address
    assert parse_config({"node": {"symbol": "GW"}, "partner": [{"symbol": "I", "protocol": "illiad",
                                                                "address": "https://x/", "api_key": "K"}],
                         "rota": [{"name": "r", "members": [], "last_resort": "I"}]}).ncip == "127.0.0.1:8627"


def test_an_export_still_retrying_when_the_rota_moves_on_is_never_made(yaz_oracle: Path) -> None:
    """ILLiad answers 503 until its expiry passes (virtual clock): the requester gets unfilled, and the export
    waiting in the outbox is dropped at its next attempt instead of creating a request nobody waits for."""
    fake = FakeILLiad("K")
    fake.fail_next(503, 3)
    now = [_now()]

    async def run(url: str) -> tuple[isoill.APDU, Node]:
        requester = Requester(yaz_oracle)
        await requester.server.start()
        config = _config("127.0.0.1:9", "http://127.0.0.1:9/", url)
        only_illiad = attrs.evolve(config.gateway.rotas["pod"], members=())
        node = Node(attrs.evolve(config, gateway=attrs.evolve(config.gateway, rotas={"pod": only_illiad})),
                    store=open_store("memory:"), poll=0.05, clock=lambda: now[0], retry=dt.timedelta(hours=1))
        await node.start()
        try:
            await requester.send(_request(requester.server.port, node.ports["iso10161"]), node.ports["iso10161"])
            for _ in range(200):
                if fake.requests:
                    break
                await asyncio.sleep(0.05)
            assert len(fake.requests) == 1  # the 503; the retry is an hour away
            now[0] += dt.timedelta(days=4, hours=1)  # past ILLiad's expiry (4 days): the rota is exhausted
            answer = await _until(requester, isoill.ILLAnswer)
            now[0] += dt.timedelta(hours=3)  # the export's retry is due now
            for _ in range(100):
                if all(i.next_at is None for i in node.store.outbox() if i.message_type == "ILLiad export"):
                    break
                await asyncio.sleep(0.05)
            return answer, node
        finally:
            await node.close()
            await requester.server.close()

    with fake.serve() as url:
        answer, node = asyncio.run(asyncio.wait_for(run(url), 60))
    assert answer.transaction_results is E.TransactionResults.UNFILLED
    assert "no answer within 4 days" in str(answer.responder_note)
    (export,) = [i for i in node.store.outbox() if i.message_type == "ILLiad export"]
    assert export.next_at is None and "not exported" in export.errors[-1]  # given up, kept for staff
    assert not fake.transactions and len(fake.requests) == 1
