"""Incremental builds: outputs whose inputs did not change are carried over from the published site.

Every reusable output (a notice page, a notice's downloads or PDF, a village's hub pages, a feed, a
shard of the verification codes, a township's search bundle) is a *unit* with a key: a hash of everything it is made from
(a notice's downloads: its content hash itself). The code, templates, settings and page shell that
make the units are the record's salt: units recorded under another are not read, so none is carried
(read_record). After a build, each unit's key and files
are recorded in the cache folder, with every file's sha256, size and mtime. The next build
leaves a unit's files where they are in the published site instead of making them again when
the key is the same and every file still has the recorded size and mtime (a file edited on the
server is made again): the build folder is an overlay that holds only what changes
(paths.overlay), which publishing moves into the site. A record is trusted only for the site it was written for: its checksums digest
must be the published manifest's. Without a record everything is made, and the bytes are the
same either way.

Files outside units (home and township pages, search bundles made again) are still
compared with the record when written: one with the published bytes is kept, not written, so
the files made anew are those whose bytes change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import marshal
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from importlib.metadata import version
from itertools import chain
from operator import itemgetter
from pathlib import Path

from . import build_record, heap, jsontext, paths, site_scan
from .config import Config
from .history import Previous
from .templates import THEME_DIR

log = logging.getLogger(__name__)

RECORD_VERSION = 3
_PACKAGE = Path(__file__).resolve().parent


@cache
def _code_read() -> bytes:
    """The generator's code, read once: an edit takes effect in the next process, not in this one."""
    return b"".join(path.name.encode() + b"\0" + path.read_bytes() + b"\0" for path in sorted(_PACKAGE.glob("*.py")))


