"""`isoill transactions` and `isoill journal` on a store a server wrote; `--store` errors as exit codes; an
ISO 18626 app with a store and a handler of its own journals each message before the handler runs."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx
import pytest

# the machines' own tests build the transactions these tests store
sys.path[:0] = [str(Path(__file__).parents[1] / "iso10161"), str(Path(__file__).parents[1] / "iso18626")]

import test_machine_10161 as m10161  # noqa: E402
import test_machine_18626 as m18626  # noqa: E402

import iso18626  # noqa: E402
import isoill  # noqa: E402
from illcore.store import open_store  # noqa: E402
from illnode.cli import main  # noqa: E402
from iso18626.http import ISO18626App  # noqa: E402
from isoill import net  # noqa: E402


def _fill(url: str) -> bytes:
    request = isoill.encode(m10161.make(isoill.ILLAPDUType.ILL_REQUEST))

    async def reply(inc: net.Incoming) -> None:
        await inc.reply(net.status_report(inc.apdu, inc.transaction))

    async def go() -> None:
        with open_store(url) as store:
            async with net.ILLServer(reply, port=0, store=store) as server:
                await net.send_apdus("127.0.0.1", server.port, [request], max_replies=1, wait=10)
    asyncio.run(go())
    return request


def test_transactions_and_journal_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/n.db"
    request = _fill(url)
    assert main(["transactions", "--store", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["PROTOCOL", "ROLE", "KEY", "STATE", "PARTNER", "UPDATED"]
    assert out[1].split()[:5] == ["iso10161", "responder", "grp/T-1/", "IN_PROCESS", "REQ"]
    assert main(["transactions", "--store", url, "--json", "--state", "SHIPPED"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    import time

    with open_store(url) as store:
        for _ in range(100):  # the reply's entry is written without the server waiting for it
            if len(store.journal()) == 2:
                break
            time.sleep(0.02)
    assert main(["journal", "--store", url, "--json", "--transaction", "grp/T-1/"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [(e["direction"], e["message_type"], e["outcome"]) for e in entries] == [
        ("in", "ILLRequest", "accepted"), ("out", "StatusOrErrorReport", "sent")]
    assert entries[0]["message"]["type"] == "ILLRequest"
    import base64

    assert base64.b64decode(entries[0]["data_base64"]) == request
    assert main(["journal", "--store", url]) == 0
    text = capsys.readouterr().out
    assert "<- " in text and "ILLRequest" in text and "accepted" in text


def test_store_url_errors_are_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["transactions", "--store", "mysql://x/y"]) == 2
    assert "unknown scheme" in capsys.readouterr().err
    assert main(["journal", "--store", "postgresql://nobody@127.0.0.1:1/none?timeout=0.5"]) == 3
    assert "cannot connect" in capsys.readouterr().err


def test_an_app_with_its_own_handler_journals_before_calling_it() -> None:
    store = open_store("memory:")
    seen: list[int] = []

    async def handler(message: object) -> None:
        seen.append(len(store.journal()))  # the message is in the journal already

    app = ISO18626App(handler, store=store)  # type: ignore[arg-type]
    body = iso18626.serialize(m18626.request(rid="H-1"))

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                                     base_url="http://node") as client:
            return await client.post("/", content=body, headers={"content-type": "application/xml"})

    assert asyncio.run(go()).status_code == 200
    assert seen == [1]
    first, second = store.journal()
    assert (first.direction, first.data, first.outcome, first.transaction) == ("in", body, "received", "ISIL:REQ/H-1")
    assert second.direction == "out" and b"requestConfirmation" in second.data


def test_transactions_filter_by_any_protocol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Records of the gateway's own kinds (imported requests are protocol "borrowing") are listed by name too.
    from datetime import datetime, timezone

    from illcore.store import TransactionRecord

    url = f"sqlite:///{tmp_path}/n.db"
    _fill(url)
    now = datetime(2026, 12, 2, tzinfo=timezone.utc)
    with open_store(url) as store:
        store.put(TransactionRecord(protocol="borrowing", role="requester", key="libris:LF-1", state="idle",
                                    partner="", snapshot={}, data={"external_id": "LF-1"}, created=now,
                                    updated=now))
    assert main(["transactions", "--store", url, "--json", "--protocol", "borrowing"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["protocol"], r["key"]) for r in rows] == [("borrowing", "libris:LF-1")]
    assert main(["transactions", "--store", url, "--json", "--protocol", "iso10161"]) == 0
    assert [r["protocol"] for r in json.loads(capsys.readouterr().out)] == ["iso10161"]
