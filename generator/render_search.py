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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from importlib.metadata import version
from pathlib import Path

import cbor2

from . import paths, reuse
from .notices import Notice
from .pagefind_service import PagefindService
from .render_html import village_pages_unit

log = logging.getLogger(__name__)

SEARCH_DIR = "pagefind"
STAGE, FINISH_STAGE = "搜索索引准备", "搜索索引"  # the pipeline's steps (the benchmark adds them up)
SEARCH_WORKERS = 2
BACKGROUND_MAX = 1  # townships indexed while the build goes on (see start)
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


Pages = list[tuple[str, Callable[[], str]]]


def _indexed(html: str) -> str:
    """What Pagefind reads of a notice page: its head and the element marked
    data-pagefind-body, in a bare body. Pagefind indexes nothing else, as every notice page has
    that element; the site's header, menus and footer were half of what it parsed. The same
    bundle comes out 18% sooner (1.94 → 1.59 s for a township of 1,121 pages)."""
    marked = html.find(" data-pagefind-body")
    start = html.rfind("<", 0, marked)
    tag = html[start + 1:marked].split(" ", 1)[0]
    end = html.find(f"</{tag}>", marked)  # notice.html nests no element of its own kind in it
    head = html.find("<body")
    if min(marked, start, end, head) < 0 or not tag.isalpha() or not head < start < end:
        return html  # not a page of ours as we know it: all of it
    return f"{_head(html[:head])}<body>{html[start:end + len(tag) + 3]}</body></html>"


def _head(text: str) -> str:
    """Of the page up to its body, the <html> tag and the title: all Pagefind reads there (the
    language is given it, and meta, filters and text are in the body). The stylesheets, scripts
    and meta tags of Material's head made Pagefind 12% slower for the same bundle (a township of
    1,065 pages: 1.74 → 1.53 s on average)."""
    tag, title, title_end = text.find("<html"), text.find("<title>"), text.find("</title>")
    close = text.find(">", tag)
    if min(tag, title, close) < 0 or not close < title < title_end:
        return text  # not a head as we know it: all of it
    return f"<!doctype html>{text[tag:close + 1]}<head>{text[title:title_end + 8]}</head>"


def _read(path: Path) -> str:
    return _indexed(path.read_text(encoding="utf-8"))


def _pages(stage: Path, notices: list[Notice], read_now: bool) -> Pages:
    """The township's notice pages in the order of their URLs, whatever file system they are
    on (the same bytes on every machine), each with a reader of what Pagefind needs of its
    HTML. `read_now`: read here, for indexing beside the build, whose thread would hold up a
    thread that reads each file (it waits for the interpreter after every read)."""
    pages = sorted(("/" + notice.folder, paths.located(stage, notice.url)) for notice in notices)
    if read_now:
        return [(url, partial(str, _read(path))) for url, path in pages]
    return [(url, partial(_read, path)) for url, path in pages]


def _index_township(service: PagefindService, pages: Pages) -> dict[str, bytes]:
    """Pagefind's own indexer (Rust) over the township's notice pages only."""
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


_WARM_PAGE = "<html><body><main data-pagefind-body><p>村务公开</p></main></body></html>"


class WarmService:
    """A Pagefind service started in the background with its Chinese dictionary loaded (a
    quarter of a second, then about 60 MB), for a rebuild's indexing to take while the data
    is still being checked; closed unused when no township needs it."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pagefind-warm")
        self._future = self._pool.submit(self._started)
        self._lock = threading.Lock()
        self._taken = False

    @staticmethod
    def _started() -> PagefindService:
        service = PagefindService(_pagefind())
        service.bundle([("/", partial(str, _WARM_PAGE))], "zh")
        return service

    def take(self) -> PagefindService | None:
        """The warm service, once; None if it is taken or could not start (a new one is then
        started as usual, and reports what is wrong)."""
        with self._lock:
            if self._taken:
                return None
            self._taken = True
        try:
            return self._future.result()
        except Exception:  # only speed is lost
            return None

    def close(self) -> None:
        service = self.take()
        if service is not None:
            service.close()
        self._pool.shutdown()


class Indexing:
    """The search stage, started: the townships to index, being indexed already (one) or
    indexed by `finish` (more)."""

    def __init__(self, stage: Path, by_township: dict[str, list[Notice]], todo: list[tuple[str, str]],
                 carry: reuse.Reuse, warm: WarmService | None = None):
        self.stage, self.by_township, self.todo, self.carry, self._warm = stage, by_township, todo, carry, warm
        self._services: list[PagefindService] = []
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(SEARCH_WORKERS)
        self._bundles: Iterator[dict[str, bytes]] | None = None
        if len(todo) <= BACKGROUND_MAX:  # a rebuild: indexed while the build goes on
            self._bundles = self._pool.map(self._index, [_pages(stage, by_township[code], True) for code, _ in todo])

    @property
    def at_finish(self) -> bool:
        """Whether the townships are indexed by finish(), two services at their peak then."""
        return self._bundles is None and bool(self.todo)

    def _index(self, pages: Pages) -> dict[str, bytes]:
        if not hasattr(self._local, "service"):  # one Pagefind process per thread, for all its townships
            self._local.service = (self._warm and self._warm.take()) or PagefindService(_pagefind())
            self._services.append(self._local.service)
        return _index_township(self._local.service, pages)

    def finish(self) -> None:
        """Wait for the bundles (or index them now) and write them into the stage."""
        try:
            bundles = self._bundles or self._pool.map(
                self._index, (_pages(self.stage, self.by_township[code], False) for code, _ in self.todo))
            for (code, key), files in zip(self.todo, bundles, strict=True):
                for path, content in sorted(files.items()):
                    paths.write_bytes(self.stage, bundle_path(code) + path, content)
                self.carry.made_unit("search:" + code, key, [bundle_path(code) + path for path in files])
                log.info("search index for %s: %d notices", code, len(self.by_township[code]))
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        for service in self._services:
            service.close()


def start(stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None,
          warm: WarmService | None = None) -> Indexing:
    """Begin the search stage over the notice pages already in `stage`: one Pagefind bundle
    per township, written by `finish()`.

    A township whose notice pages all were carried over keeps its bundle. The others are
    indexed two at a time, each by a Pagefind service process of its own (a service indexes
    on one core). When only one township changed (a rebuild), it is indexed in the background
    at once, while this process writes the feeds and data listings (2 s at county scale);
    with more, indexing waits for `finish()`: two services at their peak (about 200 MB each)
    beside those listings would pass the memory a county's build may use.
    """
    carry = carry or reuse.Reuse.nothing(stage)
    by_township: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_township[notice.village.township_code].append(notice)
    todo = []
    for code in sorted(by_township):
        # Its villages' notice pages, by each village's key for all of them (725 keys at county
        # scale where its pages' own were 50,000).
        villages = sorted({n.village.code for n in by_township[code]})
        key = carry.key("search", PAGEFIND_VERSION, [carry.key_of(village_pages_unit(v)) for v in villages])
        if not carry.carry("search:" + code, key):
            todo.append((code, key))
    return Indexing(stage, by_township, todo, carry, warm)
