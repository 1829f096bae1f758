"""End to end on loopback, the issue's first must-hold flow, with independent peers written here from the protocol
libraries (not the gateway's code): an ILLiad-like ISO 10161 requester with its own listener, an Alma-like ISO
10161 supplier that answers unfilled, a ReShare-like ISO 18626 supplier that lends. Every APDU a peer receives
passes YAZ's decoder and its own strict machine; every ISO 18626 message it receives passes the official XSD."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import httpx
from lxml import etree
from yaz import accepts

import iso18626
import isoill
from illnode.gateway.memstore import MemoryStore
from illnode.gateway.node import Node, parse_config
from iso18626 import _machine as m18626
from iso18626 import http
from isoill import net
from isoill._model import enums as E
from isoill._model import types as T
from isoill._model.values import External
from isoill.extensions import APDUDeliveryInfo, APDUDeliveryParameters, APDUEncoding

WAIT = 10.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _sdt() -> T.ServiceDateTime:
    now = _now()
    return T.ServiceDateTime(date_time_of_this_service=T.DateTime(date=now.strftime("%Y%m%d"),
                                                                  time=now.strftime("%H%M%S")))


def _transport(info: APDUDeliveryInfo) -> tuple[str, int]:
    address = str(info.sender_info[0].transport.telecom_service_address)
    host, _, port = address.rpartition(":")
    return host, int(port)


def _delivery_info(apdu: isoill.APDU) -> APDUDeliveryInfo:
    (ext,) = [e for e in apdu.extensions if isinstance(e.item, External) and e.item.direct_reference == "1.0.10161.13.3"]
    assert isinstance(ext.item.value, APDUDeliveryInfo)
    return ext.item.value


def _params(port: int) -> APDUDeliveryParameters:
    return APDUDeliveryParameters(encoding=(APDUEncoding.BER,), transport=T.SystemAddress(
        telecom_service_identifier="TCP/IP", telecom_service_address=f"127.0.0.1:{port}"))


class Requester:
    """ILLiad-like: listens on its return address; its machine (strict table, tolerant server) checks arrivals."""

    def __init__(self, oracle: Path) -> None:
        self.oracle = oracle
        self.store = net.MemoryStore()
        self.got: asyncio.Queue[isoill.APDU] = asyncio.Queue()
        self.server = net.ILLServer(self._handle, port=0, store=self.store, strict=False)
        self.problems: list[str] = []

    async def _handle(self, incoming: net.Incoming) -> None:
        ok, why = accepts(self.oracle, incoming.data)
        if not ok:
            self.problems.append(f"YAZ refused {type(incoming.apdu).__name__}: {why}")
        if incoming.refusal is not None:
            self.problems.append(f"requester machine refused {type(incoming.apdu).__name__}")
        await self.got.put(incoming.apdu)

    async def send(self, apdu: isoill.APDU, gateway_port: int) -> None:
        key = net.transaction_key(apdu)
        txn = self.store.get(key) or net.new_transaction(responder=False)
        txn.send(apdu)
        self.store.put(key, txn)
        await net.send_apdus("127.0.0.1", gateway_port, [apdu], wait=0)

    def state(self, apdu: isoill.APDU) -> Any:
        txn = self.store.get(net.transaction_key(apdu))
        return txn.state if txn is not None else None


class AlmaUnfilled:
    """Alma-like ISO 10161 supplier: answers every ILL-Request unfilled, on a new connection to the address
    in the request's APDU-Delivery-Info."""

    def __init__(self, oracle: Path) -> None:
        self.oracle = oracle
        self.server = net.ILLServer(self._handle, port=0)
        self.requests: list[isoill.ILLRequest] = []
        self.problems: list[str] = []

    async def _handle(self, incoming: net.Incoming) -> None:
        ok, why = accepts(self.oracle, incoming.data)
        if not ok:
            self.problems.append(f"YAZ refused: {why}")
        req = incoming.apdu
        if not isinstance(req, isoill.ILLRequest):
            return
        self.requests.append(req)
        answer = isoill.ILLAnswer(transaction_id=req.transaction_id, service_date_time=_sdt(),
                                  requester_id=req.requester_id, responder_id=req.responder_id,
                                  transaction_results=E.TransactionResults.UNFILLED,
                                  results_explanation=T.UnfilledResults(reason_unfilled=E.ReasonUnfilled.NOT_ON_SHELF),
                                  responder_note="not on shelf")
        assert incoming.transaction is not None
        incoming.transaction.send(answer)
        host, port = _transport(_delivery_info(req))
        await net.send_apdus(host, port, [answer], wait=0)


