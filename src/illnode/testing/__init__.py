"""Test doubles of proprietary peers, each built from their documented behaviour and named as a fake.

`fake_illiad.FakeILLiad`: an in-process ILLiad Web Platform (httpx transport or a loopback HTTP server).
"""

from __future__ import annotations

__all__: list[str] = []
