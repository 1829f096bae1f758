"""One server for benchmarks/servers.py, run as its own process: prints its port, serves until stdin closes.

    python benchmarks/serve_target.py ill|ill-echo|http|http-trivial [--gc-freeze]

ill: `isoill.net.ILLServer` answering each APDU with the status report `isoill listen --reply-status` sends
(tracking on, non-strict), without printing. ill-echo: a bare asyncio echo server (the floor of any asyncio
TCP server). http: the ISO 18626 endpoint (`iso18626.http.serve`, the `isoill 18626 serve` app, logging at
WARNING). http-trivial: a trivial ASGI app (read the body, answer a fixed 200) under the same serve layer.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Callable
from typing import Any

from iso18626 import http
from isoill import net

CONFIRMATION = b"<ok/>\n"


async def trivial_app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            kind = message["type"].rsplit(".", 1)[-1]
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        event = await receive()
        more = event.get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/xml"), (b"content-length", b"%d" % len(CONFIRMATION))]})
    await send({"type": "http.response.body", "body": CONFIRMATION})


async def reply_status(incoming: net.Incoming) -> None:
    await incoming.reply(incoming.refusal or net.status_report(incoming.apdu, incoming.transaction))


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    writer.close()


async def stdin_closed() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def ready(port: int, freeze: bool) -> None:
    if freeze:
        gc.freeze()
    print(port, flush=True)


async def main(kind: str, freeze: bool) -> None:
    if kind == "ill":
        server = net.ILLServer(reply_status, host="127.0.0.1", port=0, strict=False)
        await server.start()
        ready(server.port, freeze)
        await stdin_closed()
        await server.close(0)
    elif kind == "ill-echo":
        plain = await asyncio.start_server(echo, "127.0.0.1", 0)
        ready(plain.sockets[0].getsockname()[1], freeze)
        await stdin_closed()
        plain.close()
    else:
        stop = asyncio.Event()
        app = http.ISO18626App(http.TransactionHandler()) if kind == "http" else trivial_app
        task = asyncio.ensure_future(http.serve(port=0, app=app, shutdown=stop,  # type: ignore[arg-type]
                                                ready=lambda port: ready(port, freeze), drain_timeout=0))
        await stdin_closed()
        stop.set()
        await task


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], "--gc-freeze" in sys.argv))
