"""illnode: the top floor, the only code that imports more than one protocol package.

The `isoill` command (`illnode.cli`) and the live demo (`illnode.demo`); the gateway, directory and profiles
come here too.
"""

__all__: list[str] = []
