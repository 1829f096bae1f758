"""asyncio helpers every server of the distribution shares (ISO 10161 TCP, ISO 18626 and NCIP HTTP, the gateway).

Only what is protocol-free: the listen backlog and socket, an accept loop that backs off when descriptors run
out, the SIGINT/SIGTERM stop (first signal drains, second stops at once), and socket queue sizes for draining.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import signal
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

try:  # POSIX; elsewhere the queue sizes are unknown
    import fcntl
    import termios
except ImportError:  # pragma: no cover
    fcntl = termios = None  # type: ignore[assignment]

__all__ = ["DEFAULT_BACKLOG", "DEFAULT_DRAIN_TIMEOUT", "Acceptor", "answer_lifespan", "freeze_startup_heap", "listening_socket",
           "pending_input", "pending_output", "stop_on_signals", "uncancel"]

# The listen backlog of every server here (ISO 10161 TCP and ISO 18626 HTTP): a burst of a few hundred connects
# must not be refused by the kernel before the server can accept them.
DEFAULT_BACKLOG = 1024
# Seconds a stopping server gives the messages it has read (or that were waiting in its sockets) to be answered.
DEFAULT_DRAIN_TIMEOUT = 10.0

# accept() errors that mean "no descriptor or memory now", not "this connection failed": back off and retry.
_RESOURCE_ERRORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_TIOCOUTQ: int | None = getattr(termios, "TIOCOUTQ", None)


def stop_on_signals(stop: asyncio.Event, now: Callable[[], None] | None = None) -> None:
    """Set `stop` on the first SIGINT or SIGTERM (the server drains), call `now` on the next one (it stops at
    once), for a server run in the running event loop.

    Where the loop cannot take signal handlers (Windows' proactor loop raises NotImplementedError, a loop
    outside the main thread RuntimeError), nothing is installed: such a server stops through `stop` only.
    """
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        if stop.is_set() and now is not None:
            now()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError):
            pass


def freeze_startup_heap() -> None:
    """Move every object alive now (a server after start-up: generated codec, tables, schemas) out of the
    collector's reach: its full passes then only walk what the server accumulates later. A server process
    calls it once it listens. Measured: 32,000 start-up objects of an ISO 10161 server cost 25 ms per full pass
    (benchmarks/gc_pauses.py); frozen, none."""
    gc.collect()
    gc.freeze()


def listening_socket(host: str, port: int, backlog: int = DEFAULT_BACKLOG) -> socket.socket:
    """A non-blocking TCP socket bound to (host, port) and listening with `backlog` (port 0 picks one).

    Listening before the server's accept loop starts means a client told the port is never refused: the
    kernel completes connections and queues them (up to `backlog`) until they are accepted.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class Acceptor:
    """Accepts connections on a listening socket and hands each accepted socket to `on_accept`.

    asyncio's own accept loop logs a traceback per failed accept() when descriptors run out (up to `backlog`
    per wake-up, each scheduling another retry: 172 MB of log in 2,000 connections, issue 13). Here the loop
    stops reading the listening socket for `retry_delay` seconds and logs one line per `log_interval`
    (with the count of failures in between); `resource_errors` counts them all.
    """

    def __init__(self, sock: socket.socket, on_accept: Callable[[socket.socket], None], *,
                 logger: logging.Logger, retry_delay: float = 0.1, log_interval: float = 10.0) -> None:
        self.sock = sock
        self.on_accept = on_accept
        self.log = logger
        self.retry_delay = retry_delay
        self.log_interval = log_interval
        self.resource_errors = 0
        self._unlogged = 0
        self._logged_at = -float("inf")
        self._loop = asyncio.get_running_loop()
        self._reading = False
        self._retry: asyncio.TimerHandle | None = None
        self.closed = False

    def start(self) -> None:
        if not self.closed and not self._reading:
            self._loop.add_reader(self.sock.fileno(), self._ready)
            self._reading = True

    def pause(self) -> None:
        """Stop accepting for now (newcomers wait in the listen queue); `start()` resumes."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None
        if self._reading:
            self._loop.remove_reader(self.sock.fileno())
            self._reading = False

    def close(self) -> None:
        """Stop accepting and close the listening socket (connections waiting in its queue are reset)."""
        if self.closed:
            return
        self.closed = True
        if self._retry is not None:
            self._retry.cancel()
        if self._reading:
            self._loop.remove_reader(self.sock.fileno())
            self._reading = False
        self.sock.close()

    def _ready(self) -> None:
        for _ in range(256):  # a bounded batch per wake-up, so that connections already open are served too
            try:
                conn, _addr = self.sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in _RESOURCE_ERRORS:
                    raise
                self._back_off(exc)
                return
            conn.setblocking(False)
            # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP, and accept() copies the
            # listening socket's 0: without it a reply written in two parts waits out the peer's delayed ACK.
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.on_accept(conn)

    def _back_off(self, exc: OSError) -> None:
        self.resource_errors += 1
        self._unlogged += 1
        now = time.monotonic()
        if now - self._logged_at >= self.log_interval:
            self.log.warning("accept() failed (%s), %d time(s) since the last report: pausing accepts for %g s",
                             exc.strerror or exc, self._unlogged, self.retry_delay)
            self._logged_at = now
            self._unlogged = 0
        self._loop.remove_reader(self.sock.fileno())
        self._reading = False
        self._retry = self._loop.call_later(self.retry_delay, self.start)


def pending_input(sock: socket.socket | None) -> int:
    """Octets received by the kernel and not yet read from `sock` (0 if unknown or closed)."""
    if sock is None or termios is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        return int.from_bytes(fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0"), sys.byteorder)
    return 0


def pending_output(sock: socket.socket | None) -> int | None:
    """Octets written to `sock` that the peer has not acknowledged yet (Linux); None where unknown."""
    if sock is None or _TIOCOUTQ is None:
        return None
    with contextlib.suppress(OSError, ValueError):
        return int.from_bytes(fcntl.ioctl(sock.fileno(), _TIOCOUTQ, b"\0\0\0\0"), sys.byteorder)
    return None


def uncancel(task: asyncio.Task[object] | None) -> bool:
    """Withdraw one cancellation request this code made of `task`; True if others remain (they must win).

    On 3.10 tasks do not count cancellations: False.
    """
    if task is None or sys.version_info < (3, 11):
        return False
    task.uncancel()
    return task.cancelling() > 0


async def answer_lifespan(receive: Callable[[], Awaitable[Mapping[str, Any]]],
                          send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """Answer an ASGI lifespan scope: acknowledge startup and shutdown (every app here has nothing to set up)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
