"""Rendered PDFs kept by a hash of their HTML, CSS and fonts, so none is rendered twice.

A published PDF is a hard link to its cache entry: the cache costs no disk beside the
site. After a build, entries that no site links to and that no build of this process used
are removed, so a template change does not leave a county's worth of old PDFs (about
1.5 GB at 50,000 notices) behind for good.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from . import paths

log = logging.getLogger(__name__)

# An entry younger than this may be one a concurrent build (`print`, another site sharing
# the cache) has just rendered and not yet linked: it is left for a later build to judge.
KEEP_YOUNGER_THAN = 3600  # seconds
# Cache folder → names of the entries the builds of this process used since the last prune.
_USED: dict[str, set[str]] = {}


class PdfCache:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The entry's path; asking for it marks it used, so the next prune keeps it."""
        _USED.setdefault(str(self.folder), set()).add(f"{key}.pdf")
        return self.folder / f"{key}.pdf"

    def has(self, key: str) -> bool:
        return self.path(key).exists()

    def store(self, results: Iterable[tuple[str, bytes]]) -> None:
        for key, pdf in results:
            partial = self.folder / f"{key}.tmp"
            partial.write_bytes(pdf)
            partial.replace(self.path(key))  # never a half-written entry

    def publish(self, stage: Path, relative: str, key: str) -> None:
        """The entry into the site being built: hard-linked, or copied across file systems."""
        entry = self.path(key)
        content = entry.read_bytes()
        status = os.stat(entry)
        if not paths.link(stage, relative, entry, hashlib.sha256(content).hexdigest(), status.st_size,
                          status.st_mtime_ns):
            paths.write_bytes(stage, relative, content)

    def prune(self, site_dir: Path) -> int:
        """Remove entries no site links to and no build here used; how many went.

        Only where the site is on the cache's file system: elsewhere nothing is linked, and
        every entry would look unpublished.
        """
        used = _USED.pop(str(self.folder), set())
        try:
            if os.stat(self.folder).st_dev != os.stat(site_dir.absolute().parent).st_dev:
                return 0
            cutoff = time.time() - KEEP_YOUNGER_THAN
            removed = 0
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name in used or not entry.name.endswith((".pdf", ".tmp")):
                        continue
                    status = entry.stat(follow_symlinks=False)
                    if status.st_nlink == 1 and status.st_mtime < cutoff:
                        os.unlink(entry.path)
                        removed += 1
        except OSError as exc:  # a cache that cannot be pruned only costs disk
            log.warning("PDF cache not pruned (%s)", exc)
            return 0
        log.info("PDF cache: %d entries no site publishes removed", removed)
        return removed
