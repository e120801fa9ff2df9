"""The cash journal: finance entries file by file, those from the check cache loaded when needed.

Finance entries are most of a county's records (261,000 of 410,000), and only a finance
notice's content is made of them. A rebuild carries almost every finance notice over by the
hash the check cache kept, so it never shows their entries: a file whose records come from
the cache keeps its records as the cache's bytes (Deferred) until one of its villages'
entries is asked for (that village's cross-record checks, a finance notice made or shown
anew). Unpickling them all was 1 s of a county's 10 s rebuild.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from itertools import chain

from . import heap
from .errors import PublisherError
from .model import Book, Entry, Village, by_book


class Deferred:
    """One file's records as the check cache keeps them (pickled blocks), and the villages they
    belong to; unpickled when first asked for."""

    __slots__ = ("villages", "shown", "_blobs", "_records")

    def __init__(self, villages: frozenset[str], shown: str, blobs: list[bytes]):
        self.villages, self.shown = villages, shown
        self._blobs: list[bytes] | None = blobs
        self._records: list | None = None

    @property
    def loaded(self) -> bool:
        return self._records is not None

    def records(self) -> list:
        if self._records is None:
            try:
                with heap.kept():  # kept to the end of the build, like every other record
                    records = [record for blob in self._blobs for record in pickle.loads(blob)]
            except Exception as exc:  # the bytes were read whole at check time: damaged on disk
                raise PublisherError(f"检查缓存中 {self.shown} 的记录已损坏，无法读取（{exc}）；"
                                     "请删除 .cache/checks 文件夹后重新生成") from exc
            self._records, self._blobs = records, None
        return self._records


class Journal:
    """Every finance file's entries, in the order of the files and their rows."""

    def __init__(self, parts: Iterable[list[Entry] | Deferred] = ()):
        self._parts = list(parts)
        self._grouped: dict[int, dict[str, list[Entry]]] = {}  # part number → its entries by village

    def add(self, part: list[Entry] | Deferred) -> None:
        self._parts.append(part)

    def _entries(self, load: bool) -> Iterator[Entry]:
        """The entries of every loaded file, and with `load` of the others too."""
        for part in self._parts:
            if not isinstance(part, Deferred):
                yield from part
            elif load or part.loaded:
                yield from part.records()

    def __iter__(self) -> Iterator[Entry]:
        return self._entries(load=True)

    def __len__(self) -> int:
        return sum(len(part.records() if isinstance(part, Deferred) else part) for part in self._parts)

    def __eq__(self, other) -> bool:
        """The same entries in the same order (every file loaded to compare)."""
        if not isinstance(other, (Journal, list)):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None

    def loaded(self) -> Iterator[Entry]:
        """The entries of the files loaded so far (every file not from the cache is)."""
        return self._entries(load=False)

    def deferred_villages(self) -> set[str]:
        """The villages with entries in a file not loaded yet."""
        return {code for part in self._parts if isinstance(part, Deferred) and not part.loaded for code in part.villages}

    def of_village(self, village: str) -> Iterator[Entry]:
        """The village's entries in order. Only the files that hold any are loaded, and each
        file is grouped by village once: asked for village after village (every finance
        notice made anew), scanning every loaded file each time was quadratic (30 s a county)."""
        for number, part in enumerate(self._parts):
            if isinstance(part, Deferred) and not part.loaded and village not in part.villages:
                continue
            grouped = self._grouped.get(number)
            if grouped is None:
                grouped = self._grouped[number] = {}
                for entry in (part.records() if isinstance(part, Deferred) else part):
                    grouped.setdefault(entry.village, []).append(entry)
            yield from grouped.get(village, ())


def of_villages(entries: Iterable[Entry], villages: set[str]) -> Iterable[Entry]:
    """The entries a check of these villages needs, each village's in order: a Journal loads
    only their files."""
    if isinstance(entries, Journal):
        return chain.from_iterable(map(entries.of_village, sorted(villages)))
    return entries


def _date_and_voucher(entry: Entry) -> tuple:
    return entry.date, entry.voucher


class Books:
    """Each book's entries by date, then voucher, as a finance notice shows them. A village with
    entries in a file not loaded yet has its books grouped when one of them is first asked for."""

    def __init__(self, entries: Iterable[Entry], villages: dict[str, Village]):
        self._entries, self._villages = entries, villages
        journal = isinstance(entries, Journal)
        self._later = entries.deferred_villages() if journal else set()
        loaded = entries.loaded() if journal else entries
        later = self._later
        self._books = by_book((entry for entry in loaded if entry.village not in later), villages)

    def entries(self, book: Book) -> tuple[Entry, ...]:
        """The book's entries; asked for once a book (its notice keeps them), so they are not held twice."""
        village = book[0]
        if village in self._later:
            self._later.discard(village)
            self._books.update(by_book(self._entries.of_village(village), self._villages))
        return tuple(sorted(self._books.pop(book, ()), key=_date_and_voucher))
