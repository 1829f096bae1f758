"""`isoill import libris` against the FAKE Libris on loopback: reports, exit codes, a SQLite store, the progress
bar only on a terminal, kill -9 in the middle of a run, and the --schedule process."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from import_helpers import KEY

from illnode.cli import main
from illnode.imports import PROTOCOL
from illnode.imports.store import open_store
from illnode.testing.fake_libris import FakeLibris, FakeLibrisServer, sample_requests

ROOT = Path(__file__).resolve().parents[2]
# relative to today: the CLI harvests up to the real today
FIRST = dt.date.today() - dt.timedelta(days=8)
SINCE = FIRST + dt.timedelta(days=2)


@pytest.fixture
def live() -> Iterator[tuple[FakeLibris, str]]:
    fake = FakeLibris({"Abc": KEY}, sample_requests(30, sigil="Abc", first_day=FIRST, days=6))
    with FakeLibrisServer(fake) as srv:
        yield fake, srv.url


def _args(url: str, store: str, *extra: str, since: dt.date = SINCE) -> list[str]:
    return ["import", "libris", "--url", url, "--library", "Abc", "--api-key", KEY, "--since", since.isoformat(),
            "--store", store, "--map", "Abc=MAIN", *extra]


def _run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict[str, object]]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_runs_report_imported_unchanged_updated_and_failed(live: tuple[FakeLibris, str], tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    fake, url = live
    store = f"sqlite:///{tmp_path}/isoill.db"
    code, first = _run_json(capsys, _args(url, store, "--json"))
    assert code == 0
    assert (first["imported"], first["updated"], first["unchanged"], first["failed"]) == (20, 0, 0, [])
    code, second = _run_json(capsys, _args(url, store, "--json"))
    assert code == 0 and (second["imported"], second["updated"], second["unchanged"]) == (0, 0, 20)

    fake.touch("700003")
    fake.touch("700004", requesting_library="Xyz")
    code, third = _run_json(capsys, _args(url, store, "--json"))
    assert code == 1
    assert (third["imported"], third["updated"], third["unchanged"]) == (0, 1, 18)
    assert third["failed"] == [{"external_id": "700004", "reason": "no local library is mapped to the Libris "
                                "requesting library 'Xyz' (add --map Xyz=LOCAL)"}]

    s = open_store(store)
    try:
        records = s.find(protocol=PROTOCOL)
        assert sorted(r.data["external_id"] for r in records) == sorted(
            lf for lf, r in fake.requests.items() if r.created >= SINCE)
        assert all(r.key == f"libris:{r.data['external_id']}" for r in records)
    finally:
        s.close()

    # the plain report: counts on one line, then each failure with its reason
    assert main(_args(url, store)) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("0 imported, 0 updated, 19 unchanged, 1 failed")
    assert out[1] == "  failed 700004: no local library is mapped to the Libris requesting library 'Xyz' " \
                     "(add --map Xyz=LOCAL)"


def test_exit_codes_for_network_and_peer_failures(live: tuple[FakeLibris, str], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, url = live
    assert main(_args("http://127.0.0.1:1/api", "memory:")) == 3
    assert "cannot reach Libris" in capsys.readouterr().err
    bad_key = _args(url, "memory:")
    bad_key[bad_key.index(KEY)] = "wrong"
    assert main(bad_key) == 4
    assert "HTTP 401" in capsys.readouterr().err
    assert main(_args(url, "memory:", "--schedule", "hourly")) == 2
    assert "daily HH:MM" in capsys.readouterr().err
    assert main(_args(url, "mysql://x")) == 2
    with pytest.raises(SystemExit) as info:
        main(_args(url, "memory:", "--map", "nolocal"))
    assert info.value.code == 2
    assert "EXTERNAL=LOCAL" in capsys.readouterr().err


def _cli(*argv: str, **kw: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "illnode.cli", *argv], env=env, **kw)  # type: ignore[call-overload]


def test_progress_bar_only_on_a_terminal(live: tuple[FakeLibris, str]) -> None:
    _, url = live
    piped = _cli(*_args(url, "memory:"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = piped.communicate(timeout=60)
    assert piped.returncode == 0 and b"imported" in out and err == b""
    primary, secondary = pty.openpty()
    try:
        tty = _cli(*_args(url, "memory:"), stdout=subprocess.PIPE, stderr=secondary)
        os.close(secondary)
        out, _ = tty.communicate(timeout=60)
        drawn = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(primary)
    assert tty.returncode == 0 and b"imported" in out
    assert b"\r[" in drawn and b"windows, 20 requests" in drawn


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("select count(*) from transactions").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.mark.parametrize("kill_at", [1, 14])
def test_kill_9_during_a_run_then_rerun(live: tuple[FakeLibris, str], tmp_path: Path, kill_at: int,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    fake, url = live
    fake.delay = 0.25  # each answer, so that a run of one-day windows takes a few seconds
    db = tmp_path / "isoill.db"
    argv = _args(url, f"sqlite:///{db}", "--window-days", "1", "--json", since=FIRST)
    proc = _cli(*argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while _count(db) < kill_at and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    before = _count(db)
    assert kill_at <= before < 30

    fake.delay = 0
    code, report = _run_json(capsys, argv)
    assert code == 0 and report["resumed"] is True
    assert (report["imported"], report["updated"], report["unchanged"], report["failed"]) == (30, 0, 0, [])
    s = open_store(f"sqlite:///{db}")
    try:
        records = s.find(protocol=PROTOCOL)
    finally:
        s.close()
    assert sorted(r.data["external_id"] for r in records) == sorted(fake.requests)  # nothing missing
    assert len(records) == 30 and all(r.version == 1 for r in records)  # no duplicates, none written twice


def test_schedule_runs_as_its_own_process_until_sigterm(live: tuple[FakeLibris, str], tmp_path: Path) -> None:
    _, url = live
    proc = _cli(*_args(url, f"sqlite:///{tmp_path}/s.db", "--schedule", "weekly mon 02:00"),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = b""
        deadline = time.monotonic() + 30
        assert proc.stderr is not None
        while not line.endswith(b"\n") and time.monotonic() < deadline:
            line += proc.stderr.read(1)
        assert b"weekly mon 02:00; next run at " in line
        when = dt.datetime.fromisoformat(line.split(b"next run at ")[1].strip().decode())
        assert when.weekday() == 0 and (when.hour, when.minute) == (2, 0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_partners_from_the_directory_file_and_the_store(live: tuple[FakeLibris, str], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from illcore.requestjson import request_from_dict
    from illnode.directory import Directory, Partner

    _, url = live
    store = f"sqlite:///{tmp_path}/p.db"
    s = open_store(store)
    try:
        Directory(store=s).add(Partner(symbol="GBG", name="Göteborgs UB", protocol="iso18626",
                                       address="https://gbg.example/iso18626"))
    finally:
        s.close()
    (tmp_path / "partners.toml").write_text('[[partner]]\nsymbol = "LI"\nprotocol = "iso10161"\n'
                                            'address = "li.example:1611"\n', encoding="utf-8")
    assert main(_args(url, store, "--directory", str(tmp_path / "partners.toml"), "--partner", "u")) == 0
    capsys.readouterr()
    s = open_store(store)
    try:
        suppliers = {r.data["external_id"]: request_from_dict(r.data["request"]).suppliers
                     for r in s.find(protocol=PROTOCOL)}
    finally:
        s.close()
    # the sample's recipients are Gbg, U and Li in turn: each takes the directory's spelling
    assert set(suppliers.values()) == {("GBG", "u", "LI"), ("u", "LI", "GBG"), ("LI", "GBG", "u")}

    (tmp_path / "bad.toml").write_text("[[partner]]\nname = 'no symbol'\n", encoding="utf-8")
    assert main(_args(url, store, "--directory", str(tmp_path / "bad.toml"))) == 1
    assert "symbol" in capsys.readouterr().err


def test_transactions_lists_every_imported_request_with_its_libris_number(
        live: tuple[FakeLibris, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake, url = live
    store = f"sqlite:///{tmp_path}/t.db"
    assert main(_args(url, store, "--json")) == 0
    capsys.readouterr()
    assert main(["transactions", "--store", store, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    imported = {r["data"]["external_id"]: r for r in rows if r["data"].get("source") == "libris"}
    assert len(imported) == len(rows) == 20
    assert sorted(imported) == sorted(lf for lf, r in fake.requests.items() if r.created >= SINCE)
    assert all(r["key"] == f"libris:{lf}" and r["protocol"] == PROTOCOL and r["state"] == "idle"
               for lf, r in imported.items())


def test_the_runs_on_postgresql(live: tuple[FakeLibris, str], pg_url_factory: Any,
                                capsys: pytest.CaptureFixture[str]) -> None:
    fake, url = live
    store = pg_url_factory()
    code, first = _run_json(capsys, _args(url, store, "--json"))
    assert code == 0 and (first["imported"], first["unchanged"]) == (20, 0)
    fake.touch("700003")
    fake.touch("700004", requesting_library="Xyz")
    code, again = _run_json(capsys, _args(url, store, "--json"))
    assert code == 1 and (again["imported"], again["updated"], again["unchanged"]) == (0, 1, 18)
    assert [f["external_id"] for f in again["failed"]] == ["700004"]
    assert main(["transactions", "--store", store, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["data"]["external_id"] for r in rows) == sorted(
        lf for lf, r in fake.requests.items() if r.created >= SINCE)
