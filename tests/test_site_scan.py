"""The published site listed by find: each regular file's line as site_scan.line writes it."""

import os

from generator import site_scan


def test_each_regular_file_is_listed_with_its_size_and_exact_mtime(tmp_path):
    site = tmp_path / "site"
    (site / "v" / "a b").mkdir(parents=True)
    files = {"index.html": b"<p>", "v/a b/index.html": b"x" * 1000, "v/数据.csv": b""}
    mtimes = [1, 1_700_000_000_000_000_123, 1_700_000_001_000_000_000]
    for (relative, content), mtime in zip(files.items(), mtimes, strict=True):
        (site / relative).write_bytes(content)
        os.utime(site / relative, ns=(mtime, mtime))
    (site / "link.html").symlink_to(site / "index.html")  # never counts as an intact file

    scan = site_scan.SiteScan(site)
    listed = scan.files()
    scan.close()

    expected = {site_scan.line(len(content), mtime, relative)
                for (relative, content), mtime in zip(files.items(), mtimes, strict=True)}
    assert listed - {""} == expected
    assert site_scan.line(3, 2, "index.html") not in listed  # another mtime: not the recorded file


def test_a_site_that_cannot_be_listed_gives_no_listing(tmp_path):
    scan = site_scan.SiteScan(tmp_path / "missing")
    assert scan.files() is None
    scan.close()
