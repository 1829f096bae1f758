"""ISO 18626 over HTTP, the listener: `serve` runs an `ISO18626App` under hypercorn on a socket that is
listening before `ready(port)` is called.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from illcore.aio import DEFAULT_BACKLOG, stop_on_signals
from iso18626.http._app import DEFAULT_MAX_BODY, ISO18626App
from iso18626.http._handler import TransactionHandler

if TYPE_CHECKING:  # hypercorn is imported by `serve` only, so that the app and client work without it
    from hypercorn.config import Config


def _listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A TCP socket bound to (host, port) and already listening with `backlog`.

    Listening here, before hypercorn starts, is what makes `serve`'s `ready(port)` true: from `listen()` on,
    the kernel completes connections and queues them (up to `backlog`) until hypercorn's accept loop takes
    them, so a client told the port is never refused. Binding here also makes port 0 work.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.set_inheritable(True)  # hypercorn adopts it by descriptor (`fd://`)
    except BaseException:
        sock.close()
        raise
    return sock


def _hypercorn_config(fd: int, backlog: int) -> Config:
    """hypercorn's settings for `serve`: cleartext on the inherited descriptor, the limits of docs/security.md."""
    from hypercorn.config import Config

    config = Config()
    # Without TLS hypercorn serves cleartext on `bind`, both HTTP/1.1 and HTTP/2 (prior knowledge or h2c).
    config.bind = [f"fd://{fd}"]
    # asyncio's start_server calls listen() again with this value: keep it the same as ours.
    config.backlog = backlog
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.keep_alive_timeout = 30
    config.read_timeout = 30
    config.h11_max_incomplete_size = 64 * 1024
    return config


async def serve(*, host: str = "127.0.0.1", port: int = 9001, max_body: int = DEFAULT_MAX_BODY,
                app: ISO18626App | None = None, ready: Callable[[int], None] | None = None,
                shutdown: asyncio.Event | None = None, backlog: int = DEFAULT_BACKLOG) -> None:
    """Run an ISO 18626 endpoint under hypercorn (HTTP/1.1 and cleartext HTTP/2 with prior knowledge) until
    `shutdown` is set or the process is interrupted.

    `ready(port)` is called once the socket is listening: a connection made from then on is accepted (queued
    by the kernel until hypercorn takes it). `backlog` is the listen queue (the kernel caps it at
    net.core.somaxconn). There is no limit on concurrent connections: see docs/security.md, Open item 7.
    """
    from hypercorn.asyncio import serve as hypercorn_serve

    app = app or ISO18626App(TransactionHandler(), max_body=max_body)
    sock = _listening_socket(host, port, backlog)
    bound = sock.getsockname()[1]
    config = _hypercorn_config(sock.detach(), backlog)  # hypercorn owns (and closes) the descriptor now
    stop = shutdown or asyncio.Event()
    stop_on_signals(stop)
    if ready is not None:
        asyncio.get_running_loop().call_soon(ready, bound)
    await hypercorn_serve(app, config, shutdown_trigger=stop.wait)  # type: ignore[arg-type]
