"""Putting the built site in place, and the manifest that lists what was published.

The site is built in a sibling folder, so a failed build leaves the previously published
site exactly as it was. A whole new site is swapped in with one rename. A rebuild on a
published site holds only the files that change (paths.overlay); when those are few, they
are moved into the site one by one, the manifest last, after a journal naming them was
written: a build killed while moving (a few milliseconds) is finished by the next command
that reads the site. When they are many, the stage is filled with the unchanged files and
swapped in, so readers never see a mix for long.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import fcntl
import hashlib
import itertools
import json
import logging
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import jsontext, paths, sitemap
from .history import HISTORY_DIR, MANIFEST, Previous
from .notices import Notice
from .reuse import Reuse

CHECKSUMS = "checksums.json"

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one step
# Changed files moved into the site in place at most; more are swapped in as a whole new site.
# Moving one takes about 20 µs here, so a reader may meet a mix of old and new for at most
# about a tenth of a second. A one-record rebuild of a county moves about 60.
IN_PLACE_MAX = 5000


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


_REPLACED = itertools.count()  # names each replaced site uniquely, even for builds in one process


def swap_in(stage: Path, site: Path) -> None:
    """Make `stage` the site; the old site, if any, is removed only after the swap."""
    if not site.exists():
        stage.rename(site)
        return
    old = site.with_name(f".{site.name}.old-{os.getpid()}-{next(_REPLACED)}")
    if _exchange(stage, site):
        stage.rename(old)  # stage now holds the old site
    else:
        site.rename(old)
        stage.rename(site)
    _remove_later(old)


def _remove_later(old: Path) -> None:
    """Delete the replaced site in a process of its own: the new site is live already, and
    at county scale unlinking 200,000 files takes about 20 s. A removal that does not finish
    is finished by the next build (see `staging`)."""
    try:
        subprocess.Popen(["rm", "-rf", "--", str(old)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _locked(site: Path) -> Iterator[None]:
    """One build of a site at a time; a second one waits for the first."""
    with open(site.with_name(f".{site.name}.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def staging(site: Path) -> Iterator[Path]:
    """A fresh folder beside `site` to build into; swapped in on success, removed on failure."""
    site = site.absolute()
    site.parent.mkdir(parents=True, exist_ok=True)
    with _locked(site):
        _roll_forward(site)
        # Holding the lock, anything left by a build that was killed is garbage.
        for stale in site.parent.glob(f".{site.name}.building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in site.parent.glob(f".{site.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = site.with_name(f".{site.name}.building-{os.getpid()}")
        stage.mkdir()
        paths.forget(stage)
        try:
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        _put_in_place(stage, site)


def _put_in_place(stage: Path, site: Path) -> None:
    if paths.is_overlay(stage):
        moved, removed = paths.changes(stage)
        if len(moved) + len(removed) <= IN_PLACE_MAX and site.is_dir() and _fits(site, moved):
            _move_in(stage, site, moved, removed)
            return
        paths.fill(stage)
    swap_in(stage, site)


def _fits(site: Path, moved: list[str]) -> bool:
    """Each file's place in the site is free or a plain file, under real folders (or none yet)."""
    top, folders = str(site), set()
    for relative in moved:
        path = top
        for part in relative.split("/")[:-1]:
            path = os.path.join(path, part)
            if path in folders:
                continue
            try:
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    return False
            except FileNotFoundError:
                break  # made when the file is moved
            folders.add(path)
        else:
            try:
                if not stat.S_ISREG(os.lstat(os.path.join(top, relative)).st_mode):
                    return False
            except FileNotFoundError:
                pass
    return True


def _journal(site: Path) -> Path:
    return site.with_name(f".{site.name}.moving.json")


def _move_in(stage: Path, site: Path, moved: list[str], removed: list[str]) -> None:
    """Move the changed files into the site, the manifest and its checksums last."""
    last = [name for name in (CHECKSUMS, MANIFEST) if name in moved]
    order = sorted(name for name in moved if name not in last) + last
    journal = _journal(site)
    partial = journal.with_suffix(".tmp")
    partial.write_text(json.dumps({"stage": stage.name, "moved": order, "removed": removed}), encoding="utf-8")
    partial.replace(journal)  # from here on the move is finished even if this build is killed
    _roll_forward(site)
    log.info("moved %d changed files into the site, removed %d", len(order), len(removed))


