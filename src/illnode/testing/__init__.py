"""Test fakes of proprietary systems, built from their documented behaviour and named as fakes.

`fake_libris`: a Libris ILL API on loopback for the importer's tests and for trying `isoill import libris`.
"""

__all__: list[str] = []
