"""The check cache: unchanged files are not read again, and give the same records, problems and hashes."""

import dataclasses
import datetime as dt
import pickle

import pytest

from generator import pipeline
from generator.notices import Notice
from tests.conftest import add_row, read_rows, set_cell, write_rows

AS_OF = dt.date(2026, 1, 15)
ALL_KINDS = {"finance", "finance_periods", "decisions", "commitments", "commitment_progress",
             "commitment_reviews", "corrections"}


@pytest.fixture
def own_cache(config, tmp_path):
    return dataclasses.replace(config, cache_dir=tmp_path / "cache")


def _check(data, config):
    checked = pipeline.check(data, config)
    return checked, [str(p) for p in checked.problems]


def test_unchanged_files_come_back_equal_without_being_read(data, own_cache):
    set_cell(data / "finance.csv", 2, "摘要", "付 13812345678 劳务费")  # a warning to replay
    first, first_problems = _check(data, own_cache)
    assert first.cache.hits == set()
    again, again_problems = _check(data, own_cache)
    assert again.cache.hits >= ALL_KINDS - {"corrections"} and again.cache.hits <= ALL_KINDS
    assert again.records == first.records
    assert again_problems == first_problems and any("已隐去" in p for p in again_problems)


def test_a_changed_file_is_read_again_and_only_its_kind(data, own_cache):
    _check(data, own_cache)
    row = add_row(data / "commitment_progress.csv", {
        "村代码": "beixishang", "年度": "2024", "承诺编号": "2024-01", "进展": "新的一行",
        "状态": "进行中", "公开日期": "2024-07-08"})
    again, _ = _check(data, own_cache)
    assert "commitment_progress" not in again.cache.hits
    assert {"finance", "decisions", "commitments"} <= again.cache.hits
    assert any(p.progress == "新的一行" and p.where.row == row for p in again.records.progress)


def test_a_changed_village_register_rereads_everything(data, own_cache):
    _check(data, own_cache)
    set_cell(data / "villages.csv", 2, "监督电话", "0311-88889999")
    again, _ = _check(data, own_cache)
    assert again.cache.hits == set()


def test_errors_are_replayed_too(data, own_cache):
    set_cell(data / "finance.csv", 2, "支出", "1,2")
    _, first_problems = _check(data, own_cache)
    again, again_problems = _check(data, own_cache)
    assert "finance" in again.cache.hits
    assert again_problems == first_problems and any("金额格式无效" in p for p in again_problems)


def test_a_damaged_entry_is_made_again(data, own_cache):
    first, _ = _check(data, own_cache)
    for entry in (own_cache.cache / "checks").glob("finance-*.pickle"):
        entry.write_bytes(b"not a pickle")
    again, _ = _check(data, own_cache)
    assert "finance" not in again.cache.hits
    assert again.records == first.records


def test_notice_hashes_come_back_unless_their_villages_rows_changed(data, own_cache, tmp_path):
    site = tmp_path / "site"
    built = pipeline.build(data, site, own_cache, AS_OF, pdfs=False)
    expected = {n.id: n.sha256() for n in built.published}
    set_cell(data / "decisions.csv", 2, "事项", "关于修缮村委会办公室的事项")  # a row of beixishang's
    plan = pipeline.prepare(data, tmp_path / "no-site", own_cache, AS_OF)
    shown = pipeline.notices.published(plan.every, AS_OF)
    changed = {n.id for n in shown if n.kind in ("resolution", "outcome") and n.village.code == "beixishang"}
    restored = [n for n in shown if n.hashed]
    assert changed and {n.id for n in restored} == {n.id for n in shown} - changed
    assert any(n.kind == "resolution" for n in restored)  # lucun's, from the same file
    assert all(n.sha256() == expected[n.id] for n in restored)
    fresh = [dataclasses.replace(n) for n in restored]  # the same notices, hashed anew
    assert [n.sha256() for n in fresh] == [n.sha256() for n in restored]
    assert all(n.sha256() != expected[n.id] for n in shown if n.id in changed)


