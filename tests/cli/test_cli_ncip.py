"""`isoill ncip validate|send|serve`: exit codes and output on real and hand-made messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ncip
from illnode.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHECKIN = ncip.serialize(ncip.CheckInItem(item_id=ncip.ItemId(item_identifier_value="1000")))


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.xml"
    good.write_bytes(CHECKIN)
    assert main(["ncip", "validate", str(good)]) == 0
    assert "valid NCIP 2 CheckInItem" in capsys.readouterr().out
    quirky = tmp_path / "quirky.xml"
    quirky.write_bytes(CHECKIN.replace(b"ncip:version=", b"version="))
    assert main(["ncip", "validate", str(quirky)]) == 1
    assert "at /NCIPMessage" in capsys.readouterr().err
    assert main(["ncip", "validate", "--lenient", str(quirky)]) == 0
    assert "repaired: unqualified-version" in capsys.readouterr().out
    v1 = tmp_path / "v1.xml"
    v1.write_bytes(b'<!DOCTYPE NCIPMessage PUBLIC "-//NISO//NCIP DTD Version 1.0//EN" "ncip_v1_0.dtd">'
                   b"<NCIPMessage/>")
    assert main(["ncip", "validate", "--lenient", str(v1)]) == 1
    assert "NCIP version 1" in capsys.readouterr().err


def test_send_to_serve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "illnode.cli", "ncip", "serve", "--port", "0"],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "serving NCIP on http://127.0.0.1:" in line, line
        url = line.split(" on ", 1)[1].strip()
        msg = tmp_path / "checkin.xml"
        msg.write_bytes(CHECKIN)
        assert main(["ncip", "send", url, str(msg)]) == 0
        assert "CheckInItemResponse" in capsys.readouterr().out
        renew = tmp_path / "renew.xml"
        renew.write_bytes(ncip.serialize(ncip.RenewItem(user_id=ncip.UserId(user_identifier_value="u"),
                                                        item_id=ncip.ItemId(item_identifier_value="i"))))
        assert main(["ncip", "send", url, str(renew)]) == 4
        assert "Problem: Unsupported Service" in capsys.readouterr().err
    finally:
        proc.terminate()
        proc.wait(10)


def test_send_unreachable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    msg = tmp_path / "m.xml"
    msg.write_bytes(CHECKIN)
    assert main(["ncip", "send", "http://127.0.0.1:9/", str(msg), "--timeout", "2"]) == 3
    assert "cannot reach" in capsys.readouterr().err
