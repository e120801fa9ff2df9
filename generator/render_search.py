"""Chinese full-text search with Pagefind (extended build: Chinese word segmentation).

Only notice bodies are indexed. One index per township keeps memory bounded at county
scale; the search page merges them, so villagers search everything at once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib.metadata import version
from pathlib import Path

import cbor2

from . import paths, reuse
from .errors import PublisherError
from .notices import Notice

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


def _index_township(stage: Path, code: str, notices: list[Notice]) -> dict[str, bytes]:
    """Run Pagefind's own indexer (Rust, fast) over the township's notice pages only.

    The pages are hard-linked into a folder of their own first: Pagefind walks its whole
    site folder, and at county scale walking the full site cost more than indexing. That
    folder sits next to the build folder, because hard links cannot cross file systems
    (the system's temp folder is often another one, e.g. tmpfs); named after the build
    folder, a killed build's leftover is removed with it by the next build.
    """
    with tempfile.TemporaryDirectory(prefix=f"{stage.name}.search-", dir=stage.parent) as tmp:
        pages, output = Path(tmp, "pages"), Path(tmp, "bundle")
        for notice in notices:
            target = pages / notice.url
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(paths.located(stage, notice.url), target)  # carried over: still in the site
        command = [_pagefind(), "--site", str(pages), "--glob", "v/*/*/*/index.html",
                   "--output-path", str(output), "--force-language", "zh", "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise PublisherError(f"搜索索引生成失败（{code}）：{done.stderr.strip() or done.stdout.strip()}")
        files = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
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
    indexed two at a time (Pagefind uses about 1.5 cores each and waits on the disk).
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
    with ThreadPoolExecutor(SEARCH_WORKERS) as pool:
        bundles = pool.map(lambda item: _index_township(stage, item[0], by_township[item[0]]), todo)
        for (code, key), files in zip(todo, bundles, strict=True):
            for path, content in sorted(files.items()):
                paths.write_bytes(stage, bundle_path(code) + path, content)
            carry.made_unit("search:" + code, key, [bundle_path(code) + path for path in files])
            log.info("search index for %s: %d notices", code, len(by_township[code]))
