"""The ISO 10161 BER codec (internal): primitives, the generated codec and the emitters that write it, and the
runtime contract the generated code calls; `isoill.decode` / `isoill.encode` / `isoill.Codec` are its face.
"""

__all__: list[str] = []
