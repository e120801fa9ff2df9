"""Incremental builds: unchanged outputs are carried over, and the result is what a full build makes."""

import dataclasses
import datetime as dt
import hashlib
import json
import marshal
import os
import threading

from generator import build_record, pipeline, reuse, site_scan

from .conftest import add_row, read_rows, set_cell, write_rows
from .test_publish import tree

AS_OF = dt.date(2025, 3, 1)
NEW_PROGRESS = {"村代码": "beixishang", "年度": "2024", "承诺编号": "2024-02", "进展": "第四季度财务已按时公开",
                "状态": "已完成", "公开日期": "2025-01-10"}


def _build(data, site, config):
    return pipeline.build(data, site, config, AS_OF, pdfs=False)


def _inodes(site):
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


def _published(site):
    return {path: sha for path, sha in tree(site).items() if path != "manifest.json" and not path.startswith("manifests/")}


def _urls(site, **match):
    """The URLs of the published notices whose manifest entries have these values."""
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    return {n["url"] for n in manifest["notices"] if all(n[key] == value for key, value in match.items())}


def _two_townships(data):
    """鹿村 moves to a township of its own: a full build has two townships to index."""
    rows = read_rows(data / "villages.csv")
    for row in rows[1:]:
        if row[0] == "lucun":
            row[2:4] = ["新集镇", "xinji"]
    write_rows(data / "villages.csv", rows)


def _rebuilt(data, tmp_path, config, change, **settings):
    """Build, `change` the data, build again (with these `settings` changed): the site and the
    files it kept as they were, once checked to have the bytes of a build from nothing (but for
    the manifest chain, which records the earlier build)."""
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    before = _inodes(site)
    change()
    config = dataclasses.replace(config, **settings)
    _build(data, site, config)
    after = _inodes(site)

    fresh = tmp_path / "fresh"
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    assert _published(site) == _published(fresh)
    return site, {path for path in before if after.get(path) == before[path]}


def test_one_new_record_remakes_only_what_shows_it(data, tmp_path, config):
    site, kept = _rebuilt(data, tmp_path, config, lambda: add_row(data / "commitment_progress.csv", NEW_PROGRESS))
    finance_pages = _urls(site, kind="finance")
    assert finance_pages and finance_pages <= kept  # carried over: the very same files
    commitments_pages = _urls(site, kind="commitments")
    assert commitments_pages and not commitments_pages & kept  # its 最新状态 changed
    assert "manifest.json" not in kept and "checksums.json" not in kept


def test_an_edited_progress_row_remakes_the_commitments_page_that_shows_it(data, tmp_path, config):
    """The page's key holds the progress notices its rows are in, by id and hash, not the rows."""
    text = "已完成全年任务的25%，经村务监督委员会核实"

    def corrected():  # a published row changes only with a declared correction
        set_cell(data / "commitment_progress.csv", 2, "进展", text)
        (data / "corrections.csv").write_text(
            "公告编号,更正日期,更正原因\nbeixishang-progress-2024-04-08,2025-02-01,进展表述不完整\n", encoding="utf-8")

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    [page] = _urls(site, kind="commitments", village="beixishang")
    before, shown = _inodes(site), (site / page).read_text(encoding="utf-8")
    corrected()
    _build(data, site, config)
    after = _inodes(site)
    assert text not in shown and text in (site / page).read_text(encoding="utf-8")
    assert after[page] != before[page]
    assert all(after[url] == before[url] for url in _urls(site, kind="finance"))  # carried over
    # What a build with the same record kept (the correction's history aside) shows the same.
    fresh = tmp_path / "fresh"
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    assert (fresh / page).read_bytes() == (site / page).read_bytes()


