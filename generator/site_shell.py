"""MkDocs builds the hand-written pages and one empty Material page, once per build.

Notice and hub pages are then poured into that empty page (the shell) with plain string
work, so each of them costs a Jinja render rather than a pass through Python-Markdown
and Material's full page template, while looking exactly like the rest of the site.

What MkDocs makes depends only on mkdocs.yml, content/, the theme and the installed
packages, not on the records or the build date (its only dated file, the sitemap, is
replaced), so it is kept in the cache under a key of those and copied from there while
they stay the same: MkDocs took 0.6 s of every rebuild.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from functools import cache
from importlib.metadata import distributions
from pathlib import Path

from markupsafe import escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config

from . import clock, paths
from .config import Config
from .reuse import code_digest
from .templates import THEME_DIR

log = logging.getLogger(__name__)

SHELL_PAGE = "_shell"
_TITLE = "@@TITLE@@"
_BODY = "@@BODY@@"
_SHELL_MARKDOWN = f'# {_TITLE}\n\n<div class="shell-slot">{_BODY}</div>\n'
_SLOT = re.compile(r'<h1 id="title">@@TITLE@@</h1>\s*<div class="shell-slot">@@BODY@@</div>')
# Relative URLs in a page one folder deep all begin with "..": href, src and Material's config.
_UP = re.compile(r'(?<=")\.\.(?=[/"])')


@contextlib.contextmanager
def _source_date(day: dt.date):
    """MkDocs reads SOURCE_DATE_EPOCH for the dates it writes; pin it to the build date."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(clock.epoch_of(day))
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


class Shell:
    """The Material page frame, ready to take a title and a body at any folder depth."""

    def __init__(self, html: str, site_url: str):
        html, count = _SLOT.subn(_BODY, html)
        if count != 1:
            raise RuntimeError("Material page shell has no slot: the theme templates changed")
        self._html = html
        self._site_url = site_url.rstrip("/") + "/" if site_url else ""
        self._by_depth: dict[int, tuple[str, ...]] = {}

    @property
    def html(self) -> str:
        return self._html

    def _pieces(self, depth: int) -> tuple[str, ...]:
        if depth not in self._by_depth:
            up = "/".join([".."] * depth) if depth else "."
            html = _UP.sub(up, self._html)
            self._by_depth[depth] = tuple(re.split(f"({_TITLE}|{_BODY}|{SHELL_PAGE}/)", html))
        return self._by_depth[depth]

    def page(self, title: str, body: str, path: str) -> str:
        """The full page for `path` (a folder URL such as "v/lucun/" or "" for home)."""
        depth = path.count("/")
        values = {_TITLE: str(escape(title)), _BODY: body, f"{SHELL_PAGE}/": path}
        return "".join(values.get(piece, piece) for piece in self._pieces(depth))


@cache
def _packages() -> str:
    """Every installed package and its version: MkDocs, Material, Markdown extensions, plugins."""
    return "\n".join(sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions()))


def _key(config: Config, raw) -> str | None:
    """The key of MkDocs' output; None when it may depend on more than these inputs: a
    plugin (git dates, say) or a mkdocs.yml that reads other files or the environment."""
    text = config.mkdocs_file.read_bytes()
    if len(raw["plugins"]) or b"INHERIT" in text or b"!ENV" in text or b"!relative" in text:
        return None
    digest = hashlib.sha256(text + b"\0" + code_digest(THEME_DIR).encode() + sys.version.encode() + _packages().encode())
    # The pages, and the theme's overrides wherever mkdocs.yml has them (the packaged theme is
    # in the packages' versions).
    for number, folder in enumerate([raw["docs_dir"], *([raw["theme"].custom_dir] if raw["theme"].custom_dir else [])]):
        folder = Path(folder)
        digest.update(b"\1" + str(number).encode())
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run_mkdocs(config: Config, raw, target: Path, as_of: dt.date) -> None:
    """MkDocs' build of content/ and the empty shell page into `target` (`raw`: mkdocs.yml as read)."""
    # Beside the target, not in the system temp folder: a killed build's leftover is then
    # cleared by the next build along with the stage (publish.staging).
    with tempfile.TemporaryDirectory(prefix=f"{target.name}.docs-", dir=target.parent) as docs:
        shutil.copytree(raw["docs_dir"], docs, dirs_exist_ok=True)
        Path(docs, f"{SHELL_PAGE}.md").write_text(_SHELL_MARKDOWN, encoding="utf-8")
        mk_config = mkdocs_load_config(
            str(config.mkdocs_file), docs_dir=docs, site_dir=str(target),
            not_in_nav=f"/{SHELL_PAGE}.md",
        )
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        with _source_date(as_of):
            mkdocs_build(mk_config)
    for sitemap in ("sitemap.xml", "sitemap.xml.gz"):
        (target / sitemap).unlink(missing_ok=True)  # publish writes one that lists the notices


_LISTING = ".files"  # in each cache entry: every file's path and sha256, checked before use
_OLD_ENTRY_SECONDS = 3600  # another entry is removed only when older: a concurrent build may be copying it


def _listing(folder: Path) -> str:
    return "".join(f"{path.relative_to(folder).as_posix()} {hashlib.sha256(path.read_bytes()).hexdigest()}\n"
                   for path in sorted(folder.rglob("*")) if path.is_file() and path.name != _LISTING)


def _intact(entry: Path) -> bool:
    try:
        return (entry / _LISTING).read_text(encoding="utf-8") == _listing(entry)
    except OSError:
        return False


def _keep(made: Path, entry: Path) -> None:
    """Copy MkDocs' output into the cache as one entry. Best effort: a cache that cannot be
    written only costs the next build 0.6 s."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".new-", dir=entry.parent) as tmp:
            shutil.copytree(made, Path(tmp, "site"))
            Path(tmp, "site", _LISTING).write_text(_listing(made), encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)  # a damaged one
            with contextlib.suppress(OSError):  # a concurrent build kept it first
                os.replace(Path(tmp, "site"), entry)
        now = time.time()
        for other in entry.parent.iterdir():
            if other != entry and now - other.stat().st_mtime > _OLD_ENTRY_SECONDS:
                shutil.rmtree(other, ignore_errors=True)
    except OSError as exc:
        log.warning("MkDocs output not kept in the cache (%s)", exc)


def _copied(entry: Path, stage: Path) -> bool:
    try:
        os.utime(entry)  # in use: not removed as old by a concurrent build
        shutil.copytree(entry, stage, dirs_exist_ok=True, ignore=shutil.ignore_patterns(_LISTING))
    except OSError:  # removed meanwhile all the same: MkDocs writes the same files over the copied ones
        return False
    return True


def build_mkdocs(stage: Path, config: Config, as_of: dt.date) -> Shell:
    """Build content/ with MkDocs into `stage` (or copy what it made from the same inputs
    before) and return the page shell it made."""
    assert config.mkdocs_file is not None
    raw = mkdocs_load_config(str(config.mkdocs_file))
    key = _key(config, raw)
    entry = config.cache / "mkdocs" / key if key else None
    if not (entry is not None and _intact(entry) and _copied(entry, stage)):
        _run_mkdocs(config, raw, stage, as_of)
        if entry is not None:
            _keep(stage, entry)
    shell_dir = stage / SHELL_PAGE
    html = (shell_dir / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(shell_dir)
    paths.adopt(stage)  # MkDocs' files, so the checksums list them without a walk of the site
    return Shell(html, config.site_url)
