"""Published notices never change silently; corrections publish a new version and keep the old."""

import datetime as dt
import json
import subprocess

import pytest

from generator import pipeline
from generator.errors import DataError
from generator.verify import verify_site

from .conftest import set_cell
from .test_publish import tree

AS_OF = dt.date(2025, 1, 31)
Q3 = "beixishang-finance-2024q3"


def _manifest(site):
    return json.loads((site / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def published(data, config):
    site = data.parent / "site"
    pipeline.build(data, site, config, AS_OF)
    return site


def _change_a_published_figure(data):
    set_cell(data / "finance.csv", 3, "支出", "1,152.00")
    set_cell(data / "finance_periods.csv", 3, "期末余额", "")


def test_changing_a_published_figure_without_correction_fails(data, config, published):
    before = tree(published)
    _change_a_published_figure(data)
    with pytest.raises(DataError) as caught:
        pipeline.build(data, published, config, AS_OF)
    assert [str(p) for p in caught.value.problems] == [
        "data/finance_periods.csv 第3行: 公告 beixishang-finance-2024q3（北西尚村2024年第三季度财务收支公开）已于 2024-10-08 发布，"
        "本次数据会改变它的内容。已发布的公告不能悄悄修改；如确需更正，请在 data/corrections.csv 中登记公告编号、更正日期和更正原因"
    ]
    assert tree(published) == before


def test_a_declared_correction_publishes_both_versions(data, config, published, artifacts):
    first_manifest = (published / "manifest.json").read_bytes()
    _change_a_published_figure(data)
    (data / "corrections.csv").write_text(
        f"公告编号,更正日期,更正原因\n{Q3},2024-11-02,7月书记报酬录入有误（应为1152元）\n", encoding="utf-8")
    pipeline.build(data, published, config, AS_OF)
    manifest = _manifest(published)
    entry = next(n for n in manifest["notices"] if n["id"] == Q3)
    assert entry["version"] == 2
    assert entry["corrections"] == [{"date": "2024-11-02", "reason": "7月书记报酬录入有误（应为1152元）"}]
    assert entry["url"] == "v/beixishang/2024/finance-2024q3/index.html"  # the URL never changes
    old = manifest["superseded"][0]
    assert (old["id"], old["version"], old["url"]) == (Q3, 1, "v/beixishang/2024/finance-2024q3--v1/index.html")
    assert old["sha256"] != entry["sha256"]

    page = (published / entry["url"]).read_text(encoding="utf-8")
    assert "更正说明（第 2 版）" in page and "2024年11月2日更正，原因：7月书记报酬录入有误（应为1152元）" in page
    assert "<tr><td>凭证 记-002 支出</td><td>1125.00</td><td><strong>1152.00</strong></td></tr>" in page
    assert "<tr><td>本期支出</td><td>2025.00</td><td><strong>2052.00</strong></td></tr>" in page
    assert 'href="../../../../v/beixishang/2024/finance-2024q3--v1/"' in page
    original = (published / old["url"]).read_text(encoding="utf-8")
    assert "<strong>已更正</strong>：本公告已于2024年11月2日更正" in original and '<a href="../finance-2024q3/">' in original
    assert "1,125.00" in original
    pdf_text = subprocess.run(["pdftotext", str(published / entry["pdf"]), "-"], capture_output=True, text=True).stdout
    assert "（更正）北西尚村2024年第三季度财务收支公开" in pdf_text and "7月书记报酬录入有误" in pdf_text
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(published / entry["pdf"]),
                    str(artifacts / "pdf-corrected")], check=True)

    # The chain: the new manifest names the old one, which is kept byte for byte.
    assert manifest["previous"] == __import__("hashlib").sha256(first_manifest).hexdigest()
    assert (published / "manifests" / f"{manifest['previous']}.json").read_bytes() == first_manifest
    report = verify_site(published)
    assert report.ok, report.problems
    assert report.manifests == 1

    # Rebuilding the same data changes nothing, not even the chain.
    again = tree(published)
    pipeline.build(data, published, config, AS_OF)
    assert tree(published) == again
    assert verify_site(published).ok  # the archived version, carried over, is in the checksums


