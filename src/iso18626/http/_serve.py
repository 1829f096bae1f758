"""ISO 18626 over HTTP, the listener: `serve` runs an `ISO18626App` under hypercorn behind the serve layer of
`iso18626.serving` (connection cap, write timeout, drain), on a socket listening before `ready(port)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from illcore.aio import DEFAULT_BACKLOG, DEFAULT_DRAIN_TIMEOUT, listening_socket, stop_on_signals
from illcore.store import Store
from iso18626.http._app import DEFAULT_MAX_BODY, ISO18626App
from iso18626.http._handler import TransactionHandler

if TYPE_CHECKING:  # hypercorn is imported by `serve` only, so that the app and client work without it
    from hypercorn.config import Config


def _hypercorn_config(backlog: int, keep_alive_requests: int = 1000) -> Config:
    """hypercorn's settings for `serve`: cleartext HTTP/1.1 and HTTP/2, the limits of docs/security.md."""
    from hypercorn.config import Config

    config = Config()
    config.backlog = backlog
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.keep_alive_timeout = 30
    config.read_timeout = 30
    config.h11_max_incomplete_size = 64 * 1024
    # Requests per keep-alive connection (HTTP/1.1 and HTTP/2) before hypercorn closes it (its default, 1000).
    config.keep_alive_max_requests = keep_alive_requests
    return config


async def serve(*, host: str = "127.0.0.1", port: int = 9001, max_body: int = DEFAULT_MAX_BODY,
                app: ISO18626App | None = None, ready: Callable[[int], None] | None = None,
                shutdown: asyncio.Event | None = None, backlog: int = DEFAULT_BACKLOG,
                max_connections: int = 1000, write_timeout: float = 30.0,
                drain_timeout: float = DEFAULT_DRAIN_TIMEOUT, keep_alive_requests: int = 1000,
                store: Store | None = None) -> None:
    """Run an ISO 18626 endpoint (hypercorn's HTTP/1.1 and cleartext HTTP/2 with prior knowledge, under the
    serve layer of `iso18626.serving`) until `shutdown` is set or the process gets SIGINT/SIGTERM.

    `ready(port)` is called once the socket is listening: a connection made from then on is accepted (queued
    by the kernel until accepted). `backlog` is the listen queue (the kernel caps it at net.core.somaxconn).
    `max_connections` caps concurrent connections (the idle-longest one is closed for a newcomer; with none
    idle, newcomers wait in the listen queue). `write_timeout`: a response that does not drain in that many
    seconds has its connection aborted. Stopping drains: every request received until then is answered, for
    at most `drain_timeout` seconds; a second signal stops at once. `keep_alive_requests`: requests per
    keep-alive connection before it is closed.
    `store` (without `app`): the default app and TransactionHandler keep journal and transactions there.
    """
    from iso18626.serving import Endpoint

    app = app or ISO18626App(TransactionHandler(store=store), max_body=max_body, store=store)
    sock = listening_socket(host, port, backlog)
    bound = sock.getsockname()[1]
    endpoint = Endpoint(app, _hypercorn_config(backlog, keep_alive_requests), sock,
                        max_connections=max_connections, write_timeout=write_timeout, drain_timeout=drain_timeout)
    stop = shutdown or asyncio.Event()
    stop_on_signals(stop, now=endpoint.stop_now)
    try:
        await endpoint.start()
    except BaseException:
        sock.close()
        raise
    if ready is not None:
        asyncio.get_running_loop().call_soon(ready, bound)
    try:
        await stop.wait()
    finally:
        await endpoint.stop()
