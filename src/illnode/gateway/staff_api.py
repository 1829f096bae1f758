"""The staff API: JSON over HTTP (an ASGI app), its OpenAPI document at /openapi.json, an API-key header.

List and show transactions (the journal decoded), and act on one: Received, Returned, Cancel, Renew, Message,
Status-Query on the requester's behalf, move to the next supplier, close.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qs

import attrs

import isoill
from illcore.aio import answer_lifespan
from illnode.gateway.bridge import Kind, Step
from illnode.gateway.state import IDS_10161, to_json

__all__ = ["ACTIONS", "LEND_ACTIONS", "OPENAPI", "StaffAPI"]

#: Staff actions on a transaction: the bridge row sent to the supplier on the requester's behalf.
ACTIONS: dict[str, Kind | None] = {
    "received": Kind.RECEIVED, "returned": Kind.RETURNED, "cancel": Kind.CANCEL, "renew": Kind.RENEW,
    "message": Kind.MESSAGE_FROM_REQUESTER, "status-query": Kind.STATUS_QUERY, "next-supplier": None, "close": None,
}
#: On a lending transaction: what our lending side says to the borrowing partner ("message" too).
LEND_ACTIONS: dict[str, Kind] = {
    "will-supply": Kind.WILL_SUPPLY, "unfilled": Kind.UNFILLED, "retry": Kind.RETRY, "shipped": Kind.SHIPPED_LOAN,
    "shipped-copy": Kind.SHIPPED_COPY, "checked-in": Kind.CHECKED_IN, "overdue": Kind.OVERDUE, "recall": Kind.RECALL,
    "cancel-accepted": Kind.CANCEL_ACCEPTED, "cancel-refused": Kind.CANCEL_REFUSED,
    "renew-granted": Kind.RENEW_GRANTED, "renew-refused": Kind.RENEW_REFUSED, "message": Kind.MESSAGE_FROM_SUPPLIER,
}
API_KEY_HEADER = "x-api-key"

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "isoill gateway staff API", "version": "1"},
    "components": {"securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
    "security": [{"apiKey": []}],
    "paths": {
        "/transactions": {"get": {
            "summary": "List borrowing transactions, oldest update first",
            "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                           for n in ("state", "partner", "requester", "open")],
            "responses": {"200": {"description": "transactions"}}}},
        "/transactions/{key}": {"get": {
            "summary": "One transaction with its legs, rota, history and decoded journal",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the transaction"}, "404": {"description": "unknown"}}}},
        "/transactions/{key}/actions": {"post": {
            "summary": "Act on a transaction",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["action"],
                "properties": {"action": {"enum": sorted({*ACTIONS, *LEND_ACTIONS})},
                               "note": {"type": "string"}}}}}},
            "responses": {"200": {"description": "done"}, "400": {"description": "bad action"},
                          "409": {"description": "not possible now"}}}},
    },
}


def _summary(txn: Any) -> dict[str, Any]:
    return {"key": txn.key, "lending": txn.lending, "stage": txn.requester.stage.value,
            "requester": txn.requester.symbol,
            "supplier": txn.supplier.symbol if txn.supplier else None, "title": txn.request.title,
            "rota": txn.rota, "ended": txn.ended}


def _entry(entry: Any) -> dict[str, Any]:
    text: str
    if entry.protocol == IDS_10161:
        try:
            from isoill.render import render

            text = render(isoill.decode(entry.data))
        except isoill.DecodeError as err:
            text = f"(undecodable: {err})"
    else:
        text = entry.data.decode("utf-8", "replace")
    return {"direction": entry.direction, "protocol": entry.protocol, "peer": entry.peer,
            "type": entry.message_type, "outcome": entry.outcome, "at": entry.at.isoformat(), "message": text}


# The largest request body the staff API reads (its actions are small JSON objects).
MAX_BODY = 1 << 20


class StaffAPI:
    """ASGI app over a running `Node` (its service, store and clock)."""

    def __init__(self, node: Any, *, api_key: str = "") -> None:
        self.node = node
        self.api_key = api_key

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if len(body) > MAX_BODY:  # staff actions are small JSON objects: no unbounded read for anyone
                await self._reply(send, 413, {"error": f"request body over {MAX_BODY} octets"})
                return
            if not event.get("more_body"):
                break
        status, payload = self.handle(scope, body)
        await self._reply(send, status, payload)

    @staticmethod
    async def _reply(send: Any, status: int, payload: Any) -> None:
        data = json.dumps(payload, indent=1, default=str).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})

    def handle(self, scope: Any, body: bytes) -> tuple[int, Any]:
        """(HTTP status, JSON payload) for one request (synchronous: the store is)."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path, method = scope.get("path", "/"), scope.get("method", "GET")
        if path == "/openapi.json" and method == "GET":
            return 200, OPENAPI
        if self.api_key and not hmac.compare_digest(headers.get(API_KEY_HEADER, ""), self.api_key):
            return 401, {"error": f"missing or wrong {API_KEY_HEADER} header"}
        parts = [p for p in path.split("/") if p]
        service = self.node.service
        if parts == ["transactions"] and method == "GET":
            query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
            out = [_summary(t) for t in service.transactions()]
            for name, field in (("state", "stage"), ("partner", "supplier"), ("requester", "requester")):
                if name in query:
                    out = [t for t in out if t[field] == query[name]]
            if query.get("open") in ("1", "true"):
                out = [t for t in out if not t["ended"]]
            return 200, out
        if len(parts) == 2 and parts[0] == "transactions" and method == "GET":
            txn = service.transaction(parts[1])
            if txn is None:
                return 404, {"error": f"no transaction {parts[1]}"}
            return 200, {**to_json(txn), "journal": [_entry(e) for e in self.node.store.journal(parts[1])]}
        if len(parts) == 3 and parts[0] == "transactions" and parts[2] == "actions" and method == "POST":
            return self._act(parts[1], body)
        return 404, {"error": f"no such endpoint: {method} {path}"}

    def _act(self, key: str, body: bytes) -> tuple[int, Any]:
        try:
            request = json.loads(body or b"{}")
            action, note = request["action"], request.get("note")
        except (ValueError, KeyError, TypeError):
            return 400, {"error": 'the body must be JSON {"action": ..., "note": ...}'}
        service, gateway, at = self.node.service, self.node.service.gateway, self.node.clock()
        txn = service.transaction(key)
        if txn is None:
            return 404, {"error": f"no transaction {key}"}
        allowed: dict[str, Any] = {**LEND_ACTIONS, "close": None} if txn.lending else dict(ACTIONS)
        if action not in allowed:
            return 400, {"error": f"unknown action {action!r} for a {'lending' if txn.lending else 'borrowing'} "
                                  f"transaction (one of {', '.join(sorted(allowed))})"}
        if txn.lending and action in LEND_ACTIONS:
            kind = LEND_ACTIONS[action]
            outcome = service.staff(key, lambda t: gateway.lender_says(t, Step(kind=kind, at=at, note=note)), at)
        elif action == "next-supplier":
            outcome = service.staff(key, lambda t: gateway.next_supplier(t, at, why=note or "staff moved on",
                                                                         members=service.members()), at)
        elif action == "close":
            outcome = service.staff(key, lambda t: _closed(t, at, note), at)
        else:
            relay = ACTIONS[action]
            assert relay is not None
            outcome = service.staff(key, lambda t: gateway.relay_from_staff(t, Step(kind=relay, at=at, note=note)),
                                    at)
        self.node._wake.set()
        if outcome.problem:
            return 409, {"error": outcome.problem}
        return 200, _summary(outcome.transaction)


def _closed(txn: Any, at: Any, note: str | None) -> Any:
    from illnode.gateway.core import Outcome

    return Outcome(transaction=attrs.evolve(txn, ended=True).note(at, f"closed by staff{': ' + note if note else ''}"))
