"""`make demo`'s gateway part plays both requests to the end and prints a readable timeline."""

from __future__ import annotations

import asyncio

from illnode.gateway import demo


def test_gateway_demo_plays_both_requests() -> None:
    lines: list[str] = []
    node = asyncio.run(asyncio.wait_for(demo.run(out=lines.append), 90))
    text = "\n".join(lines)
    assert "ILLiad  <- Checked-In" in text
    assert "passed over: RESHARE2: unfilled" in text and "asked ILLIAD (iso18626), 3 of 3" in text
    assert "shipped-loan: ILLIAD -> CNO-B" in text
    ended = {t.request.title: t.ended for t in node.service.transactions()}
    assert ended == {"A Pattern Language": True, "The Timeless Way of Building": False}  # the second is on loan
