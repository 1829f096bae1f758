"""The server side of benchmarks/stores.py: an ISO 10161 server (status report per APDU) or the ISO 18626 app
under hypercorn, on a store URL; prints "port N" when listening. Run as a subprocess, one per configuration.

    python benchmarks/store_server.py iso10161|iso18626 STORE_URL
"""

from __future__ import annotations

import asyncio
import sys

from illcore.store import open_store


async def serve_10161(url: str) -> None:
    from isoill import net

    store = open_store(url)

    async def handle(inc: net.Incoming) -> None:
        await inc.reply(inc.refusal or net.status_report(inc.apdu, inc.transaction))

    server = net.ILLServer(handle, port=0, store=store, strict=False,
                           limits=net.Limits(max_connections=1000, max_connections_per_address=1000))
    await server.start()
    print(f"port {server.port}", flush=True)
    await asyncio.Event().wait()


async def serve_18626(url: str) -> None:
    from iso18626 import http

    store = open_store(url)
    await http.serve(port=0, store=store, ready=lambda port: print(f"port {port}", flush=True))


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)  # the 18626 endpoint logs a line per message otherwise
    kind, url = sys.argv[1], sys.argv[2]
    asyncio.run(serve_10161(url) if kind == "iso10161" else serve_18626(url))
