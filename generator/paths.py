"""The one way output paths are made: joined under the site folder, never outside it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import UnsafePathError


def safe_join(root: Path, relative: str) -> Path:
    """root / relative, refusing absolute paths, `..` and anything else that leaves root."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("..", "") for p in parts):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    path = root.joinpath(*parts)
    resolved_root = root.resolve()
    if not path.resolve().is_relative_to(resolved_root):
        raise UnsafePathError(f"输出路径不安全：{relative!r}")
    return path


def write_bytes(root: Path, relative: str, content: bytes) -> Path:
    path = safe_join(root, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def write_text(root: Path, relative: str, content: str) -> Path:
    return write_bytes(root, relative, content.encode("utf-8"))
