"""The sans-IO engine (guards, PREVIOUS, all-or-nothing moves, table checks) and the neutral lifecycle."""

from __future__ import annotations

import pytest

from illcore.engine import PREVIOUS, Engine, Row, Table, TableError
from illcore.lifecycle import LIFECYCLE, Milestone, Stage, lifecycle_allows, lifecycle_reachable

ROWS = [
    Row("a", "idle", "go", "busy"),
    Row("a", "busy", "pause", "paused"),
    Row("a", "paused", "resume", PREVIOUS),
    Row("a", "busy", "skip", "done", when="may-skip"),
    Row("a", "busy", "finish", "done"),
    Row("a", "busy", "finish", "archived", when="archive"),
    Row("b", "off", "go", "on"),
]


def engine() -> Engine:
    return Engine(Table("t", ROWS, initial={"a": "idle", "b": "off"}, terminal={"a": {"done"}}))


def test_lookup_and_guards():
    e = engine()
    assert e.fire([("a", "go")])[0].accepted and e.state("a") == "busy"
    assert not e.check("a", "skip").accepted
    assert e.check("a", "skip", {"may-skip"}).after == "done"
    # a guarded row wins over the unguarded one for the same event when its fact holds
    assert e.check("a", "finish").after == "done"
    assert e.check("a", "finish", {"archive"}).after == "archived"
    assert e.table.events("a", "busy") == ["pause", "finish"]
    assert e.table.events("a", "busy", {"may-skip"}) == ["pause", "skip", "finish"]


def test_previous_returns_to_the_state_before():
    e = engine()
    e.fire([("a", "go")])
    e.fire([("a", "pause")])
    step = e.fire([("a", "resume")])[0]
    assert step.accepted and step.after == "busy" and e.state("a") == "busy" and e.previous("a") == "paused"


def test_previous_without_history_is_refused():
    e = Engine(Table("t", [Row("a", "x", "back", PREVIOUS)], initial={"a": "x"}))
    assert not e.fire([("a", "back")])[0].accepted
    assert e.state("a") == "x"


def test_fire_is_all_or_nothing():
    e = engine()
    steps = e.fire([("b", "go"), ("a", "pause")])
    assert [s.accepted for s in steps] == [True, False]
    assert e.state("b") == "off" and e.state("a") == "idle"
    e.fire([("b", "go"), ("a", "go")])
    assert (e.state("a"), e.state("b")) == ("busy", "on")


def test_table_rejects_ambiguous_rows_and_unknown_parties():
    with pytest.raises(TableError):
        Table("t", [Row("a", "x", "e", "y"), Row("a", "x", "e", "z")], initial={"a": "x"})
    with pytest.raises(TableError):
        Table("t", [Row("c", "x", "e", "y")], initial={"a": "x"})


def test_states_lists_initial_first():
    t = Table("t", ROWS, initial={"a": "idle", "b": "off"})
    assert t.states("a") == ["idle", "busy", "paused", "done", "archived"]
    assert t.parties() == ["a", "b"] and len(t) == len(ROWS)


def test_lifecycle_loan_path_and_no_way_back():
    e = Engine(LIFECYCLE)
    for m in (Milestone.REQUEST, Milestone.SUPPLY, Milestone.RECEIVE, Milestone.RENEW, Milestone.RENEW_GRANTED,
              Milestone.RETURN, Milestone.COMPLETE):
        assert e.fire([("transaction", m)])[0].accepted, m
    assert e.state("transaction") is Stage.COMPLETED
    assert not e.check("transaction", Milestone.RECEIVE).accepted


def test_lifecycle_cancel_refused_goes_back():
    e = Engine(LIFECYCLE)
    for m in (Milestone.REQUEST, Milestone.PROPOSE_CONDITIONS, Milestone.CANCEL, Milestone.CANCEL_REFUSED):
        e.fire([("transaction", m)])
    assert e.state("transaction") is Stage.CONDITIONAL


def test_lifecycle_moves_and_reachability():
    assert lifecycle_allows(Stage.CANCEL_PENDING, Stage.REQUESTED)  # through PREVIOUS
    assert lifecycle_allows(Stage.RENEW_PENDING, Stage.OVERDUE)
    assert not lifecycle_allows(Stage.REQUESTED, Stage.RETURNED)
    assert lifecycle_reachable(Stage.REQUESTED, Stage.RETURNED)
    assert not lifecycle_reachable(Stage.RETURNED, Stage.RECEIVED)
    for final in LIFECYCLE.terminal["transaction"]:
        assert not any(lifecycle_reachable(final, s) for s in Stage if s != final)


def test_committed_state_diagrams_match_the_tables():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "gen_state_diagrams.py"
    spec = importlib.util.spec_from_file_location("gen_state_diagrams", script)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rendered = gen.render()
    assert len(rendered) == 5
    for path, text in rendered.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run make generate (scripts/gen_state_diagrams.py)"
        assert "```mermaid\nstateDiagram-v2\n" in text
