"""Shared helpers of the server tests: run `isoill` as a subprocess on a free loopback port, read its port."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
CANCEL = (ROOT / "tests" / "vectors" / "iso10161" / "cancel.ber").read_bytes()
RECEIVED_XML = (ROOT / "fuzz" / "corpus" / "xml" / "strict-received.xml").read_bytes()
_PORT = re.compile(rb"(?:listening on|serving ISO 18626 on http://)[^:]+:(\d+)")


class Served:
    """An `isoill` server subprocess: `port`, `proc`, and its stderr collected in `log_path`."""

    def __init__(self, args: Sequence[str], log_path: Path, nofile: int | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))

        def limit() -> None:  # runs in the child: a lowered descriptor limit, as `ulimit -n` would set
            if nofile is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", *args], stdout=subprocess.DEVNULL,
                                     stderr=self._log, env=env, preexec_fn=limit)
        self.port = self._wait_port()

    def _wait_port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            found = _PORT.search(self.log_path.read_bytes())
            if found:
                return int(found.group(1))
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log_path.read_text()}")
            time.sleep(0.05)
        raise AssertionError("server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@pytest.fixture
def run_server(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """`run_server(args, nofile=None)` starts `isoill ARGS` (stopped at the end of the test)."""
    started: list[Served] = []

    def start(args: Sequence[str], nofile: int | None = None) -> Served:
        server = Served(args, tmp_path / f"server{len(started)}.log", nofile)
        started.append(server)
        return server

    yield start
    for s in started:
        s.stop()
