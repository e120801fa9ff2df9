"""The one way output paths are made: joined under the site folder, never outside it.

Every file written (or carried over from the last build) is recorded with its sha256, size
and mtime, so the checksums and the incremental-build record need no second read of the site.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from .errors import UnsafePathError

# Folders already checked (and made): a build writes tens of thousands of files into a few
# thousand folders, so each folder is resolved on disk once, not once per file.
_SAFE_FOLDERS: set[tuple[str, str]] = set()
# root → relative path → (sha256, size, mtime_ns) of what this process put there.
_WRITTEN: dict[str, dict[str, tuple[str, int, int]]] = {}
# root → finder(relative, sha256, size): (path, mtime_ns) of a published file with exactly these bytes, or None.
_SAME: dict[str, Callable[[str, str, int], tuple[str, int] | None]] = {}
# root → the published site it is an overlay on (see `overlay`), and the files under root
# itself; the other files written are kept where they are in the site. (Those put under root
# are the few whose bytes change: a set of them, not of the 200,000 kept at county scale.)
_BASE: dict[str, str] = {}
_UNDER: dict[str, set[str]] = {}
_PUBLISHED: dict[str, Iterable[str]] = {}
_REMOVED: dict[str, tuple[Iterable[str], int, list[str]]] = {}  # root → (published, how many written, removed)

# O_NOFOLLOW: a symlink planted where a file goes is refused, not written through.
# O_EXCL: a file is never rewritten in place, because it may be a hard link to the
# published site (incremental builds); it is replaced by a new file instead.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def forget(root: Path) -> None:
    """Called for a fresh build folder: nothing in it has been made yet, whatever its name."""
    stale = {key for key in _SAFE_FOLDERS if key[0] == str(root)}
    _SAFE_FOLDERS.difference_update(stale)
    _WRITTEN.pop(str(root), None)
    _SAME.pop(str(root), None)
    _BASE.pop(str(root), None)
    _UNDER.pop(str(root), None)
    _PUBLISHED.pop(str(root), None)
    _REMOVED.pop(str(root), None)


def overlay(root: Path, site: str, published: Iterable[str]) -> None:
    """Make root an overlay on the published site: a file the site has with the same bytes
    (`keep`, `same_as_published`) is not put under root at all, only recorded as written,
    and stays where it is.

    Root then holds only what changes, and publishing moves just that into the site
    (publish.staging); hard-linking a county's 200,000 unchanged files into a new tree took
    about 10 s. `fill` turns the overlay into a whole site where that is wanted instead.
    """
    _BASE[str(root)] = site
    _UNDER[str(root)] = set(written(root))  # what MkDocs put there so far
    _PUBLISHED[str(root)] = published


def published_left(root: Path, published: list[str]) -> None:
    """Under an overlay, the published files not written yet, in place of all of them (what
    `changes` may still find removed): every file written so far stays written, and the
    whole list (a county's 200,000 files) need not be held to the end."""
    if is_overlay(root):
        _PUBLISHED[str(root)] = published


def is_overlay(root: Path) -> bool:
    return str(root) in _BASE


def kept(root: Path) -> list[str]:
    """Files recorded as written under an overlay that are the published site's own."""
    under = _UNDER.get(str(root))
    return [] if under is None else [relative for relative in written(root) if relative not in under]


def _is_kept(root: Path, relative: str) -> bool:
    under = _UNDER.get(str(root))
    return under is not None and relative not in under and relative in written(root)


def _put_under(root: Path, relative: str) -> None:
    under = _UNDER.get(str(root))
    if under is not None:
        under.add(relative)


def located(root: Path, relative: str) -> Path:
    """Where the bytes of a file recorded under root are: in root, or kept in the published site."""
    if _is_kept(root, relative):
        return Path(_BASE[str(root)], relative)
    return safe_join(root, relative)


def changes(root: Path) -> tuple[list[str], list[str]]:
    """An overlay's files under root (to be moved into the site) and the published files it
    no longer has (to be removed from it)."""
    done, under = written(root), _UNDER.get(str(root))
    if under is None:
        return list(done), removed(root)
    return [relative for relative in under if relative in done], removed(root)  # the few, not every file


def removed(root: Path) -> list[str]:
    """The published files an overlay no longer has, sorted.

    The sitemap, checksums.json and publishing each ask, a few files written in between: a
    pass over a county's 208,000 published files each took 0.2 s in all. Files are only ever
    added to what was written, and a dict keeps its keys in the order they came, so with the
    same published list the answer is the last one less the files written since: the newest
    keys, past as many as there were then."""
    done, published = written(root), _PUBLISHED.get(str(root), ())
    found = _REMOVED.get(str(root))
    if found is not None and found[0] is published and found[1] <= len(done):
        since = set(islice(done, found[1], None))
        answer = [relative for relative in found[2] if relative not in since]
    else:
        answer = sorted(relative for relative in published if relative not in done)
    _REMOVED[str(root)] = (published, len(done), answer)
    return list(answer)


def rewritten(root: Path) -> set[str] | None:
    """Under an overlay, the files put under root: every file whose bytes may differ from the
    published one. The others written are the published files, kept with the bytes the last
    build recorded. None when root is no overlay."""
    under = _UNDER.get(str(root))
    return None if under is None else set(under)


def fill(root: Path) -> None:
    """Link every file the overlay keeps into root, so root is the whole site."""
    keeping = kept(root)
    base = _BASE.pop(str(root), None)
    _PUBLISHED.pop(str(root), None)
    _UNDER.pop(str(root), None)
    for relative in sorted(keeping):
        source, target = os.path.join(base, relative), _folder_for(root, relative)
        try:
            os.link(source, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(source, target)  # same bytes and mtime, as the record has them


def prefer_links(root: Path, finder: Callable[[str, str, int], tuple[str, int] | None]) -> None:
    """Files written under root that the published site already has, byte for byte, are
    kept from it instead (left in place under an overlay, else hard-linked): an incremental
    build makes only files whose bytes change.

    Files put there before (MkDocs' output, adopted) are dropped for the published ones now: a
    deployment that copies changed files (rsync) then sees only what really changed.
    """
    _SAME[str(root)] = finder
    for relative, (sha256, size, _) in list(written(root).items()):
        same_as_published(root, relative, sha256, size)


def written(root: Path) -> dict[str, tuple[str, int, int]]:
    """What this process wrote or linked under `root`: relative path → (sha256, size, mtime_ns)."""
    return _WRITTEN.setdefault(str(root), {})


def adopt(root: Path) -> None:
    """Record the files a tool (MkDocs) put under root, as if written here: from then on the
    record of what was written lists the whole site, and nothing needs to walk it again."""
    top = str(root)
    known = written(root)
    for folder, _, files in os.walk(top):
        for name in files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, top).replace(os.sep, "/")
            if relative not in known:
                with open(path, "rb") as file:
                    content = file.read()
                    info = os.fstat(file.fileno())
                known[relative] = (hashlib.sha256(content).hexdigest(), info.st_size, info.st_mtime_ns)


def snapshot(root: Path) -> tuple:
    """What is recorded for root so far, for `since` in a forked copy of this process."""
    under = _UNDER.get(str(root))
    return dict(written(root)), None if under is None else set(under), set(_SAFE_FOLDERS)


def since(root: Path, before: tuple) -> tuple:
    """What this process recorded for root after `before` (its snapshot): for `take_in` in
    the process it was forked from. Files are written once each, by one process."""
    done, under, folders = before
    now = _UNDER.get(str(root))
    return ({relative: info for relative, info in written(root).items() if done.get(relative) != info},
            None if now is None or under is None else (now - under, under - now),
            _SAFE_FOLDERS - folders)


def take_in(root: Path, changes: tuple) -> None:
    """Record what a forked copy of this process wrote under root (`since`) as written here."""
    files, under, folders = changes
    written(root).update(files)
    if under is not None:
        _UNDER[str(root)].update(under[0])
        _UNDER[str(root)].difference_update(under[1])
    _SAFE_FOLDERS.update(folders)


def _checked(relative: str) -> list[str]:
    # Plain strings, not pathlib: this runs for every file of a county's site (200,000).
    parts = [p for p in relative.split("/") if p not in ("", ".")]
    if not parts or relative.startswith("/") or ".." in parts:
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    return parts


def joined(root: Path, relative: str) -> str:
    """root/relative as a string, refusing `..` and absolute paths; for folders this program
    made (no symlink check, unlike safe_join)."""
    return os.path.join(str(root), *_checked(relative))


def safe_join(root: Path, relative: str) -> Path:
    """root / relative, refusing absolute paths, `..` and anything else that leaves root."""
    path = root.joinpath(*_checked(relative))
    if (str(root), str(path.parent)) in _SAFE_FOLDERS:
        return path
    if not path.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    return path


def _made_folder(root: str, folder: str, relative: str) -> None:
    """Make `folder` (and its parents) under root, each a real folder, never a symlink."""
    key = (root, folder)
    if key in _SAFE_FOLDERS:
        return
    if folder == root:
        os.makedirs(root, exist_ok=True)  # the caller's folder, trusted as given
        _SAFE_FOLDERS.add(key)
        return
    _made_folder(root, os.path.dirname(folder), relative)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(folder).st_mode):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    _SAFE_FOLDERS.add(key)