def test_removing_a_published_notice_fails(data, config, published):
    lines = (data / "commitment_reviews.csv").read_text(encoding="utf-8").splitlines()[:1]
    (data / "commitment_reviews.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        pipeline.build(data, published, config, AS_OF)
    assert "已发布的公告 beixishang-review-2024-12-23（北西尚村2024年村干部评诺结果公示）在本次构建中不存在" in str(caught.value.problems[0])


def test_going_back_in_time_fails(data, config, published):
    with pytest.raises(DataError) as caught:
        pipeline.build(data, published, config, dt.date(2024, 12, 1))
    assert "如果是 --as-of 早于上次发布的 2025-01-31，请改用正确的日期" in str(caught.value.problems[0])


def test_bad_corrections_are_reported(data, config, published):
    (data / "corrections.csv").write_text(
        "公告编号,更正日期,更正原因\nbeixishang-finance-2099q1,2024-11-02,x\n"
        f"{Q3},2024-10-01,早于公告\n", encoding="utf-8")
    found = [str(p) for p in pipeline.prepare(data, published, config, AS_OF).errors]
    assert found == [
        'data/corrections.csv 第2行 「公告编号」: 公告编号 "beixishang-finance-2099q1" 不存在（请从网站公告页面或 manifest.json 中复制）',
        "data/corrections.csv 第3行 「更正日期」: 更正日期 2024-10-01 早于公告的公布日期 2024-10-08",
    ]


def test_previous_manifest_from_a_file(data, config, published, tmp_path):
    _change_a_published_figure(data)
    with pytest.raises(DataError):
        pipeline.build(data, tmp_path / "elsewhere", config, AS_OF, published / "manifest.json")
    assert not (tmp_path / "elsewhere").exists()


def test_verify_reports_tampering(published):
    assert verify_site(published).ok
    page = published / "v/lucun/2024/finance-2024-07/index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("2,400.00", "240.00"), encoding="utf-8")
    (published / "extra.html").write_text("x", encoding="utf-8")
    data_file = published / "v/lucun/2024/finance-2024-07/lucun-finance-2024-07.json"
    data_file.write_text(data_file.read_text(encoding="utf-8").replace("2400.00", "240.00"), encoding="utf-8")
    problems = verify_site(published).problems
    assert "文件与清单不符（被改动过）：v/lucun/2024/finance-2024-07/index.html" in problems
    assert "清单中没有的文件：extra.html" in problems
    assert "公告 lucun-finance-2024-07（鹿村2024年7月财务收支公开）的内容与清单中的哈希不符" in problems


def test_print_batch_carries_the_correction(data, config, published):
    from generator.model import PeriodKey

    _change_a_published_figure(data)
    (data / "corrections.csv").write_text(f"公告编号,更正日期,更正原因\n{Q3},2024-11-02,录入有误\n", encoding="utf-8")
    batch = pipeline.print_batch_file(data, published, config, AS_OF, "yangmiao", PeriodKey(2024, "Q", 3))
    text = subprocess.run(["pdftotext", str(batch), "-"], capture_output=True, text=True).stdout
    assert "（更正）北西尚村2024年第三季度财务收支公开" in text and "录入有误" in text


def test_the_previous_manifest_is_read_again_for_the_chain_and_must_be_unchanged(tmp_path):
    from generator import history
    from generator.errors import PublisherError

    manifest = {"generated_as_of": "2025-01-31", "previous": None, "checksums": "x", "notices": [], "superseded": []}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    read = history.read_previous(tmp_path)
    slim = read.slim()
    assert slim.raw is None and slim.sha256 == read.sha256
    assert slim.exact_bytes() == read.raw
    (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "checksums": "y"}), encoding="utf-8")
    with pytest.raises(PublisherError, match="本次生成期间被改动"):
        slim.exact_bytes()
