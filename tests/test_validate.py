"""Every rule of the data contract, broken one at a time: the exact Chinese line is asserted."""

import dataclasses
import os

import pytest

from generator import forked, pipeline, validate

from .conftest import add_row, messages, set_cell

V, F, P, D = "villages.csv", "finance.csv", "finance_periods.csv", "decisions.csv"
C, G, R = "commitments.csv", "commitment_progress.csv", "commitment_reviews.csv"

# (file, row, column, new value, the exact line expected); several cells: column is a dict.
CELL_CASES = [
    (V, 3, "村代码", "beixishang", '错误：data/villages.csv 第3行 「村代码」: 村代码 "beixishang" 重复（已在 data/villages.csv 第2行出现）'),
    (V, 2, "村代码", "BeiXiShang", '错误：data/villages.csv 第2行 「村代码」: 代码格式无效 "BeiXiShang"（应为 1-40 位小写英文字母、数字或连字符 -）'),
    (V, 2, "乡镇代码", "阳庙", '错误：data/villages.csv 第2行 「乡镇代码」: 代码格式无效 "阳庙"（应为 1-40 位小写英文字母、数字或连字符 -）'),
    (V, 2, "财务公开周期", "半年", '错误：data/villages.csv 第2行 「财务公开周期」: "半年" 不是有效的取值（应为 季度、月 之一）'),
    (V, 2, "监督电话", "", "错误：data/villages.csv 第2行 「监督电话」: 必填项为空"),
    (F, 2, "村代码", "beixi", '错误：data/finance.csv 第2行 「村代码」: 村代码 "beixi" 不在村庄登记表中'),
    (F, 3, "收入", "100", "错误：data/finance.csv 第3行 「支出」: 收入和支出只能填写一项"),
    (F, 3, "支出", "", "错误：data/finance.csv 第3行 「收入」: 收入和支出必须填写一项"),
    (F, 3, "支出", "1,2", '错误：data/finance.csv 第3行 「支出」: 金额格式无效 "1,2"（应为数字，最多两位小数）'),
    (F, 3, "支出", "0", "错误：data/finance.csv 第3行 「支出」: 金额应大于 0，而不是 0.00"),
    (F, 2, "日期", "07/12/2024", '错误：data/finance.csv 第2行 「日期」: 日期格式无效 "07/12/2024"（应为 2024-07-05、2024/7/5、2024.7.5 或 2024年7月5日）'),
    (F, 2, "日期", "7月12日", '错误：data/finance.csv 第2行 「日期」: 日期格式无效 "7月12日"（应为 2024-07-05、2024/7/5、2024.7.5 或 2024年7月5日）'),
    (F, 3, "凭证号", "记-001", '错误：data/finance.csv 第3行 「凭证号」: 凭证号 "记-001" 在 2024年 重复（已在 data/finance.csv 第2行出现）'),
    (F, 4, "摘要", "", "错误：data/finance.csv 第4行 「摘要」: 必填项为空"),
    (F, 5, "村民小组", "三组", '错误：data/finance_periods.csv 第4行 「村民小组」: 村民小组 "第三村民小组" 与 "三组" 写法不同却指同一个小组，请统一写法'),
    (P, 3, "期末余额", "14000.00", "错误：data/finance_periods.csv 第3行 「期末余额」: 期末余额 14,000.00 与计算结果 13,975.00 不符（期初余额 1,000.00 + 本期收入 15,000.00 − 本期支出 2,025.00）"),
    (P, 2, "期末余额", "900.00", "错误：data/finance_periods.csv 第3行 「期初余额」: 期初余额 1,000.00 与上期（2024年第二季度）期末余额 900.00 不符"),
    (P, 3, "审核日期", "2024-10-09", "错误：data/finance_periods.csv 第3行 「审核日期」: 审核日期 2024-10-09 晚于公布日期 2024-10-08（应先审核后公布）"),
    (P, 5, "期间", "2024Q3", '错误：data/finance_periods.csv 第5行 「期间」: 期间 "2024Q3" 与该村的财务公开周期「月」不符（应写作 2024-07 这样的格式）'),
    (P, 3, "期间", "2024Q5", '错误：data/finance_periods.csv 第3行 「期间」: 期间格式无效 "2024Q5"（季度写作 2024Q3，月份写作 2024-07）'),
    (P, 3, {"公布日期": "2024-09-30", "审核日期": "2024-09-29"}, None, "错误：data/finance_periods.csv 第3行 「公布日期」: 公布日期 2024-09-30 应在期间 2024Q3 结束（2024-09-30）之后"),
    (P, 3, "期间", "2024Q2", "错误：data/finance_periods.csv 第3行 「期间」: 期间 2024Q2 重复（已在 data/finance_periods.csv 第2行出现）"),
    (P, 4, "公示天数", "0", "错误：data/finance_periods.csv 第4行 「公示天数」: 公示天数应至少为 1 天"),
    (P, 3, "审核人", "", "错误：data/finance_periods.csv 第3行 「审核人」: 必填项为空"),
    (D, 2, "商议日期", "2024-03-01", "错误：data/decisions.csv 第2行 「商议日期」: 商议日期 2024-03-01 早于提议日期 2024-03-04（各阶段日期不能倒退）"),
    (D, 2, "实施结果公开日期", "2024-03-19", "错误：data/decisions.csv 第2行 「实施结果公开日期」: 实施结果公开日期 2024-03-19 早于决议公开日期 2024-03-20（各阶段日期不能倒退）"),
    (D, 2, "实到", "46", "错误：data/decisions.csv 第2行 「实到」: 实到 46 人多于应到 45 人"),
    (D, 2, "党员实到", "39", "错误：data/decisions.csv 第2行 「党员实到」: 党员实到 39 人多于党员应到 38 人"),
    (D, 2, "党员同意", "34", "错误：data/decisions.csv 第2行 「党员同意」: 党员同意 34 人多于党员实到 33 人"),
    (D, 2, "弃权", "2", "错误：data/decisions.csv 第2行 「同意」: 同意、反对、弃权合计 42 人多于实到 41 人"),
    # 2/3 of 38 is 25.33…: 25 present is short, 26 is enough (exact integers, no rounding).
    (D, 2, {"党员实到": "25", "党员同意": "20"}, None, "错误：data/decisions.csv 第2行 「党员实到」: 党员实到 25 人不足党员应到 38 人的三分之二，党员大会无效，事项不能提交村民决议"),
    (D, 2, "党员同意", "19", "错误：data/decisions.csv 第2行 「党员同意」: 党员同意 19 人未超过党员应到 38 人的半数，党员大会未审议通过，事项不能提交村民决议"),
    # 2/3 of 45 is exactly 30: 29 is short.
    (D, 2, {"实到": "29", "同意": "26"}, None, "错误：data/decisions.csv 第2行 「实到」: 实到 29 人不足应到 45 人的三分之二，村民代表会议无效，不能作为决议公开"),
    (D, 2, "决议机构", "村委会", '错误：data/decisions.csv 第2行 「决议机构」: "村委会" 不是有效的取值（应为 村民会议、村民代表会议 之一）'),
    (D, 2, "实施结果公开日期", "", "错误：data/decisions.csv 第2行 「实施结果公开日期」: 填写了实施情况，必须填写实施结果公开日期"),
    (D, 3, "实施结果公开日期", "2024-09-01", "错误：data/decisions.csv 第3行 「实施情况」: 填写了实施结果公开日期，必须填写实施情况"),
    (D, 3, "党员应到", "-1", '错误：data/decisions.csv 第3行 「党员应到」: 人数不能为负数 "-1"（应为不小于 0 的整数）'),
    (D, 3, "应到", "36.5", '错误：data/decisions.csv 第3行 「应到」: 人数格式无效 "36.5"（应为不小于 0 的整数）'),
    (C, 3, "编号", "2024-01", '错误：data/commitments.csv 第3行 「编号」: 编号 "2024-01" 在本村 2024年 重复（已在 data/commitments.csv 第2行出现）'),
    (C, 2, "完成时限", "年底", '错误：data/commitments.csv 第2行 「完成时限」: 日期格式无效 "年底"（应为 2024-07-05、2024/7/5、2024.7.5 或 2024年7月5日）'),
    (C, 2, "年度", "24", '错误：data/commitments.csv 第2行 「年度」: 年度格式无效 "24"（应为四位年份，如 2024）'),
    (G, 2, "承诺编号", "2024-09", '错误：data/commitment_progress.csv 第2行 「承诺编号」: 承诺编号 "2024-09" 在本村 2024年 的承诺中不存在'),
    (G, 2, "年度", "2025", '错误：data/commitment_progress.csv 第2行 「承诺编号」: 承诺编号 "2024-01" 在本村 2025年 的承诺中不存在'),
    (G, 2, "状态", "完成", '错误：data/commitment_progress.csv 第2行 「状态」: "完成" 不是有效的取值（应为 未开始、进行中、已完成、未完成 之一）'),
    (R, 2, "姓名", "梁国建", '错误：data/commitment_reviews.csv 第2行 「姓名」: "梁国建" 在本村 2024年 没有承诺记录，无法评诺'),
    (R, 2, "满意", "41", "错误：data/commitment_reviews.csv 第2行 「参评人数」: 满意、基本满意、不满意合计 61 人多于参评人数 60 人"),
]