def prepared(root: Path, relative: str) -> str:
    """The path of `relative` under root, with its folders made (real folders, never symlinks)."""
    return _folder_for(root, relative)


def _folder_for(root: Path, relative: str) -> str:
    # Checked part by part: a folder made here or found a real folder (not a link) is safe,
    # which costs one mkdir and one lstat per new folder instead of resolving every path.
    top = str(root)
    path = os.path.join(top, *_checked(relative))
    _made_folder(top, os.path.dirname(path), relative)
    return path


def same_as_published(root: Path, relative: str, sha256: str, size: int) -> bool:
    """Record the published file at `relative` as written under root, if it has exactly these
    bytes (by the record of the last build); False when it must be written."""
    finder = _SAME.get(str(root))
    found = finder(relative, sha256, size) if finder is not None else None
    if found is None:
        return False
    if is_overlay(root):
        keep(root, [(relative, (sha256, size, found[1]))])
        return True
    return link(root, relative, found[0], sha256, size, found[1])


def write_bytes(root: Path, relative: str, content: bytes) -> None:
    sha256 = hashlib.sha256(content).hexdigest()
    if same_as_published(root, relative, sha256, len(content)):
        return
    path = _folder_for(root, relative)
    try:
        fd = os.open(path, _CREATE, 0o644)
    except FileExistsError:
        if os.path.islink(path):
            raise UnsafePathError(f"输出路径不安全：{relative!r}") from None
        os.unlink(path)
        fd = os.open(path, _CREATE, 0o644)
    try:
        _write_all(fd, content)
        mtime = os.fstat(fd).st_mtime_ns
    finally:
        os.close(fd)
    written(root)[relative] = (sha256, len(content), mtime)
    _put_under(root, relative)


