"""PDFs checked by their extracted text, page count and metadata, never by their bytes."""

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from generator import pipeline

from .conftest import ROOT, add_row, set_cell


def _pdftext(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def site(data, config):
    set_cell(data / "finance.csv", 2, "经办人", "赵䶮")
    set_cell(data / "finance.csv", 3, "经办人", "吉𠮷")
    site = data.parent / "site"
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    return site


def test_finance_pdf_text_figures_capitals_and_rare_names(site, artifacts):
    pdf = site / "v/beixishang/2024/finance-2024q3/beixishang-finance-2024q3.pdf"
    text = _pdftext(pdf)
    for shown in ("北西尚村2024年第三季度财务收支公开", "1,000.00", "15,000.00", "2,025.00", "13,975.00",
                  "壹万叁仟玖佰柒拾伍元整", "贰仟零贰拾伍元整", "2024年10月8日", "赵䶮", "吉𠮷",
                  "村委会大院门口东侧公开栏", "0391-3561201"):
        assert shown in text, shown
    pages = len(PdfReader(pdf).pages)
    assert f"第1页共{pages}页" in text.replace(" ", "")
    for name, path in (("finance-q3", pdf),
                       ("resolution", site / "v/beixishang/2024/resolution-2024-road/beixishang-resolution-2024-road.pdf"),
                       ("commitments", site / "v/beixishang/2024/commitments-2024/beixishang-commitments-2024.pdf")):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(artifacts / f"pdf-{name}")], check=True)


def test_pdf_metadata_from_the_notice(site):
    reader = PdfReader(site / "v/lucun/2024/resolution-2024-pond/lucun-resolution-2024-pond.pdf")
    meta = reader.metadata
    assert meta.title == "鹿村关于村集体坑塘对外发包的决议公开"
    assert meta.author == "中共鹿村支部委员会　鹿村村民委员会"
    assert meta["/CreationDate"].startswith("D:20240522")
    text = "".join(page.extract_text() for page in reader.pages)
    assert "未通过" in text


def test_embedded_font_is_the_bundled_cjk_face(site):
    fonts = subprocess.run(["pdffonts", str(site / "v/beixishang/2024/commitments-2024/beixishang-commitments-2024.pdf")],
                           check=True, capture_output=True, text=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all("Notice-CJK" in line and " yes yes " in line for line in lines), fonts


def test_long_ledger_paginates_with_numbered_pages(data, config):
    for n in range(300):
        add_row(data / "finance.csv", {"村代码": "beixishang", "日期": "2024-09-01", "凭证号": f"记-9{n:03d}",
                                       "科目": "公益支出", "摘要": f"第{n + 1}笔保洁费", "支出": "1.00", "经办人": "王会计"})
    set_cell(data / "finance_periods.csv", 3, "期末余额", "13675.00")
    site = data.parent / "site"
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    pdf = site / "v/beixishang/2024/finance-2024q3/beixishang-finance-2024q3.pdf"
    pages = PdfReader(pdf).pages
    assert len(pages) >= 8
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"第 {number} 页 共 {len(pages)} 页" in text
        if 1 < number < len(pages):
            assert "凭证号" in text  # the table's header row is repeated on every page
    assert "第300笔保洁费" in _pdftext(pdf)


def test_unchanged_notices_come_from_the_cache(data, config, monkeypatch):
    site = data.parent / "site"
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    from generator import render_pdf

    calls = []
    monkeypatch.setattr(render_pdf, "_render", lambda job: calls.append(job) or (_ for _ in ()).throw(AssertionError))
    shutil.rmtree(site)
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    assert calls == []
    assert (site / "v/lucun/2024/finance-2024-07/lucun-finance-2024-07.pdf").exists()


def test_paper_per_kind_from_the_configuration(data, config):
    import dataclasses

    from generator.config import Paper

    paper = {**config.paper, "finance": Paper("A3", "landscape")}
    site = data.parent / "site"
    pipeline.build(data, site, dataclasses.replace(config, paper=paper), dt.date(2025, 1, 31))
    finance = PdfReader(site / "v/beixishang/2024/finance-2024q3/beixishang-finance-2024q3.pdf").pages[0]
    assert (round(float(finance.mediabox.width)), round(float(finance.mediabox.height))) == (1191, 842)  # A3 landscape
    review = PdfReader(site / "v/beixishang/2024/review-2024-12-23/beixishang-review-2024-12-23.pdf").pages[0]
    assert (round(float(review.mediabox.width)), round(float(review.mediabox.height))) == (595, 842)  # A4 portrait


def test_every_kind_has_its_signature_block_qr_link_and_code(site):
    from generator import notices as notices_module

    manifest = __import__("json").loads((site / "manifest.json").read_text(encoding="utf-8"))
    expected = {
        "finance": "会计/报账员签字", "resolution": "村民委员会（盖章）", "outcome": "村民委员会（盖章）",
        "commitments": "承诺人签字", "progress": "村党支部（盖章）", "review": "计票、监票",
    }
    for item in manifest["notices"]:
        text = _pdftext(site / item["pdf"]).replace(" ", "")
        assert expected[item["kind"]] in text, item["id"]
        assert f"核验码：{notices_module.verification_code(item['sha256'])}" in text, item["id"]
        assert f"https://cunwu.example.org/{item['url'].removesuffix('index.html')}" in text.replace("\n", "")


_BUILD_WITH_FRESH_CACHE = """
import dataclasses, datetime as dt, shutil, sys
from pathlib import Path
from generator import pipeline
from generator.config import load_config
if __name__ == "__main__":  # the PDF workers import this module
    data, site, cache = map(Path, sys.argv[1:])
    config = load_config(Path("mkdocs.yml"))
    shutil.copytree(config.cache / "fonts", cache / "fonts")
    pipeline.build(data, site, dataclasses.replace(config, cache_dir=cache), dt.date(2025, 1, 31))
"""


def test_pdf_workers_leave_nothing_in_the_temp_folder(data, tmp_path):
    """WeasyPrint keeps fonts in a temp folder per process; the workers' must go with them."""
    script, temp = tmp_path / "build.py", tmp_path / "temp"
    script.write_text(_BUILD_WITH_FRESH_CACHE, encoding="utf-8")
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(script), str(data), str(tmp_path / "site"), str(tmp_path / "cache")],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    assert len(list((tmp_path / "cache" / "pdf").glob("*.pdf"))) >= 10  # really rendered, by the workers
    assert sorted(p.name for p in temp.iterdir()) == []