def test_a_notice_made_from_two_files_is_hashed_again_when_either_changes(data, own_cache, tmp_path):
    add_row(data / "commitments.csv", {"村代码": "lucun", "年度": "2024", "编号": "2024-01", "姓名": "李明",
                                       "职务": "党支部书记", "承诺事项": "修通村西生产路", "完成时限": "2024-12-31",
                                       "公开日期": "2024-02-26"})
    add_row(data / "commitment_progress.csv", {"村代码": "lucun", "年度": "2024", "承诺编号": "2024-01",
                                               "进展": "路基已完成", "状态": "进行中", "公开日期": "2024-04-08"})
    pipeline.build(data, tmp_path / "site", own_cache, AS_OF, pdfs=False)
    # 践诺 notices show the commitments they report on: one of beixishang's is reworded.
    set_cell(data / "commitments.csv", 2, "承诺事项", "带领两委班子完成村集体经济收入增长12%以上")
    plan = pipeline.prepare(data, tmp_path / "no-site", own_cache, AS_OF)
    progress = [n for n in pipeline.notices.published(plan.every, AS_OF) if n.kind == "progress"]
    assert {n.village.code for n in progress} == {"beixishang", "lucun"}
    assert all(n.hashed == (n.village.code == "lucun") for n in progress)


def test_records_pickle_to_equal_values(data, own_cache):
    records = pipeline.check(data, own_cache).records
    for items in (records.entries, records.periods, records.decisions, records.reviews, list(records.villages.values())):
        assert pickle.loads(pickle.dumps(items)) == items


def test_a_copy_keeps_its_hash_only_while_its_corrections_stay(data, own_cache):
    plan = pipeline.prepare(data, data.parent / "no-site", own_cache, AS_OF)
    notice: Notice = plan.every[0]
    notice.sha256()
    assert notice.changed(archive="x/").hashed
    assert not notice.changed(corrections=(object(),)).hashed


def test_a_file_that_cannot_be_read_is_reported_every_time(data, own_cache):
    folder = data / "decisions"
    folder.mkdir()
    (data / "decisions.csv").rename(folder / "main.csv")
    (folder / "broken.csv").write_bytes(b"\xff\xfe\x00garbage\x81")
    for _ in range(2):
        checked, problems = _check(data, own_cache)
        assert any("broken.csv" in p and "编码" in p for p in problems), problems
        assert checked.errors


def test_a_cache_that_cannot_be_written_only_costs_speed(data, own_cache):
    own_cache.cache.mkdir(parents=True)
    (own_cache.cache / "checks").write_text("a file where the folder should be")
    first, first_problems = _check(data, own_cache)
    again, again_problems = _check(data, own_cache)
    assert again.cache.hits == set() and again.records == first.records and again_problems == first_problems


def test_in_a_folder_of_files_only_the_changed_file_is_read_again(data, own_cache):
    folder = data / "finance"
    folder.mkdir()
    rows = (data / "finance.csv").read_text(encoding="utf-8-sig").splitlines()
    half = len(rows) // 2
    (folder / "a.csv").write_text("\n".join(rows[: half]) + "\n", encoding="utf-8")
    (folder / "b.csv").write_text("\n".join([rows[0], *rows[half:]]) + "\n", encoding="utf-8")
    (data / "finance.csv").unlink()
    _check(data, own_cache)
    set_cell(folder / "b.csv", 2, "摘要", "改过的摘要")
    again, again_problems = _check(data, own_cache)
    assert again.cache.read_again == {folder / "b.csv"}
    cold, cold_problems = _check(data, dataclasses.replace(own_cache, cache_dir=own_cache.cache / "cold"))
    assert again.records == cold.records and again_problems == cold_problems
    assert any(e.summary == "改过的摘要" for e in again.records.entries)
    entries = list((own_cache.cache / "checks").glob("finance-*.pickle"))
    assert len(entries) == 2  # b.csv's entry for its old bytes is gone