class ReShareLender:
    """ReShare-like ISO 18626 supplier: lends (RequestResponse Loaned with a due date), and completes the loan
    (LoanCompleted) after ShippedReturn. It POSTs to the gateway's endpoint."""

    def __init__(self, xsd: Any) -> None:
        self.xsd = xsd
        self.machine = m18626.Transaction(m18626.Role.SUPPLYING)
        self.gateway_url = ""
        self.got: asyncio.Queue[Any] = asyncio.Queue()
        self.problems: list[str] = []
        self.request: iso18626.Request | None = None
        self.tasks: list[asyncio.Task[Any]] = []
        inner = http.ISO18626App(self._handle)

        async def app(scope: Any, receive: Any, send: Any) -> None:
            async def check() -> Any:
                event = await receive()
                if event.get("type") == "http.request" and event.get("body"):
                    if not self.xsd.validate(etree.fromstring(event["body"])):
                        self.problems.append(f"XSD: {self.xsd.error_log}")
                return event
            await inner(scope, check, send)

        self.app = app

    async def _handle(self, message: Any) -> http.HandlerResult:
        self.machine.receive(message)
        await self.got.put(message)
        if isinstance(message, iso18626.Request):
            self.request = message
            self.tasks.append(asyncio.create_task(self._say(iso18626.Status.LOANED, first=True)))
        elif isinstance(message, iso18626.RequestingAgencyMessage) \
                and message.action is iso18626.Action.SHIPPED_RETURN:
            self.tasks.append(asyncio.create_task(self._say(iso18626.Status.LOAN_COMPLETED)))
        return None

    async def _say(self, status: iso18626.Status, *, first: bool = False) -> None:
        assert self.request is not None
        now = _now()
        msg = iso18626.SupplyingAgencyMessage(
            header=attrs.evolve(self.request.header, timestamp=now, supplying_agency_request_id="RS-77"),
            message_info=iso18626.MessageInfo(
                reason_for_message=iso18626.ReasonForMessage.REQUEST_RESPONSE if first
                else iso18626.ReasonForMessage.STATUS_CHANGE),
            status_info=iso18626.StatusInfo(status=status, last_change=now,
                                            due_date=now + dt.timedelta(days=28) if first else None),
            delivery_info=iso18626.DeliveryInfo(date_sent=now) if first else None)
        self.machine.send(msg)
        await http.post_message(self.gateway_url, msg, timeout=WAIT)


def _config(alma_port: int, reshare_port: int) -> Any:
    return parse_config({
        "node": {"symbol": "GW", "store": "memory:", "iso10161": "127.0.0.1:0", "iso18626": "127.0.0.1:0",
                 "api": "127.0.0.1:0", "api_key": "s3cret"},
        "partner": [{"symbol": "ILLIAD1", "protocol": "iso10161"},
                    {"symbol": "01CALS_XYZ", "protocol": "iso10161", "address": f"127.0.0.1:{alma_port}"},
                    {"symbol": "RESHARE1", "protocol": "iso18626",
                     "address": f"http://127.0.0.1:{reshare_port}/iso18626"}],
        "rota": [{"name": "iso-pod", "members": ["01CALS_XYZ", "RESHARE1"], "ordered": True}],
    })


