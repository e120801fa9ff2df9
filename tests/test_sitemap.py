"""sitemap.xml lists every page by folder name; a rebuild's edit of the published one is what
listing every file again gives."""

import pytest

from generator import sitemap

FILES = ["index.html", "404.html", "v/a/index.html", "v/a-b/index.html", "v/a.b/index.html", "v/a/2024/index.html",
         "v/a/2024/x.csv", "t/镇/index.html", "search/index.html"]


@pytest.mark.parametrize("site_url", ["", "https://cunwu.example.cn/县/"])
@pytest.mark.parametrize("added, removed", [
    ([], []), (["v/a/2024/new/index.html"], []), (["v/a-/index.html", "v/a/x.json"], []), (["v/0/index.html"], []),
    ([], ["v/a/index.html"]), ([], ["index.html", "v/a/2024/x.csv"]), (["v/a/index.html"], []),  # listed already
    (["v/zz/index.html", "v/a/2024/index.html"], ["v/a-b/index.html", "t/镇/index.html"]),
])
def test_an_edited_sitemap_is_the_one_made_from_every_file(site_url, added, removed):
    published = sitemap.text(FILES, site_url).encode("utf-8")
    after = {f for f in FILES if f not in removed} | set(added)
    assert sitemap.edited(published, site_url, added, removed) == sitemap.text(after, site_url)


def test_pages_are_ordered_by_folder_name():
    found = sitemap.text(FILES, "").splitlines()[2:-1]
    assert found == [f"<url><loc>/{page}</loc></url>" for page in
                     ["", "search/", "t/镇/", "v/a/", "v/a-b/", "v/a.b/", "v/a/2024/"]]  # "v/a-b" < "v/a/2024"


@pytest.mark.parametrize("files, site_url, added", [
    (FILES + ["v/a&b/index.html"], "", []), (FILES, "", ["v/a&b/index.html"]), (FILES, "https://x.cn/?a=1&b=2", []),
])
def test_a_sitemap_with_escaped_characters_is_made_whole(files, site_url, added):
    assert sitemap.edited(sitemap.text(files, site_url).encode("utf-8"), site_url, added, []) is None
