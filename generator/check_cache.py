"""What checking the same files found last time: each file's records and problems, and notice hashes.

A county's rebuild after one changed row re-read, re-checked and re-hashed every file and
notice; most of a rebuild's time went there. Each data file's records are cached under a key
made of its bytes, of the village register (every row refers to it), of the settings and of
the generator's code: every rule of validate.py but the cross-record ones (validate_links,
run every time) looks at one row, so a file's records depend on nothing else. A file whose
key is unchanged gives back its records and problems without being read. Every notice is
made from the rows of one village, so each entry also keeps a digest of each village's rows:
a notice gets its hash back when its village's rows in every file it is made from are as
they were, though other villages' rows in the same county-wide file changed. A file's records
are kept in blocks of rows, and a block whose records all stay is not written again. A CSV that
only gained rows at its end (how clerks add records) has only its header and those rows read
(load.read_appended): its entry keeps its length, sha256, encoding and row count to tell, and
the village digests are chained row by row so the new rows carry them on. A finance file's
records are given back as the blocks' bytes (journal.Deferred), unpickled only when one of its
villages' entries is needed. A missing or unreadable entry is made again, so the cache can be
deleted at any time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import operator
import os
import pickle
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd

from . import heap
from .config import Config
from .errors import Problem, Problems
from .fields import code_text
from .journal import Deferred
from .load import RawRow, RawTable, Tables, read_appended
from .notices import Notice
from .reuse import code_digest, output_settings
from .templates import THEME_DIR

log = logging.getLogger(__name__)

# Which record kinds each notice kind is made from (besides the village register).
NOTICE_SOURCES = {
    "finance": ("finance", "finance_periods"),
    "resolution": ("decisions",),
    "outcome": ("decisions",),
    "commitments": ("commitments",),
    "progress": ("commitment_progress", "commitments"),
    "review": ("commitment_reviews",),
}
# The record kinds the cross-record rules (validate_links) compare, within one village.
LINK_SOURCES = ("finance", "finance_periods", "decisions", "commitments", "commitment_progress", "commitment_reviews")
# A file's records are kept in blocks of this many spreadsheet rows: one row added to or
# changed in a county-wide file of 87,000 rows writes one block again, not all (1.1 s).
BLOCK_ROWS = 4096
# The record kinds whose files' records the cache can give back as bytes (journal.Deferred).
DEFERRED_KINDS = ("finance",)
# The form of a file's entry: (_ENTRY, [(block, key)], problems, village digests, row digests,
# (length, sha256, encoding, rows read) of a CSV, for load.read_appended, or None, the villages
# of its records).
_ENTRY = "blocks-3"


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _sha256(path: Path) -> str:
    return _size_and_sha256(path)[1]


def _size_and_sha256(path: Path) -> tuple[int, str]:
    content = path.read_bytes()
    return len(content), hashlib.sha256(content).hexdigest()


def _blocks(records: list) -> dict[int, list]:
    """The records by block of BLOCK_ROWS rows (their spreadsheet row numbers), in order."""
    blocks: dict[int, list] = {}
    for record in records:
        blocks.setdefault((record.where.row or 0) // BLOCK_ROWS, []).append(record)
    return dict(sorted(blocks.items()))


def _joined(blocks: dict[int, tuple[str, list]]) -> list:
    """The records of an entry's blocks (block → (key, records)), in order."""
    return [record for _, records in blocks.values() for record in records]


def village_of(raw: RawRow) -> str:
    """The village a row belongs to, its code read as the parser reads it."""
    return code_text(raw.cells.get("village", ""))


def digests(table: RawTable | None, since: tuple[dict[str, str], dict[str, str]] | None = None
            ) -> tuple[dict[str, str], dict[str, str]]:
    """Village code → digest of that village's rows in the file, in order, twice, from one pass:
    - with the cells as written: where it is unchanged, so are the notices made from them;
    - with row numbers and columns: where it is unchanged, so are the records and problems
      made from those rows.
    Each row's digest is chained to the one before (sha256 of it and the row), so the digests
    of a file's earlier rows (`since`) are carried on by the rows appended to it."""
    cells, numbered = (dict(since[0]), dict(since[1])) if since else ({}, {})
    sha256 = hashlib.sha256
    for raw in table.rows if table else ():
        village = village_of(raw)
        text = "\x1f".join(map(str, raw.cells.values()))
        cells[village] = sha256(f"{cells.get(village, '')}\x1e{text}".encode()).hexdigest()
        text = f"{raw.row}\x1f" + "\x1f".join(f"{key}\x1d{value}" for key, value in raw.cells.items())
        numbered[village] = sha256(f"{numbered.get(village, '')}\x1e{text}".encode()).hexdigest()
    return cells, numbered


