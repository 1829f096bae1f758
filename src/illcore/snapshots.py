"""Reading a versioned machine snapshot: the format check and version dispatch both protocol machines share.

Each protocol keeps its own writer and one reader per snapshot version; this picks the reader and turns damage
into the caller's typed error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["restore_versioned"]

T = TypeVar("T")


def restore_versioned(data: Any, fmt: str, readers: Mapping[int, Callable[[dict[str, Any]], T]],
                      error: type[Exception]) -> T:
    """Restore `data` (a decoded JSON snapshot) of format `fmt` with the reader of its version.

    A wrong format, an unknown version (a newer release wrote it) or a damaged body raises `error(message)`;
    an `error` a reader raises itself passes through unchanged.
    """
    if not isinstance(data, dict) or data.get("format") != fmt:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise error(f"not an {fmt} snapshot (format {found!r})")
    version = data.get("version")
    package = fmt.split(".")[0]
    reader = readers.get(version) if isinstance(version, int) else None
    if reader is None:
        raise error(f"{fmt} snapshot version {version!r}: this {package} reads versions "
                    f"{', '.join(map(str, sorted(readers)))} (a newer {package} wrote it?)")
    try:
        return reader(data)
    except error:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise error(f"{fmt} snapshot version {version}: damaged ({type(exc).__name__}: {exc})") from None
