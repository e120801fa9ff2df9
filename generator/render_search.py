"""Chinese full-text search with Pagefind (extended build: Chinese word segmentation).

Only notice bodies are indexed. One index per township keeps memory bounded at county
scale; the search page merges them, so villagers search everything at once.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cbor2

from pagefind.index import IndexConfig, PagefindIndex

from . import paths
from .notices import Notice

log = logging.getLogger(__name__)

SEARCH_DIR = "pagefind"
# The rich UI variants and highlighter are not used by our search page.
_UNUSED = ("pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")


def bundle_path(township_code: str) -> str:
    return f"{SEARCH_DIR}/{township_code}/"


async def _index_township(stage: Path, code: str, notices: list[Notice]) -> None:
    config = IndexConfig(force_language="zh")
    async with PagefindIndex(config=config) as index:
        for notice in notices:
            html = paths.safe_join(stage, notice.url).read_text(encoding="utf-8")
            await index.add_html_file(content=html, url="/" + notice.folder)
        files = {f["path"]: f["content"] for f in await index.get_files()}
    for path, content in sorted(deterministic(files).items()):
        if not path.startswith(_UNUSED):
            paths.write_bytes(stage, bundle_path(code) + path, content)


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


def render_search(stage: Path, notices: list[Notice]) -> None:
    """Write one Pagefind bundle per township, from the notice pages already in `stage`."""
    by_township: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_township[notice.village.township_code].append(notice)

    async def run() -> None:
        for code in sorted(by_township):  # one at a time: memory stays that of one township
            await _index_township(stage, code, by_township[code])
            log.info("search index for %s: %d notices", code, len(by_township[code]))

    # A thread of its own, so an event loop already running in the caller (a notebook, a
    # test driving a browser) does not stop the build.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, run()).result()
