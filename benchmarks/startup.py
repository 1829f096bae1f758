"""Start-up cost of the BER codec, for one source tree or two: `isoill decode FILE` as a cold process, and the
resident memory of an idle `isoill listen --reply-status` server after its first APDU.

    .venv/bin/python benchmarks/startup.py [--base OTHER_TREE] [--runs 7]

Each row is the median over `runs` processes, the trees alternating (base, this, base, this, ...) so that a
change of machine speed hits both. "cold" runs with an empty code cache (ILLCORE_CODE_CACHE pointing at a new
directory: what the very first run after an install pays); "warm cache" with the cache filled by the previous
run, as every later run. CPU is user + system time of the process, wall the elapsed time; on a busy machine
wall grows and CPU stays. RSS is VmRSS from /proc after the server answered one ILL-Request and sat idle 1 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUEST = ROOT / "tests" / "vectors" / "iso10161" / "request.ber"


def _env(tree: Path, cache: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree / "src"), "ILLCORE_CODE_CACHE": cache}


def decode_once(tree: Path, cache: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one `isoill decode` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "illnode.cli", "decode", str(REQUEST)], env=_env(tree, cache),
                   check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def server_rss(tree: Path, cache: str) -> float:
    """MiB resident in an idle listener after it decoded and answered one ILL-Request."""
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", "listen", "--port", "0", "--reply-status"],
                            env=_env(tree, cache), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # "isoill: listening on 127.0.0.1:PORT"
        port = int(line.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(REQUEST.read_bytes())
            sock.settimeout(30)
            assert sock.recv(65536), "no reply"
        time.sleep(1.0)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        kib = next(int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in status.splitlines()) if k == "VmRSS")
        return kib / 1024
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, help="another source tree (with src/isoill) to compare against")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    trees = {"this": ROOT} | ({"base": args.base.resolve()} if args.base else {})
    rows: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.runs):
            for name, tree in sorted(trees.items()):  # base before this
                cold = str(Path(tmp) / f"{name}-{n}")
                cpu, wall = decode_once(tree, cold)
                rows.setdefault((name, "decode cold: CPU s"), []).append(cpu)
                rows.setdefault((name, "decode cold: wall s"), []).append(wall)
                cpu, wall = decode_once(tree, cold)  # the cache the cold run filled
                rows.setdefault((name, "decode warm cache: CPU s"), []).append(cpu)
                rows.setdefault((name, "decode warm cache: wall s"), []).append(wall)
                if n < 3:
                    rows.setdefault((name, "idle server RSS MiB"), []).append(server_rss(tree, cold))
    for (name, what), values in rows.items():
        print(f"{name:5} {what:28} {statistics.median(values):8.3f}   ({min(values):.3f}-{max(values):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
