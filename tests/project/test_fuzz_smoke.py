"""The CI-sized fuzz run: hypothesis-driven mutations of real inputs for the BER codec, the framer and the
ISO 18626 parser, a short run of the `make fuzz` driver itself, and a replay of every saved regression input.

The mutations and the verdicts are those of the fuzz/ harness (fuzz.mutate, fuzz.targets): any input must give
a value or the package's typed error, within a second. Bounded: a few thousand inputs per decoder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the harness lives beside the package, in fuzz/
    sys.path.insert(0, str(ROOT))

from fuzz import mutate, run, seeds, targets  # noqa: E402

BER = seeds.ber_seeds()
STREAMS = seeds.framer_seeds()
XML = seeds.xml_seeds()
REGRESSIONS = ROOT / "tests" / "regressions"


def ops(fmt: str) -> st.SearchStrategy[list[mutate.Op]]:
    op = st.tuples(st.integers(0, mutate.kinds(fmt) - 1), st.integers(0, 2**32 - 1), st.integers(0, 2**48 - 1))
    return st.lists(op, min_size=1, max_size=6)


def mutated(corpus: list[bytes], fmt: str) -> st.SearchStrategy[bytes]:
    return st.builds(lambda i, o: mutate.apply(corpus[i], o, corpus, fmt),
                     st.integers(0, len(corpus) - 1), ops(fmt))


def fuzz_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_seed_corpora_are_real_inputs() -> None:
    assert len(BER) >= 70 and len(STREAMS) > len(BER)
    assert len(XML) >= 15
    # The seeds themselves are mostly accepted: mutations start from the inside of the decoders.
    assert sum(targets.check_ber(d) == "ok" for d in BER) >= 50
    assert sum(targets.check_xml(d) == "ok" for d in XML) >= 15


@fuzz_settings(2500)
@given(mutated(BER, "ber"))
def test_ber_decode_mutated(data: bytes) -> None:
    targets.check_ber(data)


@fuzz_settings(600)
@given(mutated(STREAMS, "ber"), st.integers(1, 64))
def test_framer_mutated(data: bytes, step: int) -> None:
    targets.check_framer(data, step=step)


@fuzz_settings(1200)
@given(mutated(XML, "xml"))
def test_xml_parse_mutated(data: bytes) -> None:
    targets.check_xml(data)


@pytest.mark.parametrize("target,count", [("ber", 5000), ("framer", 1500), ("xml", 2000)])
def test_make_fuzz_driver_short_run(target: str, count: int) -> None:
    stats = run.work(target, 7, 0.0, count)
    assert stats["inputs"] == count
    assert stats["ok"] > 0 and stats["refused"] > 0  # the mutations reach both outcomes
    found = {sig for sig in stats["findings"] if sig.split("|")[0] not in targets.KNOWN}
    assert not found, stats["findings"]
    assert stats["slowest"] < run.SLOW_SECONDS


@pytest.mark.parametrize("path", sorted(p for p in REGRESSIONS.rglob("*") if p.is_file()),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_regression_inputs(path: Path) -> None:
    data = path.read_bytes()
    kind = path.parent.name
    if kind == "ber":
        targets.check_ber(data)
    elif kind == "framer":
        targets.check_framer(data)
    else:
        targets.check_xml(data)


def test_mutations_are_deterministic_and_change_the_input() -> None:
    seed = BER[0]
    changed = 0
    for kind in range(mutate.kinds("ber")):
        a = mutate.apply(seed, [(kind, 12345, 678901234)], BER, "ber")
        assert a == mutate.apply(seed, [(kind, 12345, 678901234)], BER, "ber")
        changed += a != seed
    assert changed >= mutate.kinds("ber") - 1
