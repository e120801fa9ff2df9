"""The one way output paths are made: joined under the site folder, never outside it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import UnsafePathError

# Folders already checked (and made): a build writes tens of thousands of files into a few
# thousand folders, so each folder is resolved on disk once, not once per file.
_SAFE_FOLDERS: set[tuple[str, str]] = set()


def _key(root: Path, path: Path) -> tuple[str, str]:
    return str(root), str(path.parent)


def forget(root: Path) -> None:
    """Called for a fresh build folder: nothing in it has been made yet, whatever its name."""
    stale = {key for key in _SAFE_FOLDERS if key[0] == str(root)}
    _SAFE_FOLDERS.difference_update(stale)


def safe_join(root: Path, relative: str) -> Path:
    """root / relative, refusing absolute paths, `..` and anything else that leaves root."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", "") for p in parts):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    path = root.joinpath(*parts)
    if _key(root, path) in _SAFE_FOLDERS:
        if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
            raise UnsafePathError(f"输出路径不安全：{relative!r}")
        return path
    if not path.resolve().is_relative_to(root.resolve()):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    return path


def write_bytes(root: Path, relative: str, content: bytes) -> Path:
    path = safe_join(root, relative)
    key = _key(root, path)
    if key not in _SAFE_FOLDERS:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.resolve().is_relative_to(root.resolve()):
            _SAFE_FOLDERS.add(key)
    path.write_bytes(content)
    return path


def write_text(root: Path, relative: str, content: str) -> Path:
    return write_bytes(root, relative, content.encode("utf-8"))
