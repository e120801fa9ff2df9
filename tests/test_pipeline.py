"""The shipped sample end to end: manifest, published notices, reproducible bytes."""

import datetime as dt
import json
import re

from generator import pipeline

from .conftest import SAMPLE
from .test_publish import tree

KINDS = {"finance", "resolution", "outcome", "commitments", "progress", "review"}


def test_sample_validates_without_errors(config):
    result = pipeline.check(SAMPLE, config)
    assert result.errors == []
    assert len(result.records.villages) == 4


def test_sample_manifest_follows_the_contract(sample_site):
    site, result = sample_site
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generated_as_of"] == "2026-01-15"
    notices = manifest["notices"]
    assert len(notices) == len(result.published) > 100
    assert {n["kind"] for n in notices} == KINDS
    assert {n["village"] for n in notices} == {"beixishang", "lucun", "shaqiupu", "niecun"}
    assert {n["group"] for n in notices} == {None, "第三村民小组"}
    for n in notices:
        assert set(n) == {"id", "kind", "village", "group", "title", "date", "window_end", "url", "pdf", "data", "sha256"}
        assert n["date"] <= "2026-01-15"
        assert re.fullmatch(r"[0-9a-f]{64}", n["sha256"])
        for key in ("url", "pdf", "data"):
            assert (site / n[key]).is_file(), n[key]
    assert len({n["id"] for n in notices}) == len(notices)


def test_each_finance_page_shows_the_four_balances(sample_site):
    site, result = sample_site
    finance = [n for n in result.published if n.kind == "finance"]
    assert len(finance) == 8 + 8 + 24 + 8 + 8  # 北西尚村 and its group, 鹿村 monthly, two more
    for notice in finance:
        html = (site / notice.url).read_text(encoding="utf-8")
        b = notice.body
        for label, value in (("期初余额", b.period.opening), ("本期收入", b.income), ("本期支出", b.expense), ("期末余额", b.closing)):
            assert re.search(f"{label}</th><td class=\"num\">{value:,.2f}</td>", html), (notice.id, label)


def test_notices_dated_later_are_absent(config, tmp_path):
    site = tmp_path / "site"
    result = pipeline.build(SAMPLE, site, config, dt.date(2024, 10, 8))
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    assert all(n["date"] <= "2024-10-08" for n in manifest["notices"])
    assert "beixishang-finance-2024q3" in {n["id"] for n in manifest["notices"]}
    assert not (site / "v/beixishang/2024/finance-2024q4").exists()
    assert {n.id for n in result.waiting} >= {"beixishang-finance-2024q4", "niecun-resolution-2026-waterworks"}


def test_two_builds_are_byte_identical(config, tmp_path, sample_site):
    site, _ = sample_site
    again = tmp_path / "again"
    pipeline.build(SAMPLE, again, config, dt.date(2026, 1, 15))
    assert tree(again) == tree(site)


def test_same_bytes_from_another_cache_folder(data, config, tmp_path):
    """PDF bytes do not depend on where the fonts and cache live (another checkout, another machine)."""
    import dataclasses
    import shutil

    sites = []
    for name in ("one", "two"):
        shutil.copytree(config.cache / "fonts", tmp_path / f"cache-{name}" / "fonts")
        site = tmp_path / name
        pipeline.build(data, site, dataclasses.replace(config, cache_dir=tmp_path / f"cache-{name}"), dt.date(2025, 1, 31))
        sites.append(tree(site))
    assert sites[0] == sites[1]


_CHECK_AND_BUILD_HTML = """
import datetime as dt, sys
from pathlib import Path
from generator import pipeline
from generator.config import load_config
if __name__ == "__main__":
    data, site = map(Path, sys.argv[1:])
    config = load_config(Path("mkdocs.yml"))
    assert not pipeline.check(data, config).errors
    pipeline.build(data, site, config, dt.date(2025, 1, 31), pdfs=False)
    print(sorted(name for name in ("weasyprint", "pypdf") if name in sys.modules))
"""


def test_checks_and_html_builds_do_not_load_the_pdf_libraries(data, tmp_path):
    """WeasyPrint and pypdf take 0.6 s to import: only builds that make PDFs pay for it."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    script = tmp_path / "run.py"
    script.write_text(_CHECK_AND_BUILD_HTML, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(data), str(tmp_path / "site")], cwd=ROOT, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "site" / "manifest.json").exists()


_TWO_BUILDS_WITH_A_TEMPLATE_EDIT = """
import datetime as dt, sys
from pathlib import Path
from generator import pipeline
from generator.config import load_config
if __name__ == "__main__":
    project, data = Path(sys.argv[1]), Path(sys.argv[2])
    config = load_config(project / "mkdocs.yml")
    site, page = project / "site", project / "site/v/lucun/2024/finance-2024-07/index.html"
    pipeline.build(data, site, config, dt.date(2025, 1, 31), pdfs=False)
    before = page.read_text(encoding="utf-8")
    template = project / "theme/templates/notice.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("data-pagefind-body>", "data-pagefind-body><p>模板改过了</p>", 1), encoding="utf-8")
    pipeline.build(data, site, config, dt.date(2025, 1, 31), pdfs=False)
    print("模板改过了" not in before, "模板改过了" in page.read_text(encoding="utf-8"))
"""


def test_a_template_edit_shows_in_the_next_build_of_the_same_process(data, tmp_path):
    """As in `serve`: the next build reads the templates and the code's digest again."""
    import os
    import shutil
    import subprocess
    import sys

    from .conftest import ROOT

    project = tmp_path / "project"
    for folder in ("generator", "theme", "content"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    script = tmp_path / "run.py"
    script.write_text(_TWO_BUILDS_WITH_A_TEMPLATE_EDIT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(project), str(data)], cwd=project, check=True,
                          env={**os.environ, "PYTHONPATH": str(project)}, capture_output=True, text=True)
    assert done.stdout.strip().splitlines()[-1] == "True True"