def test_a_new_hotline_remakes_that_village_s_notice_pages_only(data, tmp_path, config):
    """A notice page shows its village's register row (公开栏, 监督电话), which its hash does not cover."""
    def new_hotline():
        rows = read_rows(data / "villages.csv")
        column = rows[0].index("监督电话")
        for row in rows[1:]:
            if row[0] == "lucun":
                row[column] = "0391-3569999"
        write_rows(data / "villages.csv", rows)

    site, kept = _rebuilt(data, tmp_path, config, new_hotline)
    lucun, beixishang = _urls(site, village="lucun"), _urls(site, village="beixishang")
    assert lucun and not lucun & kept
    assert all("0391-3569999" in (site / url).read_text(encoding="utf-8") for url in lucun)
    assert beixishang and beixishang <= kept


def test_only_the_pages_of_a_village_that_changed_are_keyed_one_by_one(data, tmp_path, config, monkeypatch):
    """Each village's pages are first keyed together: a village whose pages' inputs are all as
    before has its pages carried without a key each; a page of it edited on the server is
    still made again. The site is what a build from nothing makes (_rebuilt)."""
    from generator import render_html

    keyed = []
    page_inputs = render_html._page_inputs
    monkeypatch.setattr(render_html, "_page_inputs", lambda notice, *args: keyed.append(notice.village.code)
                        or page_inputs(notice, *args))
    edited = []

    def change():
        keyed.clear()
        add_row(data / "commitment_progress.csv", NEW_PROGRESS)  # 北西尚村
        page = tmp_path / "site" / sorted(_urls(tmp_path / "site", village="lucun"))[0]
        page.write_bytes(page.read_bytes() + b"<!-- edited -->")
        edited.append(page)

    site, kept = _rebuilt(data, tmp_path, config, change)
    shown = len(_urls(site, village="beixishang"))
    rebuilt = keyed[:shown + 1]  # the rebuild's; the build from nothing's come after
    assert sorted(rebuilt) == ["beixishang"] * shown + ["lucun"]
    assert b"edited" not in edited[0].read_bytes()
    assert _urls(site, village="lucun", kind="finance") - {str(edited[0].relative_to(site))} <= kept


def test_a_commitments_page_edited_on_the_server_in_an_unchanged_village_shows_its_progress(data, tmp_path, config):
    """A page made again though its village is unchanged (its file was edited) shows what a
    build from nothing shows, the 践诺 rows of its village's progress notices included."""
    edited = []

    def change():
        rows = read_rows(data / "villages.csv")  # 鹿村 changes, 北西尚村 does not
        column = rows[0].index("监督电话")
        for row in rows[1:]:
            if row[0] == "lucun":
                row[column] = "0391-3569999"
        write_rows(data / "villages.csv", rows)
        [page] = _urls(tmp_path / "site", village="beixishang", kind="commitments")
        path = tmp_path / "site" / page
        path.write_bytes(path.read_bytes().replace("最新状态".encode(), "已改动".encode()))
        edited.append(path)

    _rebuilt(data, tmp_path, config, change)  # the same bytes as a build from nothing
    assert "最新状态" in edited[0].read_text(encoding="utf-8")


def test_a_rebuild_on_later_days_is_a_build_from_nothing_on_those_days(data, tmp_path, config):
    """As days pass, windows close (a page's state and the build date it shows) and notices come
    out: the pages of each village keyed as one (render_html) follow, day after day."""
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    published = []
    for day in (dt.date(2024, 10, 8), dt.date(2024, 10, 12), dt.date(2024, 10, 16), dt.date(2025, 1, 20)):
        published.append(len(pipeline.build(data, site, config, day, pdfs=False).published))
        fresh = tmp_path / f"fresh-{day}"
        pipeline.build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / f"cache-{day}"), day, pdfs=False)
        assert _published(site) == _published(fresh), day
    assert published == sorted(published) and published[0] < published[-1]


def test_only_files_whose_bytes_change_are_written(data, tmp_path, config):
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    before, before_bytes = _inodes(site), tree(site)
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)
    after, after_bytes = _inodes(site), tree(site)
    made = {p for p in after if before.get(p) != after[p]}
    changed = {p for p in after if before_bytes.get(p) != after_bytes[p]}
    assert changed and made == changed  # MkDocs' own output included: linked where unchanged
    assert any(p.startswith("assets/") for p in after) and not any(p.startswith("assets/") for p in made)


