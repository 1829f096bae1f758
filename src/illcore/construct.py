"""Fast construction of frozen attrs model objects, shared by the generated BER decoder and ISO 18626 reader.

attrs' `__init__` for a frozen `kw_only` slotted class matches every keyword and stores each field through
`object.__setattr__` by name. A decoder that has already checked every value can do without that: it builds
the object through a *mutable twin* of its class -- a subclass that adds no slots and restores object's own
`__setattr__` and `__delattr__` -- with plain attribute stores, then assigns `obj.__class__ = cls`. The result
is an ordinary instance of the public class (same `type()`, `==`, `hash`, immutability).
"""

from __future__ import annotations

import attrs

_TWINS: dict[type, type] = {}


def is_plain(cls: type) -> bool:
    """Whether attrs' __init__ for cls only stores its arguments: slots, and no validators, converters,
    __attrs_post_init__ or slots other than the fields. Only then may a decoder build it through its twin."""
    fields = attrs.fields(cls)
    slots = {n for c in cls.__mro__ for n in getattr(c, "__slots__", ())} - {"__weakref__"}
    return ("__slots__" in cls.__dict__ and not hasattr(cls, "__attrs_post_init__")
            and all(f.validator is None and f.converter is None and f.init for f in fields)
            and slots == {f.name for f in fields})


def mutable_twin(cls: type) -> type:
    """The mutable twin of a plain frozen slotted attrs class (see the module docstring), cached per class.

    Both __setattr__ and __delattr__ must be object's own: only then is the twin's setattr slot the generic
    one, which CPython 3.11+ specialises into a direct slot store (a few ns, against about 33 ns for a
    slot-descriptor call). With only __setattr__ restored, attrs' frozen __delattr__ keeps the slot generic.
    """
    twin = _TWINS.get(cls)
    if twin is None:
        name = f"_Building{cls.__name__}"
        twin = _TWINS[cls] = type(name, (cls,), {
            "__slots__": (), "__setattr__": object.__setattr__, "__delattr__": object.__delattr__,
            "__module__": __name__, "__qualname__": name})
    return twin
