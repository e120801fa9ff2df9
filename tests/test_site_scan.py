"""The published site checked against its build record by a checker process running find."""

import hashlib
import os
import shutil

from generator import build_record, site_scan


def _site(tmp_path):
    """A site of three files with known mtimes (and a symbolic link); their record entries."""
    site = tmp_path / "site"
    (site / "v" / "a b").mkdir(parents=True)
    files = {"index.html": b"<p>", "v/a b/index.html": b"x" * 1000, "v/数据.csv": b""}
    mtimes = [1, 1_700_000_000_000_000_123, 1_700_000_001_000_000_000]
    recorded = {}
    for (relative, content), mtime in zip(files.items(), mtimes, strict=True):
        (site / relative).write_bytes(content)
        os.utime(site / relative, ns=(mtime, mtime))
        recorded[relative] = (hashlib.sha256(content).hexdigest(), len(content), mtime)
    (site / "link.html").symlink_to(site / "index.html")  # never counts as an intact file
    return site, recorded


def test_each_regular_file_is_listed_with_its_size_and_exact_mtime(tmp_path):
    site, recorded = _site(tmp_path)
    listed = site_scan.listed(shutil.which("find"), str(site))
    expected = {site_scan.line(size, mtime, relative) for relative, (_, size, mtime) in recorded.items()}
    assert listed - {""} == expected
    assert site_scan.line(3, 2, "index.html") not in listed  # another mtime: not the recorded file


def _record(tmp_path, files, checksums="digest-1"):
    path = tmp_path / "site.record"
    path.write_bytes(build_record.sections({"version": 3, "checksums": checksums, "files": files, "units": {}}))
    return path


def test_the_checker_names_the_recorded_files_that_changed_or_went(tmp_path):
    site, recorded = _site(tmp_path)
    record = _record(tmp_path, {**recorded, "gone.html": ("0" * 64, 5, 1)})
    os.utime(site / "v/a b/index.html", ns=(5, 5))  # touched on the server
    (site / "new.html").write_bytes(b"not in the record")

    scan = site_scan.SiteScan(site, record)
    try:
        assert scan.not_intact("digest-1") == {"v/a b/index.html", "gone.html"}
    finally:
        scan.close()


def test_a_check_of_another_record_or_a_site_that_cannot_be_listed_is_not_trusted(tmp_path):
    site, recorded = _site(tmp_path)
    record = _record(tmp_path, recorded, checksums="digest-1")
    for scan, checksums in [(site_scan.SiteScan(site, record), "digest-2"),  # the build uses another record
                            (site_scan.SiteScan(tmp_path / "missing", record), "digest-1"),
                            (site_scan.SiteScan(site, tmp_path / "no.record"), "digest-1")]:
        try:
            assert scan.not_intact(checksums) is None
        finally:
            scan.close()
    unchanged = site_scan.SiteScan(site, record)
    assert unchanged.not_intact("digest-1") == set()
    unchanged.close()


def test_without_a_python_to_start_the_checker_each_file_is_checked_by_the_build(tmp_path, monkeypatch):
    site, recorded = _site(tmp_path)
    record = _record(tmp_path, recorded)
    monkeypatch.setattr(site_scan.sys, "executable", None)  # an embedded Python: sys.executable may be None or ""
    scan = site_scan.SiteScan(site, record)
    assert scan.not_intact("digest-1") is None
    scan.close()