@pytest.mark.parametrize("file, row, column, value, expected", CELL_CASES,
                         ids=[f"{c[0]}:{c[1]}:{c[2]}={c[3]}" for c in CELL_CASES])
def test_each_broken_rule_is_reported_exactly(data, config, file, row, column, value, expected):
    changes = column if isinstance(column, dict) else {column: value}
    for header, new in changes.items():
        set_cell(data / file, row, header, new)
    found = messages(data, config)
    assert expected in found, "\n".join(found)
    assert pipeline.check(data, config).errors


def test_the_valid_data_has_no_problem(data, config):
    assert messages(data, config) == []


def test_decision_that_did_not_pass_cannot_have_an_outcome(data, config):
    set_cell(data / D, 3, "实施情况", "已发包")
    set_cell(data / D, 3, "实施结果公开日期", "2024-09-01")
    assert "错误：data/decisions.csv 第3行 「实施情况」: 事项未通过（同意 14 人未超过实到 33 人的半数），不能有实施情况" in messages(data, config)


def test_villagers_meeting_needs_more_than_half(data, config):
    set_cell(data / D, 2, "决议机构", "村民会议")
    set_cell(data / D, 2, "应到", "82")
    assert "错误：data/decisions.csv 第2行 「实到」: 实到 41 人未超过应到 82 人的半数，村民会议无效，不能作为决议公开" in messages(data, config)
    set_cell(data / D, 2, "应到", "81")
    assert pipeline.check(data, config).errors == []