def test_a_file_edited_on_the_server_is_made_again(data, tmp_path, config):
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    page = site / sorted(_urls(site, kind="finance"))[0]
    original = page.read_bytes()
    with open(page, "r+b") as edited:  # in place: same inode, new bytes and mtime
        edited.write(b"<!-- edited -->")
    os.utime(page, ns=(1, 1))
    _build(data, site, config)
    assert page.read_bytes() == original


def test_a_record_for_another_site_is_not_trusted(data, tmp_path, config):
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    record = reuse.record_file(config, site)
    assert reuse.read_record(record)["units"]
    # The published site is replaced by another build (say, copied from another machine).
    other = tmp_path / "other"
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, other, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    site.rename(tmp_path / "old")
    other.rename(site)
    # Even a file that has the very size and mtime the record names is not taken on trust.
    relative = sorted(_urls(site, kind="finance"))[0]  # a page whose key did not change
    _, size, mtime = reuse.read_record(record)["files"][relative]
    page = site / relative
    page.write_bytes(b"tampered".ljust(size, b" "))
    os.utime(page, ns=(mtime, mtime))
    _build(data, site, config)
    assert b"tampered" not in page.read_bytes()


def test_only_the_feeds_that_show_a_new_notice_are_made_again(data, tmp_path, config, monkeypatch):
    from generator import render_feeds

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    all_feeds = sorted(p.relative_to(site).as_posix() for p in site.rglob(render_feeds.FEED_FILE))
    made = []
    feed_xml = render_feeds.feed_xml
    monkeypatch.setattr(render_feeds, "feed_xml", lambda title, path, *rest: made.append(path) or feed_xml(title, path, *rest))
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)
    assert "v/lucun/feed.xml" in all_feeds  # not made again: nothing new in that village
    assert sorted(made) == ["t/yangmiao/", "v/beixishang/"]  # the village's and its township's
    fresh = tmp_path / "fresh"
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    assert {f: tree(site)[f] for f in all_feeds} == {f: tree(fresh)[f] for f in all_feeds}


def test_only_the_verify_shards_of_new_or_changed_notices_are_made_again(data, tmp_path, config, monkeypatch):
    from generator import render_data
    from generator.notices import verification_code

    made = []
    shard = render_data._verify_shard
    monkeypatch.setattr(render_data, "_verify_shard", lambda notices, *rest: made.append(
        {n.code[:2] for n in notices}) or shard(notices, *rest))

    def change():
        made.clear()
        add_row(data / "commitment_progress.csv", NEW_PROGRESS)

    site, _ = _rebuilt(data, tmp_path, config, change)  # the site is a full build's, byte for byte
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    codes = {n["id"]: verification_code(n["sha256"]) for n in manifest["notices"]}
    new = codes["beixishang-progress-2025-01-10"]
    shards = {p.stem for p in (site / render_data.VERIFY_DIR).glob("*.json")}
    assert shards == {code[:2] for code in codes.values()} and len(shards) > 1
    # The rebuild made one shard, the new notice's; then _rebuilt's build from nothing made all.
    assert made[0] == {new[:2]} and sorted(set().union(*made[1:])) == sorted(shards) and len(made) == 1 + len(shards)
    assert json.loads((site / render_data.VERIFY_DIR / f"{new[:2]}.json").read_text(encoding="utf-8"))[new][0]["id"] \
        == "beixishang-progress-2025-01-10"


def test_a_new_version_of_a_page_library_remakes_the_pages(data, tmp_path, config, monkeypatch):
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    carried = []
    carry, carry_each = reuse.Reuse.carry, reuse.Reuse.carry_each

    def each(self, wanted):
        missed = carry_each(self, wanted)
        carried.extend(unit for at, (unit, _) in enumerate(wanted) if at not in missed)
        return missed

    monkeypatch.setattr(reuse.Reuse, "carry", lambda self, unit, key: carry(self, unit, key) and not carried.append(unit))
    monkeypatch.setattr(reuse.Reuse, "carry_each", each)
    _build(data, site, config)
    assert any(unit.startswith("page:") for unit in carried)  # nothing changed: pages carried over
    carried.clear()
    monkeypatch.setattr(reuse, "version", lambda name: "99.0" if name == "jinja2" else "1.0")
    _build(data, site, config)
    assert carried == []


