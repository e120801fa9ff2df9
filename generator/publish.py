"""Putting the built site in place atomically, and the manifest that lists what was published.

The site is built in a sibling folder and swapped in with one rename, so a failed or
killed build leaves the previously published site exactly as it was.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape

from . import paths
from .notices import Notice

log = logging.getLogger(__name__)

_RENAME_EXCHANGE = 2  # linux/fs.h: swap two paths in one step


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


def swap_in(stage: Path, site: Path) -> None:
    """Make `stage` the site; the old site, if any, is removed only after the swap."""
    if not site.exists():
        stage.rename(site)
        return
    if _exchange(stage, site):
        shutil.rmtree(stage)  # stage now holds the old site
        return
    old = site.with_name(f".{site.name}.old-{os.getpid()}")
    site.rename(old)
    stage.rename(site)
    shutil.rmtree(old)


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
        # Holding the lock, anything left by a build that was killed is garbage.
        for stale in site.parent.glob(f".{site.name}.building-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in site.parent.glob(f".{site.name}.old-*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = site.with_name(f".{site.name}.building-{os.getpid()}")
        stage.mkdir()
        try:
            yield stage
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        swap_in(stage, site)


def manifest(notices: list[Notice], as_of: dt.date) -> dict:
    return {
        "generated_as_of": as_of.isoformat(),
        "notices": [
            {
                "id": n.id, "kind": n.kind, "village": n.village.code, "group": n.group,
                "title": n.title, "date": n.date.isoformat(), "window_end": n.window_end.isoformat(),
                "url": n.url, "pdf": n.pdf, "data": n.data, "sha256": n.sha256(),
            }
            for n in notices
        ],
    }


def _sitemap(stage: Path, site_url: str) -> str:
    base = site_url.rstrip("/") + "/" if site_url else "/"
    pages = sorted(
        p.relative_to(stage).parent.as_posix() for p in stage.rglob("index.html")
    )
    urls = "".join(
        f"<url><loc>{escape(base + ('' if page == '.' else page + '/'))}</loc></url>\n" for page in pages
    )
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")


def write_manifest(stage: Path, notices: list[Notice], as_of: dt.date, site_url: str = "") -> None:
    text = json.dumps(manifest(notices, as_of), ensure_ascii=False, indent=1) + "\n"
    paths.write_text(stage, "manifest.json", text)
    paths.write_text(stage, "sitemap.xml", _sitemap(stage, site_url))
