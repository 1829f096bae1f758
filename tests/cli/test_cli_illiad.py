"""`isoill illiad export` against the FAKE ILLiad Web Platform on loopback: what it sends, prints and exits with."""

from __future__ import annotations

import json
import socket

import pytest

from illnode.cli import main
from illnode.testing.fake_illiad import FakeILLiad


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_prints_the_transaction_number(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeILLiad("KEY")
    fake.add_user("jdoe")
    with fake.serve() as url:
        code, out, _ = _run(capsys, "illiad", "export", "--url", url, "--api-key", "KEY", "--user", "jdoe",
                            "--title", "Dune", "--author", "Herbert", "--isbn", "9780441013593", "--oclc", "1234",
                            "--cited-in", "01CUNY_X1", "--status", "Created via Alma")
    assert (code, out) == (0, "1000\n")
    posts = [r for r in fake.requests if r.method == "POST"]
    assert len(posts) == 1 and posts[0].path == "/ILLiadWebPlatform/Transaction"
    assert posts[0].headers["apikey"] == "KEY"
    assert {k: posts[0].json[k] for k in ("Username", "RequestType", "ProcessType", "LoanTitle", "LoanAuthor",
                                          "ISSN", "ESPNumber", "CitedIn", "TransactionStatus")} == {
        "Username": "jdoe", "RequestType": "Loan", "ProcessType": "Borrowing", "LoanTitle": "Dune",
        "LoanAuthor": "Herbert", "ISSN": "9780441013593", "ESPNumber": "1234", "CitedIn": "01CUNY_X1",
        "TransactionStatus": "Created via Alma"}


def test_create_user_first_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeILLiad("KEY")
    with fake.serve() as url:
        code, out, _ = _run(capsys, "illiad", "export", "--url", url + "/transaction", "--api-key", "KEY",
                            "--user", "newbie", "--title", "T", "--create-user", "--json")
    assert code == 0
    assert json.loads(out)["TransactionNumber"] == 1000 and json.loads(out)["Username"] == "newbie"
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/ILLiadWebPlatform/Users/newbie"), ("POST", "/ILLiadWebPlatform/Users"),
        ("POST", "/ILLiadWebPlatform/Transaction")]


def test_missing_user_without_create(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeILLiad("KEY")
    with fake.serve() as url:
        code, _, err = _run(capsys, "illiad", "export", "--url", url, "--api-key", "KEY", "--user", "x",
                            "--title", "T")
    assert code == 4 and "not in ILLiad" in err


def test_model_state_exits_1_with_the_field_messages(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeILLiad("KEY")
    fake.add_user("jdoe")

    def refuse(data: object) -> tuple[int, bytes]:
        return fake._invalid({"model.LoanTitle": ["The field LoanTitle must be a string with a maximum length of 255."],
                              "model.ESPNumber": ["ESPNumber is invalid."]})
    monkeypatch.setattr(fake, "_create_transaction", refuse)
    with fake.serve() as url:
        code, out, err = _run(capsys, "illiad", "export", "--url", url, "--api-key", "KEY", "--user", "jdoe",
                              "--title", "T" * 300)
    assert code == 1 and out == ""
    assert "LoanTitle: The field LoanTitle must be a string with a maximum length of 255." in err
    assert "ESPNumber: ESPNumber is invalid." in err and err.count("\n") == 1


def test_refused_key_exits_4_with_a_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    fake = FakeILLiad("KEY")
    with fake.serve() as url:
        code, _, err = _run(capsys, "illiad", "export", "--url", url, "--api-key", "WRONG", "--user", "jdoe",
                            "--title", "T")
    assert code == 4
    assert err.startswith("isoill: ILLiad refused the API key (401") and "WebPlatformConfig" in err


def test_unreachable_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = _run(capsys, "illiad", "export", "--url", f"http://127.0.0.1:{port}", "--api-key", "K",
                        "--user", "u", "--title", "T", "--timeout", "2")
    assert code == 3 and "cannot reach" in err
