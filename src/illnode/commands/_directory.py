"""The `--directory FILE` / `--store URL` options the partner commands share, and opening the directory they name.

A file's records are read over the store's; `--store` needs `illcore.store` (issue 14) for any URL but `memory:`.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import Any

from illnode.commands import EXIT_INVALID, EXIT_USAGE, Failure
from illnode.directory import Directory, DirectoryError, MemoryDocuments

__all__ = ["add_directory_options", "open_directory", "open_documents"]


def add_directory_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--directory", metavar="FILE", help="partner records in a TOML file ([[partner]] tables)")
    parser.add_argument("--store", metavar="URL",
                        help="partner records kept in a store (sqlite:///path, postgresql://..., memory:)")


def open_documents(url: str) -> Any:
    """The document store at `url`: `illcore.store` when present, else the in-memory one for `memory:`."""
    try:
        store_module = importlib.import_module("illcore.store")
    except ImportError:
        if url == "memory:":
            return MemoryDocuments()
        raise Failure(f"--store {url}: only memory: until illcore.store (the durable store) is installed",
                      EXIT_USAGE) from None
    try:
        return store_module.open_store(url)
    except (ValueError, OSError) as exc:
        raise Failure(f"--store {url}: {exc}", EXIT_USAGE) from None


def open_directory(args: argparse.Namespace, *, required: bool = False, create: bool = False) -> Directory | None:
    """The directory named by --directory and/or --store (None when neither is given and not `required`);
    `create`: a --directory file that does not exist yet is an empty directory (it is about to be written)."""
    file, url = getattr(args, "directory", None), getattr(args, "store", None)
    if not file and not url:
        if required:
            raise Failure("give --directory FILE and/or --store URL (where the partner records are)", EXIT_USAGE)
        return None
    try:
        directory = Directory.from_store(open_documents(url)) if url else Directory()
        if file and not (create and not Path(file).exists()):
            # The file's records win, in memory only: reading a file never rewrites the store.
            directory = Directory([*directory, *Directory.load(file)], store=directory.store)
    except DirectoryError as exc:
        raise Failure(str(exc), EXIT_INVALID) from None
    return directory
