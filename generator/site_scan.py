"""Which of the published site's files are no longer as the last build recorded them, found by
a checker process on the other core while the data is checked.

A rebuild carries over every unchanged file only if it still has the size and mtime the
last build recorded (a file edited on the server is made again). At county scale that is
208,000 lstat calls, 1.4 s of this process's time; then, with the site listed by `find`,
208,000 look-ups of each recorded file's line in the listing, still 0.5 s. The checker runs
`find` and makes those look-ups meanwhile, and answers with the few files that differ: this
process then only asks whether a unit's files are among them. A check that could not be made
leaves it to lstat.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import build_record

log = logging.getLogger(__name__)

# Size, mtime (seconds with ten decimals, GNU find's own format) and path of each regular
# file: symbolic links and folders are not listed, so they never count as intact.
_FORMAT = "%s %T@ %P\\0"
_IMPORTABLE_FROM = str(Path(__file__).resolve().parent.parent)  # the folder holding the package


def line(size: int, mtime_ns: int, relative: str) -> str:
    """The listing's line for a file of this size and mtime (as os.stat gives them)."""
    seconds, nanoseconds = divmod(mtime_ns, 1_000_000_000)
    return f"{size} {seconds}.{nanoseconds:09d}0 {relative}"


def listed(find: str, site: str) -> set[str] | None:
    """The lines of every regular file of the site, or None when find failed."""
    done = subprocess.run([find, "-H", site, "-type", "f", "-printf", _FORMAT],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    if done.returncode != 0:  # e.g. a file removed while listed: trust nothing of it
        return None
    return set(done.stdout.decode("utf-8", "surrogateescape").split("\0"))


def not_as_recorded(files: dict[str, tuple], lines: set[str]) -> list[str]:
    """The recorded files (path → (sha256, size, mtime_ns)) whose line is not in the listing:
    missing, or of another size or mtime."""
    return [relative for relative, (_, size, mtime_ns) in files.items() if line(size, mtime_ns, relative) not in lines]


def main() -> None:
    """The checker: FIND SITE RECORD → the record's checksums digest, then each file not as
    recorded, NUL-separated on stdout; exit status 1 when either could not be read."""
    find, site, record = sys.argv[1:4]
    lines = listed(find, site)
    try:
        head, files, _ = build_record.head_and_files(memoryview(Path(record).read_bytes()))
    except (OSError, ValueError, EOFError, TypeError):
        sys.exit(1)
    if lines is None:
        sys.exit(1)
    answer = [str(head.get("checksums")), *not_as_recorded(files, lines)]
    sys.stdout.buffer.write("\0".join(answer).encode("utf-8", "surrogateescape"))


class SiteScan:
    """The checker over `site` and its build record at `record`, started now; `not_intact()` waits for it."""

    def __init__(self, site: Path, record: Path):
        self._output = tempfile.TemporaryFile()
        self._process: subprocess.Popen | None = None
        find = shutil.which("find")
        if find is None or not sys.executable:  # no find, or an embedded Python that cannot start another
            return
        path = os.pathsep.join(filter(None, [_IMPORTABLE_FROM, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from generator.site_scan import main; main()", find, str(site), str(record)],
                stdin=subprocess.DEVNULL, stdout=self._output, stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path})
        except OSError as exc:
            log.info("site not checked beside the build (%s): files are checked one by one", exc)

    def not_intact(self, checksums: str) -> set[str] | None:
        """The recorded files not in the site as recorded, when the checker read the record with
        these checksums (the one this build uses); None: each file is to be checked."""
        if self._process is None or self._output.closed or self._process.wait() != 0:
            return None  # (closed: asked once already, or after the build)
        self._output.seek(0)
        answer = self._output.read().decode("utf-8", "surrogateescape").split("\0")
        self._output.close()
        return set(answer[1:]) if answer[0] == checksums else None

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()
