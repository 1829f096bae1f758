"""Test doubles of proprietary peers, each built from their documented behaviour and named as a fake.

`fake_illiad.FakeILLiad`: an in-process ILLiad Web Platform (httpx transport or a loopback HTTP server).
`fake_libris.FakeLibris`: a Libris ILL API on loopback for the importer's tests and for trying `isoill import libris`.
"""

from __future__ import annotations

__all__: list[str] = []