def test_the_record_of_a_removed_site_is_deleted_by_the_next_build(data, tmp_path, config):
    import shutil

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    first, second = tmp_path / "first", tmp_path / "second"
    _build(data, first, config)
    _build(data, second, config)
    records = tmp_path / "cache" / "builds"
    assert reuse.record_file(config, first).exists() and reuse.record_file(config, second).exists()
    shutil.rmtree(first)
    _build(data, second, config)
    assert sorted(p.name for p in records.iterdir()) == sorted(
        [reuse.record_file(config, second).name, reuse.record_file(config, second).with_suffix(".site").name])


def test_older_manifests_are_kept_without_being_read_again(data, tmp_path, config, monkeypatch):
    import hashlib

    from generator import paths
    from generator.verify import verify_site

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)  # manifests/ now holds the first manifest
    second = hashlib.sha256((site / "manifest.json").read_bytes()).hexdigest()
    replaced = (site / "manifest.json").stat().st_ino
    add_row(data / "commitment_progress.csv", {**NEW_PROGRESS, "承诺编号": "2024-01", "进展": "已完成", "公开日期": "2025-01-20"})
    written = []
    write_bytes = paths.write_bytes
    monkeypatch.setattr(paths, "write_bytes", lambda root, relative, content: written.append(relative) or write_bytes(root, relative, content))
    _build(data, site, config)
    assert not [r for r in written if r.startswith("manifests/")]  # none written: the one replaced now is linked
    assert (site / "manifests" / f"{second}.json").stat().st_ino == replaced  # the published file itself
    assert len(list((site / "manifests").iterdir())) == 2
    assert verify_site(site).ok


def test_a_replaced_manifest_changed_on_disk_during_the_build_is_archived_as_read(data, tmp_path, config, monkeypatch):
    import hashlib

    from generator import history

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    first = (site / "manifest.json").read_bytes()
    exact_bytes = history.Previous.exact_bytes

    def then_edited(previous):  # someone edits the published manifest right after it is read
        raw = exact_bytes(previous)
        edited = site / "manifest.json.edited"
        edited.write_bytes(raw.replace(b'"notices"', b'"notices" ', 1))
        edited.replace(site / "manifest.json")
        return raw

    monkeypatch.setattr(history.Previous, "exact_bytes", then_edited)
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)
    assert (site / "manifests" / f"{hashlib.sha256(first).hexdigest()}.json").read_bytes() == first


def test_files_are_checked_alike_with_the_site_listed_or_not(data, tmp_path, config, monkeypatch):
    """The site is checked by find in a checker process while the data is checked; without
    find, each file is lstat'ed."""
    answers = []
    checked = site_scan.SiteScan.not_intact

    def rebuild_keeps(name, without_find):
        with monkeypatch.context() as patch:
            if without_find:
                patch.setattr(site_scan.shutil, "which", lambda _: None)
            patch.setattr(site_scan.SiteScan, "not_intact", lambda scan, digest: answers.append(checked(scan, digest)) or answers[-1])
            site = tmp_path / name
            _build(data, site, dataclasses.replace(config, cache_dir=tmp_path / f"{name}-cache"))
            page = site / sorted(_urls(site, kind="finance"))[0]
            page.write_bytes(page.read_bytes().replace(b"<", b"[", 1))  # same size, new mtime
            before = _inodes(site)
            _build(data, site, dataclasses.replace(config, cache_dir=tmp_path / f"{name}-cache"))
            after = _inodes(site)
            assert b"[" not in page.read_bytes()[:1]
            return {path for path in before if after.get(path) == before[path]}, page.relative_to(site).as_posix()

    listed, edited = rebuild_keeps("listed", without_find=False)
    unlisted, _ = rebuild_keeps("unlisted", without_find=True)
    assert listed == unlisted and edited not in listed
    assert answers == [{edited}, None]  # the checker found the edited page; without find, no answer
    assert len(listed) > 100  # most of the site carried over either way


