"""The ISO 10161 protocol layer (internal): the machine's table, every report builder, Transaction-Id keys,
the store interface and the sans-IO session; re-exported by `isoill`.
"""

__all__: list[str] = []
