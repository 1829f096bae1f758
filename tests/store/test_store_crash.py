"""Crash tests: a server in a subprocess with a durable store, clients counting acknowledgements, `kill -9` at
a random moment, a restart on the same store (in this process: a server of the subprocess's kind, on the store). Every
acknowledged message must be in the journal exactly once,
every acknowledged transaction present in the state its messages imply, and the transactions must continue
(the next legal message is accepted). Both protocols, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

# the machines' own tests build the transactions these tests store
sys.path[:0] = [str(Path(__file__).parents[1] / "iso10161"), str(Path(__file__).parents[1] / "iso18626")]

import test_machine_10161 as m10161  # noqa: E402
import test_machine_18626 as m18626  # noqa: E402

import iso18626  # noqa: E402
import isoill  # noqa: E402
from illcore.store import open_store  # noqa: E402
from iso18626.http import ISO18626App, TransactionHandler  # noqa: E402
from isoill import net  # noqa: E402

ROOT = Path(__file__).parents[2]
A = isoill.ILLAPDUType
C = isoill.CurrentState
CLIENTS = 6


class Server:
    """`isoill listen --reply-status` or `isoill 18626 serve` on a store, in a subprocess."""

    def __init__(self, kind: str, url: str, tmp: Path) -> None:
        self.kind, self.url, self.tmp = kind, url, tmp
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    def start(self) -> None:
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        self.starts += 1
        self.log = self.tmp / f"server-{self.starts}.log"
        args = ["listen", "--port", "0", "--reply-status"] if self.kind == "iso10161" else \
            ["18626", "serve", "--port", "0"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", *args, "--store", self.url],
                                         stdout=subprocess.DEVNULL, stderr=err, env=env)

    def wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = re.search(rb"(?:listening on 127\.0\.0\.1:|http://127\.0\.0\.1:)(\d+)", self.log.read_bytes())
            if found:
                self.port = int(found.group(1))
                return
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.05)
        raise AssertionError(f"server did not start: {self.log.read_text()}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- ISO 10161: ILL-Request then Cancel, each acknowledged by a status report carrying the state -------------

def _apdu(kind: A, n: int) -> bytes:
    tid = isoill.TransactionId(transaction_group_qualifier="crash", transaction_qualifier=f"T-{n}")
    return isoill.encode(m10161.make(kind, tid=tid))


async def _exchange_10161(port: int, data: bytes) -> Any:
    async with await net.ILLConnection.connect("127.0.0.1", port) as conn:
        await conn.send(data)
        reply = await conn.receive(10.0)
    return isoill.decode(reply) if reply is not None else None


class Clients10161:
    def __init__(self) -> None:
        self.acked: dict[bytes, C] = {}  # message -> the state its acknowledgement reported
        self.state: dict[int, C] = {}    # transaction -> state after its last acknowledged message
        self.next_n = 0
        self.refused: list[str] = []

    async def client(self, port: int, stop: asyncio.Event) -> None:
        try:
            async with await net.ILLConnection.connect("127.0.0.1", port) as conn:
                while not stop.is_set():
                    n = self.next_n
                    self.next_n += 1
                    for kind in (A.ILL_REQUEST, A.CANCEL):
                        data = _apdu(kind, n)
                        await conn.send(data)
                        reply = await conn.receive(10.0)
                        if reply is None:
                            return  # the server died: this message was not acknowledged
                        report = isoill.decode(reply)
                        if report.status_report is None:
                            self.refused.append(str(report.error_report))
                            return
                        self.acked[data] = report.status_report.provider_status_report
                        self.state[n] = report.status_report.provider_status_report
        except (OSError, asyncio.TimeoutError, isoill.DecodeError):
            return

    async def run(self, port: int, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self.client(port, stop)) for _ in range(CLIENTS)]
        await asyncio.wait(tasks, timeout=60)

    def verify(self, url: str) -> None:
        with open_store(url) as store:
            received = collections.Counter(e.data for e in store.journal(protocol="iso10161") if e.direction == "in")
            missing = [d for d in self.acked if received[d] != 1]
            assert not missing, f"{len(missing)} acknowledged APDUs not in the journal exactly once"
            for n, state in self.state.items():
                record = store.get("iso10161", f"crash/T-{n}/")
                assert record is not None, n
                implied = {C.IN_PROCESS: {"IN_PROCESS", "CANCEL_PENDING"}, C.CANCEL_PENDING: {"CANCEL_PENDING"}}
                assert record.state in implied[state], (n, record.state, state)
            # restarted (in this process, on the same store), the transactions continue: a Cancel (legal in
            # both states) is accepted; for a transaction never seen it is not
            sample = random.Random(1).sample(sorted(self.state), min(10, len(self.state)))

            async def reply(inc: net.Incoming) -> None:
                await inc.reply(inc.refusal or net.status_report(inc.apdu, inc.transaction))

            async def go() -> None:
                async with net.ILLServer(reply, port=0, store=store, strict=False) as server:
                    for n in sample:
                        report = await _exchange_10161(server.port, isoill.encode(isoill.Cancel(
                            transaction_id=isoill.TransactionId(transaction_group_qualifier="crash",
                                                                transaction_qualifier=f"T-{n}"),
                            service_date_time=m10161.when(9), requester_id=m10161.REQUESTER_ID,
                            responder_id=m10161.RESPONDER_ID)))
                        assert report.status_report is not None, report
                        assert report.status_report.provider_status_report is C.CANCEL_PENDING
                    unknown = await _exchange_10161(server.port, _apdu(A.CANCEL, 10**6))
                    assert unknown.error_report is not None

            asyncio.run(go())


# --- ISO 18626: Request then Cancel, each acknowledged by an OK confirmation ---------------------------------

class Clients18626:
    def __init__(self) -> None:
        self.acked: set[bytes] = set()
        self.state: dict[str, str] = {}
        self.next_n = 0
        self.refused: list[str] = []

    async def client(self, http: httpx.AsyncClient, url: str, stop: asyncio.Event) -> None:
        while not stop.is_set():
            rid = f"C-{self.next_n}"
            self.next_n += 1
            for message, state in ((m18626.request(rid=rid), "Requested"),
                                   (m18626.ram(iso18626.Action.CANCEL, rid=rid), "CancelPending")):
                body = iso18626.serialize(message)
                try:
                    response = await http.post(url, content=body)
                except httpx.HTTPError:
                    return
                if response.status_code != 200:
                    self.refused.append(f"{response.status_code} {response.text[:200]}")
                    return
                confirmation = iso18626.parse(response.content)
                if confirmation.confirmation_header.message_status is not iso18626.MessageStatus.OK:
                    self.refused.append(response.text[:300])
                    return
                self.acked.add(body)
                self.state[rid] = state

    async def run(self, port: int, stop: asyncio.Event) -> None:
        url = f"http://127.0.0.1:{port}/"
        async with httpx.AsyncClient(headers={"content-type": "application/xml"}, timeout=10) as http:
            tasks = [asyncio.create_task(self.client(http, url, stop)) for _ in range(CLIENTS)]
            await asyncio.wait(tasks, timeout=60)

    def verify(self, url: str) -> None:
        with open_store(url) as store:
            received = collections.Counter(e.data for e in store.journal(protocol="iso18626") if e.direction == "in")
            missing = [d for d in self.acked if received[d] != 1]
            assert not missing, f"{len(missing)} acknowledged messages not in the journal exactly once"
            for rid, state in self.state.items():
                record = store.get("iso18626", f"ISIL:REQ/{rid}")
                assert record is not None, rid
                implied = {"Requested": {"Requested", "CancelPending"}, "CancelPending": {"CancelPending"}}
                assert record.state in implied[state], (rid, record.state, state)
            sample = random.Random(1).sample(sorted(self.state), min(10, len(self.state)))
            app = ISO18626App(TransactionHandler(store=store), store=store)  # restarted on the same store

            async def go() -> None:
                transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
                async with httpx.AsyncClient(transport=transport, base_url="http://node",
                                             headers={"content-type": "application/xml"}) as http:
                    for rid in sample:  # a StatusRequest is accepted for a known transaction only
                        body = iso18626.serialize(m18626.ram(iso18626.Action.STATUS_REQUEST, rid=rid))
                        conf = iso18626.parse((await http.post("/", content=body)).content)
                        assert conf.confirmation_header.message_status is iso18626.MessageStatus.OK, rid
                    body = iso18626.serialize(m18626.ram(iso18626.Action.STATUS_REQUEST, rid="never-sent"))
                    conf = iso18626.parse((await http.post("/", content=body)).content)
                    assert conf.confirmation_header.message_status is iso18626.MessageStatus.ERROR

            asyncio.run(go())


@pytest.mark.parametrize("kind", ["iso10161", "iso18626"])
def test_kill_9_loses_no_acknowledged_message(kind: str, durable_url: str, tmp_path: Path) -> None:
    rng = random.Random(os.getpid())
    server = Server(kind, durable_url, tmp_path)
    clients: Any = Clients10161() if kind == "iso10161" else Clients18626()
    try:
        # one kill per test run (a server start costs seconds on a loaded machine); the moment is random
        for _round in range(1):
            server.start()
            # kill -9 at a random moment while the clients are busy
            run_for = rng.uniform(0.4, 1.2)

            async def busy_then_kill(port: int = server.port, seconds: float = run_for) -> None:
                stop = asyncio.Event()
                runner = asyncio.create_task(clients.run(port, stop))
                # the clock starts once the server answers (its first APDU builds the codec: slow on a busy box)
                for _ in range(600):
                    if clients.acked or runner.done():
                        break
                    await asyncio.sleep(0.05)
                await asyncio.sleep(seconds)
                server.kill()
                stop.set()
                await runner

            asyncio.run(busy_then_kill())
        assert not clients.refused, clients.refused[:3]
        assert len(clients.acked) > 10, "the clients got too few acknowledgements to test anything"
        clients.verify(durable_url)
    finally:
        server.stop()