def _write_all(fd: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        view = view[os.write(fd, view):]


def write_text(root: Path, relative: str, content: str) -> None:
    write_bytes(root, relative, content.encode("utf-8"))


def link(root: Path, relative: str, source: Path | str, sha256: str, size: int, mtime_ns: int) -> bool:
    """Hard-link a published file into the build folder; False where that cannot be done
    (another file system), and the caller writes the file instead.

    `size` and `mtime_ns` are the source's, as the caller just checked them: a hard link is
    the same file, so they are recorded without another stat.
    """
    path = _folder_for(root, relative)
    try:
        os.link(source, path, follow_symlinks=False)
    except FileExistsError:
        # Replacing a file made already: linked beside it and renamed over it, so it stays
        # where linking fails.
        partial = path + ".link"
        try:
            os.link(source, partial, follow_symlinks=False)
            os.replace(partial, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(partial)
            return False
    except OSError:
        return False
    written(root)[relative] = (sha256, size, mtime_ns)
    _put_under(root, relative)
    return True


def keep(root: Path, recorded: Iterable[tuple[str, tuple[str, int, int]]]) -> None:
    """Under an overlay, record published files (relative path, (sha256, size, mtime_ns)) as
    written; they stay where they are, and any made under root before (MkDocs' output) goes."""
    done, under = written(root), _UNDER[str(root)]
    for relative, info in recorded:
        if relative in under:
            os.unlink(joined(root, relative))
            under.discard(relative)
        done[relative] = info


class Writer:
    """Writes files on a few threads while the caller makes the next ones.

    Creating a file is mostly waiting on the file system (about 0.5 ms each on our 2-core test
    machine, tens of thousands per build), and the waiting threads let the caller go on. Used
    as a context manager: leaving it waits for every write, and raises the first one's error.
    At most `pending` contents are held at once, so memory stays bounded.
    """

    def __init__(self, threads: int = 4, pending: int = 256):
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="write")
        self._slots = threading.BoundedSemaphore(pending)
        self._errors: list[BaseException] = []

    def write_bytes(self, root: Path, relative: str, content: bytes) -> None:
        if self._errors:
            raise self._errors[0]
        self._slots.acquire()
        self._pool.submit(self._one, root, relative, content)

    def write_text(self, root: Path, relative: str, content: str) -> None:
        self.write_bytes(root, relative, content.encode("utf-8"))

    def _one(self, root: Path, relative: str, content: bytes) -> None:
        try:
            write_bytes(root, relative, content)
        except BaseException as exc:  # re-raised in the caller's thread
            self._errors.append(exc)
        finally:
            self._slots.release()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown(wait=True)
        if self._errors and exc_info[0] is None:
            raise self._errors[0]
