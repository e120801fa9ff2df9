"""Pagefind bundles: one per township, notice bodies only, reproducible bytes."""

import gzip
import json
import os
import tempfile
from pathlib import Path

import cbor2
import pytest

from generator import render_search


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


def test_indexing_works_when_the_temp_folder_is_another_file_system(sample_site, monkeypatch, tmp_path):
    site, result = sample_site
    other = Path("/dev/shm")
    if not other.is_dir() or os.stat(other).st_dev == os.stat(site).st_dev:
        pytest.skip("needs a temp folder on another file system than the site")
    monkeypatch.setattr(tempfile, "tempdir", str(other))
    notices = [n for n in result.published if n.village.township_code == "yangmiao"]
    files = render_search._index_township(site, "yangmiao", notices)
    entry = json.loads(files["pagefind-entry.json"])
    assert entry["languages"]["zh"]["page_count"] == len(notices)
    assert not [p for p in site.parent.iterdir() if ".search-" in p.name]  # its work folder is gone


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
