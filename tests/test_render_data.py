"""CSV and JSON downloads: Excel-friendly, formula-safe, re-importable."""

import json

from generator import notices, pipeline, render_data

from .conftest import set_cell


def _notice(data, config, notice_id):
    result = pipeline.check(data, config)
    return next(n for n in notices.make_notices(result.records, config) if n.id == notice_id)


def test_csv_uses_contract_columns_with_bom(data, config):
    raw = render_data.notice_csv(_notice(data, config, "beixishang-finance-2024q3"))
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "村代码,村民小组,日期,凭证号,科目,摘要,收入,支出,经办人"
    assert lines[1] == "beixishang,,2024-07-12,记-001,补助收入,收到第三季度村级组织运转经费,15000.00,,王会计"
    assert len(lines) == 4


def test_formulas_are_neutralised(data, config):
    set_cell(data / "finance.csv", 2, "摘要", "=HYPERLINK(\"http://x\",\"点我\")")
    set_cell(data / "finance.csv", 3, "摘要", "@SUM(A1)")
    lines = render_data.notice_csv(_notice(data, config, "beixishang-finance-2024q3")).decode("utf-8-sig").splitlines()
    assert "'=HYPERLINK" in lines[1] and "'@SUM(A1)" in lines[2]
    assert render_data.safe_cell("-3260.00") == "-3260.00"
    assert render_data.safe_cell("-减免") == "'-减免"
    assert render_data.safe_cell("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0"


def test_downloaded_csv_validates_again(data, config, tmp_path):
    """A notice's CSV is a valid finance file: clerks and programs can read it back."""
    raw = render_data.notice_csv(_notice(data, config, "beixishang-finance-2024q3"))
    (data / "finance.csv").write_bytes(raw)
    result = pipeline.check(data, config)
    assert not [p for p in result.errors if p.where.file == "data/finance.csv"]
    assert len(result.records.entries) == 3


def test_json_holds_canonical_content_and_hash(data, config):
    notice = _notice(data, config, "lucun-resolution-2024-pond")
    document = json.loads(render_data.notice_json(notice))
    assert document["sha256"] == notice.sha256()
    assert document["content"]["passed"] is False
    assert document["content"]["votes_for"] == 14
    assert "where" not in document["content"]


def test_json_download_is_the_content_with_its_hash_as_json_writes_it(data, config):
    """Made from the text the hash is of, with the hash put among the sorted keys: the very
    bytes json.dumps gives for content and hash, for every kind, a correction and a title
    that spells out JSON."""
    import dataclasses
    import datetime as dt

    from generator.errors import Where
    from generator.model import Correction

    set_cell(data / "decisions.csv", 2, "事项", '池塘","title":"假标题","sha256":"0')
    made = notices.make_notices(pipeline.check(data, config).records, config)
    corrected = made[0].changed(corrections=(Correction(made[0].id, dt.date(2025, 1, 2), "金额录入有误", Where("x")),))
    for notice in [*made, corrected, dataclasses.replace(made[1], title='标题,"title":"x')]:
        expected = json.dumps({**notice.canonical(), "sha256": notice.sha256()},
                              ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        assert render_data.notice_json(notice) == expected.encode("utf-8"), notice.id
        _, text, sha256 = notice.canonical_and_hash()
        assert render_data.notice_json(notice, text) == expected.encode("utf-8")
    assert {n.kind for n in made} == set(notices.KIND_NAMES) and "corrections" in corrected.canonical()


def test_data_package_lists_every_download(sample_site):
    import hashlib

    site, result = sample_site
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["resources"]) == 2 * len(result.published)
    for resource in package["resources"][:20]:
        content = (site / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)
