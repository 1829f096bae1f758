"""Rotas as pure logic: property tests over random partner sets, rotas and requests."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from illcore.request import BorrowingRequest, Service
from illnode.gateway.rota import (
    Member,
    Rota,
    RotaCursor,
    RotaError,
    RotaRule,
    build_rota,
    check_rules,
    choose_rota,
    expired,
)

SYMBOLS = [f"P{i}" for i in range(8)]

members_st = st.dictionaries(
    st.sampled_from(SYMBOLS),
    st.builds(lambda active, lent, borrowed, days: (active, lent, borrowed, days),
              st.booleans(), st.integers(0, 50), st.integers(0, 50), st.integers(1, 10)),
).map(lambda d: {s: Member(symbol=s, active=a, lent=lent, borrowed=b, expiry=dt.timedelta(days=days))
                 for s, (a, lent, b, days) in d.items()})
rota_st = st.builds(
    lambda members, ordered, balance, last: Rota(name="r", members=tuple(members), ordered=ordered,
                                                 balance=balance, last_resort=last),
    st.lists(st.sampled_from(SYMBOLS), max_size=10), st.booleans(), st.booleans(),
    st.one_of(st.none(), st.sampled_from(SYMBOLS)))


@settings(max_examples=60, deadline=None)
@given(rota_st, members_st, st.text(max_size=8))
def test_build_rota_asks_each_active_member_once_and_the_last_resort_last(rota: Rota, members: dict[str, Member],
                                                                          seed: str) -> None:
    built = build_rota(rota, members, seed=seed)
    assert len(built) == len(set(built))
    assert all(members[s].active for s in built)
    wanted = {s for s in rota.members if s in members and members[s].active and s != rota.last_resort}
    body = built[:-1] if rota.last_resort in built else built
    assert set(body) == wanted
    if rota.last_resort is not None and rota.last_resort in members and members[rota.last_resort].active:
        assert built[-1] == rota.last_resort
    else:
        assert rota.last_resort not in built
    if rota.ordered and not rota.balance:
        listed = [s for s in dict.fromkeys(rota.members) if s in wanted]
        assert list(body) == listed
    if rota.balance:
        ratios = [members[s].ratio for s in body]
        assert ratios == sorted(ratios)
    assert build_rota(rota, members, seed=seed) == built  # the same request draws the same order


def test_non_ordered_rotas_draw_different_orders_for_different_requests() -> None:
    members = {s: Member(symbol=s) for s in SYMBOLS}
    rota = Rota(name="pod", members=tuple(SYMBOLS), ordered=False)
    orders = {build_rota(rota, members, seed=f"req-{i}") for i in range(20)}
    assert len(orders) > 10
    assert all(sorted(o) == sorted(SYMBOLS) for o in orders)


def test_balanced_pod_asks_the_partner_that_owes_us_first() -> None:
    members = {"A": Member(symbol="A", lent=10, borrowed=1), "B": Member(symbol="B", lent=1, borrowed=10),
               "C": Member(symbol="C", lent=5, borrowed=5)}
    assert build_rota(Rota(name="pod", members=("A", "B", "C"), balance=True), members, seed="x") == ("B", "C", "A")


@settings(max_examples=60, deadline=None)
@given(rota_st, members_st, st.sets(st.sampled_from(SYMBOLS)))
def test_cursor_visits_each_supplier_in_order_skipping_those_closed_meanwhile(
        rota: Rota, members: dict[str, Member], closed: set[str]) -> None:
    suppliers = build_rota(rota, members, seed="s")
    now = {s: Member(symbol=s, active=m.active and s not in closed) for s, m in members.items()}
    cursor = RotaCursor(suppliers=suppliers)
    asked = []
    for _ in range(len(suppliers) + 1):
        cursor = cursor.advance(now, why="unfilled")
        if cursor.exhausted:
            break
        assert cursor.current is not None
        asked.append(cursor.current)
    assert cursor.exhausted
    assert asked == [s for s in suppliers if s not in closed]
    assert [s for s, _ in cursor.passed] == list(suppliers)
    assert cursor.advance(now).exhausted


request_st = st.builds(BorrowingRequest, request_id=st.just("r"),
                       requester=st.sampled_from(["01CUNY_BC", "01CALS_XYZ", "RESHARE1"]),
                       service=st.sampled_from(Service), medium=st.sampled_from([None, "Book", "Article", "journal"]))
rule_st = st.builds(RotaRule, rota=st.sampled_from(["a", "b", "c"]), service=st.none() | st.sampled_from(Service),
                    medium=st.none() | st.sampled_from(["book", "article"]),
                    requester=st.none() | st.sampled_from(["01CUNY*", "RESHARE1"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(rule_st, max_size=5), request_st)
def test_first_matching_rule_wins_and_the_catch_all_catches_the_rest(rules: list[RotaRule],
                                                                    request: BorrowingRequest) -> None:
    chain = (*rules, RotaRule(rota="fallback"))
    check_rules(chain, {r: Rota(name=r, members=()) for r in ("a", "b", "c", "fallback")})
    chosen = choose_rota(chain, request)
    first = next(r for r in chain if r.matches(request))
    assert chosen == first.rota
    for rule in chain[:chain.index(first)]:
        assert not rule.matches(request)


def test_rule_properties() -> None:
    req = BorrowingRequest(request_id="r", requester="01CUNY_BC", service=Service.COPY, medium="Article")
    assert RotaRule(rota="x", requester="01CUNY*", service=Service.COPY, medium="article").matches(req)
    assert not RotaRule(rota="x", service=Service.LOAN).matches(req)
    assert not RotaRule(rota="x", requester="01CALS*").matches(req)


def test_bad_rule_sets_are_refused_with_the_reason() -> None:
    rotas = {"a": Rota(name="a", members=())}
    with pytest.raises(RotaError, match="catch-all"):
        check_rules((RotaRule(rota="a", service=Service.LOAN),), rotas)
    with pytest.raises(RotaError, match="'nope'"):
        check_rules((RotaRule(rota="nope"),), rotas)
    with pytest.raises(RotaError, match="no rota rules"):
        check_rules((), rotas)
    with pytest.raises(RotaError, match="no rota rule matches"):
        choose_rota((RotaRule(rota="a", service=Service.LOAN),),
                    BorrowingRequest(request_id="r", requester="X", service=Service.COPY))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10 * 86400), st.integers(1, 10))
def test_expiry_is_exactly_the_partner_expiry_time(elapsed: int, days: int) -> None:
    sent = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    member = Member(symbol="A", expiry=dt.timedelta(days=days))
    assert expired(sent, member, sent + dt.timedelta(seconds=elapsed)) == (elapsed >= days * 86400)
