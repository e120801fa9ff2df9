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
from concurrent.futures import ThreadPoolExecutor
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
    files = service.bundle([(url, partial(path.read_text, encoding="utf-8")) for url, path in pages], "zh")
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


def render_search(stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None) -> None:
    """Write one Pagefind bundle per township, from the notice pages already in `stage`.

    A township whose notice pages all were carried over keeps its bundle. The others are
    indexed two at a time, each by a Pagefind service process of its own (a service indexes
    on one core).
    """
    carry = carry or reuse.Reuse.nothing(stage)
    by_township: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_township[notice.village.township_code].append(notice)
    todo = []
    for code in sorted(by_township):
        page_keys = [carry.key_of("page:" + n.url) for n in by_township[code]]
        key = carry.key("search", PAGEFIND_VERSION, sorted(page_keys))
        if not carry.carry("search:" + code, key):
            todo.append((code, key))
    services: list[PagefindService] = []
    local = threading.local()

    def index(code: str) -> dict[str, bytes]:
        if not hasattr(local, "service"):  # one Pagefind process per thread, for all its townships
            local.service = PagefindService(_pagefind())
            services.append(local.service)
        return _index_township(local.service, stage, by_township[code])

    try:
        with ThreadPoolExecutor(SEARCH_WORKERS) as pool:
            for (code, key), files in zip(todo, pool.map(index, [code for code, _ in todo]), strict=True):
                for path, content in sorted(files.items()):
                    paths.write_bytes(stage, bundle_path(code) + path, content)
                carry.made_unit("search:" + code, key, [bundle_path(code) + path for path in files])
                log.info("search index for %s: %d notices", code, len(by_township[code]))
    finally:
        for service in services:
            service.close()