def code_digest(theme: Path) -> str:
    """The generator's code and the theme's templates: a change in either remakes everything.

    The templates are read on every call, as each build reads them again (templates.read_afresh):
    a template edited while `serve` runs shows in the next build, and nothing made with the old
    one is carried over under the new one's key.
    """
    digest = hashlib.sha256(_code_read())
    for path in sorted(p for p in theme.rglob("*") if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _libraries() -> str:
    """Versions of the libraries that write pages and feeds: an upgrade may change their bytes.

    (MkDocs and Material are in the page shell; Pagefind and WeasyPrint key their own units.)
    """
    return repr([(name, version(name)) for name in ("jinja2", "markupsafe", "feedgen")])


def output_settings(config: Config) -> str:
    """The settings that decide what is made: workers and the cache folder change only where."""
    return repr(dataclasses.replace(config, pdf_workers=1, cache_dir=None))


def record_file(config: Config, site: Path) -> Path:
    """Where the record of the site at `site` is kept (one per site folder)."""
    name = hashlib.sha256(str(site.absolute()).encode("utf-8")).hexdigest()[:16]
    return config.cache / "builds" / f"{name}.record"


class Reuse:
    """What the last build made, and what this build carries over or makes."""

    def __init__(self, site: Path, stage: Path, record: dict | None, salt: str,
                 not_intact: set[str] | Callable[[], set[str] | None] | None = None):
        self.stage, self.salt = stage, salt
        # The recorded files site_scan found changed or gone (None: lstat each), or the call that
        # waits for its answer: asked when a unit is first carried, so that a rebuild keys its
        # pages while the scan still runs on the other core (it outlasted the check by up to 0.9 s).
        self._scan_answer = not_intact
        self._unsafe: set[str] | None = None  # made from that answer (_unsafe_files)
        self.site = str(site)  # joined as strings: hundreds of thousands of files at county scale
        self._before_units: dict[str, list] = (record or {}).get("units", {})
        self._before_files: dict[str, list] = (record or {}).get("files", {})
        self.units: dict[str, list] = {}
        self._carried: set[str] = set()
        self.made = 0

    @classmethod
    def nothing(cls, stage: Path) -> Reuse:
        """No record: every unit is made (tests and one-off renders)."""
        return cls(stage, stage, None, "")

    @property
    def can_carry(self) -> bool:
        """Whether any unit may be carried over: there is a record, keyed as this build keys."""
        return bool(self._before_units)

    def key(self, *inputs) -> str:
        text = jsontext.compact_sorted([self.salt, *inputs])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def carry(self, unit: str, key: str) -> bool:
        """Carry the unit's files over from the published site when its key is unchanged (left
        where they are under an overlay, else hard-linked)."""
        before = self._before_units.get(unit)
        if before is None or before[0] != key or not self._intact(before[1]):
            return False
        if paths.is_overlay(self.stage):  # the files stay where they are: recorded in one call
            paths.keep(self.stage, [(relative, self._before_files[relative]) for relative in before[1]])
        else:
            for relative in before[1]:
                sha256, size, mtime_ns = self._before_files[relative]  # just checked by _intact
                if not paths.link(self.stage, relative, os.path.join(self.site, relative), sha256, size, mtime_ns):
                    return False  # e.g. another file system: the caller makes the unit instead
        self.units[unit] = before
        self._carried.add(unit)
        return True

    def carry_each(self, wanted: list[tuple[str, str]]) -> list[int]:
        """carry(unit, key) for each pair in turn; the positions of those not carried.

        The same, a county's 50,000 notice pages or downloads at a time: under an overlay, the
        files of the units carried are recorded together at the end (carry() one by one took
        1 s of a 50k rebuild)."""
        if not paths.is_overlay(self.stage):
            return [at for at, (unit, key) in enumerate(wanted) if not self.carry(unit, key)]
        before_units, units, carried, intact = self._before_units, self.units, self._carried, self._intact
        missed, kept = [], []
        for at, (unit, key) in enumerate(wanted):
            before = before_units.get(unit)
            if before is None or before[0] != key or not intact(before[1]):
                missed.append(at)
                continue
            units[unit] = before
            carried.add(unit)
            kept.extend(before[1])
        paths.keep(self.stage, [(relative, self._before_files[relative]) for relative in kept])
        return missed

    def carry_as_before(self, units: list[str]) -> list[int]:
        """Carry each unit under the key it was recorded with: the caller vouches that what makes
        them is unchanged (a group of them whose own key is: a village's notice pages). The
        positions of those not carried (not recorded, or a file changed)."""
        before_units = self._before_units
        return self.carry_each([(unit, before_units[unit][0] if unit in before_units else "") for unit in units])

    @property
    def carried(self) -> int:
        return len(self._carried)

    def was_carried(self, unit: str) -> bool:
        """Whether the unit's files are the published ones, carried over by this build."""
        return unit in self._carried

    def published_bytes(self, relative: str) -> bytes | None:
        """The published file's bytes, when they are exactly what the last build recorded."""
        recorded = self._before_files.get(relative)
        try:
            content = Path(self.site, relative).read_bytes() if recorded else None
        except OSError:
            return None
        return content if content is not None and hashlib.sha256(content).hexdigest() == recorded[0] else None

    def has_published(self, relative: str, sha256: str) -> bool:
        """Whether the last build recorded the published file at `relative` with this sha256
        (a file not in any unit: those are forgotten once carried_all)."""
        recorded = self._before_files.get(relative)
        return recorded is not None and recorded[0] == sha256

    def carried_all(self, narrow: bool = True) -> None:
        """No more units are carried: the last build's units go (44 MB
        at county scale, freed before Pagefind indexes beside the build). When `narrow`, so do
        the records of the files of this build's units, made or carried: none is written again.
        Only the other files' stay, for same_file: the search bundles and manifests
        still to come, and MkDocs' files that may be written again (after a code change, which
        makes every unit anew, 14 of a county's 49 MB of records stay: the search bundles').
        Narrowing takes a county's 208,000 records one by one (0.3 s): worth it only before
        Pagefind's peak, not in a rebuild that indexes one township."""
        self._before_units = {}
        if not (narrow and self._before_files):  # no record (a full build): nothing to narrow
            return
        final = {relative for _, files in self.units.values() for relative in files}
        done = paths.written(self.stage)
        left = {relative: recorded for relative, recorded in self._before_files.items() if relative not in final}
        published = [relative for relative in self._before_files if relative not in done]
        # Copied afresh: the table was loaded at once, and the entries left in it would each
        # keep the memory around them from being given back.
        with heap.kept():
            self._before_files, published = marshal.loads(marshal.dumps((left, published)))
        paths.published_left(self.stage, published)

    def _unsafe_files(self) -> set[str] | None:
        """The files no unit may be carried with: those site_scan found changed or gone, and those
        the record does not list (_unrecorded); None when there is no scan: each file is lstat'ed.
        The scan's answer is asked for (waited for) here, once."""
        if self._scan_answer is not None:
            found = self._scan_answer() if callable(self._scan_answer) else self._scan_answer
            self._scan_answer = None
            self._unsafe = None if found is None else found | self._unrecorded()
        return self._unsafe

    def _intact(self, files: list[str]) -> bool:
        unsafe = self._unsafe_files()
        if unsafe is not None:
            return unsafe.isdisjoint(files)
        for relative in files:
            recorded = self._before_files.get(relative)
            try:
                info = os.lstat(os.path.join(self.site, relative))
            except OSError:
                return False
            if recorded is None or not stat.S_ISREG(info.st_mode) or (info.st_size, info.st_mtime_ns) != recorded[1:]:
                return False
        return True

    def _unrecorded(self) -> set[str]:
        """The files the last build's units name that its record has no entry for: none in a
        record this code wrote (record() leaves such units out), so no unit is carried with
        one. Found once, in a pass over 208,000 names at county scale, instead of a look-up
        a file for each of 100,000 units carried (0.15 s)."""
        named = set(chain.from_iterable(map(itemgetter(1), self._before_units.values())))
        return named.difference(self._before_files.keys())

    def same_file(self, relative: str, sha256: str, size: int) -> tuple[str, int] | None:
        """The published file at `relative` and its mtime, if it has exactly these bytes."""
        recorded = self._before_files.get(relative)
        if recorded is None or recorded[0] != sha256 or recorded[1] != size or not self._intact([relative]):
            return None
        return os.path.join(self.site, relative), recorded[2]

    def made_unit(self, unit: str, key: str, files: list[str]) -> None:
        self.units[unit] = [key, sorted(files)]
        self.made += 1

    def snapshot(self) -> tuple:
        """What this build made and carried so far, for `since` in a forked copy of it."""
        return dict(self.units), set(self._carried), self.made

    def since(self, before: tuple) -> tuple:
        """The units this process made or carried after `before` (its snapshot), for `take_in`."""
        units, carried, made = before
        return ({unit: value for unit, value in self.units.items() if units.get(unit) != value},
                self._carried - carried, self.made - made)

    def take_in(self, changes: tuple) -> None:
        """The units a forked copy of this build made or carried (`since`), as if made here."""
        units, carried, made = changes
        self.units.update(units)
        self._carried |= carried
        self.made += made

    def key_of(self, unit: str) -> str:
        """The key this build gave the unit ("" if it keyed none: a build without a record)."""
        return self.units.get(unit, [""])[0]

    def record(self, checksums_digest: str) -> dict:
        files = dict(paths.written(self.stage))  # (sha256, size, mtime_ns) tuples, kept as tuples by marshal
        units = self.units
        if not all(map(files.__contains__, chain.from_iterable(map(itemgetter(1), units.values())))):
            # A unit some of whose files are missing (not in a normal build): unit by unit only
            # then, which took 0.16 s of a county's rebuild, where this first check takes 0.04 s
            units = {u: v for u, v in units.items() if all(f in files for f in v[1])}
        return {"version": RECORD_VERSION, "checksums": checksums_digest, "salt": self.salt, "units": units, "files": files}


@contextmanager
def scanning(config: Config, site: Path) -> Iterator[site_scan.SiteScan | None]:
    """The site's files listed while the build goes on, when there is a record to check them against."""
    if not (site.is_dir() and record_file(config, site).is_file()):
        yield None
        return
    scan = site_scan.SiteScan(site, record_file(config, site))
    try:
        yield scan
    finally:
        scan.close()


def start(config: Config, site: Path, stage: Path, previous: Previous, shell_html: str = "",
          scan: site_scan.SiteScan | None = None) -> Reuse:
    """A Reuse for this build: the record is used only if it describes the published site."""
    salt = hashlib.sha256((code_digest(THEME_DIR) + output_settings(config) + _libraries() + shell_html)
                          .encode("utf-8")).hexdigest()
    record = None
    path = record_file(config, site)
    published = (previous.manifest or {}).get("checksums")
    if published and previous.folder is not None and previous.folder.resolve() == site.resolve():
        record = read_record(path, salt)
        if record is not None and record.get("checksums") != published:
            record = None
    if record is None:
        log.info("no record of the published site: every file is made")
    carry = Reuse(site, stage, record, salt, partial(scan.not_intact, record["checksums"]) if scan and record is not None else None)
    if record is not None:
        if os.stat(stage).st_dev == os.stat(site).st_dev:  # moved into it later, which needs one file system
            paths.overlay(stage, carry.site, record["files"].keys())
        paths.prefer_links(stage, carry.same_file)
    return carry


def read_record(path: Path, salt: str | None = None) -> dict | None:
    """The record at `path`, or None. Kept with marshal: the record lists every file of the site
    (50 MB at county scale), which marshal writes in 0.07 s where json took 0.6 s; a record
    from another Python version that marshal cannot read only costs one full build.

    It is kept in three sections (build_record): its head, its files, its units. The units are
    read only when `salt` is None or the one they were keyed with: after the code, templates or
    settings change, none can be carried over, and their table (44 MB at county scale) is
    not loaded beside everything being made anew. The files still serve then: a file made
    with the bytes it had is kept, not written.
    """
    try:
        view = memoryview(path.read_bytes())
    except OSError:
        return None
    with heap.kept():  # a county's files and units: 208,000 entries each, kept to the end
        return _sections_read(view, salt)


def _sections_read(view: memoryview, salt: str | None) -> dict | None:
    try:
        record, files, units_start = build_record.head_and_files(view)
        if record.get("version") != RECORD_VERSION:
            return None
        record["files"] = files
        record["units"] = build_record.units(view, units_start) if salt is None or record.get("salt") == salt else {}
    except (ValueError, EOFError, TypeError):
        return None
    return record


def save(config: Config, site: Path, reuse: Reuse, checksums_digest: str) -> None:
    """Keep the record for the next build; written only after the new site is in place."""
    path = record_file(config, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".tmp-{os.getpid()}")
    partial.write_bytes(build_record.sections(reuse.record(checksums_digest)))
    partial.replace(path)
    path.with_suffix(".site").write_text(str(site.absolute()), encoding="utf-8")
    _forget_removed_sites(path.parent)
    log.info("incremental: %d units carried over, %d made", reuse.carried, reuse.made)


def _forget_removed_sites(folder: Path) -> None:
    """Records of site folders that are gone (moved, deleted, a test's) are deleted with them.

    Each record names its site in a small file beside it, so this reads none of the records
    (tens of MB each at county scale). Best effort: a record left behind only takes space.
    """
    for named in folder.glob("*.site"):
        try:
            if not Path(named.read_text(encoding="utf-8")).is_dir():
                named.with_suffix(".record").unlink(missing_ok=True)
                named.with_suffix(".json").unlink(missing_ok=True)  # as records were kept before
                named.unlink()
        except OSError as exc:
            log.warning("build record %s not checked (%s)", named.name, exc)
