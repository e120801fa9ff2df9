"""Printable PDFs, one per notice, rendered by WeasyPrint with the embedded CJK font.

One function does it (`render_pdfs`); results are cached by a hash of everything that
goes into a PDF, so an unchanged notice is never rendered twice, and the rest is spread
over a process pool whose workers load the font and CSS once.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import multiprocessing.util
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import segno
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from . import executor, fonts, progress, reuse, templates
from .config import Config
from .notices import Notice, plain
from .pdf_cache import PdfCache

log = logging.getLogger(__name__)

PRINT_DIR = templates.THEME_DIR / "print"
_worker: dict = {}


class LocalOnlyFetcher(URLFetcher):
    """Resources come from the theme and the cache folder only; nothing from a network."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols=("file", "data"))
        self._roots = tuple(root.resolve() for root in roots)

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"not a local theme resource: {url}")
        return super().fetch(url, headers)


def _stylesheet_text(cache: Path) -> str:
    return fonts.font_css(fonts.faces(cache)) + (PRINT_DIR / "print.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class RenderSetup:
    """What every worker needs once: the CSS, and the font files when they live elsewhere."""

    css_text: str
    cache: str  # the cache folder the CSS's font URLs point into
    fonts: tuple[tuple[str, bytes], ...] = ()  # shipped to workers on other machines


def _release_worker() -> None:
    """Drop the fonts and CSS, so WeasyPrint's FontConfiguration removes its temp folder.

    It does so when collected; a process that ends with them still held never does.
    """
    _worker.clear()
    gc.collect()


def _init_worker(css_text: str, roots: tuple[Path, ...]) -> None:
    if _worker.get("css_text") == css_text:
        return  # fonts and CSS already loaded in this process
    if "finalizer" not in _worker:  # runs at the end of this process, a multiprocessing child or not
        _worker["finalizer"] = multiprocessing.util.Finalize(None, _release_worker, exitpriority=1)
    font_config = FontConfiguration()
    fetcher = LocalOnlyFetcher(roots)
    _worker.update(
        css_text=css_text, font_config=font_config, fetcher=fetcher,
        css=weasyprint.CSS(string=css_text, font_config=font_config, url_fetcher=fetcher),
    )


def _prepare(setup: RenderSetup) -> None:
    cache = Path(setup.cache)
    if not setup.fonts:
        _init_worker(setup.css_text, (PRINT_DIR, cache))
        return
    # On another machine: write the shipped fonts once, and point the CSS at them.
    key = hashlib.sha256(setup.css_text.encode("utf-8")).hexdigest()
    if _worker.get("shipped") != key:
        if "local" in _worker:
            shutil.rmtree(_worker["local"], ignore_errors=True)  # fonts of an earlier CSS
        local = Path(tempfile.mkdtemp(prefix="cunwu-fonts-"))
        # 7 MB a worker, gone when the worker process ends (a multiprocessing child, as Dask's
        # workers are, skips atexit but runs these finalizers).
        multiprocessing.util.Finalize(None, shutil.rmtree, args=(local, True), exitpriority=0)
        for relative, content in setup.fonts:
            target = local / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        _worker.update(shipped=key, local_css=setup.css_text.replace(cache.as_uri(), local.as_uri()), local=local)
    _init_worker(_worker["local_css"], (PRINT_DIR, _worker["local"]))


def render_job(setup: RenderSetup, job: tuple[str, str]) -> tuple[str, bytes]:
    _prepare(setup)
    return _render(job)


def _key(salt: str, html: str) -> str:
    return hashlib.sha256((salt + html).encode("utf-8")).hexdigest()


def _salt(css_text: str, cache: Path) -> str:
    """Everything besides the HTML that goes into a PDF: WeasyPrint's version, CSS, fonts.

    Font files are named in the CSS by absolute path; the path is left out (the fonts'
    folder is already named by a hash of their contents), so another checkout, cache folder
    or machine gives the same PDF bytes.
    """
    portable = css_text.replace(cache.as_uri(), "cache:")
    return hashlib.sha256((weasyprint.__version__ + portable).encode("utf-8")).hexdigest()


def render_document(html: str, config: Config) -> bytes:
    """One PDF with the print CSS and embedded fonts (covers and the like), through the cache."""
    css_text = _stylesheet_text(config.cache)
    cache, key = PdfCache(config.cache / "pdf"), _key(_salt(css_text, config.cache), html)
    if not cache.has(key):
        _prepare(RenderSetup(css_text, str(config.cache)))
        cache.store([_render((key, html))])
    return cache.path(key).read_bytes()


def _render(job: tuple[str, str]) -> tuple[str, bytes]:
    key, html = job
    document = weasyprint.HTML(string=html, base_url=str(PRINT_DIR), url_fetcher=_worker["fetcher"])
    pdf = document.write_pdf(
        stylesheets=[_worker["css"]], font_config=_worker["font_config"],
        pdf_identifier=key[:32].encode("ascii"),  # stable, so same input → same bytes
    )
    return key, pdf


def notice_url(notice: Notice, config: Config) -> str:
    return config.site_url.rstrip("/") + "/" + notice.folder if config.site_url else ""


def qr_data_uri(url: str) -> str:
    """A QR code (UTF-8 mode) to the notice page, so paper leads to the online notice."""
    return segno.make(url, encoding="utf-8", error="m", micro=False).svg_data_uri(scale=4, border=2)


def print_html(notice: Notice, config: Config, as_of: dt.date) -> str:
    url = notice_url(notice, config)
    return templates.render(
        f"print_{notice.kind}.html", notice=notice, as_of=as_of, root="", related=None,
        paper=config.paper_for(notice.kind), url=url, qr=qr_data_uri(url) if url else "",
    )


def _font_payload(cache: Path, css_text: str) -> tuple[tuple[str, bytes], ...]:
    """The font files the CSS names, relative to the cache folder, to ship to other machines."""
    files = []
    for path in sorted((cache / "fonts").rglob("*")):
        if path.is_file() and path.resolve().as_uri() in css_text:
            files.append((path.relative_to(cache).as_posix(), path.read_bytes()))
    return tuple(files)


def render_pdfs(stage: Path, notices: list[Notice], config: Config, as_of: dt.date,
                runner: executor.Executor | None = None, carry: reuse.Reuse | None = None) -> None:
    """Every notice's PDF: carried over when unchanged, else from the PDF cache, else rendered."""
    carry = carry or reuse.Reuse.nothing(stage)
    cache = config.cache
    css_text = _stylesheet_text(cache)
    salt = _salt(css_text, cache)
    pdf_cache = PdfCache(cache / "pdf")
    jobs: dict[str, str] = {}
    targets: list[tuple[Notice, str]] = []
    for notice in notices:
        unit = "pdf:" + notice.pdf
        # The print templates show the notice and its village, nothing of other notices or the date.
        inputs = carry.key("pdf", salt, notice.sha256(), plain(notice.village), notice.version, notice.original, notice.archive)
        if carry.carry(unit, inputs):
            continue
        html = print_html(notice, config, as_of)
        key = _key(salt, html)
        targets.append((notice, key))
        carry.made_unit(unit, inputs, [notice.pdf])
        if not pdf_cache.has(key):
            jobs[key] = html
    log.info("PDF: %d to render, %d from cache, %d carried over", len(jobs), len(targets) - len(jobs),
             len(notices) - len(targets))
    runner = runner or executor.LocalProcesses(config.pdf_workers)
    setup = RenderSetup(css_text, str(cache), _font_payload(cache, css_text) if isinstance(runner, executor.DaskCluster) else ())
    results = runner.map(render_job, list(jobs.items()), setup)
    pdf_cache.store(progress.track(results, "PDF", len(jobs)))
    for notice, key in targets:
        pdf_cache.publish(stage, notice.pdf, key)
