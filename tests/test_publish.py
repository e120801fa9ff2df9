"""Atomic publishing: a failed build leaves the previous site exactly as it was."""

import hashlib
import time
from pathlib import Path

import pytest

from generator import publish


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_successful_stage_replaces_the_site(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "old.html").write_text("old", encoding="utf-8")
    with publish.staging(site) as stage:
        (stage / "new.html").write_text("new", encoding="utf-8")
    assert tree(site).keys() == {"new.html"}
    # The old copy is deleted by a process of its own after the swap: gone soon, with no stage left.
    deadline = time.monotonic() + 10
    while len(list(tmp_path.iterdir())) > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_failed_stage_leaves_site_untouched(tmp_path):
    site = tmp_path / "site"
    (site / "v").mkdir(parents=True)
    (site / "v" / "index.html").write_text("published", encoding="utf-8")
    before = tree(site)
    with pytest.raises(RuntimeError), publish.staging(site) as stage:
        (stage / "half.html").write_text("half", encoding="utf-8")
        raise RuntimeError("render failed")
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_first_build_creates_the_site(tmp_path):
    site = tmp_path / "out" / "site"
    with publish.staging(site) as stage:
        (stage / "index.html").write_text("x", encoding="utf-8")
    assert (site / "index.html").read_text(encoding="utf-8") == "x"


def test_leftovers_of_a_killed_build_are_cleared(tmp_path):
    site = tmp_path / "site"
    (tmp_path / ".site.building-99999").mkdir()
    (tmp_path / ".site.old-99999").mkdir()
    with publish.staging(site) as stage:
        (stage / "index.html").write_text("x", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


def test_checksums_and_sitemap_list_every_file_and_page_on_disk(sample_site, config):
    """Both come from what the build recorded writing, not from a walk: they must match the disk."""
    import json
    import re

    site, _ = sample_site
    on_disk = tree(site)
    listed = json.loads((site / "checksums.json").read_bytes())
    expected = {path: sha for path, sha in on_disk.items()
                if path not in ("manifest.json", "checksums.json") and not path.startswith("manifests/")}
    assert listed == expected
    assert any(path.startswith("assets/") for path in listed)  # MkDocs' own output too
    pages = sorted((path.removesuffix("index.html") for path in on_disk if path.endswith("index.html")),
                   key=lambda page: page[:-1])
    base = config.site_url.rstrip("/") + "/"
    assert re.findall(r"<loc>(.*?)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8")) == [base + p for p in pages]
