"""asyncio helpers every server of the distribution shares (ISO 10161 TCP, ISO 18626 and NCIP HTTP, the gateway).

Only what is protocol-free: the listen backlog and the SIGINT/SIGTERM stop.
"""

from __future__ import annotations

import asyncio
import signal

__all__ = ["DEFAULT_BACKLOG", "stop_on_signals"]

# The listen backlog of every server here (ISO 10161 TCP and ISO 18626 HTTP): a burst of a few hundred connects
# must not be refused by the kernel before the server can accept them.
DEFAULT_BACKLOG = 1024


def stop_on_signals(stop: asyncio.Event) -> None:
    """Set `stop` on SIGINT or SIGTERM, for a server run in the running event loop.

    Where the loop cannot take signal handlers (Windows' proactor loop raises NotImplementedError, a loop
    outside the main thread RuntimeError), nothing is installed: such a server stops through `stop` only.
    """
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