def test_one_changed_township_is_indexed_beside_the_rest_of_the_build(data, tmp_path, config, monkeypatch):
    """A rebuild's one township is indexed while the feeds and listings are written; a full
    build indexes only after them, so two Pagefind services never run beside those listings."""
    from generator import render_feeds, render_search

    started, at_feeds = [], []
    service, feeds = render_search.PagefindService, render_feeds.render_feeds

    def counted_service(*args):
        started.append(threading.current_thread().name)
        return service(*args)

    def counted_feeds(*args, **kwargs):
        at_feeds.append(len(started))
        return feeds(*args, **kwargs)

    monkeypatch.setattr(render_search, "PagefindService", counted_service)
    monkeypatch.setattr(render_feeds, "render_feeds", counted_feeds)
    _two_townships(data)
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    assert sorted(entry.name for entry in (site / render_search.SEARCH_DIR).iterdir()) == ["xinji", "yangmiao"]
    assert at_feeds == [0] and len(started) == 2
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)  # 北西尚村, of 阳庙镇
    _build(data, site, config)
    assert at_feeds == [0, 3]  # the one service of the rebuild was running by then
    # started while the data was checked, its dictionary loaded, and then given the township
    assert started[2].startswith("pagefind-warm")


def test_carried_downloads_keep_their_datapackage_entries_as_published(data, tmp_path, config, monkeypatch):
    """Entries are copied from the published datapackage.json for downloads carried over, and
    only while that file has the bytes the last build recorded: a file edited on the server is
    not copied from."""
    from generator import render_data
    from generator.render_data import DATAPACKAGE

    copied = []  # per item given: copied from the published file (a run of entries) or made
    resources = render_data._resources

    def counted(*args):
        for item in resources(*args):
            copied.append(type(item).__name__ == "Written")
            yield item

    monkeypatch.setattr(render_data, "_resources", counted)
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    assert copied and not any(copied)  # nothing published yet
    copied.clear()
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)
    assert copied.count(False) == 2  # the new notice's two entries, made
    assert 1 <= copied.count(True) <= 2  # the others in a run or two: before and after them
    fresh = tmp_path / "fresh"
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    assert (site / DATAPACKAGE).read_bytes() == (fresh / DATAPACKAGE).read_bytes()

    text = (site / DATAPACKAGE).read_text(encoding="utf-8")
    (site / DATAPACKAGE).write_text(text.replace('"format": "csv"', '"format": "xls"', 1), encoding="utf-8")
    copied.clear()
    _build(data, site, config)
    assert copied and not any(copied)
    assert (site / DATAPACKAGE).read_bytes() == (fresh / DATAPACKAGE).read_bytes()


def test_after_a_settings_change_the_record_serves_files_but_not_units(data, tmp_path, config):
    """A new setting (or code) changes every key: the record's units are not even loaded, and
    its files still keep those whose bytes stay the same from being written."""
    path = reuse.record_file(dataclasses.replace(config, cache_dir=tmp_path / "cache"), tmp_path / "site")

    def units_read_only_for_their_salt():
        record = reuse.read_record(path)
        assert record["units"] and record["files"] and record["salt"]
        assert reuse.read_record(path, record["salt"])["units"] == record["units"]
        other = reuse.read_record(path, "another salt")
        assert other["units"] == {} and other["files"] == record["files"]

    site, kept = _rebuilt(data, tmp_path, config, units_read_only_for_their_salt, site_name="某县村务公开")
    # The name is the home page's title only: every key changed, yet only that page is new.
    after = set(_published(site))
    assert "index.html" not in kept and kept | {"index.html"} >= after - {"checksums.json"}