def test_a_changed_file_checks_again_only_the_rows_of_villages_whose_rows_changed(data, own_cache, tmp_path, monkeypatch):
    from generator import validate

    progress = data / "commitment_progress.csv"
    lucun = add_row(progress, {"村代码": "lucun", "年度": "2024", "承诺编号": "2024-01", "进展": "联系 13812345678",
                               "状态": "进行中", "公开日期": "2024-04-08"})  # a warning, kept from the last check
    set_cell(progress, 2, "公开日期", "2024-13-01")  # beixishang's row: an error, gone once fixed
    _, first_problems = _check(data, own_cache)
    assert any("2024-13-01" in p for p in first_problems)
    set_cell(progress, 2, "公开日期", "2024-04-08")
    add_row(progress, {"村代码": "beixishang", "年度": "2024", "承诺编号": "2024-01", "进展": "新的一行",
                       "状态": "进行中", "公开日期": "2024-07-08"})
    seen = []
    parse_rows = validate.parse_rows

    def watched(kind, tables, problems):
        for row in parse_rows(kind, tables, problems):
            seen.append((kind, row.raw.cells.get("village")))
            yield row

    monkeypatch.setattr(validate, "parse_rows", watched)
    again, again_problems = _check(data, own_cache)
    assert [village for kind, village in seen if kind == "commitment_progress"] == ["beixishang", "beixishang"]
    whole, whole_problems = _check(data, dataclasses.replace(own_cache, cache_dir=tmp_path / "no-cache-yet"))
    assert again.records == whole.records and again_problems == whole_problems  # as if every row were checked
    assert any(p.where.row == lucun for p in again.records.progress)
    assert not any("2024-13-01" in p for p in again_problems)
    assert any(f"第{lucun}行" in p and "已隐去" in p for p in again_problems)


def test_a_changed_file_writes_again_only_the_blocks_of_records_that_changed(data, own_cache, tmp_path, monkeypatch):
    from generator import check_cache

    monkeypatch.setattr(check_cache, "BLOCK_ROWS", 2)  # finance.csv: beixishang's rows 2-5 (blocks 1, 2), lucun's 6-7 (3)
    written = []
    write = check_cache.CheckCache._write

    def watched(self, name, key, value):
        written.append((name, value))
        write(self, name, key, value)

    monkeypatch.setattr(check_cache.CheckCache, "_write", watched)
    _check(data, own_cache)
    assert [len(value) for name, value in written if name == "block-finance"] == [2, 2, 2]
    changes = [  # lucun's rows are checked again (and only they): blocks 1 and 2 stay as they were
        (lambda: set_cell(data / "finance.csv", 7, "摘要", "改过的摘要"), [[6, 7]]),
        (lambda: add_row(data / "finance.csv", {"村代码": "lucun", "日期": "2024-09-30", "凭证号": "记-099",
                                                "科目": "办公费", "摘要": "新的一行", "支出": "12.00"}), [[8]]),  # appended: only it is read
    ]
    for number, (change, blocks) in enumerate(changes):
        change()
        written.clear()
        again, again_problems = _check(data, own_cache)
        assert [[e.where.row for e in value] for name, value in written if name == "block-finance"] == blocks
        cold, cold_problems = _check(data, dataclasses.replace(own_cache, cache_dir=tmp_path / f"cold-{number}"))
        assert again.records == cold.records and again_problems == cold_problems
        assert [e.where for e in again.records.entries] == [e.where for e in cold.records.entries]
        read_back, _ = _check(data, own_cache)  # from the blocks kept and those written
        assert read_back.cache.hits >= {"finance"} and read_back.records == cold.records
    assert len(list((own_cache.cache / "checks").glob("block-finance-*.pickle"))) == 4  # replaced blocks are removed


def test_a_village_code_typed_in_full_width_letters_is_that_villages_rows(data, own_cache, tmp_path):
    # The parser reads "ｌｕｃｕｎ" as lucun (NFKC): a change to that row changes lucun's notice.
    set_cell(data / "decisions.csv", 3, "村代码", "ｌｕｃｕｎ")
    built = pipeline.build(data, tmp_path / "site", own_cache, AS_OF, pdfs=False)
    pond = next(n for n in built.published if n.id == "lucun-resolution-2024-pond")
    set_cell(data / "decisions.csv", 3, "事项", "村集体坑塘对外承包")
    plan = pipeline.prepare(data, tmp_path / "no-site", own_cache, AS_OF)
    again = next(n for n in plan.every if n.id == pond.id)
    assert not again.hashed and again.sha256() != pond.sha256()
    cold = pipeline.prepare(data, tmp_path / "no-site", dataclasses.replace(own_cache, cache_dir=tmp_path / "cold"), AS_OF)
    assert again.sha256() == next(n for n in cold.every if n.id == pond.id).sha256()


