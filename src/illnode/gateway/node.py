"""`isoill gateway --config FILE`: the running node. An ISO 10161 listener, an ISO 18626 endpoint, the staff API,
an outbox sender and the timers, around `GatewayService` on a store; the clock is injected.

The only module of the gateway that opens sockets. The TOML file's shape is in docs/gateway.md.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as _dt
import logging
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import illiad
import iso18626
from illcore.errors import IsoIllError
from illcore.request import Service
from illcore.store import open_store
from illnode.directory import DirectoryError, Partner
from illnode.gateway.core import Gateway, GatewayConfig, reply_address
from illnode.gateway.illiad_link import IlliadLink, capture_body
from illnode.gateway.illiad_side import IDS_ILLIAD
from illnode.gateway.lending import LendingRule
from illnode.gateway.local import LOCAL, ImportConfigError, ImportSource, LocalRequests, parse_imports
from illnode.gateway.rota import Rota, RotaRule, check_rules
from illnode.gateway.service import GatewayService
from illnode.gateway.state import IDS_10161, IDS_18626, Peer
from iso18626 import http
from isoill import net

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["ConfigError", "Node", "NodeConfig", "load_config", "parse_config"]

log = logging.getLogger("illnode.gateway")
Clock = Callable[[], _dt.datetime]


class ConfigError(IsoIllError):
    """The gateway's TOML file is wrong: names the table and key."""


@attrs.frozen(kw_only=True)
class NodeConfig:
    """Everything `[node]`, `[[partner]]`, `[[rota]]` and `[[rule]]` say."""

    gateway: GatewayConfig
    store: str = "sqlite:///gateway.db"
    iso10161: str = "127.0.0.1:1611"
    iso18626: str = "127.0.0.1:8626"
    api: str = "127.0.0.1:8080"
    api_key: str = ""
    ncip: str = ""                     # the NCIP responder's listen address ("" : none)
    imports: tuple[ImportSource, ...] = ()


def _host_port(text: str, where: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(f"{where}: {text!r} is not host:port")
    return host or "127.0.0.1", int(port)


# [[partner]] keys the gateway adds to the directory's record format (illnode.directory.Partner); an ILLiad Web
# Platform partner adds its API key and an `export` table of illiad.ExportSettings
_GATEWAY_KEYS = ("expiry_days", "local", "version", "api_key", "export")


def _peer(table: dict[str, Any], where: str) -> Peer:
    """A [[partner]] table: a directory record (validated as such) plus the gateway's own keys."""
    own = {k: table.pop(k) for k in _GATEWAY_KEYS if k in table}
    try:
        partner = Partner.from_dict(table, where=where)
    except DirectoryError as err:
        raise ConfigError(str(err)) from None
    if partner.protocol not in (IDS_10161, IDS_18626, IDS_ILLIAD):
        raise ConfigError(f"{where} ({partner.symbol}): protocol {partner.protocol!r} is not one the gateway "
                          "speaks (iso10161, iso18626, illiad)")
    export = own.get("export", {})
    if partner.protocol == IDS_ILLIAD:
        if not own.get("api_key") or not partner.address:
            raise ConfigError(f"{where} ({partner.symbol}): an illiad partner needs `address` (the Web Platform "
                              "URL) and `api_key`")
        try:
            illiad.ExportSettings.from_mapping(dict(export))
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{where} ({partner.symbol}) export: {err}") from None
    elif "api_key" in own or "export" in own:
        raise ConfigError(f"{where} ({partner.symbol}): `api_key` and `export` are for illiad partners only")
    try:
        return Peer(symbol=partner.symbol, protocol=partner.protocol, address=partner.address,
                    version=str(own.get("version") or partner.protocol_version or "1.2")
                    if partner.protocol == IDS_18626 else "1.2",
                    active=partner.active, expiry_days=float(own.get("expiry_days", 4)),
                    local=bool(own.get("local", False)), profile=partner.profile,
                    api_key=str(own.get("api_key", "")), export=dict(export))
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where} ({partner.symbol}): {err}") from None


