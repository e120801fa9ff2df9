"""Records that pickle fast: the check cache stores a county's worth of them.

A slotted dataclass pickles through dataclasses' own __getstate__/__setstate__, which look up
the fields again for every object (most of the time of loading the cache). These pickle as
"call the class with the values in field order", which pickle does in C.
"""

from __future__ import annotations

from functools import cache
from operator import attrgetter


@cache
def _values(cls: type) -> attrgetter:
    names = cls.__slots__  # a slotted dataclass: its fields, in order
    if len(names) == 1:
        first = attrgetter(names[0])
        return lambda item: (first(item),)
    return attrgetter(*names)


class Pickled:
    __slots__ = ()

    def __reduce__(self):
        return type(self), _values(type(self))(self)
