"""The ISO 10161 model (internal): enumerations, values, supporting types and the 20 APDUs as frozen attrs
classes carrying their BER description; the public names are re-exported by `isoill`.
"""

__all__: list[str] = []
