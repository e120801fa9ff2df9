"""What checking the same files found last time: each kind's records and problems, and notice hashes.

A county's rebuild after one changed row re-read, re-checked and re-hashed every file and
notice; most of a rebuild's time went there. Each record kind is cached under a key made of
the bytes of its files, of the village register (every row refers to it), of the settings
and of the generator's code. A kind whose key is unchanged gets its records and problems
back without reading its files; a notice made only from such kinds gets its hash back.
A missing or unreadable entry is made again, so the cache can be deleted at any time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pickle
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd

from .config import Config
from .errors import Problem
from .load import Tables
from .notices import Notice
from .reuse import code_digest
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


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _files_digest(tables: Tables, kind: str) -> list[list[str]]:
    return [[shown, hashlib.sha256(content).hexdigest()] for shown, content in tables.contents(kind)]


class CheckCache:
    """The cache of one data folder's check, in `folder` (one file per kind and key)."""

    def __init__(self, folder: Path, tables: Tables, config: Config):
        self.folder = folder
        # Workers and the cache folder change where things are made, never what (as in reuse).
        settings = repr(dataclasses.replace(config, pdf_workers=1, cache_dir=None))
        salt = _digest(code_digest(THEME_DIR), sys.version, pd.__version__, settings,
                       _files_digest(tables, "villages"))
        self._keys = {kind: _digest(salt, kind, _files_digest(tables, kind)) for kind in tables.kinds()}
        self.hits: set[str] = set()

    @classmethod
    def for_config(cls, tables: Tables, config: Config) -> CheckCache | None:
        """None when the settings name no cache folder (a bare Config in tests)."""
        if config.cache_dir is None and config.mkdocs_file is None:
            return None
        return cls(config.cache / "checks", tables, config)

    def _path(self, name: str, key: str) -> Path:
        return self.folder / f"{name}-{key}.pickle"

    def _read(self, name: str, key: str):
        try:
            with open(self._path(name, key), "rb") as file:
                return pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged entry is made again, never trusted
            log.warning("check cache entry %s unreadable (%s): made again", name, exc)
            return None

    def _write(self, name: str, key: str, value) -> None:
        """Atomically, and the kind's older entries are removed: one entry per kind is kept.

        Best effort: a cache that cannot be written (read-only, disk full) only costs speed.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=f".{name}-", delete=False) as file:
                try:
                    pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    os.unlink(file.name)
                    raise
            os.replace(file.name, self._path(name, key))
            for old in self.folder.glob(f"{name}-*.pickle"):
                if old.name != self._path(name, key).name:
                    old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("check cache entry %s not kept (%s)", name, exc)

    def records(self, kind: str) -> tuple[object, list[Problem]] | None:
        """The kind's records and problems as the last check of the same files found them."""
        found = self._read(kind, self._keys[kind])
        if found is not None:
            self.hits.add(kind)
        return found

    def keep_records(self, kind: str, records: object, problems: list[Problem]) -> None:
        if kind not in self.hits:
            self._write(kind, self._keys[kind], (records, problems))

    def _notice_key(self, notice_kind: str) -> str:
        return _digest(notice_kind, [self._keys[kind] for kind in NOTICE_SOURCES[notice_kind]])

    def restore_hashes(self, notices: list[Notice]) -> int:
        """Give each notice the hash it had when made from the same records; how many got one."""
        by_kind: dict[str, list[Notice]] = defaultdict(list)
        for notice in notices:
            by_kind[notice.kind].append(notice)
        restored = 0
        for notice_kind, group in by_kind.items():
            known = self._read(f"hashes-{notice_kind}", self._notice_key(notice_kind)) or {}
            for notice in group:
                if notice.id in known and not notice.hashed and not notice.corrections:
                    notice.remember_hash(known[notice.id])
                    restored += 1
        return restored

    def keep_hashes(self, notices: list[Notice]) -> None:
        """Record the hashes computed so far (uncorrected notices only: a correction changes it)."""
        for notice_kind in NOTICE_SOURCES:
            known = {n.id: n.sha256() for n in notices if n.kind == notice_kind and n.hashed and not n.corrections}
            key = self._notice_key(notice_kind)
            if known and self._read(f"hashes-{notice_kind}", key) != known:
                self._write(f"hashes-{notice_kind}", key, known)
