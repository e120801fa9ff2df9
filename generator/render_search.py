"""Chinese full-text search with Pagefind (extended build: Chinese word segmentation).

Only notice bodies are indexed. One index per township keeps memory bounded at county
scale; the search page merges them, so villagers search everything at once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path

import cbor2

from . import paths, reuse
from .notices import Notice
from .pagefind_service import PagefindService

log = logging.getLogger(__name__)

SEARCH_DIR = "pagefind"
SEARCH_WORKERS = 2
PAGEFIND_VERSION = version("pagefind_bin_extended")  # the binary that writes the bundles
# The rich UI variants and highlighter are not used by our search page.
_UNUSED = ("pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")


@cache
def _pagefind() -> str:
    """Pagefind's binary itself: `python -m pagefind` would start a Python to exec it, 80 ms
    for each township (49 at county scale)."""
    from pagefind_bin_extended import get_executable

    return str(get_executable().absolute())


def bundle_path(township_code: str) -> str:
    return f"{SEARCH_DIR}/{township_code}/"


def _index_township(service: PagefindService, stage: Path, notices: list[Notice]) -> dict[str, bytes]:
    """Pagefind's own indexer (Rust) over the township's notice pages only, in the order of
    their URLs, whatever file system they are on: the same bytes on every machine."""
    pages = sorted(("/" + notice.folder, paths.located(stage, notice.url)) for notice in notices)
    return _bundle(service, [(url, partial(path.read_text, encoding="utf-8")) for url, path in pages])


def _bundle(service: PagefindService, pages: list[tuple[str, Callable[[], str]]]) -> dict[str, bytes]:
    files = service.bundle(pages, "zh")
    return {path: content for path, content in deterministic(files).items() if not path.startswith(_UNUSED)}


_SIGNATURE = b"pagefind_dcd"


def _decode(content: bytes):
    raw = gzip.decompress(content)
    if not raw.startswith(_SIGNATURE):
        raise ValueError("not a Pagefind data file")
    return cbor2.loads(raw[len(_SIGNATURE):])


def _encode(value) -> bytes:
    return gzip.compress(_SIGNATURE + cbor2.dumps(value), mtime=0)


def _name(language: str, content: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(content).hexdigest()[:length]}"


def deterministic(files: dict[str, bytes]) -> dict[str, bytes]:
    """The same bundle with filter values in a fixed order, so builds are byte-identical.

    Pagefind writes each filter's values (and the filter list in its meta file) in Rust
    hash-map order, which changes from run to run. Sorting them and renaming the files they
    are referred by keeps every search result the same and every byte reproducible.
    """
    entry = json.loads(files["pagefind-entry.json"])
    result = dict(files)
    for language, info in entry["languages"].items():
        meta_path = f"pagefind.{info['hash']}.pf_meta"
        meta = _decode(files[meta_path])
        renamed = []
        for filter_name, old in sorted(meta[3]):
            name, values = _decode(result.pop(f"filter/{old}.pf_filter"))
            content = _encode([name, sorted(values, key=lambda item: item[0])])
            new = _name(language, content, 7)
            result[f"filter/{new}.pf_filter"] = content
            renamed.append([filter_name, new])
        meta[3] = renamed
        del result[meta_path]
        meta_content = _encode(meta)
        info["hash"] = _name(language, meta_content, 10)
        result[f"pagefind.{info['hash']}.pf_meta"] = meta_content
    result["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return result


def bundle_paths(notices: list[Notice]) -> list[str]:
    """The search bundles a site with these notices has; the search page merges them all."""
    return [bundle_path(code) for code in sorted({n.village.township_code for n in notices})]


def township_order(notices: list[Notice]) -> list[Notice]:
    """Notices township by township, as SearchIndex wants their pages: each township's bundle
    starts as soon as its last page is ready, with only that township's pages held."""
    return sorted(notices, key=lambda n: (n.village.township_code, n.url))


class SearchIndex:
    """One Pagefind bundle per township, made while the pages are rendered.

    Each page is handed over when it is ready (`page_ready`); once a township has all its
    pages, its bundle is made on a thread of its own by a Pagefind service process (which
    indexes on one core), while this process renders the next pages on the other. A township
    whose notice pages all were carried over keeps its bundle. `finish` writes what is left.
    """

    def __init__(self, stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None):
        self.stage, self.carry = stage, carry or reuse.Reuse.nothing(stage)
        self._notices: dict[str, list[Notice]] = defaultdict(list)
        for notice in notices:
            self._notices[notice.village.township_code].append(notice)
        self._waiting = {code: len(members) for code, members in self._notices.items()}
        self._pages: dict[str, list[tuple[Notice, str | None]]] = defaultdict(list)
        self._running: dict[str, tuple[str, Future]] = {}  # in the order started
        self._pool = ThreadPoolExecutor(SEARCH_WORKERS, thread_name_prefix="search")
        self._local = threading.local()
        self._services: list[PagefindService] = []

    def page_ready(self, notice: Notice, html: str | None = None) -> None:
        """The notice's page is made (`html`) or carried over (None: read from where it is)."""
        code = notice.village.township_code
        self._pages[code].append((notice, html))
        self._waiting[code] -= 1
        if self._waiting[code] == 0:
            self._start(code)
        if self._running:
            self._write(wait=False)

    def _start(self, code: str) -> None:
        page_keys = [self.carry.key_of("page:" + n.url) for n in self._notices[code]]
        key = self.carry.key("search", PAGEFIND_VERSION, sorted(page_keys))
        ready = self._pages.pop(code)
        if self.carry.carry("search:" + code, key):
            return
        pages = sorted(("/" + notice.folder, self._reader(notice, html)) for notice, html in ready)
        self._running[code] = (key, self._pool.submit(self._index, pages))

    def _reader(self, notice: Notice, html: str | None) -> Callable[[], str]:
        if html is not None:
            return partial(str, html)
        return partial(paths.located(self.stage, notice.url).read_text, encoding="utf-8")

    def _index(self, pages: list[tuple[str, Callable[[], str]]]) -> dict[str, bytes]:
        if not hasattr(self._local, "service"):  # one Pagefind process per thread, for all its townships
            self._local.service = PagefindService(_pagefind())
            self._services.append(self._local.service)
        return _bundle(self._local.service, pages)

    def _write(self, wait: bool) -> None:
        """Write the bundles made so far (all of them, waiting for each, when `wait`)."""
        for code, (key, future) in list(self._running.items()):
            if not (wait or future.done()):
                return
            files = future.result()
            for path, content in sorted(files.items()):
                paths.write_bytes(self.stage, bundle_path(code) + path, content)
            self.carry.made_unit("search:" + code, key, [bundle_path(code) + path for path in files])
            log.info("search index for %s: %d notices", code, len(self._notices[code]))
            del self._running[code]

    def finish(self) -> None:
        """Every bundle written: townships still missing pages take them from the stage."""
        for code, members in sorted(self._notices.items()):
            if self._waiting[code]:
                ready = {notice.url for notice, _ in self._pages[code]}
                for notice in members:
                    if notice.url not in ready:
                        self.page_ready(notice)
        self._write(wait=True)

    def close(self) -> None:
        """Stops the Pagefind processes; a build that failed does not wait for its bundles."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        for service in list(self._services):
            service.close()
        self._pool.shutdown(wait=True)
        for service in self._services:  # one started meanwhile
            service.close()


def render_search(stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None) -> None:
    """The bundles of notice pages that are all in `stage` already (or carried over)."""
    index = SearchIndex(stage, notices, carry)
    try:
        index.finish()
    finally:
        index.close()