def _roll_forward(site: Path) -> None:
    """Finish a move into the site that its journal names (called holding the site's lock)."""
    journal = _journal(site)
    if not journal.exists():
        return
    plan = json.loads(journal.read_text(encoding="utf-8"))
    stage = site.with_name(plan["stage"])
    paths.forget(site)  # its folders may have changed since this process last made any
    for relative in plan["moved"]:
        source = paths.joined(stage, relative)
        try:
            os.replace(source, paths.prepared(site, relative))
        except FileNotFoundError:
            if os.path.lexists(source):
                raise
            # moved already, before the build that wrote the journal was killed
    for relative in plan["removed"]:
        target = paths.safe_join(site, relative)
        target.unlink(missing_ok=True)
        for folder in target.parents:  # folders left empty go too
            if folder == site or not _removed_if_empty(folder):
                break
    journal.unlink()
    shutil.rmtree(stage, ignore_errors=True)


def _removed_if_empty(folder: Path) -> bool:
    try:
        folder.rmdir()
    except OSError:
        return False
    return True


def interrupted(site: Path) -> bool:
    """A build was killed while moving its files into the site: it is a mix until finished."""
    return _journal(site.absolute()).exists()


def finish_interrupted(site: Path) -> None:
    """Finish a move into the site that a killed build left half done, before the site is read."""
    site = site.absolute()
    if interrupted(site):
        with _locked(site):
            _roll_forward(site)


def _entry(notice: Notice) -> dict:
    entry = {
        "id": notice.id, "kind": notice.kind, "village": notice.village.code, "group": notice.group,
        "title": notice.title, "date": notice.date.isoformat(), "window_end": notice.window_end.isoformat(),
        "url": notice.url, "pdf": notice.pdf, "data": notice.data, "sha256": notice.sha256(),
    }
    if notice.corrections:
        entry["version"] = notice.version
        entry["corrections"] = [{"date": c.date.isoformat(), "reason": c.reason} for c in notice.corrections]
    return entry


def _entries(notices: list[Notice], published: bytes | None, carry: Reuse | None) -> Iterator:
    """Each notice's entry, made as the manifest is written. A notice whose downloads were
    carried over has the content, hence the entry, it had, and the published manifest
    (`published`, as the last build wrote it) was written by this same code, or nothing
    would be carried: runs of such entries are copied from there, once seen to name the
    same notices with the same hashes."""
    start = published.find(b'\n "notices": [') if published and carry else -1
    if start < 0:
        yield from map(_entry, notices)
        return
    listing = jsontext.PublishedList(published, "id", start, published.find(b'\n "superseded": ', start))

    def copy(run: list[Notice]) -> jsontext.Written | None:
        return listing.run(run[0].id, run[-1].id, len(run), (f'"sha256": "{n.sha256()}"'.encode() for n in run))

    yield from jsontext.in_runs(notices, lambda notice: carry.was_carried("data:" + notice.id), copy,
                                lambda notice: [_entry(notice)])


def manifest(listed: jsontext.Written, as_of: dt.date, superseded: list[dict] | None = None,
             checksums: str | None = None, previous: str | None = None) -> dict:
    """The manifest's members; its notices' entries are `listed` already (write_listing)."""
    return {
        "generated_as_of": as_of.isoformat(),
        "previous": previous,  # sha256 of the manifest published before this one: the chain
        "checksums": checksums,  # sha256 of checksums.json, which hashes every other file
        "notices": listed,
        "superseded": superseded or [],  # corrected versions, still reachable and marked 已更正
    }


def _listed(relative: str) -> bool:
    """Whether checksums.json lists the file: all but the manifests themselves."""
    return relative not in (MANIFEST, CHECKSUMS) and not relative.startswith(HISTORY_DIR + "/")


def checksums(stage: Path, published: bytes | None = None) -> bytes:
    """sha256 of every file of the site but the manifests themselves, as JSON.

    Every file was written, linked or adopted (MkDocs' output) through `paths`, which
    hashed it on the way: none is read again, and the site is not walked. `published`: the
    published checksums.json as the last build wrote it, when the stage is an overlay on that
    site; it is then edited where files were made anew or removed, the others being the
    published files with the bytes that build recorded.
    """
    done = paths.written(stage)
    rewritten = paths.rewritten(stage)
    if published is not None and rewritten is not None:
        edits: dict[str, str | None] = {relative: None for relative in paths.removed(stage) if _listed(relative)}
        edits.update((relative, done[relative][0]) for relative in rewritten if relative in done and _listed(relative))
        edited = jsontext.flat_object_edited(published, edits)
        if edited is not None:
            return edited
    # The names are sorted, not (name, hash) pairs: tuples compare slowly (0.53 against 0.89 s
    # for a county's 208,000 files).
    names = sorted(filter(_listed, done))
    return jsontext.flat_object(names, [done[relative][0] for relative in names])


