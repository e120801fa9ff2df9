"""Records that pickle fast: the check cache stores a county's worth of them.

A slotted dataclass pickles through dataclasses' own __getstate__/__setstate__, which look up
the fields again for every object (most of the time of loading the cache). These pickle as
"call the class with the values in field order", which pickle does in C.
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


class Pickled:
    __slots__ = ()

    def __reduce__(self):
        return type(self), _values(type(self))(self)