async def _flow(oracle: Path, xsd: Any) -> None:
    requester, alma, reshare = Requester(oracle), AlmaUnfilled(oracle), ReShareLender(xsd)
    await requester.server.start()
    await alma.server.start()
    stop = asyncio.Event()
    started = asyncio.Event()
    ports: dict[str, int] = {}

    def ready(port: int) -> None:
        ports["reshare"] = port
        started.set()

    reshare_task = asyncio.create_task(http.serve(host="127.0.0.1", port=0, app=reshare.app, ready=ready,
                                                  shutdown=stop))
    await asyncio.wait_for(started.wait(), WAIT)
    node = Node(_config(alma.server.port, ports["reshare"]), store=MemoryStore(), poll=0.05)
    await node.start()
    gw10161, gw18626 = node.ports["iso10161"], node.ports["iso18626"]
    reshare.gateway_url = f"http://127.0.0.1:{gw18626}/iso18626"
    try:
        tid = T.TransactionId(initial_requester_id=T.SystemId(person_or_institution_symbol=T.InstitutionSymbol(
            "ILLIAD1")), transaction_group_qualifier="ILLIAD1", transaction_qualifier="ILL-1001")
        ids = {"transaction_id": tid, "requester_id": T.SystemId(
            person_or_institution_symbol=T.InstitutionSymbol("ILLIAD1")),
            "responder_id": T.SystemId(person_or_institution_symbol=T.InstitutionSymbol("GW"))}
        info = APDUDeliveryInfo(sender_info=(_params(requester.server.port),), recipient_info=(_params(gw10161),))
        request = isoill.ILLRequest(
            **ids, service_date_time=_sdt(), ill_service_type=(E.ILLServiceType.LOAN,),
            requester_optional_messages=T.RequesterOptionalMessagesType(
                can_send_received=True, can_send_returned=True, requester_shipped=E.MessageRequirement.REQUIRES,
                requester_checked_in=E.MessageRequirement.REQUIRES),
            delivery_address=T.DeliveryAddress(postal_address=T.PostalAddress(city="Springfield")),
            item_id=T.ItemId(item_type=E.ItemType.MONOGRAPH, title="A Pattern Language", author="Alexander"),
            ill_request_extensions=(T.Extension(item=External.of("1.0.10161.13.3", info)),))
        await requester.send(request, gw10161)

        told = await asyncio.wait_for(requester.got.get(), WAIT)  # the move to the next supplier
        assert isinstance(told, isoill.Message) and "next supplier" in str(told.note)
        assert alma.requests and alma.requests[0].item_id.title == "A Pattern Language"
        first = await asyncio.wait_for(reshare.got.get(), WAIT)
        assert isinstance(first, iso18626.Request) and first.bibliographic_info.title == "A Pattern Language"

        shipped = await asyncio.wait_for(requester.got.get(), WAIT)
        assert isinstance(shipped, isoill.Shipped) and shipped.shipped_service_type is E.ILLServiceType.LOAN
        assert shipped.supply_details.date_due is not None
        assert requester.state(request) is E.CurrentState.SHIPPED

        today = _now().strftime("%Y%m%d")
        await requester.send(isoill.Received(**ids, service_date_time=_sdt(), date_received=today,
                                             shipped_service_type=E.ILLServiceType.LOAN), gw10161)
        got = await asyncio.wait_for(reshare.got.get(), WAIT)
        assert isinstance(got, iso18626.RequestingAgencyMessage) and got.action is iso18626.Action.RECEIVED
        await requester.send(isoill.Returned(**ids, service_date_time=_sdt(), date_returned=today), gw10161)
        got = await asyncio.wait_for(reshare.got.get(), WAIT)
        assert isinstance(got, iso18626.RequestingAgencyMessage) and got.action is iso18626.Action.SHIPPED_RETURN

        checked_in = await asyncio.wait_for(requester.got.get(), WAIT)
        assert isinstance(checked_in, isoill.CheckedIn)
        assert requester.problems == [] and alma.problems == [] and reshare.problems == []
        assert reshare.machine.status is iso18626.Status.LOAN_COMPLETED

        # the staff API: the key is required; the transaction is listed, ended, with its journal decoded
        api = f"http://127.0.0.1:{node.ports['api']}"
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{api}/transactions")).status_code == 401
            spec = (await client.get(f"{api}/openapi.json")).json()
            assert "/transactions/{key}/actions" in spec["paths"]
            listed = (await client.get(f"{api}/transactions", headers={"X-API-Key": "s3cret"})).json()
            assert len(listed) == 1 and listed[0]["ended"] and listed[0]["stage"] == "completed"
            shown = (await client.get(f"{api}/transactions/{listed[0]['key']}",
                                      headers={"X-API-Key": "s3cret"})).json()
            kinds = [(e["direction"], e["type"]) for e in shown["journal"]]
            assert ("in", "ILL-Request") in kinds and ("out", "Checked-In") in kinds
            assert any("A Pattern Language" in e["message"] for e in shown["journal"] if e["direction"] == "out")
            # what arrived is journalled verbatim: BER decoded, ISO 18626 as the XML the supplier POSTed
            arrived = [e for e in shown["journal"] if e["direction"] == "in"]
            assert {e["protocol"] for e in arrived} == {"iso10161", "iso18626"}
            assert all(e["message"] for e in arrived)
            assert all("<ill:supplyingAgencyMessage>" in e["message"] for e in arrived if e["protocol"] == "iso18626")
            assert json.dumps(shown)  # plain JSON
        assert all(item.done for item in node.store.outbox(include_done=True))
    finally:
        await node.close()
        stop.set()
        for task in reshare.tasks:
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.gather(reshare_task, return_exceptions=True)
        await requester.server.close()
        await alma.server.close()


def test_10161_requester_unfilled_then_18626_loan_end_to_end(yaz_oracle: Path, official_xsd: dict[str, Any]) -> None:
    asyncio.run(asyncio.wait_for(_flow(yaz_oracle, official_xsd["1.2"]), 60))