def _chain(stage: Path, body: dict, previous: Previous | None, raw: bytes | None) -> list[bytearray]:
    """The manifest's text in parts (jsontext.member_texts), its previous pointer set; the
    older manifests copied into manifests/.

    A rebuild that publishes exactly what the previous manifest says adds no link, so
    building the same data twice gives the same bytes: that is, when this manifest with the
    previous one's pointer would have the previous one's very bytes (`raw`).
    """
    if previous is None or previous.manifest is None:
        return jsontext.member_texts(body, 1)
    position = list(body).index("previous")
    parts = jsontext.member_texts({**body, "previous": previous.manifest.get("previous")}, 1)
    if previous.folder is not None and (previous.folder / HISTORY_DIR).is_dir():
        for path in sorted((previous.folder / HISTORY_DIR).glob("*.json")):
            # Named by their sha256 and never changed (27 MB each at county scale): not read
            # again when the record of the last build has them as they are.
            relative = f"{HISTORY_DIR}/{path.name}"
            if not paths.same_as_published(stage, relative, path.stem, path.stat().st_size):
                paths.write_bytes(stage, relative, path.read_bytes())
    if not _same_bytes(parts, raw):
        parts[1 + position] = jsontext.member_text(position, "previous", previous.sha256, 1)
        _archive(stage, previous, raw)
    return parts


def _archive(stage: Path, previous: Previous, raw: bytes) -> None:
    """The replaced manifest kept as manifests/<its sha256>.json: the published file itself,
    hard-linked, when it still has exactly those bytes (27 MB not written again at county
    scale, 0.4 s a rebuild), else written."""
    relative = f"{HISTORY_DIR}/{previous.sha256}.json"
    if previous.path is not None:
        try:
            info = os.stat(previous.path)
        except OSError:
            info = None
        if info is not None and paths.link(stage, relative, previous.path, previous.sha256, info.st_size, info.st_mtime_ns):
            if hashlib.sha256(paths.located(stage, relative).read_bytes()).hexdigest() == previous.sha256:
                return
    paths.write_bytes(stage, relative, raw)  # (over a link to a file changed meanwhile)


def _same_bytes(parts: list[bytearray], raw: bytes | None) -> bool:
    """Whether the parts joined are `raw` (compared in place, not joined)."""
    if raw is None or sum(map(len, parts)) != len(raw):
        return False
    at = 0
    for part in parts:
        if not raw.startswith(part, at):
            return False
        at += len(part)
    return True


@dataclass
class Listing:
    """What the site lists that no search bundle changes: the sitemap, written, and the
    manifest's notices, as text (with the previous manifest's bytes they may be copied from)."""

    notices: jsontext.Written
    previous_bytes: bytes | None


def write_listing(stage: Path, notices: list[Notice], site_url: str = "", previous: Previous | None = None,
                  carry: Reuse | None = None) -> Listing:
    """The sitemap and the manifest's notices, once every page is written (archived ones too).

    A rebuild that indexes one township makes them while Pagefind does (0.2-0.3 s of waiting
    for it at county scale); a full build after its bundles, not holding the text (27 MB at
    county scale) beside two Pagefind services at their peak."""
    sitemap.write(stage, site_url, carry.published_bytes(sitemap.FILE) if carry is not None else None)
    raw = previous.exact_bytes() if previous is not None else None
    # Entries are copied only from the manifest as the last build wrote it, not edited since.
    copied = raw if raw and carry is not None and carry.has_published(MANIFEST, previous.sha256) else None
    return Listing(jsontext.member_value(jsontext.streamed(_entries(notices, copied, carry)), 1), raw)


def write_manifest(stage: Path, listing: Listing, as_of: dt.date, superseded: list[dict] | None = None,
                   previous: Previous | None = None, carry: Reuse | None = None) -> str:
    """checksums.json and manifest.json chained to the previous one, after the sitemap and the
    notices' entries (`listing`). Written last.

    Returns the sha256 of checksums.json, which the manifest names.
    """
    sums = checksums(stage, carry.published_bytes(CHECKSUMS) if carry is not None else None)
    paths.write_bytes(stage, CHECKSUMS, sums)
    digest = hashlib.sha256(sums).hexdigest()
    body = manifest(listing.notices, as_of, superseded, digest)
    parts = _chain(stage, body, previous, listing.previous_bytes)  # dicts freed before the join
    paths.write_bytes(stage, MANIFEST, b"".join(parts))
    return digest
