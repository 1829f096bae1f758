"""Hypothesis strategies for ISO 18626 messages of one version, derived from the element tables."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import attrs
from hypothesis import strategies as st

from iso18626._model import tables as T
from iso18626._model.codes import SchemeValue
from iso18626._model.messages import SupplyingAgencyMessage
from iso18626._model.supplying import MessageInfoV12, RetryInfo
from iso18626._model.timestamps import Timestamp

# XML 1.0 characters; \r, &, < and > on purpose (the writer must escape them).
_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\t\n\r&<>\"' ")
TEXT = st.text(_chars, max_size=12)
NONEMPTY = st.text(_chars, min_size=1, max_size=12)
SCHEMES = st.from_regex(r"[a-z]{1,8}:[A-Za-z0-9/._-]{0,16}", fullmatch=True) | st.just("")
_zones = st.one_of(
    st.just(timezone.utc),
    st.none(),
    st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)


@st.composite
def _datetime(draw: Any) -> Any:
    base = draw(st.datetimes(min_value=__import__("datetime").datetime(2, 1, 1),
                             max_value=__import__("datetime").datetime(9998, 12, 31), timezones=_zones))
    if draw(st.booleans()) and draw(st.booleans()):
        return Timestamp(base.year, base.month, base.day, base.hour, base.minute, base.second, base.microsecond,
                         base.tzinfo, nanosecond=draw(st.integers(1, 999)))
    return base


LEAF: dict[str, st.SearchStrategy[Any]] = {
    T.STRING: TEXT,
    T.DATETIME: _datetime(),
    T.INTEGER: st.integers(-(10**12), 10**12),
    T.NONNEG: st.integers(0, 10**12),
    T.DECIMAL: st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    T.BOOLEAN: st.booleans(),
    T.SVP: st.builds(SchemeValue, TEXT, st.none() | SCHEMES),
    T.SVP_TEXT: st.builds(SchemeValue, TEXT, st.none()),
}


def kind_strategy(kind: T.Kind, version: str) -> st.SearchStrategy[Any]:
    if isinstance(kind, str):
        return LEAF[kind]
    if isinstance(kind, T.EnumKind):
        return st.sampled_from([m for m in kind.cls if m.value in kind.values])
    if isinstance(kind, T.AddressKind):
        return spec_strategy(kind.electronic, version) | spec_strategy(kind.physical, version)
    return spec_strategy(kind, version)


_cache: dict[tuple[int, str], st.SearchStrategy[Any]] = {}


def spec_strategy(spec: T.Spec, version: str) -> st.SearchStrategy[Any]:
    key = (id(spec), version)
    if key in _cache:
        return _cache[key]
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for el in spec.elements:
        inner = kind_strategy(el.kind, version)
        if el.empty_none:
            inner = NONEMPTY
        if T.is_tuple_field(spec.cls, el.field):
            hi = 2 if el.hi is None else min(el.hi, 2)
            kwargs[el.field] = st.lists(inner, min_size=el.lo, max_size=hi).map(tuple)
        elif el.lo and not el.empty_none:
            kwargs[el.field] = inner
        else:
            kwargs[el.field] = st.none() | inner
    strategy: st.SearchStrategy[Any] = st.builds(spec.cls, **kwargs)
    if spec.cls is SupplyingAgencyMessage and spec.absorbs:
        strategy = strategy.flatmap(lambda sam: _sam_v12(sam, spec, version))
    _cache[key] = strategy
    return strategy


def _sam_v12(sam: Any, spec: T.Spec, version: str) -> st.SearchStrategy[Any]:
    """v1.2 generates a MessageInfoV12; split it into messageInfo and retry_info as the model holds them."""
    mi: MessageInfoV12 = sam.message_info
    from iso18626._model.supplying import MessageInfo

    info = MessageInfo(reason_for_message=mi.reason_for_message, answer_yes_no=mi.answer_yes_no, note=mi.note,
                       reason_unfilled=mi.reason_unfilled, reason_retry=mi.reason_retry)
    retry = None
    if mi.offered_costs or mi.retry_after is not None or mi.retry_before is not None:
        retry = RetryInfo(offered_costs=mi.offered_costs, retry_after=mi.retry_after, retry_before=mi.retry_before)
    return st.just(attrs.evolve(sam, message_info=info, retry_info=retry))


def message(version: str, name: str) -> st.SearchStrategy[Any]:
    """Valid messages of one kind (`name` is the element name, e.g. "request") for one version."""
    return spec_strategy(T.MESSAGES[version][name], version)


MESSAGE_NAMES = tuple(T.MESSAGES["1.2"])