def test_a_record_of_an_older_format_is_not_used(data, tmp_path, config):
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    path = reuse.record_file(config, site)
    record = reuse.read_record(path)
    path.write_bytes(marshal.dumps({**record, "version": 2}))  # one marshal dict, as before
    assert reuse.read_record(path) is None
    _build(data, site, config)  # made in full, and the record written anew
    assert reuse.read_record(path)["version"] == reuse.RECORD_VERSION


def test_files_published_but_made_no_more_are_removed_after_the_units_are_done(data, tmp_path, config):
    """The published files left to account for are narrowed once every unit is carried or
    made (carried_all): a published file no unit made is still removed."""
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    _build(data, site, config)
    stray = site / "v" / "lucun" / "old-notice.html"
    stray.write_text("old", encoding="utf-8")
    path = reuse.record_file(config, site)
    record = reuse.read_record(path)
    stat = stray.stat()
    record["files"]["v/lucun/old-notice.html"] = (hashlib.sha256(b"old").hexdigest(), stat.st_size, stat.st_mtime_ns)
    path.write_bytes(build_record.sections(record))
    _build(data, site, config)
    assert not stray.exists()


def test_carried_notices_keep_their_manifest_entries_as_published(data, tmp_path, config, monkeypatch):
    """Entries of notices whose downloads were carried over are copied from the published
    manifest.json, and only while it has the bytes the last build wrote."""
    from generator import publish

    made = []
    entry = publish._entry
    monkeypatch.setattr(publish, "_entry", lambda notice: made.append(notice.id) or entry(notice))

    def notices_member(site):
        text = (site / "manifest.json").read_bytes()
        return text[text.index(b'"notices": ['):text.index(b'"superseded": ')]

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    built = _build(data, site, config)
    assert len(made) == len(built.published)
    made.clear()
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    _build(data, site, config)
    assert made == ["beixishang-progress-2025-01-10"]  # the new notice's alone
    fresh = tmp_path / "fresh"
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    assert notices_member(site) == notices_member(fresh)

    text = (site / "manifest.json").read_text(encoding="utf-8")
    (site / "manifest.json").write_text(text.replace('"title": "', '"title": "改过的', 1), encoding="utf-8")
    made.clear()
    built = _build(data, site, config)
    assert len(made) == len(built.published)
    assert notices_member(site) == notices_member(fresh)


def test_the_record_keeps_only_units_whose_files_were_all_written(tmp_path):
    from generator import paths

    stage = tmp_path / "stage"
    stage.mkdir()
    carry = reuse.Reuse.nothing(stage)
    paths.write_bytes(stage, "a/index.html", b"a")
    paths.write_bytes(stage, "b/index.html", b"b")
    carry.made_unit("page:a", "k1", ["a/index.html"])
    carry.made_unit("page:ab", "k2", ["b/index.html", "a/index.html"])
    assert set(carry.record("digest")["units"]) == {"page:a", "page:ab"}
    carry.made_unit("page:c", "k3", ["a/index.html", "c/index.html"])  # c never written
    record = carry.record("digest")
    assert set(record["units"]) == {"page:a", "page:ab"}
    assert set(record["files"]) == {"a/index.html", "b/index.html"}
    paths.forget(stage)


def test_a_rebuild_edits_the_published_checksums_where_files_changed(data, tmp_path, config, monkeypatch):
    """checksums.json is edited where files were made anew or removed, and made whole when the
    published one is not what the last build wrote: the same bytes either way."""
    from generator import jsontext

    whole = []
    flat_object = jsontext.flat_object
    monkeypatch.setattr(jsontext, "flat_object", lambda *args: whole.append(1) or flat_object(*args))
    site, _ = _rebuilt(data, tmp_path, config, lambda: add_row(data / "commitment_progress.csv", NEW_PROGRESS))
    assert len(whole) == 2  # the first build and the fresh one; the rebuild edited it
    listed = json.loads((site / "checksums.json").read_bytes())
    assert listed == {path: sha for path, sha in tree(site).items()
                      if path not in ("manifest.json", "checksums.json") and not path.startswith("manifests/")}

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    (site / "checksums.json").write_text("{}\n", encoding="utf-8")  # changed on the server
    whole.clear()
    _build(data, site, config)
    assert whole == [1]
    assert json.loads((site / "checksums.json").read_bytes()) == listed


