"""The generated reader builds model objects through mutable twins: what it returns must be ordinary, frozen
instances of the public classes, equal to the same objects built through attrs' __init__."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

import iso18626
from iso18626._model import tables as T
from iso18626._model.codes import SchemeValue

FIXTURES = sorted((Path(__file__).resolve().parents[2] / "benchmarks" / "fixtures").glob("*.xml"))
PUBLIC = {spec.cls for v in T.VERSIONS for spec in T.all_specs(v)} | {SchemeValue, iso18626.MessageInfo}


def _objects(value: Any) -> list[Any]:
    """value and every attrs object under it."""
    if isinstance(value, tuple):
        return [o for item in value for o in _objects(item)]
    if not attrs.has(type(value)):
        return []
    out = [value]
    for f in attrs.fields(type(value)):
        out += _objects(getattr(value, f.name))
    return out


def _rebuilt(value: Any) -> Any:
    """The same object built again through attrs' __init__, all the way down."""
    if isinstance(value, tuple):
        return tuple(_rebuilt(item) for item in value)
    if not attrs.has(type(value)):
        return value
    return type(value)(**{f.name: _rebuilt(getattr(value, f.name)) for f in attrs.fields(type(value))})


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_read_objects_are_plain_frozen_instances(path: Path) -> None:
    msg = iso18626.parse(path.read_bytes())
    objects = _objects(msg)
    assert any(type(o) is SchemeValue for o in objects)
    for obj in objects:
        assert type(obj) in PUBLIC, type(obj)
        field = attrs.fields(type(obj))[0].name
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(obj, field, None)
        hash(obj)
    rebuilt = _rebuilt(msg)
    assert rebuilt == msg and repr(rebuilt) == repr(msg) and hash(rebuilt) == hash(msg)
