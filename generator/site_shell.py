"""MkDocs builds the hand-written pages and one empty Material page, once per build.

Notice and hub pages are then poured into that empty page (the shell) with plain string
work, so each of them costs a Jinja render rather than a pass through Python-Markdown
and Material's full page template, while looking exactly like the rest of the site.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from markupsafe import escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config as mkdocs_load_config

from . import clock, paths
from .config import Config

SHELL_PAGE = "_shell"
_TITLE = "@@TITLE@@"
_BODY = "@@BODY@@"
_SHELL_MARKDOWN = f'# {_TITLE}\n\n<div class="shell-slot">{_BODY}</div>\n'
_SLOT = re.compile(r'<h1 id="title">@@TITLE@@</h1>\s*<div class="shell-slot">@@BODY@@</div>')
# Relative URLs in a page one folder deep all begin with "..": href, src and Material's config.
_UP = re.compile(r'(?<=")\.\.(?=[/"])')


@contextmanager
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


def build_mkdocs(stage: Path, config: Config, as_of: dt.date) -> Shell:
    """Build content/ with MkDocs into `stage` and return the page shell it made."""
    assert config.mkdocs_file is not None
    project = config.mkdocs_file.parent
    # Beside the stage, not in the system temp folder: a killed build's leftover is then
    # cleared by the next build along with the stage (publish.staging).
    with tempfile.TemporaryDirectory(prefix=f"{stage.name}.docs-", dir=stage.parent) as docs:
        raw = mkdocs_load_config(str(config.mkdocs_file))
        shutil.copytree(project / raw["docs_dir"], docs, dirs_exist_ok=True)
        Path(docs, f"{SHELL_PAGE}.md").write_text(_SHELL_MARKDOWN, encoding="utf-8")
        mk_config = mkdocs_load_config(
            str(config.mkdocs_file), docs_dir=docs, site_dir=str(stage),
            not_in_nav=f"/{SHELL_PAGE}.md",
        )
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        with _source_date(as_of):
            mkdocs_build(mk_config)
    shell_dir = stage / SHELL_PAGE
    html = (shell_dir / "index.html").read_text(encoding="utf-8")
    shutil.rmtree(shell_dir)
    for sitemap in ("sitemap.xml", "sitemap.xml.gz"):
        (stage / sitemap).unlink(missing_ok=True)  # publish writes one that lists the notices
    paths.adopt(stage)  # MkDocs' files, so the checksums list them without a walk of the site
    return Shell(html, config.site_url)