def parse_config(data: dict[str, Any]) -> NodeConfig:
    """A NodeConfig from the TOML data (see docs/gateway.md); ConfigError names what is wrong."""
    node = data.get("node")
    if not isinstance(node, dict) or not node.get("symbol"):
        raise ConfigError("[node]: `symbol` is required (our symbol in both protocols)")
    known = {"symbol", "store", "iso10161", "iso18626", "api", "api_key", "public_iso10161", "public_iso18626",
             "lending", "ncip"}
    for key in node:
        if key not in known:
            raise ConfigError(f"[node]: unknown key {key!r} (known: {', '.join(sorted(known))})")
    peers = {}
    for i, table in enumerate(data.get("partner", [])):
        peer = _peer(dict(table), f"[[partner]] {i + 1}")
        peers[peer.symbol] = peer
    rotas = {}
    for i, r in enumerate(data.get("rota", [])):
        where = f"[[rota]] {i + 1}"
        if "name" not in r or not isinstance(r.get("members", []), list):
            raise ConfigError(f"{where}: needs `name` and a `members` list")
        for symbol in [*r.get("members", []), *([r["last_resort"]] if r.get("last_resort") else [])]:
            if symbol not in peers:
                raise ConfigError(f"{where} ({r['name']}): {symbol!r} is not a [[partner]]")
        rotas[r["name"]] = Rota(name=r["name"], members=tuple(r.get("members", [])), ordered=r.get("ordered", True),
                                balance=r.get("balance", False), last_resort=r.get("last_resort"))
    try:
        rules = tuple(RotaRule(rota=r["rota"], service=Service(r["service"].lower()) if r.get("service") else None,
                               medium=r.get("medium"), requester=r.get("requester"),
                               requested=str(r.get("requested", "ignore"))) for r in data.get("rule", []))
    except IsoIllError as err:
        raise ConfigError(f"[[rule]]: {err}") from None
    if not rules and rotas:  # one rota, or several without rules: the first catches everything
        rules = (RotaRule(rota=next(iter(rotas))),)
    try:
        check_rules(rules, rotas)
    except IsoIllError as err:
        raise ConfigError(str(err)) from None
    lending = str(node.get("lending", "off"))
    if lending not in ("off", "staff", "auto"):
        raise ConfigError(f"[node] lending: {lending!r} (use off, staff or auto)")
    try:
        lending_rules = tuple(LendingRule(
            answer=r.get("answer", ""), service=Service(r["service"].lower()) if r.get("service") else None,
            medium=r.get("medium"), requester=r.get("requester"), reason=r.get("reason"), note=r.get("note"))
            for r in data.get("lending", []))
    except ValueError as err:
        raise ConfigError(f"[[lending]]: {err}") from None
    try:
        imports = parse_imports(list(data.get("import", [])))
    except ImportConfigError as err:
        raise ConfigError(str(err)) from None
    iso10161 = str(node.get("iso10161", "127.0.0.1:1611"))
    iso18626_addr = str(node.get("iso18626", "127.0.0.1:8626"))
    _host_port(iso10161, "[node] iso10161")
    _host_port(iso18626_addr, "[node] iso18626")
    # the NCIP responder ILLiad posts to: on when asked for, or by default when an illiad partner exists
    wants_ncip = any(p.protocol == IDS_ILLIAD for p in peers.values())
    ncip_addr = str(node.get("ncip", "127.0.0.1:8627" if wants_ncip else ""))
    if ncip_addr:
        _host_port(ncip_addr, "[node] ncip")
    gateway = GatewayConfig(symbol=node["symbol"], iso10161_address=node.get("public_iso10161", iso10161),
                            iso18626_url=node.get("public_iso18626", f"http://{iso18626_addr}/iso18626"),
                            peers=peers, rotas=rotas, rules=rules, lending=lending, lending_rules=lending_rules)
    return NodeConfig(gateway=gateway, store=node.get("store", "sqlite:///gateway.db"), iso10161=iso10161,
                      iso18626=iso18626_addr, api=str(node.get("api", "127.0.0.1:8080")),
                      api_key=str(node.get("api_key", "")), ncip=ncip_addr,
                      imports=imports)


def load_config(path: str | Path) -> NodeConfig:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: {err}") from None
    return parse_config(data)


def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


# The body octets of the ISO 18626 POST being handled, for the journal. A list set before the app runs: the app
# reads the body in a child task (asyncio.wait_for), which sees the same list but not a value set inside it.
_BODY: contextvars.ContextVar[list[bytes]] = contextvars.ContextVar("iso18626_body")


