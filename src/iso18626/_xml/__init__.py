"""ISO 18626 XML (internal): hardened read, generated readers, the writer, the XSDs and their generator,
salvage of rejected messages and lenient repairs; `iso18626.parse` / `serialize` are its face.
"""

__all__: list[str] = []
