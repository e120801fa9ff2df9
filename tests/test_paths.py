"""Every output path stays inside the site folder."""

import pytest

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