class Node:
    """One gateway process. `start()` binds the listeners (port 0 picks a free one: see `ports`), `close()`
    stops. `poll` is how often the outbox and timers are looked at without a wake-up."""

    def __init__(self, config: NodeConfig, *, clock: Clock = _utcnow, store: Any = None, poll: float = 1.0,
                 retry: _dt.timedelta = _dt.timedelta(minutes=15)) -> None:
        self.config = config
        self.clock = clock
        self.store = store if store is not None else open_store(config.store)
        self.service = GatewayService(Gateway(config.gateway), self.store, new_key=self._new_key)
        self.illiad = IlliadLink(config.gateway.peers, self.service, clock, wake=self._wake_up)
        self.poll = poll
        self.retry = retry
        self.name = f"{config.gateway.symbol}-{uuid.uuid4().hex[:8]}"  # this process, for outbox claims
        self.lease = _dt.timedelta(minutes=2)
        self.ports: dict[str, int] = {}
        self._server: net.ILLServer | None = None
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []
        self._client: http.Client | None = None
        # imported requests (Libris): picked up from the store, the [[import]] jobs run on their schedule
        self.local = LocalRequests(self.service, config.imports, clock=clock, wake=self._wake.set)

    def _wake_up(self) -> None:
        self._wake.set()

    def _new_key(self) -> str:
        return f"{self.config.gateway.symbol}-{uuid.uuid4().hex[:12]}"

    # --- life ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        relinked = await asyncio.to_thread(self.service.relink)
        if relinked:
            log.warning("restored %d missing transaction links (a crash after a commit)", relinked)
        host, port = _host_port(self.config.iso10161, "iso10161")
        self._server = net.ILLServer(self._on_apdu, host=host, port=port, track=False)
        await self._server.start()
        self.ports[IDS_10161] = self._server.port
        await self._serve_http(IDS_18626, self.config.iso18626, self._app_18626())
        from illnode.gateway.staff_api import StaffAPI

        await self._serve_http("api", self.config.api, StaffAPI(self, api_key=self.config.api_key))
        if self.config.ncip:
            await self._serve_http("ncip", self.config.ncip, self.illiad.app())
        self._bound_addresses()
        self._tasks.append(asyncio.create_task(self._worker()))
        self._tasks.append(asyncio.create_task(self.local.run(self._stop, self.poll)))

    def _bound_addresses(self) -> None:
        # a configured port 0 picks a free one: what partners reply to is the port actually bound
        gw = self.config.gateway
        changes: dict[str, Any] = {}
        if gw.iso10161_address.endswith(":0"):
            changes["iso10161_address"] = f"{gw.iso10161_address[:-2]}:{self.ports[IDS_10161]}"
        if ":0/" in gw.iso18626_url:
            changes["iso18626_url"] = gw.iso18626_url.replace(":0/", f":{self.ports[IDS_18626]}/")
        if changes:
            self.service.gateway = Gateway(attrs.evolve(gw, **changes))

    async def _serve_http(self, name: str, address: str, app: Any) -> None:
        host, port = _host_port(address, name)
        started = asyncio.Event()

        def ready(bound: int) -> None:
            self.ports[name] = bound
            started.set()

        self._tasks.append(asyncio.create_task(http.serve(host=host, port=port, app=app, ready=ready,
                                                          shutdown=self._stop)))
        await asyncio.wait_for(started.wait(), 10)

    async def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._server is not None:
            await self._server.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.illiad.aclose()
        self.local.close()

    async def run_forever(self) -> None:
        await self.start()
        await self._stop.wait()
        await self.close()

    # --- incoming --------------------------------------------------------------------------------------------
    async def _on_apdu(self, incoming: net.Incoming) -> None:
        apdu = incoming.apdu
        handled = await asyncio.to_thread(
            self.service.arrived, IDS_10161, apdu, incoming.data, peer=f"{incoming.peer[0]}:{incoming.peer[1]}",
            at=self.clock(), address=reply_address(apdu))
        if handled.problem:
            log.info("ISO 10161 %s: %s", type(apdu).__name__, handled.problem)
        self._wake.set()

    def _app_18626(self) -> Any:
        async def handler(message: iso18626.Message) -> http.HandlerResult:
            if isinstance(message, (iso18626.RequestConfirmation, iso18626.SupplyingAgencyMessageConfirmation,
                                    iso18626.RequestingAgencyMessageConfirmation)):
                return None
            body = b"".join(_BODY.get([]))
            handled = await asyncio.to_thread(self.service.arrived, IDS_18626, message, body, peer="http",
                                              at=self.clock())
            if handled.problem:
                log.info("ISO 18626 %s: %s", type(message).__name__, handled.problem)
            self._wake.set()
            return None

        return capture_body(http.ISO18626App(handler), _BODY)

    # --- outbox and timers --------------------------------------------------------------------------------------
    async def _worker(self) -> None:
        client = http.Client(timeout=10)  # one pool of ISO 18626 connections for every POST
        self._client = client
        try:
            await self._work()
        finally:
            await client.aclose()

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        checked = loop.time() - self.poll
        while not self._stop.is_set():
            self._wake.clear()  # before looking: a wake-up during the pass is not lost
            try:
                now = self.clock()
                # the timer scan reads every timer document: once per poll interval, not at every wake-up
                if loop.time() - checked >= self.poll:
                    checked = loop.time()
                    await asyncio.to_thread(self.service.fire_timers, now)
                for item in await asyncio.to_thread(self.store.due, now, 50):
                    await self._deliver(item)
            except Exception:  # the worker must outlive one bad item or a store hiccup
                log.exception("gateway worker")
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll)
            except asyncio.TimeoutError:
                pass

    async def _deliver(self, item: Any) -> None:
        # several processes on one database see the same due items: send only what this one has claimed
        if not await asyncio.to_thread(self.service.claim, item.id, self.name, self.clock(), self.lease):
            return
        if item.protocol == IDS_ILLIAD:
            await self._deliver_illiad(item)
            return
        try:
            if item.protocol == LOCAL:  # an imported request's requester: recorded and reported, not sent
                await asyncio.to_thread(self.local.deliver, item)
            elif item.protocol == IDS_10161:
                host, port = _host_port(item.address, item.transaction)
                await net.send_apdus(host, port, [item.data], wait=0)
            else:
                assert self._client is not None  # the worker made it
                await self._client.send(item.address, item.data)
        except http.PeerError as err:
            if err.kind == "error-confirmation":
                # the partner read the message and said no: never resent; a refused request moves down the rota
                await asyncio.to_thread(self.store.failed, item.id, f"{self.clock().isoformat()} {err}", None)
                symbol = next((p.symbol for p in self.config.gateway.peers.values() if p.address == item.address),
                              "")
                await asyncio.to_thread(self.service.refused, item.transaction, symbol, str(err), self.clock())
                self._wake.set()
            else:
                await self._retry_later(item, err)
            return
        except (OSError, asyncio.TimeoutError, http.HTTPError, IsoIllError) as err:
            await self._retry_later(item, err)
            return
        await asyncio.to_thread(self.store.done, item.id)

    async def _deliver_illiad(self, item: Any) -> None:
        delivered = await self.illiad.deliver(item)
        if delivered.outcome == "done":
            await asyncio.to_thread(self.store.done, item.id)
        elif delivered.outcome == "retry":
            await self._retry_later(item, delivered.error)
        else:  # ILLiad refused for good (400, 401, 404, a request it cannot take): never resent; the rota moves on
            now = self.clock()
            await asyncio.to_thread(self.store.failed, item.id, f"{now.isoformat()} {delivered.error}", None)
            await asyncio.to_thread(self.service.refused, item.transaction, self.illiad.symbol(item.address),
                                    delivered.error, now)
            self._wake.set()

    async def _retry_later(self, item: Any, err: Exception | str) -> None:
        # backoff: retry, 2x, 4x, ... 16x the base delay; given up (kept for staff) after 8 attempts
        retry_at = self.clock() + self.retry * (2 ** min(item.attempts, 4))
        log.info("send to %s failed (%s); retry at %s", item.address, err, retry_at)
        await asyncio.to_thread(self.store.failed, item.id, f"{self.clock().isoformat()} {err}",
                                retry_at if item.attempts < 8 else None)
