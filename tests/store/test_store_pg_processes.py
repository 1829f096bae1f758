"""Two ISO 10161 server processes on one PostgreSQL database: a request arrives at one and its cancel at the
other; and two messages for one transaction sent to both at once end in a state some serial order explains
(the row lock serialises them: never both applied to the same old state)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

import test_machine_10161 as m10161  # noqa: E402
from test_store_crash import Server  # noqa: E402

import isoill  # noqa: E402
from illcore.store import open_store  # noqa: E402
from isoill import net  # noqa: E402

A = isoill.ILLAPDUType
C = isoill.CurrentState


def _apdu(kind: A, q: str, detail: object = None) -> bytes:
    tid = isoill.TransactionId(transaction_group_qualifier="two", transaction_qualifier=q)
    return isoill.encode(m10161.make(kind, detail, tid=tid))


async def _ask(port: int, data: bytes) -> Any:
    replies = await net.send_apdus("127.0.0.1", port, [data], max_replies=1, wait=15)
    return isoill.decode(replies[0])


def test_two_processes_share_transactions_and_serialise_updates(pg: Any, tmp_path: Path) -> None:
    url = pg.new_url()
    open_store(url).close()  # create the schema once, before two processes race to
    one, two = Server("iso10161", url, tmp_path / "one"), Server("iso10161", url, tmp_path / "two")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    try:
        one.spawn()
        two.spawn()
        one.wait_ready()
        two.wait_ready()
        n = 12

        async def scenario() -> list[tuple[Any, Any]]:
            # requests at one server; their cancels at the other
            for i in range(n):
                assert (await _ask(one.port, _apdu(A.ILL_REQUEST, f"T-{i}"))).status_report is not None
            cancel = await _ask(two.port, _apdu(A.CANCEL, "T-0"))
            assert cancel.status_report.provider_status_report is C.CANCEL_PENDING
            # at once, to both: a Cancel to one, a Conditional-Reply FALSE to the other. In IN_PROCESS each is
            # allowed, but after either the other is not: exactly one may be accepted
            return await asyncio.gather(*(asyncio.gather(
                _ask(one.port, _apdu(A.CANCEL, f"T-{i}")),
                _ask(two.port, _apdu(A.CONDITIONAL_REPLY, f"T-{i}", False))) for i in range(1, n)))

        results = asyncio.run(scenario())
        with open_store(url) as store:
            for i, (cancel, reply) in enumerate(results, start=1):
                accepted = [r.status_report is not None for r in (cancel, reply)]
                assert accepted.count(True) == 1, (i, cancel, reply)
                final = store.get("iso10161", f"two/T-{i}/")
                assert final is not None and final.version == 2
                assert final.state == ("CANCEL_PENDING" if accepted[0] else "NOT_SUPPLIED")
                refused = (reply, cancel)[accepted[0] is False]
                assert refused.error_report.provider_error_report.current_state.name == final.state
                assert len([e for e in store.journal(f"two/T-{i}/") if e.direction == "in"]) == 3
    finally:
        one.stop()
        two.stop()
