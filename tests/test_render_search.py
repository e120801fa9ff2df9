"""Pagefind bundles: one per township, notice bodies only, reproducible bytes."""

import gzip
import json
import shutil
import tempfile
from pathlib import Path

import cbor2
import pytest

from generator import render_search
from generator.errors import PublisherError
from generator.pagefind_service import PagefindService


def test_bundle_per_township_with_filters(sample_site):
    site, result = sample_site
    bundle = site / "pagefind" / "yangmiao"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] == len(result.published)  # notices only, no hub pages
    meta = render_search._decode((bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta").read_bytes())
    assert [name for name, _ in meta[3]] == sorted(["乡镇", "村", "年度", "类别"])
    for name, file_hash in meta[3]:
        stored_name, values = render_search._decode((bundle / "filter" / f"{file_hash}.pf_filter").read_bytes())
        assert stored_name == name
        assert [v[0] for v in values] == sorted(v[0] for v in values)
    assert not list(bundle.glob("pagefind-component-ui*"))


def _copy_pages(site: Path, notices, target: Path) -> None:
    for notice in notices:
        (target / notice.folder).mkdir(parents=True, exist_ok=True)
        shutil.copy2(site / notice.url, target / notice.url)


def test_bundle_is_the_same_whatever_file_system_and_order_the_pages_come_in(sample_site, tmp_path):
    """Pagefind run over a folder numbered pages in the order the file system lists them (a
    hash seeded per ext4 file system, newest first on tmpfs): other bytes on another machine."""
    site, result = sample_site
    notices = [n for n in result.published if n.village.township_code == "yangmiao"]
    other = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=other if other.is_dir() else tmp_path) as copy:
        _copy_pages(site, reversed(notices), Path(copy))  # created newest first: listed in another order
        service = PagefindService(render_search._pagefind())
        try:
            here = render_search._index_township(service, render_search._pages(site, notices, read_now=False))
            # Read beforehand, as for indexing beside the build: the same bundle.
            there = render_search._index_township(
                service, render_search._pages(Path(copy), list(reversed(notices)), read_now=True))
        finally:
            service.close()
    assert here == there
    entry = json.loads(here["pagefind-entry.json"])
    assert entry["languages"]["zh"]["page_count"] == len(notices)
    fragments = [k for k in here if k.startswith("fragment/")]
    assert len(fragments) == len(notices)
    urls = {json.loads(gzip.decompress(here[k])[len(b"pagefind_dcd"):])["url"] for k in fragments}
    assert urls == {"/" + n.folder for n in notices}


def test_pagefind_reads_only_the_indexed_part_and_makes_the_same_bundle(sample_site):
    """Pagefind is given each notice page's head and data-pagefind-body element, not the
    site's header, menus and footer: the bundle is the one the whole pages give."""
    site, result = sample_site
    notices = [n for n in result.published if n.village.township_code == "yangmiao"]
    whole = sorted(("/" + n.folder, (site / n.url).read_text) for n in notices)
    page = (site / notices[0].url).read_text(encoding="utf-8")
    indexed = render_search._indexed(page)
    assert len(indexed) < 0.8 * len(page) and "data-pagefind-body" in indexed and "<title>" in indexed
    assert indexed.endswith("</article></body></html>") and 'class="md-header' not in indexed
    assert indexed.startswith('<!doctype html><html lang="zh"') and "stylesheet" not in indexed and "<script" not in indexed
    assert render_search._indexed("<html><body><p>别的页面</p></body></html>") == "<html><body><p>别的页面</p></body></html>"
    service = PagefindService(render_search._pagefind())
    try:
        assert render_search._index_township(service, render_search._pages(site, notices, read_now=False)) == \
            render_search._index_township(service, whole)
    finally:
        service.close()


def test_a_page_that_cannot_be_read_stops_indexing_with_its_error(sample_site):
    site, result = sample_site
    pages = [("/" + n.folder, (site / n.url).read_text) for n in result.published[:3]]

    def unreadable():
        raise OSError("磁盘坏了")

    service = PagefindService(render_search._pagefind())
    try:
        with pytest.raises(OSError, match="磁盘坏了"):
            service.bundle([*pages, ("/gone/", unreadable), *pages], "zh")
    finally:
        service.close()


def test_pagefind_gone_is_reported_in_chinese(sample_site):
    site, result = sample_site
    service = PagefindService(render_search._pagefind())
    service._process.kill()
    service._process.wait()
    try:
        with pytest.raises(PublisherError, match="Pagefind"):
            service.bundle([("/" + n.folder, (site / n.url).read_text) for n in result.published[:2]], "zh")
    finally:
        service.close()


def _file(value) -> bytes:
    return gzip.compress(b"pagefind_dcd" + cbor2.dumps(value), mtime=0)


def test_normalisation_is_independent_of_hash_map_order():
    def bundle(order):
        values = [["鹿村", [1, 2]], ["北西尚村", [0]], ["聂村", [3]]]
        values = [values[i] for i in order]
        files = {
            "filter/zh_a.pf_filter": _file(["村", values]),
            "filter/zh_b.pf_filter": _file(["年度", [["2024年", [0, 1, 2, 3]]]]),
            "pagefind.zh_m.pf_meta": _file(["1.5.2", [], [], [["村", "zh_a"], ["年度", "zh_b"]][::1 if order[0] else -1], [], []]),
            "pagefind-entry.json": b'{"version":"1.5.2","languages":{"zh":{"hash":"zh_m","wasm":null,"page_count":4}}}',
        }
        return render_search.deterministic(files)

    first, second = bundle([0, 1, 2]), bundle([2, 0, 1])
    assert first == second
    entry = json.loads(first["pagefind-entry.json"])
    meta = render_search._decode(first[f"pagefind.{entry['languages']['zh']['hash']}.pf_meta"])
    village_file = dict(meta[3])["村"]
    assert render_search._decode(first[f"filter/{village_file}.pf_filter"])[1][0] == ["北西尚村", [0]]
