"""Publishing: a failed build leaves the previous site exactly as it was; a finished one is all there."""

import hashlib
import os
import time
from pathlib import Path

import pytest

from generator import paths, publish
from generator.verify import verify_site


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


def _published(tmp_path: Path) -> Path:
    """A published site of three files, the folder it sits in being the caller's."""
    site = tmp_path / "site"
    for relative, text in {"index.html": "home", "v/a/index.html": "a", "v/b/index.html": "b"}.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text, encoding="utf-8")
    return site


def _rebuild(stage: Path, site: Path) -> None:
    """What an incremental build does: home changed, v/a unchanged, v/b gone, v/c new."""
    paths.overlay(stage, str(site), ["index.html", "v/a/index.html", "v/b/index.html"])
    info = (site / "v/a/index.html").stat()
    paths.keep(stage, [("v/a/index.html", ("sha-a", info.st_size, info.st_mtime_ns))])  # as reuse.carry does
    paths.write_text(stage, "index.html", "home, new")
    paths.write_text(stage, "v/c/index.html", "c")


NEW = {"index.html": "home, new", "v/a/index.html": "a", "v/c/index.html": "c"}


def _texts(site: Path) -> dict[str, str]:
    return {path: (site / path).read_text(encoding="utf-8") for path in tree(site)}


def test_a_small_change_is_moved_into_the_site_in_place(tmp_path):
    site = _published(tmp_path)
    folder, unchanged = site.stat().st_ino, (site / "v/a/index.html").stat().st_ino
    with publish.staging(site) as stage:
        _rebuild(stage, site)
        assert sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()) == \
            ["index.html", "v/c/index.html"]  # only what changes is under the stage
    assert _texts(site) == NEW
    assert not (site / "v" / "b").exists()  # the removed file's folder, left empty, goes too
    assert site.stat().st_ino == folder and (site / "v/a/index.html").stat().st_ino == unchanged
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]  # no stage, no journal


def test_a_move_cut_short_is_finished_before_the_site_is_read(tmp_path, monkeypatch):
    site = _published(tmp_path)
    real_replace, moves = os.replace, []

    def killed_after_one(source, target):
        if moves:
            raise KeyboardInterrupt  # as a build killed between two moves
        moves.append(target)
        real_replace(source, target)

    monkeypatch.setattr(publish.os, "replace", killed_after_one)
    with pytest.raises(KeyboardInterrupt), publish.staging(site) as stage:
        _rebuild(stage, site)
    monkeypatch.setattr(publish.os, "replace", real_replace)
    assert _texts(site) != NEW  # a mix of old and new, and the journal that names the rest
    assert (tmp_path / ".site.moving.json").exists()
    assert any("被中断" in problem for problem in verify_site(site).problems)  # verify says so, changing nothing
    publish.finish_interrupted(site)
    assert _texts(site) == NEW
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"]


@pytest.mark.parametrize("why", ["many changes", "a folder where a file goes"])
def test_otherwise_the_whole_new_site_is_swapped_in(tmp_path, monkeypatch, why):
    site = _published(tmp_path)
    if why == "many changes":
        monkeypatch.setattr(publish, "IN_PLACE_MAX", 2)
    else:
        (site / "v" / "c" / "index.html").mkdir(parents=True)
    folder = site.stat().st_ino
    with publish.staging(site) as stage:
        _rebuild(stage, site)
    assert _texts(site) == NEW
    assert site.stat().st_ino != folder  # swapped: readers never saw a mix
