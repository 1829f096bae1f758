"""illcore: the protocol-free floor under `isoill` (ISO 10161), `iso18626` and the coming protocol packages.

The error base, the table-driven sans-IO engine, the neutral ILL lifecycle, construction helpers and asyncio
helpers shared by the servers. It imports no protocol package; nothing here does I/O or reads a clock, except
`illcore.aio`, which only installs signal handlers.
"""

__all__: list[str] = []