def test_published_files_are_narrowed_only_before_many_townships_are_indexed(data, tmp_path, config, monkeypatch):
    """The last build's file records are narrowed to the files no unit made (one by one, 0.3 s
    a county) only when the townships are indexed after the listings, Pagefind at its peak:
    not in a rebuild that indexes one township meanwhile. The site is the same either way."""
    from generator import paths

    narrowed = []
    published_left = paths.published_left
    monkeypatch.setattr(paths, "published_left", lambda *args: narrowed.append(1) or published_left(*args))
    set_cell(data / "villages.csv", 3, "乡镇", "张庄镇")  # lucun: a second township to index
    set_cell(data / "villages.csv", 3, "乡镇代码", "zhangzhuang")
    _rebuilt(data, tmp_path, config, lambda: add_row(data / "commitment_progress.csv", NEW_PROGRESS))
    assert narrowed == []  # one township indexed meanwhile
    _rebuilt(data, tmp_path / "settings", config, lambda: None, site_name="某县村务公开")
    assert narrowed == [1]  # both, after the listings


def test_a_rebuild_edits_the_published_sitemap_where_pages_came(data, tmp_path, config, monkeypatch):
    from generator import sitemap

    whole = []
    text = sitemap.text
    monkeypatch.setattr(sitemap, "text", lambda *args: whole.append(1) or text(*args))
    site, _ = _rebuilt(data, tmp_path, config, lambda: add_row(data / "commitment_progress.csv", NEW_PROGRESS))
    assert len(whole) == 2  # the first build and the fresh one (the same bytes: _rebuilt)
    assert "/v/beixishang/2025/progress-2025-01-10/</loc>" in (site / "sitemap.xml").read_text(encoding="utf-8")


def test_a_rebuild_writes_the_downloads_of_hashed_notices_while_search_indexes(data, tmp_path, config, monkeypatch):
    """Notices not hashed yet have their downloads written first (hashed on the way, for the
    pages); a rebuild's others, hashed from the check cache, after the search stage starts,
    while Pagefind indexes the changed township."""
    from generator import render_data, render_search

    order = []
    downloads, start = render_data.render_downloads, render_search.start
    monkeypatch.setattr(render_data, "render_downloads",
                        lambda stage, notices, carry: order.append(len(notices)) or downloads(stage, notices, carry))
    monkeypatch.setattr(render_search, "start", lambda *args: order.append("search") or start(*args))
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    built = _build(data, tmp_path / "site", config)
    assert order == [len(built.published), "search", 0]  # nothing hashed before: all first
    order.clear()
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    built = _build(data, tmp_path / "site", config)
    assert order == [1, "search", len(built.published) - 1]  # only the new notice before the pages


def test_units_carried_together_are_those_carried_one_by_one(tmp_path):
    """carry_each, fast under an overlay whose changed files are known, carries what carry()
    would: not a unit whose key changed, that is unknown, one of whose files changed, or one
    naming a file the record has no entry for."""
    from generator import paths

    site = tmp_path / "site"
    files = {f"{name}/index.html": name.encode() for name in ("a", "b", "c", "d")}
    for relative, content in files.items():
        (site / relative).parent.mkdir(parents=True)
        (site / relative).write_bytes(content)
    recorded = {relative: (hashlib.sha256(content).hexdigest(), len(content), (site / relative).stat().st_mtime_ns)
                for relative, content in files.items()}
    units = {f"page:{name}": [f"key-{name}", [f"{name}/index.html"]] for name in "abcd"}
    units["page:e"] = ["key-e", ["a/index.html", "e/index.html"]]  # one of its files not in the record
    wanted = [("page:a", "key-a"), ("page:b", "key-new"), ("page:x", "key-x"), ("page:c", "key-c"), ("page:d", "key-d"),
              ("page:e", "key-e")]
    found = {}
    for way in ("together", "one by one"):
        stage = tmp_path / way
        stage.mkdir()
        paths.forget(stage)
        paths.overlay(stage, str(site), recorded)
        carry = reuse.Reuse(site, stage, {"units": units, "files": recorded}, "salt", not_intact={"c/index.html"})
        if way == "together":
            missed = carry.carry_each(wanted)
        else:
            missed = [at for at, (unit, key) in enumerate(wanted) if not carry.carry(unit, key)]
        found[way] = missed, dict(paths.written(stage)), carry.carried, carry.was_carried("page:d")
        paths.forget(stage)
    assert found["together"] == found["one by one"]
    missed, written, carried, _ = found["together"]
    assert missed == [1, 2, 3, 5] and set(written) == {"a/index.html", "d/index.html"} and carried == 2


