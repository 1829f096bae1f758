"""The outbox worker: sends what the store's outbox holds, at least once, with retry and backoff and an error
history per item. Protocol-free: the protocol packages give the `send` coroutine (open a TCP connection and
write the APDU; POST the XML).

A message is sent as the octets stored, so a re-sent one is byte-identical: the receiving store recognises it
(`Store.duplicates`, the journal's digest), and the protocol machines accept the repeats that matter (a
repeated ILL-Request, a Request restarting its transaction).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

import attrs

from ._base import OutboxItem, Store, StoreError

__all__ = ["Backoff", "OutboxWorker", "PermanentFailure"]

log = logging.getLogger("illcore.store.outbox")

Sender = Callable[[OutboxItem], Awaitable[None]]


class PermanentFailure(Exception):
    """Raised by a sender when retrying cannot help (the partner refused the message itself): the item is
    kept, with the error, and not tried again."""


@attrs.frozen
class Backoff:
    """When to try again: `first` seconds after the first failure, times `factor` after each next one, at most
    `most` seconds apart; after `attempts` attempts in all the item is given up (kept, not sent). The defaults
    (1, 2, 4, 8, ... minutes, 8 attempts, about 4 hours) outlast a partner's restart or an afternoon outage."""

    first: float = 60.0
    factor: float = 2.0
    most: float = 3600.0
    attempts: int = 8

    def retry_at(self, now: datetime, attempts: int) -> datetime | None:
        """The next try after `attempts` failed attempts, or None to give up."""
        if attempts >= self.attempts:
            return None
        return now + timedelta(seconds=min(self.most, self.first * self.factor ** max(0, attempts - 1)))


def _now() -> datetime:
    return datetime.now(timezone.utc)


class OutboxWorker:
    """Sends due outbox items with `send(item)` (a coroutine that raises on failure), marks them done or
    failed. `run(stop)` polls every `poll` seconds and wakes at once when the store reports a new item."""

    def __init__(self, store: Store, send: Sender, *, backoff: Backoff | None = None,
                 clock: Callable[[], datetime] = _now, poll: float = 1.0, batch: int = 20) -> None:
        self.store = store
        self.send = send
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.poll = poll
        self.batch = batch
        self.sent = 0
        self.failures = 0

    async def run_once(self) -> int:
        """Try every item due now; returns how many were tried."""
        items = await asyncio.to_thread(self.store.due, self.clock(), self.batch)
        for item in items:
            assert item.id is not None
            try:
                await self.send(item)
            except Exception as exc:  # the partner or the network failed: keep it with the reason
                self.failures += 1
                now = self.clock()
                reason = f"{now.isoformat(timespec='seconds')} {type(exc).__name__}: {exc}"
                retry = None if isinstance(exc, PermanentFailure) else self.backoff.retry_at(now, item.attempts + 1)
                log.info("outbox %d to %s failed (%s); %s", item.id, item.address, exc,
                         f"retry at {retry:%H:%M:%S}" if retry else "given up")
                await asyncio.to_thread(self.store.failed, item.id, reason, retry)
                continue
            self.sent += 1
            await asyncio.to_thread(self.store.done, item.id)
        return len(items)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def on_change(kind: str, _: str) -> None:
            if kind == "outbox":
                loop.call_soon_threadsafe(wake.set)

        unsubscribe = self.store.subscribe(on_change)
        try:
            while not stop.is_set():
                try:
                    await self.run_once()
                except StoreError as exc:  # the store is down: try again at the next poll
                    log.warning("outbox: %s", exc)
                wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
                await asyncio.wait(waiters, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()
        finally:
            unsubscribe()