def test_representatives_meeting_at_exactly_two_thirds_is_valid(data, config):
    set_cell(data / D, 2, "实到", "30")
    set_cell(data / D, 2, "同意", "28")
    set_cell(data / D, 2, "反对", "1")
    assert pipeline.check(data, config).errors == []


def test_party_meeting_at_exactly_two_thirds_is_valid(data, config):
    set_cell(data / D, 2, "党员应到", "39")
    set_cell(data / D, 2, "党员实到", "26")
    set_cell(data / D, 2, "党员同意", "20")
    assert pipeline.check(data, config).errors == []


def test_decision_ids_are_unique_within_a_village(data, config):
    add_row(data / D, dict(zip(
        ["村代码", "编号", "事项", "提议日期", "商议日期", "审议日期", "党员应到", "党员实到", "党员同意", "决议机构",
         "决议日期", "应到", "实到", "同意", "反对", "弃权", "决议内容", "决议公开日期"],
        ["beixishang", "2024-road", "另一件事", "2024-04-01", "2024-04-02", "2024-04-03", "38", "30", "25", "村民代表会议",
         "2024-04-05", "45", "40", "30", "5", "5", "同意", "2024-04-06"], strict=True)))
    assert '错误：data/decisions.csv 第4行 「编号」: 编号 "2024-road" 在本村 重复（已在 data/decisions.csv 第2行出现）' in messages(data, config)


def test_late_disclosure_is_a_warning_only(data, config):
    set_cell(data / P, 3, "公布日期", "2024-10-11")
    found = messages(data, config)
    assert "警告：data/finance_periods.csv 第3行 「公布日期」: 公布日期 2024-10-11 晚于 2024-10-10，该期财务公开逾期" in found
    assert pipeline.check(data, config).errors == []


def test_entries_of_an_undeclared_period_are_reported_not_published(data, config):
    row = add_row(data / F, {"村代码": "beixishang", "日期": "2024-11-02", "凭证号": "记-004", "科目": "公益支出",
                             "摘要": "路灯维修", "支出": "300.00"})
    found = messages(data, config)
    assert f"警告：data/finance.csv 第{row}行 「日期」: 2024Q4 没有财务公开期间记录，该期 1 笔收支暂不公开" in found
    assert pipeline.check(data, config).errors == []


def test_identifiers_in_text_warn_and_are_masked(data, config):
    set_cell(data / F, 2, "摘要", "支付张三补偿款 身份证410811199001011234")
    found = messages(data, config)
    assert "警告：data/finance.csv 第2行 「摘要」: 含有身份证号、银行卡号或手机号，发布时已隐去" in found
    entry = next(e for e in pipeline.check(data, config).records.entries if e.voucher == "记-001")
    assert entry.summary == "支付张三补偿款 身份证410811********1234"


def test_all_problems_are_collected_before_stopping(data, config):
    set_cell(data / F, 2, "日期", "bad")
    set_cell(data / D, 2, "实到", "99")
    set_cell(data / R, 2, "满意", "99")
    errors = pipeline.check(data, config).errors
    assert {"data/finance.csv", "data/decisions.csv", "data/commitment_reviews.csv"} <= {p.where.file for p in errors}


