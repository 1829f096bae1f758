"""The outbox worker: at-least-once with backoff and an error history, giving up after the last attempt or on
a permanent refusal, and woken at once by a new item."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from illcore.store import Backoff, OutboxItem, OutboxWorker, PermanentFailure, open_store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def item(data: bytes) -> OutboxItem:
    return OutboxItem(protocol="iso10161", address="127.0.0.1:1611", transaction="t", message_type="Shipped",
                      data=data, created=T0, next_at=T0)


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    b = Backoff(first=60, factor=2, most=300, attempts=5)
    waits = [(b.retry_at(T0, n) - T0).total_seconds() for n in range(1, 5)]  # type: ignore[operator]
    assert waits == [60, 120, 240, 300]
    assert b.retry_at(T0, 5) is None


@pytest.mark.parametrize("url", ["memory:", "sqlite"])
def test_worker_retries_until_sent_and_keeps_the_history(url: str, tmp_path: object) -> None:
    store = open_store(url if url == "memory:" else f"sqlite:///{tmp_path}/o.db")
    now = [T0]
    calls: list[bytes] = []

    async def send(it: OutboxItem) -> None:
        calls.append(it.data)
        if it.data == b"flaky" and len([c for c in calls if c == b"flaky"]) < 3:
            raise ConnectionRefusedError("partner down")
        if it.data == b"refused":
            raise PermanentFailure("ERROR confirmation: UnrecognisedDataValue")

    worker = OutboxWorker(store, send, backoff=Backoff(first=10, factor=2, attempts=5), clock=lambda: now[0])
    flaky, ok, refused = store.enqueue(item(b"flaky")), store.enqueue(item(b"ok")), store.enqueue(item(b"refused"))

    async def scenario() -> None:
        assert await worker.run_once() == 3
        now[0] = T0 + timedelta(seconds=5)
        assert await worker.run_once() == 0  # not due yet (10 s backoff)
        now[0] = T0 + timedelta(seconds=10)
        assert await worker.run_once() == 1
        now[0] = T0 + timedelta(seconds=30)
        assert await worker.run_once() == 1

    asyncio.run(scenario())
    items = {i.id: i for i in store.outbox(include_done=True)}
    assert items[ok].done and items[ok].attempts == 1
    assert items[flaky].done and items[flaky].attempts == 3
    assert [e.split(" ", 1)[1] for e in items[flaky].errors] == ["ConnectionRefusedError: partner down"] * 2
    assert not items[refused].done and items[refused].next_at is None and len(items[refused].errors) == 1
    assert calls.count(b"ok") == 1 and calls.count(b"refused") == 1
    assert worker.sent == 2 and worker.failures == 3
    store.close()


def test_run_wakes_on_a_new_item() -> None:
    store = open_store("memory:")
    sent = asyncio.Queue[bytes]()

    async def send(it: OutboxItem) -> None:
        await sent.put(it.data)

    async def scenario() -> None:
        stop = asyncio.Event()
        worker = OutboxWorker(store, send, poll=30.0)  # the poll alone would take 30 s
        task = asyncio.create_task(worker.run(stop))
        await asyncio.sleep(0.05)
        store.enqueue(OutboxItem(protocol="p", address="a", transaction="t", message_type="m", data=b"now",
                                 created=T0, next_at=T0))
        assert await asyncio.wait_for(sent.get(), 5.0) == b"now"
        stop.set()
        await asyncio.wait_for(task, 5.0)

    asyncio.run(scenario())
