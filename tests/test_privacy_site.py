"""No ID, bank card or mobile number in any file of a built site whose data contains them."""

import datetime as dt
import gzip
import re
import subprocess

from generator import pipeline

from .conftest import set_cell

ID = "410811199001011234"
OLD_ID = "410811900101123"
CARD = "6222021234567890128"
MOBILE = "13812345678"
SPACED_MOBILE = "138 1234 5678"
SECRETS = [ID, OLD_ID, CARD, MOBILE]


def _texts(site):
    """Every file as text a person or a program could read: PDFs through pdftotext, Pagefind data unzipped."""
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".pdf":
            yield path, subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        elif raw[:2] == b"\x1f\x8b":
            yield path, gzip.decompress(raw).decode("utf-8", "replace")
        else:
            yield path, raw.decode("utf-8", "replace")


def test_identifiers_are_masked_in_every_output(data, config):
    set_cell(data / "finance.csv", 2, "摘要", f"支付张三补偿款 身份证{ID} 卡号{CARD}")
    set_cell(data / "finance.csv", 3, "经办人", f"王会计{MOBILE}")
    set_cell(data / "finance_periods.csv", 3, "审核人", f"梁保国（{SPACED_MOBILE}）")
    set_cell(data / "decisions.csv", 2, "决议内容", f"同意硬化，联系人身份证{OLD_ID}")
    set_cell(data / "decisions.csv", 2, "实施情况", f"已完工，施工方账户{CARD}")
    set_cell(data / "commitments.csv", 2, "承诺事项", f"有事打{MOBILE}")
    set_cell(data / "commitment_progress.csv", 2, "进展", f"已走访，户主身份证{ID}")
    site = data.parent / "site"
    pipeline.build(data, site, config, dt.date(2025, 1, 31))
    leaks = []
    checked = 0
    for path, text in _texts(site):
        checked += 1
        flat = re.sub(r"\s", "", text)
        leaks += [f"{path.relative_to(site)}: {s}" for s in SECRETS if s in flat]
    assert checked > 50
    assert leaks == []
    page = (site / "v/beixishang/2024/finance-2024q3/index.html").read_text(encoding="utf-8")
    assert "身份证410811********1234" in page and "卡号***************0128" in page
    for url in (site / "manifest.json").read_text(encoding="utf-8").split('"url": ')[1:]:
        assert not re.search(r"\d{11}", url.split(",")[0])
