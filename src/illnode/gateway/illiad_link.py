"""The node's link to its ILLiad lenders of last resort: delivers the outbox's ILLiad items (the export, then
notes) through the Web Platform (`illnode.lastresort.LastResort`), and serves the NCIP responder ILLiad posts to.

Socket code, like node.py: what the items and NCIP events mean is in illiad_side and core.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as _dt
import logging
from collections.abc import Callable
from typing import Any

import attrs

import illiad
import ncip
from illnode.gateway.illiad_side import IDS_ILLIAD, Export, decode
from illnode.gateway.service import GatewayService
from illnode.gateway.state import Peer
from illnode.lastresort import DOC_KIND, LastResort

__all__ = ["Delivered", "IlliadLink", "capture_body"]

log = logging.getLogger("illnode.gateway")


@attrs.frozen
class Delivered:
    """How an outbox item's delivery ended: `done`, `retry` (a temporary failure: 5xx, no connection) or
    `refused` (ILLiad said no for good: the rota moves on), with the error text."""

    outcome: str
    error: str = ""


def capture_body(app: Any, var: contextvars.ContextVar[list[bytes]]) -> Any:
    """Wrap an ASGI app so the request body's octets are in `var` for the journal (the apps hand their handler
    the parsed message only). The list is set before the app runs: an app reading the body in a child task sees
    the same list, but not a value set inside that task."""
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        chunks: list[bytes] = []
        var.set(chunks)

        async def receive_and_keep() -> Any:
            event = await receive()
            if event.get("type") == "http.request":
                chunks.append(event.get("body", b""))
            return event

        await app(scope, receive_and_keep, send)

    return wrapped


_NCIP_BODY: contextvars.ContextVar[list[bytes]] = contextvars.ContextVar("ncip_body")


class IlliadLink:
    """One Web Platform client per `illiad` partner, the exports remembered in the store (kind
    `illnode.lastresort.DOC_KIND`: TransactionNumber and leg id), and the NCIP app."""

    def __init__(self, peers: dict[str, Peer], service: GatewayService, clock: Callable[[], _dt.datetime], *,
                 wake: Callable[[], None]) -> None:
        self.service = service
        self.clock = clock
        self.wake = wake
        self.loops: dict[str, tuple[Peer, LastResort]] = {}
        for peer in peers.values():
            if peer.protocol == IDS_ILLIAD:
                client = illiad.AsyncILLiadClient(peer.address, peer.api_key)
                settings = illiad.ExportSettings.from_mapping(dict(peer.export))
                self.loops[peer.address] = (peer, LastResort(client, settings, service.store))

    async def aclose(self) -> None:
        for _, loop in self.loops.values():
            await loop.client.aclose()

    def symbol(self, address: str) -> str:
        found = self.loops.get(address)
        return found[0].symbol if found else ""

    # --- outgoing -----------------------------------------------------------------------------------------------
    async def deliver(self, item: Any) -> Delivered:
        """Send one outbox item to its ILLiad: create the transaction, or add a note to it."""
        found = self.loops.get(item.address)
        if found is None:
            return Delivered("refused", f"no illiad partner at {item.address}")
        peer, loop = found
        message = decode(item.data)
        try:
            if isinstance(message, Export):
                txn = await asyncio.to_thread(self.service.transaction, item.transaction)
                leg = txn.supplier if txn is not None else None
                if leg is None or leg.ids.get("leg") != message.request.request_id:
                    # the rota moved on while the export waited (expiry, staff): ILLiad must not get it now
                    return Delivered("refused", f"not exported: {message.request.request_id} is no longer asked")
                # exported before a crash (the export answered, its outbox item not yet marked done): not twice
                known = await asyncio.to_thread(loop.documents.get_doc, DOC_KIND, message.request.request_id)
                number = str(known["transaction_number"]) if known else \
                    str((await loop.export(message.request)).transaction.transaction_number)
                await asyncio.to_thread(self.service.exported, item.transaction, message.request.request_id,
                                        number, self.clock())
                self.wake()
                return Delivered("done")
            number = message.transaction_number or str(
                (await asyncio.to_thread(loop.documents.get_doc, DOC_KIND, message.leg) or {})
                .get("transaction_number", ""))
            if not number:  # the export has not been answered yet: the note waits for it
                return Delivered("retry", f"{message.leg} is not in {peer.symbol} yet")
            await loop.client.add_note(int(number), message.text)
            return Delivered("done")
        except illiad.ILLiadError as err:
            return Delivered("retry" if err.retryable else "refused", f"{type(err).__name__}: {err}")

    # --- incoming (NCIP) ----------------------------------------------------------------------------------------
    def app(self) -> Any:
        """The ASGI NCIP responder: ILLiad's item messages for our exports move their borrowing transactions."""
        stores = [loop for _, loop in self.loops.values()]

        def resolve(identifiers: tuple[str, ...]) -> str | None:
            # every loop keeps its documents in the same store: the first one resolves for all
            return stores[0].resolve(identifiers) if stores else None

        async def on_event(event: ncip.ItemEvent) -> None:
            body = b"".join(_NCIP_BODY.get([]))
            if event.request_id is None:  # LookupUser, a fee for no request: answered, nothing to move
                log.info("NCIP %s (user %s): no request", event.service, event.user_id)
                return
            detail = f"user {event.user_id}" if event.user_id else ""
            handled = await asyncio.to_thread(
                self.service.item_event, event.request_id, event.meaning, body, peer="ncip", at=self.clock(),
                date_due=event.date_due, detail=detail, message=event.service)
            if handled.problem:
                log.info("NCIP %s for %s: %s", event.service, event.request_id, handled.problem)
            self.wake()

        handler = ncip.ItemEventHandler(resolve=lambda ids: asyncio.to_thread(resolve, ids), on_event=on_event)
        return capture_body(ncip.NCIPApp(handler), _NCIP_BODY)