def test_codes_that_look_like_identifiers_are_refused(data, config):
    set_cell(data / D, 3, "编号", "13812345678")
    assert '错误：data/decisions.csv 第3行 「编号」: 代码 "13812345678" 像身份证号、银行卡号或手机号，不能用作代码（代码会出现在网址中）' in messages(data, config)


def _checked_in(data, config, monkeypatch, shared: bool):
    """A cold check with its own cache; with `shared`, files are shared with a forked copy
    however few bytes they are. The check, and the pids the files were checked in."""
    pids = data.parent / f"pids-{shared}"
    checked_file = validate._file_checked

    def recorded(kind, path, *rest):
        with open(pids, "a", encoding="utf-8") as record:  # each process adds its lines
            record.write(f"{os.getpid()}\n")
        return checked_file(kind, path, *rest)

    monkeypatch.setattr(validate, "_file_checked", recorded)
    monkeypatch.setattr(validate, "SHARED_FROM", 0 if shared else 1 << 40)
    own = dataclasses.replace(config, cache_dir=data.parent / f"cache-{shared}")
    return pipeline.check(data, own), [int(pid) for pid in pids.read_text().split()]


@pytest.mark.skipif(not forked.can_fork(), reason="needs fork and 2 cores")
def test_files_shared_with_a_forked_copy_give_what_one_process_finds(data, config, monkeypatch):
    set_cell(data / F, 3, "支出", "1,2")  # problems in several files, in file and row order
    set_cell(data / C, 2, "承诺事项", "")
    set_cell(data / G, 2, "进展", "付 13812345678 劳务费")
    alone, alone_pids = _checked_in(data, config, monkeypatch, shared=False)
    shared, shared_pids = _checked_in(data, config, monkeypatch, shared=True)
    assert len(set(alone_pids)) == 1 and len(set(shared_pids)) == 2  # the copy checked some of the files
    assert len(shared_pids) == len(alone_pids)  # each once: what the copy found was taken, not checked again
    assert shared.records == alone.records
    assert [str(p) for p in shared.problems] == [str(p) for p in alone.problems]
    assert {p.where.file for p in alone.errors} >= {"data/finance.csv", "data/commitments.csv"}
    assert any("已隐去" in str(p) for p in alone.problems)
    assert shared.cache.hits == set()  # every file was read, here or by the copy


@pytest.mark.skipif(not forked.can_fork(), reason="needs fork and 2 cores")
def test_files_the_copy_could_not_keep_in_the_cache_are_checked_here(data, config, monkeypatch, tmp_path):
    set_cell(data / F, 3, "支出", "1,2")
    alone, alone_pids = _checked_in(data, config, monkeypatch, shared=False)
    (tmp_path / "cache-True").mkdir()
    (tmp_path / "cache-True" / "checks").write_text("a file where the folder should be")
    shared, shared_pids = _checked_in(data, config, monkeypatch, shared=True)
    assert len(shared_pids) > len(alone_pids)  # the copy's files, checked again here
    assert shared.records == alone.records
    assert [str(p) for p in shared.problems] == [str(p) for p in alone.problems]


@pytest.mark.skipif(not forked.can_fork(), reason="needs fork and 2 cores")
def test_files_of_a_copy_that_dies_are_checked_here(data, config, monkeypatch, caplog):
    set_cell(data / F, 3, "支出", "1,2")
    alone, _ = _checked_in(data, config, monkeypatch, shared=False)
    here = os.getpid()
    checked_file = validate._file_checked

    def dies_in_the_copy(*args):
        if os.getpid() != here:
            os._exit(3)  # as if killed: nothing kept, nothing sent back
        return checked_file(*args)

    monkeypatch.setattr(validate, "_file_checked", dies_in_the_copy)
    shared, _ = _checked_in(data, config, monkeypatch, shared=True)
    assert shared.records == alone.records
    assert [str(p) for p in shared.problems] == [str(p) for p in alone.problems]
    assert "并行处理的子进程意外退出（状态" in caplog.text and "它分到的文件改由本进程检查" in caplog.text


def test_one_large_file_to_check_is_not_shared_but_many_are_largest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(validate, "SHARED_FROM", 1000)
    sizes = {"progress.csv": 5000, "corrections.csv": 100, "a.csv": 600, "b.xlsx": 300}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    one_changed = [("corrections", tmp_path / "corrections.csv"), ("commitment_progress", tmp_path / "progress.csv")]
    assert not validate._shared(one_changed)  # the county-wide file a rebuild checks, and a small one
    many = [("finance", tmp_path / name) for name in sizes]
    assert validate._shared(many)
    assert [path.name for _, path in many] == ["progress.csv", "a.csv", "b.xlsx", "corrections.csv"]  # a workbook counts twice