class CheckCache:
    """The cache of one data folder's check, in `folder` (one entry per file and key)."""

    def __init__(self, folder: Path, tables: Tables, config: Config):
        self.folder = folder
        register = [[tables.shown(p), _sha256(p)] for p in tables.files_of("villages")]
        self._salt = _digest(code_digest(THEME_DIR), sys.version, pd.__version__, output_settings(config), register)
        self._bytes = {path: _size_and_sha256(path) for kind in tables.kinds() if kind != "villages"
                       for path in tables.files_of(kind)}
        self._file_keys = {kind: {path: _digest(self._salt, kind, tables.shown(path), self._bytes[path][1])
                                  for path in tables.files_of(kind)}
                           for kind in tables.kinds() if kind != "villages"}  # the register is in every key
        self._villages: dict[str, dict[Path, dict[str, str]]] = defaultdict(dict)  # kind → file → village digests
        self._numbered: dict[str, dict[Path, dict[str, str]]] = defaultdict(dict)  # the same with row numbers
        self._shown = {path: tables.shown(path) for keys in self._file_keys.values() for path in keys}
        self._used: set[str] = set()
        self._rows_by_village: dict[str, dict[str, list[str]]] = {}
        self._pair_keys: dict[tuple[str, str], str] | None = None  # made once all files are checked
        self._kept: dict[str, dict[str, tuple[str, str]]] = {}  # notice kind → hashes as last kept
        self._earlier_blocks: dict[tuple[str, Path], dict[int, tuple[str, list]]] = {}  # block → (key, records)
        self.read_again: set[Path] = set()  # files whose records were not in the cache
        self._links_kept = None  # the cross-record problems as last kept
        self._links_keys: dict[str, str] | None = None

    @property
    def hits(self) -> set[str]:
        """The kinds none of whose files had to be read (kinds with files only)."""
        return {kind for kind, keys in self._file_keys.items() if keys and self.read_again.isdisjoint(keys)}

    @classmethod
    def for_config(cls, tables: Tables, config: Config) -> CheckCache | None:
        """None when the settings name no cache folder (a bare Config in tests)."""
        if config.cache_dir is None and config.mkdocs_file is None:
            return None
        return cls(config.cache / "checks", tables, config)

    def _path(self, name: str, key: str) -> Path:
        return self.folder / f"{name}-{key}.pickle"

    def _read_bytes(self, name: str, key: str) -> bytes | None:
        """An entry's bytes, not unpickled: None if missing or cut short (every pickle ends with
        its STOP opcode, "."), so that a damaged entry is made again as _read's would be."""
        try:
            content = self._path(name, key).read_bytes()
        except OSError:
            return None
        return content if content.endswith(b".") else None

    def _read(self, name: str, key: str):
        try:
            with open(self._path(name, key), "rb") as file, heap.kept():
                return pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged entry is made again, never trusted
            log.warning("check cache entry %s unreadable (%s): made again", name, exc)
            return None

    def _write(self, name: str, key: str, value) -> None:
        """Atomically. Best effort: a cache that cannot be written (read-only, disk full) only costs speed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=f".{name}-", delete=False) as file:
                try:
                    pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    os.unlink(file.name)
                    raise
            os.replace(file.name, self._path(name, key))
        except OSError as exc:
            log.warning("check cache entry %s not kept (%s)", name, exc)

    def records(self, kind: str, path: Path, deferred: bool = False, checked_now: bool = False
                ) -> tuple[list | Deferred, list[Problem]] | None:
        """The file's records and problems as the last check of the same bytes found them;
        `deferred`: the records as the cache keeps them, unpickled when first asked for;
        `checked_now`: that check was this one's, by a forked copy of this process."""
        key = self._file_keys[kind][path]
        self._used.add(self._path(kind, key).name)  # kept: read now, or written once the file is checked
        found = self._entry(kind, key, deferred)
        if found is None or checked_now:
            self.read_again.add(path)
        if found is None:
            return None
        blocks, problems, self._villages[kind][path], self._numbered[kind][path], _, villages = found
        self._used.update(self._path(f"block-{kind}", block_key).name for block_key, _ in blocks.values())
        if deferred:
            return Deferred(frozenset(villages), self._shown[path], [blob for _, blob in blocks.values()]), problems
        return _joined(blocks), problems

    def _entry(self, kind: str, key: str, deferred: bool = False
               ) -> tuple[dict[int, tuple[str, list]], list, dict, dict, tuple | None, list[str]] | None:
        """A file's entry with its blocks read (block → (key, records), or (key, bytes) when
        `deferred`); None if any part is missing."""
        found = self._read(kind, key)
        if not (isinstance(found, tuple) and len(found) == 7 and found[0] == _ENTRY):
            return None
        blocks = {}
        for block, block_key in found[1]:
            records = (self._read_bytes if deferred else self._read)(f"block-{kind}", block_key)
            if not isinstance(records, bytes if deferred else list):
                return None
            blocks[block] = (block_key, records)
        return blocks, *found[2:]

    def _pointer(self, kind: str, path: Path) -> Path:
        """Names the entry last kept for the file, whatever its bytes were then."""
        name = hashlib.sha256(str(path.absolute()).encode("utf-8")).hexdigest()[:16]
        return self.folder / f"last-{kind}-{name}.key"

    def _last_entry(self, kind: str, path: Path):
        """The entry of the last check of this file, whatever its bytes were then, or None."""
        try:
            salt, key = self._pointer(kind, path).read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            return None
        if salt != self._salt:  # checked against another register, settings or code: not comparable
            return None
        return self._entry(kind, key)

    def earlier(self, kind: str, path: Path) -> tuple[list, list[Problem], dict[str, str]] | None:
        """The records, problems and row digests of the last check of this file, whose bytes
        have changed since (a county-wide file with one new row): None if there is none."""
        found = self._last_entry(kind, path)
        if found is None:
            return None
        blocks, problems, _, rows, _, _ = found
        self._earlier_blocks[kind, path] = blocks  # its blocks whose records all stay are kept as they are
        return _joined(blocks), problems, rows

    def appended(self, kind: str, path: Path, tables: Tables, problems: Problems
                 ) -> tuple[list, list[Problem], RawTable, tuple[dict[str, str], dict[str, str]]] | None:
        """When the file only gained rows at its end since its last check: that check's records
        and row problems, the new rows (their file's problems of reading go to `problems`),
        and the digests of all its rows. None otherwise: the file is to be read whole."""
        found = self._last_entry(kind, path)
        if found is None or found[4] is None:
            return None
        blocks, old_problems, villages, rows, before, _ = found
        read = Problems()
        tail = read_appended(kind, path, tables.data_dir, read, before)
        if tail is None:
            return None
        problems.items.extend(read.items)
        self._earlier_blocks[kind, path] = blocks
        row_problems = [p for p in old_problems if (p.where.row or 0) > 1]  # not those of its header: read again
        return _joined(blocks), row_problems, tail, digests(tail, (villages, rows))

    def keep_records(self, kind: str, path: Path, records: list, problems: list[Problem],
                     found: tuple[dict[str, str], dict[str, str]], layout: tuple[str, int] | None = None) -> None:
        """What checking the file found (`found`: its digests(); `layout`: its table's), for the
        next check of the same bytes and, through the pointer, for the next check of the file
        after it changes."""
        self._villages[kind][path], rows = found
        self._numbered[kind][path] = rows
        key = self._file_keys[kind][path]
        before = self._earlier_blocks.pop((kind, path), {})
        blocks = []
        for block, block_records in _blocks(records).items():
            block_key, old_records = before.get(block, ("", []))
            if not (len(old_records) == len(block_records) and all(map(operator.is_, old_records, block_records))):
                block_key = _digest(key, block)  # its records are new: named by the file's key, which names its bytes
                self._write(f"block-{kind}", block_key, block_records)
            self._used.add(self._path(f"block-{kind}", block_key).name)
            blocks.append((block, block_key))
        appendable = (*self._bytes[path], *layout) if layout else None  # what read_appended compares with
        villages = sorted({record.village for record in records}) if kind in DEFERRED_KINDS else []  # for Deferred
        self._write(kind, key, (_ENTRY, blocks, problems, self._villages[kind][path], rows, appendable, villages))
        try:
            self._pointer(kind, path).write_text(f"{self._salt} {key}", encoding="utf-8")
        except OSError as exc:
            log.warning("check cache pointer for %s not kept (%s)", path.name, exc)

    def _link_keys(self) -> dict[str, str]:
        """What the cross-record rules see of each village: its rows, with their files and row
        numbers (which messages name), in every file they compare. Made once all files are checked."""
        if self._links_keys is None:
            rows: dict[str, list] = defaultdict(list)
            for kind in LINK_SOURCES:
                for path in self._file_keys.get(kind, {}):
                    for village, digest in self._numbered[kind].get(path, {}).items():
                        rows[village].append([kind, self._shown[path], digest])
            self._links_keys = defaultdict(lambda: _digest(self._salt, "links"),
                                           {village: _digest(self._salt, "links", found) for village, found in rows.items()})
        return self._links_keys

    def link_problems(self, villages: list[str]) -> dict[str, list[Problem]]:
        """The cross-record problems of each village whose rows are all as the last check found them."""
        self._used.add(self._path("links", "all").name)
        kept = self._links_kept = self._read("links", "all")
        if not isinstance(kept, dict):
            return {}
        keys = self._link_keys()
        found = {village: kept.get(village) for village in villages}
        return {village: entry[1] for village, entry in found.items()
                if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == keys[village]}

    def keep_link_problems(self, problems: dict[str, list[Problem]]) -> None:
        """Each village's cross-record problems (every village's), for the next check."""
        keys = self._link_keys()
        kept = {village: (keys[village], found) for village, found in problems.items()}
        if kept != self._links_kept:
            self._write("links", "all", kept)

    def prune(self) -> None:
        """Entries of files this check did not use are removed (edited or deleted files)."""
        pointers = {self._pointer(kind, path).name for kind, keys in self._file_keys.items() for path in keys}
        try:
            for entry in self.folder.glob("*.pickle"):
                if entry.name not in self._used and not (entry.name.startswith("hashes-") and entry.name.endswith("-all.pickle")):
                    entry.unlink(missing_ok=True)
            for pointer in self.folder.glob("last-*.key"):
                if pointer.name not in pointers:
                    pointer.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("check cache not pruned (%s)", exc)

    def _keys_of(self, notices: list[Notice]) -> dict[tuple[str, str], str]:
        """The key of each (notice kind, village) among `notices`: what such a notice is made
        from, its village's rows in each source file. A few thousand keys, not one a notice;
        made once a check (restoring the hashes and keeping them need the same)."""
        if self._pair_keys is None:
            rows: dict[str, dict[str, list[str]]] = {}  # record kind → village → its rows' digests, file by file
            for kind in {kind for sources in NOTICE_SOURCES.values() for kind in sources}:
                rows[kind] = defaultdict(list)
                for path in self._file_keys.get(kind, {}):
                    for village, digest in self._villages[kind].get(path, {}).items():
                        rows[kind][village].append(digest)
            self._rows_by_village, self._pair_keys = rows, {}
        for pair in {(n.kind, n.village.code) for n in notices} - self._pair_keys.keys():
            notice_kind, village = pair
            self._pair_keys[pair] = _digest(self._salt, notice_kind,
                                            [self._rows_by_village[kind].get(village) for kind in NOTICE_SOURCES[notice_kind]])
        return self._pair_keys

    def _hashes(self, notice_kind: str) -> dict[str, tuple[str, str]]:
        """Notice id → (key, hash) as last kept, read once a check."""
        if notice_kind not in self._kept:
            self._kept[notice_kind] = self._read(f"hashes-{notice_kind}", "all") or {}
        return self._kept[notice_kind]

    def restore_hashes(self, notices: list[Notice]) -> None:
        """Give each notice the hash it had when made from the same rows."""
        keys = self._keys_of(notices)
        kept = {notice_kind: self._hashes(notice_kind) for notice_kind in NOTICE_SOURCES}
        restored: set[str] = set()
        for notice in notices:
            found = kept[notice.kind].get(notice.id)
            if found and found[0] == keys[notice.kind, notice.village.code] and not notice.hashed and not notice.corrections:
                notice.remember_hash(found[1])
                restored.add(notice.kind)
        for notice_kind in self._kept.keys() - restored:
            # None restored (the code or settings changed, which changes every key): nothing to
            # hold until keep_hashes, which writes these anew (10 MB at county scale).
            self._kept[notice_kind] = {}

    def keep_hashes(self, notices: list[Notice]) -> None:
        """Record the hashes computed so far (uncorrected notices only: a correction changes it).

        One pass over the notices for every kind (a county's 50,000: a pass a kind took 0.2 s)."""
        keys = self._keys_of(notices)
        known: dict[str, dict[str, tuple[str, str]]] = {notice_kind: {} for notice_kind in NOTICE_SOURCES}
        for n in notices:
            if n.hashed and not n.corrections:
                known[n.kind][n.id] = (keys[n.kind, n.village.code], n.sha256())
        for notice_kind, found in known.items():
            if found and self._hashes(notice_kind) != found:
                self._write(f"hashes-{notice_kind}", "all", found)
                self._kept[notice_kind] = found
