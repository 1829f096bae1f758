"""The outbox worker with the protocols' senders, on loopback: ISO 10161 (connect, write the APDU) and
ISO 18626 (POST, done on an OK confirmation, kept without retry on an ERROR one), retrying while the partner
is away and recognisable as a duplicate when sent twice."""

from __future__ import annotations

import asyncio
import socket
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parents[1]))

import test_machine_10161 as m10161  # noqa: E402
import test_machine_18626 as m18626  # noqa: E402

import iso18626  # noqa: E402
import isoill  # noqa: E402
from illcore.store import Backoff, OutboxItem, OutboxWorker, open_store  # noqa: E402
from iso18626.http import Client, ISO18626App, TransactionHandler  # noqa: E402
from iso18626.persist import post_outbox_item  # noqa: E402
from isoill import net  # noqa: E402
from isoill.persist import send_outbox_item  # noqa: E402

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_10161_item_retried_until_the_partner_listens_then_delivered() -> None:
    sender_store, partner_store = open_store("memory:"), open_store("memory:")
    port = _free_port()
    apdu = isoill.encode(m10161.make(isoill.ILLAPDUType.ILL_REQUEST))
    item_id = sender_store.enqueue(OutboxItem(protocol="iso10161", address=f"127.0.0.1:{port}", transaction="g/T-1/",
                                              message_type="ILLRequest", data=apdu, created=T0, next_at=T0))
    now = [T0]
    worker = OutboxWorker(sender_store, send_outbox_item, backoff=Backoff(first=30), clock=lambda: now[0])
    received = asyncio.Queue[bytes]()

    async def handle(inc: net.Incoming) -> None:
        await received.put(inc.data)

    async def scenario() -> None:
        await worker.run_once()  # nobody listens yet
        (item,) = sender_store.outbox()
        assert item.attempts == 1 and "ConnectionRefusedError" in item.errors[0]
        async with net.ILLServer(handle, port=port, store=partner_store):
            now[0] = T0 + timedelta(seconds=30)
            assert await worker.run_once() == 1
            assert await asyncio.wait_for(received.get(), 10) == apdu
            # an at-least-once resend is the same octets: the receiving journal recognises it
            await send_outbox_item(sender_store.outbox(include_done=True)[0])
            assert await asyncio.wait_for(received.get(), 10) == apdu

    asyncio.run(scenario())
    (done,) = sender_store.outbox(include_done=True)
    assert done.id == item_id and done.done and done.attempts == 2
    first = partner_store.journal("grp/T-1/")[0]
    assert first.data == apdu and partner_store.duplicates(first) == 2


def test_18626_item_done_on_ok_and_kept_on_error_confirmation() -> None:
    store, partner = open_store("memory:"), open_store("memory:")
    app = ISO18626App(TransactionHandler(store=partner), store=partner)
    client = Client(transport=httpx.ASGITransport(app=app))  # type: ignore[arg-type]
    ok = iso18626.serialize(m18626.request(rid="O-1"))
    unknown = iso18626.serialize(m18626.ram(iso18626.Action.CANCEL, rid="nobody"))
    for rid, body in (("O-1", ok), ("nobody", unknown)):
        store.enqueue(OutboxItem(protocol="iso18626", address="http://partner/", transaction=rid,
                                 message_type="x", data=body, created=T0, next_at=T0))

    async def send(item: OutboxItem) -> None:
        await post_outbox_item(item, client=client)

    async def scenario() -> None:
        worker = OutboxWorker(store, send, clock=lambda: T0)
        assert await worker.run_once() == 2
        assert await worker.run_once() == 0  # the refused one is not retried
        await client.aclose()

    asyncio.run(scenario())
    items = {i.transaction: i for i in store.outbox(include_done=True)}
    assert items["O-1"].done
    assert not items["nobody"].done and items["nobody"].next_at is None
    assert "PermanentFailure" in items["nobody"].errors[0] and "no request with this ID" in items["nobody"].errors[0]
    assert partner.get("iso18626", "ISIL:REQ/O-1") is not None
