"""Records that pickle fast: the check cache stores a county's worth of them.

A slotted dataclass pickles through dataclasses' own __getstate__/__setstate__, which look up
the fields again for every object (most of the time of loading the cache). These pickle as
"make the object from the values in field order". A frozen dataclass's __init__ sets each
field through object.__setattr__, six times slower than a plain assignment (1.4 µs against
0.2 µs for eight fields): loading a county's cache spent 0.85 s there. So an object is made
by a twin class with the same slots and a plain __init__, then given its own class, which
Python allows between classes of the same layout. The result is the frozen record itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from operator import attrgetter


def tuple_getter(names: tuple[str, ...]) -> Callable[[object], tuple]:
    """The values of these attributes as a tuple, in one call (attrgetter alone gives the bare
    value for a single name, and refuses none)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        first = attrgetter(names[0])
        return lambda item: (first(item),)
    return lambda item: ()


@cache
def _values(cls: type) -> Callable[[object], tuple]:
    return tuple_getter(cls.__slots__)  # a slotted dataclass: its fields, in order


def _twin(cls: type) -> type:
    """A class with cls's bases and slots whose __init__ assigns them plainly, then makes the
    object cls's own. Named as cls's attribute `_Twin`, so pickle finds it by name."""
    names = cls.__slots__
    namespace: dict = {"cls": cls}
    assignments = "".join(f"\n    self.{name} = {name}" for name in names)
    exec(f"def __init__(self, {', '.join(names)}):{assignments}\n    self.__class__ = cls", namespace)  # noqa: S102 - field names only
    twin = type("_Twin", cls.__bases__, {"__slots__": names, "__init__": namespace["__init__"], "_twin": True})
    twin.__module__, twin.__qualname__ = cls.__module__, f"{cls.__qualname__}._Twin"
    return twin


class Pickled:
    __slots__ = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # dataclass(slots=True) makes the class again, with its __slots__: that one gets a twin.
        if "__slots__" in cls.__dict__ and not cls.__dict__.get("_twin"):
            cls._Twin = _twin(cls)

    def __reduce__(self):
        cls = type(self)
        return cls._Twin, _values(cls)(self)


def replaced(record: Pickled, **changes) -> Pickled:
    """dataclasses.replace(record, **changes) for a record of these: made by its twin from its
    values, not through the frozen __init__ and replace's look-ups of every field (a county's
    10,900 decisions each copied for its resolution notice: 0.17 against 0.06 s)."""
    cls = type(record)
    values = list(_values(cls)(record))
    for name, value in changes.items():
        values[_positions(cls)[name]] = value
    return cls._Twin(*values)


@cache
def _positions(cls: type) -> dict[str, int]:
    return {name: at for at, name in enumerate(cls.__slots__)}
