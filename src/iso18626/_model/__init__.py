"""The ISO 18626 model (internal): codes, messages and their parts, timestamps, and the element tables every
reader, writer and XSD is generated from; the public names are re-exported by `iso18626`.
"""

__all__: list[str] = []