def test_the_site_scan_is_waited_for_when_a_unit_is_first_carried(tmp_path):
    """The scan's answer is asked for once, at the first carry, not when the build's record is
    read: keys are made meanwhile. A file it names is not carried."""
    from generator import paths

    site, stage = tmp_path / "site", tmp_path / "stage"
    for name in "ab":
        (site / name).mkdir(parents=True)
        (site / name / "index.html").write_bytes(name.encode())
    recorded = {f"{name}/index.html": (hashlib.sha256(name.encode()).hexdigest(), 1,
                                        (site / name / "index.html").stat().st_mtime_ns) for name in "ab"}
    units = {f"page:{name}": [f"key-{name}", [f"{name}/index.html"]] for name in "ab"}
    asked = []
    stage.mkdir()
    paths.forget(stage)
    paths.overlay(stage, str(site), recorded)
    carry = reuse.Reuse(site, stage, {"units": units, "files": recorded}, "salt",
                        lambda: asked.append(1) or {"b/index.html"})
    carry.key("page", "a")
    assert asked == []
    assert carry.carry("page:a", "key-a") and not carry.carry("page:b", "key-b")
    assert carry.carry_each([("page:a", "key-a"), ("page:b", "key-b")]) == [1]
    assert asked == [1]
    paths.forget(stage)


def test_a_rebuild_lists_the_notices_while_its_township_is_indexed(data, tmp_path, config, monkeypatch):
    """A rebuild that indexes one township writes the sitemap, lists the manifest's notices and
    keeps the notices' hashes in the check cache before it waits for Pagefind; a build indexing
    more does so after, not beside two Pagefind services. Either way the listings are those of
    a build from nothing, and the next build finds the hashes."""
    from generator import check_cache, publish, render_search

    order = []
    listing, finish = publish.write_listing, render_search.Indexing.finish
    keep = check_cache.CheckCache.keep_hashes
    monkeypatch.setattr(publish, "write_listing", lambda *args: order.append("listing") or listing(*args))
    monkeypatch.setattr(render_search.Indexing, "finish", lambda self: order.append("search") or finish(self))
    monkeypatch.setattr(check_cache.CheckCache, "keep_hashes", lambda self, notices: order.append("hashes")
                        or keep(self, notices))
    _two_townships(data)
    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site, fresh = tmp_path / "site", tmp_path / "fresh"
    _build(data, site, config)
    assert order == ["search", "listing", "hashes"]
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)  # 北西尚村, of 阳庙镇
    _build(data, site, config)
    assert order[3:] == ["listing", "hashes", "search"]
    again = pipeline.prepare(data, site, config, AS_OF).published  # the new notice's hash too
    assert again and all(notice.hashed for notice in again)
    _build(data, fresh, dataclasses.replace(config, cache_dir=tmp_path / "other-cache"))
    rebuilt, made = (json.loads((folder / "manifest.json").read_text(encoding="utf-8")) for folder in (site, fresh))
    assert rebuilt["notices"] == made["notices"] and rebuilt["checksums"] == made["checksums"]
    assert (site / "sitemap.xml").read_bytes() == (fresh / "sitemap.xml").read_bytes()
