"""The PDF cache: published PDFs share its entries, and entries nothing publishes go."""

import dataclasses
import datetime as dt
import os
import shutil

import pytest

from generator import pdf_cache, pipeline, render_pdf
from generator.config import Paper

AS_OF = dt.date(2025, 1, 31)


@pytest.fixture
def own_cache(config, tmp_path):
    """A cache of this test's own (fonts linked in), so pruning touches no other test's entries."""
    cache = tmp_path / "cache"
    shutil.copytree(config.cache / "fonts", cache / "fonts", copy_function=os.link)
    return dataclasses.replace(config, cache_dir=cache)


def _notice_pdfs(site) -> dict[str, int]:
    """Each notice PDF of the site (not the print batches) → its inode."""
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in (site / "v").rglob("*.pdf")}


def test_published_pdfs_are_hard_links_to_the_cache(data, own_cache, tmp_path):
    site = tmp_path / "site"
    pipeline.build(data, site, own_cache, AS_OF)
    entries = {p.stat().st_ino for p in (own_cache.cache / "pdf").glob("*.pdf")}
    published = _notice_pdfs(site)
    assert len(published) >= 10
    assert set(published.values()) <= entries  # one copy on disk, not two


def test_entries_no_site_publishes_are_removed(data, own_cache, tmp_path, monkeypatch):
    site, folder = tmp_path / "site", own_cache.cache / "pdf"
    monkeypatch.setattr(pdf_cache, "KEEP_YOUNGER_THAN", 0)  # no concurrent build here
    pipeline.build(data, site, own_cache, AS_OF)
    first = _notice_pdfs(site)
    by_inode = {p.stat().st_ino: p for p in folder.glob("*.pdf")}
    stray, partial = folder / f"{'0' * 64}.pdf", folder / f"{'1' * 64}.tmp"  # an old template's; a killed build's
    stray.write_bytes(b"%PDF-1.7 old")
    partial.write_bytes(b"%PDF-1.7 half")

    # A new paper size for reviews: their PDFs change, as after a template change.
    a3 = dataclasses.replace(own_cache, paper={**own_cache.paper, "review": Paper("A3", "landscape")})
    pipeline.build(data, site, a3, AS_OF)
    second = _notice_pdfs(site)
    replaced = [path for path in first if second[path] != first[path]]
    assert replaced and all("/review-" in path for path in replaced)
    old_entry = by_inode[first[replaced[0]]]
    assert not stray.exists() and not partial.exists()
    assert old_entry.exists()  # the site it belonged to was still live while this build pruned

    pipeline.build(data, site, a3, AS_OF)
    assert not old_entry.exists()
    assert set(_notice_pdfs(site).values()) <= {p.stat().st_ino for p in folder.glob("*.pdf")}

    # What the site publishes, print-batch covers included, is all still there: nothing to render.
    monkeypatch.setattr(render_pdf, "_render", lambda job: pytest.fail(f"rendered again: {job[0]}"))
    shutil.rmtree(site)
    pipeline.build(data, site, a3, AS_OF)
    assert (site / replaced[0]).exists()


def test_nothing_is_removed_while_it_may_be_a_concurrent_builds(data, own_cache, tmp_path):
    folder = own_cache.cache / "pdf"
    folder.mkdir(parents=True)
    fresh = folder / f"{'2' * 64}.pdf"
    fresh.write_bytes(b"%PDF-1.7 just rendered elsewhere")
    pipeline.build(data, tmp_path / "site", own_cache, AS_OF)
    assert fresh.exists()
    old = os.stat(fresh).st_mtime - pdf_cache.KEEP_YOUNGER_THAN - 10
    os.utime(fresh, (old, old))
    pipeline.build(data, tmp_path / "site", own_cache, AS_OF)
    assert not fresh.exists()
