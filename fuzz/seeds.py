"""Seed corpora: the real inputs the mutations start from.

BER: the YAZ-made vectors in tests/vectors/iso10161 (positive, negative and unusual). XML: the project's own
small documents in fuzz/corpus/xml plus, when ../shared is beside the project, the OCLC samples read in place
(never copied). Both also take the saved regression inputs in tests/regressions, so a fixed crash keeps being
mutated around.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors" / "iso10161"
REGRESSIONS = ROOT / "tests" / "regressions"
XML_CORPUS = Path(__file__).resolve().parent / "corpus" / "xml"
SHARED = Path(os.environ.get("ISOILL_SHARED", ROOT.parent / "shared"))


def _read_all(paths: list[Path]) -> list[bytes]:
    return [p.read_bytes() for p in sorted(paths) if p.is_file()]


def ber_seeds() -> list[bytes]:
    """YAZ vectors (all three folders) and BER regression inputs."""
    return _read_all(list(VECTORS.rglob("*.ber")) + list((REGRESSIONS / "ber").glob("*.ber")))


def xml_seeds() -> list[bytes]:
    """Our XML corpus, the shared OCLC samples when present, and XML regression inputs."""
    paths = list(XML_CORPUS.glob("*.xml")) + list((REGRESSIONS / "xml").glob("*.xml"))
    oclc = SHARED / "samples" / "iso18626" / "oclc"
    if oclc.is_dir():
        paths += list(oclc.glob("*.xml"))
    return _read_all(paths)


def framer_seeds() -> list[bytes]:
    """Streams: each YAZ vector alone, and pairs and triples back to back (what a TCP peer sends)."""
    single = _read_all(list(VECTORS.glob("*.ber")) + list((VECTORS / "unusual").glob("*.ber")))
    streams = list(single)
    for k in range(len(single)):
        streams.append(single[k] + single[(k + 1) % len(single)])
        streams.append(single[k] + single[(k + 7) % len(single)] + single[(k + 13) % len(single)])
    return streams + _read_all(list((REGRESSIONS / "framer").glob("*.bin")))
