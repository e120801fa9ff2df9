"""The published site's files, listed by one `find` that runs while the data is checked.

A rebuild carries over every unchanged file only if it still has the size and mtime the
last build recorded (a file edited on the server is made again). At county scale that is
208,000 lstat calls, 1.4 s of this process's time; `find` makes the same calls on the
other core while this process checks the data, and this process then only looks each file
up in its listing. A listing that could not be made leaves the check to lstat.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# Size, mtime (seconds with ten decimals, GNU find's own format) and path of each regular
# file: symbolic links and folders are not listed, so they never count as intact.
_FORMAT = "%s %T@ %P\\0"


def line(size: int, mtime_ns: int, relative: str) -> str:
    """The listing's line for a file of this size and mtime (as os.stat gives them)."""
    seconds, nanoseconds = divmod(mtime_ns, 1_000_000_000)
    return f"{size} {seconds}.{nanoseconds:09d}0 {relative}"


class SiteScan:
    """A `find` over `site`, started now; `files()` waits for it."""

    def __init__(self, site: Path):
        self._output = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = None
        executable = shutil.which("find")
        if executable is None:
            return
        try:
            self._process = subprocess.Popen([executable, "-H", str(site), "-type", "f", "-printf", _FORMAT],
                                             stdin=subprocess.DEVNULL, stdout=self._output,
                                             stderr=subprocess.DEVNULL)
        except OSError as exc:
            log.info("site not listed by find (%s): files are checked one by one", exc)

    def files(self) -> set[str] | None:
        """The lines of every regular file of the site, or None when find failed."""
        if self._process is None:
            return None
        if self._process.wait() != 0:  # e.g. a file removed while listed: trust nothing of it
            return None
        self._output.seek(0)
        listed = self._output.read().decode("utf-8", "surrogateescape").split("\0")
        self._output.close()
        return set(listed)

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()
