"""The print shop's batch: every notice of the period, each on a new sheet, with a cover."""

import datetime as dt
import io
import subprocess

from pypdf import PdfReader

from generator import pipeline, print_batch
from generator.model import PeriodKey

from .conftest import SAMPLE
from .test_cli import run


def test_batch_holds_every_notice_of_its_period_each_on_a_new_sheet(sample_site, artifacts):
    site, result = sample_site
    q3 = PeriodKey(2024, "Q", 3)
    chosen = print_batch.members(result.published, "yangmiao", q3)
    ids = {n.id for n in chosen}
    # Quarterly finance of Q3, the monthly village's July–September, the group's own books,
    # and the other notices dated in the quarter.
    assert {"beixishang-finance-2024q3", "beixishang-finance-2024q3-g3", "lucun-finance-2024-07",
            "lucun-finance-2024-09", "shaqiupu-finance-2024q3", "niecun-finance-2024q3",
            "beixishang-outcome-2024-road", "beixishang-progress-2024-07-08"} <= ids
    assert "beixishang-finance-2024q2" not in ids and "beixishang-finance-2024q4" not in ids
    batch = site / "print/yangmiao/2024Q3.pdf"
    reader = PdfReader(batch)
    cover_text = reader.pages[0].extract_text()
    assert "阳庙镇2024年第三季度" in cover_text and f"共 {len(chosen)} 份公告" in cover_text
    page = 2  # the one-page cover is padded to a full sheet
    for notice in chosen:
        own = len(PdfReader(site / notice.pdf).pages)
        first = reader.pages[page].extract_text()
        assert notice.title[:12] in first.replace("\n", ""), notice.id
        assert page % 2 == 0  # 0-based even = a front side
        page += own + own % 2
    assert page == len(reader.pages)
    assert reader.metadata.title == "阳庙镇2024年第三季度村务公开张贴材料"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(batch), str(artifacts / "batch-cover")], check=True)


def test_build_writes_a_batch_per_quarter(sample_site):
    site, result = sample_site
    written = sorted(p.name for p in (site / "print/yangmiao").glob("*.pdf"))
    assert written == [f"{p.code}.pdf" for _, p in print_batch.periods_with_notices(result.published)]
    assert "2024Q1.pdf" in written and "2025Q4.pdf" in written


def test_print_command_for_a_month(tmp_path):
    site = tmp_path / "site"
    done = run("print", "--site", str(site), "--township", "yangmiao", "--period", "2024-07", "--as-of", "2026-01-15")
    assert done.returncode == 0, done.stderr
    reader = PdfReader(site / "print/yangmiao/2024-07.pdf")
    text = reader.pages[0].extract_text()
    assert "鹿村2024年7月财务收支公开" in text and "北西尚村2024年第三季度财务收支公开" not in text
    bad = run("print", "--site", str(site), "--township", "yangmiao", "--period", "2024Q9")
    assert bad.returncode == 1 and '--period 期间格式无效 "2024Q9"' in bad.stderr


def test_batches_are_reproducible(config, tmp_path):
    first = pipeline.print_batch_file(SAMPLE, tmp_path / "a", config, dt.date(2026, 1, 15), "yangmiao", PeriodKey(2025, "Q", 2))
    second = pipeline.print_batch_file(SAMPLE, tmp_path / "b", config, dt.date(2026, 1, 15), "yangmiao", PeriodKey(2025, "Q", 2))
    assert first.read_bytes() == second.read_bytes()
    assert PdfReader(io.BytesIO(first.read_bytes())).metadata["/CreationDate"].startswith("D:20250")
