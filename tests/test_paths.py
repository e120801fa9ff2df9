"""Every output path stays inside the site folder."""

import pytest

from generator import paths
from generator.errors import UnsafePathError
from generator.paths import safe_join


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "v/../../x", ""])
def test_unsafe_paths_are_refused(tmp_path, relative):
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, relative)


def test_symlink_out_of_the_site_is_refused(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path / "site", "link/x.html")


def test_safe_paths(tmp_path):
    assert safe_join(tmp_path, "v/lucun/index.html") == tmp_path / "v" / "lucun" / "index.html"


def test_a_file_is_replaced_never_rewritten_in_place(tmp_path):
    # An incremental build hard-links published files into the stage; writing the same
    # path must give a new file and leave the published one (the other link) untouched.
    published = tmp_path / "old.html"
    published.write_bytes(b"published")
    (tmp_path / "stage").mkdir()
    paths.forget(tmp_path / "stage")
    info = published.stat()
    assert paths.link(tmp_path / "stage", "v/a/index.html", published, "x", info.st_size, info.st_mtime_ns)
    paths.write_bytes(tmp_path / "stage", "v/a/index.html", b"new")
    assert published.read_bytes() == b"published"
    assert (tmp_path / "stage/v/a/index.html").read_bytes() == b"new"
    sha, size, _ = paths.written(tmp_path / "stage")["v/a/index.html"]
    assert size == 3 and sha == __import__("hashlib").sha256(b"new").hexdigest()


def test_a_symlink_planted_at_a_file_path_is_refused(tmp_path):
    paths.write_bytes(tmp_path, "v/a.html", b"x")
    (tmp_path / "v" / "b.html").symlink_to(tmp_path.parent / "elsewhere")
    with pytest.raises(UnsafePathError):
        paths.write_bytes(tmp_path, "v/b.html", b"y")


def test_the_output_folder_is_made_when_missing(tmp_path):
    paths.write_bytes(tmp_path / "new" / "site", "v/a/index.html", b"x")
    assert (tmp_path / "new/site/v/a/index.html").read_bytes() == b"x"


def test_the_writer_writes_every_file_and_records_it(tmp_path):
    root = tmp_path / "stage"
    paths.forget(root)
    with paths.Writer(threads=3, pending=4) as writer:
        for number in range(200):
            writer.write_text(root, f"v/{number % 7}/{number}/index.html", f"页面 {number}")
    for number in range(200):
        assert (root / "v" / str(number % 7) / str(number) / "index.html").read_text(encoding="utf-8") == f"页面 {number}"
    assert len(paths.written(root)) == 200


def test_the_writer_raises_a_failed_write_in_the_caller(tmp_path):
    root = tmp_path / "stage"
    (tmp_path / "outside").mkdir()
    root.mkdir()
    (root / "link").symlink_to(tmp_path / "outside")
    paths.forget(root)
    with pytest.raises(UnsafePathError):
        with paths.Writer() as writer:
            writer.write_text(root, "link/x.html", "x")
    assert not (tmp_path / "outside" / "x.html").exists()


def test_removed_files_follow_what_is_written_after_it_is_asked(tmp_path):
    """removed() keeps its answer only while nothing more is written and the published list is the same."""
    site, stage = tmp_path / "site", tmp_path / "stage"
    site.mkdir()
    stage.mkdir()
    paths.forget(stage)
    paths.overlay(stage, str(site), ["a.html", "b.html", "c.html"])
    paths.write_bytes(stage, "a.html", b"a")
    assert paths.removed(stage) == ["b.html", "c.html"]
    paths.write_bytes(stage, "c.html", b"c")
    assert paths.removed(stage) == ["b.html"]
    paths.published_left(stage, ["b.html", "d.html"])
    assert paths.removed(stage) == ["b.html", "d.html"]
    paths.removed(stage).clear()  # a caller's list is its own
    assert paths.removed(stage) == ["b.html", "d.html"]