def test_cross_record_rules_check_again_only_the_villages_whose_rows_changed(data, own_cache, tmp_path, monkeypatch):
    from generator import validate_links

    decisions = data / "decisions.csv"
    rows = read_rows(decisions)
    write_rows(decisions, [*rows, rows[2]])  # lucun's 编号 2024-pond twice: an error across rows
    _, first_problems = _check(data, own_cache)
    twice = [p for p in first_problems if "2024-pond" in p and "重复" in p]
    assert twice == [f"data/decisions.csv 第{len(rows) + 1}行 「编号」: 编号 \"2024-pond\" 在本村 重复（已在 data/decisions.csv 第3行出现）"]
    checked = []
    check_village = validate_links._check_village

    def watched(records, config):
        checked.append(next(iter(records.villages)))
        return check_village(records, config)

    monkeypatch.setattr(validate_links, "_check_village", watched)

    def same_as_cold(folder):
        again, again_problems = _check(data, own_cache)
        monkeypatch.setattr(validate_links, "_check_village", check_village)
        _, cold_problems = _check(data, dataclasses.replace(own_cache, cache_dir=tmp_path / folder))
        monkeypatch.setattr(validate_links, "_check_village", watched)
        assert again_problems == cold_problems
        return again_problems

    set_cell(decisions, 2, "事项", "关于修缮村委会办公室的事项")  # beixishang's row
    assert twice[0] in same_as_cold("cold-1") and checked == ["beixishang"]
    checked.clear()
    rows = read_rows(decisions)
    write_rows(decisions, [rows[0], *rows[2:]])  # beixishang's row gone: lucun's rows move up one
    again_problems = same_as_cold("cold-2")
    assert sorted(checked) == ["beixishang", "lucun"]
    assert any("第2行出现" in p and "2024-pond" in p for p in again_problems)


def test_notice_hashes_come_back_when_only_their_rows_numbers_changed(data, own_cache, tmp_path):
    pipeline.build(data, tmp_path / "site", own_cache, AS_OF, pdfs=False)
    rows = read_rows(data / "decisions.csv")
    write_rows(data / "decisions.csv", [rows[0], *rows[2:]])  # beixishang's row gone: lucun's moves up
    plan = pipeline.prepare(data, tmp_path / "no-site", own_cache, AS_OF)
    lucun = [n for n in plan.every if n.kind == "resolution" and n.village.code == "lucun"]
    assert lucun and all(n.hashed for n in lucun)  # the same cells make the same notice


def test_a_damaged_record_of_cross_record_problems_is_made_again(data, own_cache):
    decisions = data / "decisions.csv"
    rows = read_rows(decisions)
    write_rows(decisions, [*rows, rows[2]])  # lucun's 编号 2024-pond twice
    _, first_problems = _check(data, own_cache)
    links = own_cache.cache / "checks" / "links-all.pickle"
    links.write_bytes(pickle.dumps({"lucun": None, "beixishang": ("x",)}))
    _, again_problems = _check(data, own_cache)
    assert again_problems == first_problems and any("2024-pond" in p and "重复" in p for p in again_problems)
    links.write_bytes(b"not a pickle")
    assert _check(data, own_cache)[1] == first_problems


def test_rows_appended_to_a_file_are_read_and_checked_alone(data, own_cache, tmp_path, monkeypatch):
    """A file that only gained rows at its end: its earlier rows come from the cache, and the
    result is what a check without a cache finds, problems included. Appended in another
    encoding, the file is read whole, as its earlier rows now read otherwise too."""
    from generator import load

    _check(data, own_cache)
    whole = []
    read_table = load.read_table
    monkeypatch.setattr(load, "read_table", lambda kind, path, *rest: whole.append(path.name) or read_table(kind, path, *rest))
    add_row(data / "finance.csv", {"村代码": "lucun", "日期": "2024-09-30", "凭证号": "记-099",
                                   "科目": "办公费", "摘要": "新的一行", "支出": "12.00"})
    bad = add_row(data / "finance.csv", {"村代码": "lucun", "日期": "2024-09-31", "摘要": "错的日期", "支出": "1"})
    gb18030_row = ",".join(["lucun", "2024-10-01", "记-100", "办公费", "䶮", "", "2.00"]).encode("gb18030") + b"\n"
    for case in ("utf-8 rows", "a gb18030 row"):
        whole.clear()
        again, again_problems = _check(data, own_cache)
        read_again = whole.count("finance.csv")
        cold, cold_problems = _check(data, dataclasses.replace(own_cache, cache_dir=tmp_path / f"cold-{case}"))
        assert again.records == cold.records and again_problems == cold_problems, case
        assert read_again == (0 if case == "utf-8 rows" else 1), case
        if case == "utf-8 rows":
            assert any(p.where.row == bad and p.where.column == "日期" for p in again.problems)
            with (data / "finance.csv").open("ab") as file:
                file.write(gb18030_row)
