"""`kill -9` of a gateway process mid-flow and a restart on the same SQLite store: the transaction survives and
the rota continues (needs the durable store of issue 14, `illcore.store`; skips until it is installed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from test_gateway_core import ill_request, sdt

import isoill
from illnode.gateway import _store
from isoill import net

ROOT = Path(__file__).resolve().parents[2]
WAIT = 15.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Listener:
    """A loopback ISO 10161 peer that keeps what arrives."""

    def __init__(self) -> None:
        self.got: asyncio.Queue[isoill.APDU] = asyncio.Queue()
        self.server = net.ILLServer(self._handle, port=0, track=False)

    async def _handle(self, incoming: net.Incoming) -> None:
        await self.got.put(incoming.apdu)


async def _gateway(config: Path) -> Any:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "illnode.cli", "gateway", "--config",
                                                str(config), env=env, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    seen = []  # the node may first log what it recovered (e.g. links restored after a crash)
    try:
        while not seen or b"staff API on port" not in seen[-1]:
            line = await asyncio.wait_for(proc.stderr.readline(), WAIT)
            assert line, b"".join(seen)  # exited before it served
            seen.append(line)
    except BaseException:
        proc.kill()  # a node that did not come up must not outlive the test
        await proc.wait()
        raise
    return proc


async def _flow(tmp: Path) -> None:
    requester, alma, other = Listener(), Listener(), Listener()
    for peer in (requester, alma, other):
        await peer.server.start()
    gw10161 = _free_port()
    config = tmp / "gateway.toml"
    config.write_text(f"""
[node]
symbol = "GW"
store = "sqlite:///{tmp / 'gw.db'}"
iso10161 = "127.0.0.1:{gw10161}"
iso18626 = "127.0.0.1:0"
api = "127.0.0.1:0"

[[partner]]
symbol = "ALMA1"
protocol = "iso10161"
address = "127.0.0.1:{alma.server.port}"

[[partner]]
symbol = "OTHER"
protocol = "iso10161"
address = "127.0.0.1:{other.server.port}"

[[rota]]
name = "pod"
members = ["ALMA1", "OTHER"]
""")
    proc = await _gateway(config)
    try:
        request = ill_request(_now(), reply=f"127.0.0.1:{requester.server.port}")
        await net.send_apdus("127.0.0.1", gw10161, [request], wait=0)
        asked = await asyncio.wait_for(alma.got.get(), WAIT)
        assert isinstance(asked, isoill.ILLRequest)
        proc.send_signal(signal.SIGKILL)  # mid-flow: the request is out, no answer yet
        await proc.wait()
        proc = await _gateway(config)  # the same store, the same port
        answer = isoill.ILLAnswer(transaction_id=asked.transaction_id, service_date_time=sdt(_now()),
                                  transaction_results=isoill.TransactionResults.UNFILLED)
        await net.send_apdus("127.0.0.1", gw10161, [answer], wait=0)
        moved = await asyncio.wait_for(other.got.get(), WAIT)
        assert isinstance(moved, isoill.ILLRequest) and moved.item_id.title == asked.item_id.title
        told = await asyncio.wait_for(requester.got.get(), WAIT)
        assert isinstance(told, isoill.Message) and "next supplier" in str(told.note)
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), WAIT)
        for peer in (requester, alma, other):
            await peer.server.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def test_kill_9_and_restart_continue_the_rota(tmp_path: Path) -> None:
    if not _store.DURABLE:
        pytest.skip("needs the durable store illcore.store (issue 14)")
    asyncio.run(_flow(tmp_path))
