"""Reading files: encodings, XLSX cells, headers and aliases, blank rows, folders."""

import datetime as dt
from decimal import Decimal

import openpyxl

from generator import load, pipeline
from generator.errors import Problems

from .conftest import messages

HEADER = "村代码,村名,乡镇,乡镇代码,县区,公开栏位置,监督电话,财务公开周期\n"
ROW = "beixishang,北西尚村,阳庙镇,yangmiao,示范区,村委会门口公开栏,0391-3561201,季度\n"


def _villages(data, content: bytes, name="villages.csv"):
    (data / "villages.csv").unlink()
    (data / name).write_bytes(content)


def test_utf8_with_and_without_bom_and_gb18030(tmp_path):
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        folder = tmp_path / encoding / "data"
        folder.mkdir(parents=True)
        (folder / "villages.csv").write_bytes((HEADER + ROW.replace("北西尚村", "北西尚䶮村")).encode(encoding))
        problems = Problems()
        tables = load.load(folder, problems)
        assert not problems.items
        row = list(tables.take("villages"))[0].rows[0]
        assert row.cells["name"] == "北西尚䶮村", encoding
        assert row.row == 2


def test_gb18030_file_with_rare_character_round_trips_into_records(data, config):
    finance = data / "finance.csv"
    text = finance.read_text(encoding="utf-8").replace("王会计", "赵䶮")
    finance.write_bytes(text.encode("gb18030"))
    result = pipeline.check(data, config)
    assert not result.errors
    assert {e.handler for e in result.records.entries if e.village == "beixishang"} == {"赵䶮"}


def test_other_encodings_are_rejected_by_name(data, config):
    _villages(data, (HEADER + ROW).encode("utf-16"))
    assert "错误：data/villages.csv: 文件编码无法识别（应为 UTF-8 或 GB18030/GBK，请在 Excel/WPS 中另存为 CSV UTF-8）" in messages(data, config)


def test_english_aliases_nfkc_blank_rows_and_spaces(data, config):
    _villages(data, (
        "code,name,township,township_code,county,board,hotline,finance_cycle\n"
        "\n"
        "  beixishang , 北西尚村 ,阳庙镇,yangmiao,示范区,门口公开栏,0391-3561201,季度\n"
        ",,,,,,,\n"
        "ｌｕｃｕｎ,鹿村,阳庙镇,yangmiao,示范区,南墙公开栏,0391-3561201,月\n"
    ).encode())
    problems = Problems()
    tables = load.load(data, problems)
    rows = list(tables.take("villages"))[0].rows
    assert [r.row for r in rows] == [3, 5]  # spreadsheet rows survive skipped blank ones
    assert rows[0].cells["code"] == "beixishang" and rows[0].cells["name"] == "北西尚村"
    result = pipeline.check(data, config)
    assert not result.errors
    assert set(result.records.villages) == {"beixishang", "lucun"}


def test_unknown_column_warns_and_missing_column_fails(data, config):
    _villages(data, ("村代码,村名,乡镇,乡镇代码,公开栏位置,备注\n" + "x,x,x,x,x,x\n").encode("utf-8"))
    found = messages(data, config)
    assert "警告：data/villages.csv 第1行 「备注」: 未知的列，已忽略" in found
    assert "错误：data/villages.csv 第1行: 缺少必填列「监督电话」" in found


def test_duplicate_column(data, config):
    _villages(data, ("村代码,村名,乡镇,乡镇代码,公开栏位置,监督电话,name\n" + "x,x,x,x,x,x,y\n").encode("utf-8"))
    assert "错误：data/villages.csv 第1行 「name」: 列重复（与「村名」是同一列）" in messages(data, config)


def test_xlsx_date_and_number_cells(data, config):
    (data / "finance.csv").unlink()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["村代码", "村民小组", "日期", "凭证号", "科目", "摘要", "收入", "支出", "经办人"])
    sheet.append(["beixishang", None, dt.datetime(2024, 7, 12), "记-001", "补助收入", "运转经费", 15000, None, "王会计"])
    sheet.append([None] * 9)
    sheet.append(["beixishang", None, dt.datetime(2024, 7, 25), "记-002", "管理费用", "书记报酬", None, 1234.56, "王会计"])
    sheet.append(["beixishang", None, "2024/8/25", "记-003", "管理费用", "主任报酬", None, "-9,159.44", "王会计"])
    workbook.save(data / "finance.xlsx")
    found = messages(data, config)
    # The third record row is spreadsheet row 5 (row 3 is blank), and a negative expense is refused.
    assert "错误：data/finance.xlsx 第5行 「支出」: 金额应大于 0，而不是 -9159.44" in found
    sheet.delete_rows(5)
    workbook.save(data / "finance.xlsx")
    result = pipeline.check(data, config)
    expense = next(e for e in result.records.entries if e.voucher == "记-002" and e.village == "beixishang")
    assert expense.expense == Decimal("1234.56") and str(expense.expense) == "1234.56"
    assert expense.date == dt.date(2024, 7, 25)


def test_xlsx_cells_of_every_type_are_read_as_excel_shows_them(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["村代码", "村名", "乡镇", "乡镇代码", "县区", "公开栏位置", "监督电话", "财务公开周期"])
    sheet.append(["  beixishang ", "北西尚䶮村", dt.datetime(2024, 7, 12, 8, 5), dt.date(2024, 7, 13),
                  dt.time(10, 30), 1234.56, 15000, "=SUM(1,2)"])
    sheet.append([None] * 8)
    sheet.append([True, 0.1 + 0.2, -3, 1e20, "2024/8/25", "", "<b>x</b>", "季度"])
    sheet["F5"].number_format = "yyyy-mm-dd"
    sheet["F5"] = 45000  # a date cell holding a serial number
    path = tmp_path / "villages.xlsx"
    workbook.save(path)
    problems = Problems()
    grid, encoding = load._read_grid(path, "data/villages.xlsx", problems)
    assert not problems.items and encoding is None
    assert grid[1] == ["beixishang", "北西尚䶮村", dt.datetime(2024, 7, 12, 8, 5), dt.datetime(2024, 7, 13),
                       dt.time(10, 30), 1234.56, 15000, ""]  # a formula with no value saved: empty
    assert grid[2] == [""] * 8
    assert grid[3][:5] == [True, 0.3, -3, 10**20, "2024/8/25"]
    assert grid[4][5] == dt.datetime(2023, 3, 15)
    assert [type(value) for value in grid[1][5:7]] == [float, int]


def test_a_damaged_workbook_is_an_error_naming_it(data, config):
    (data / "finance.csv").unlink()
    (data / "finance.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    found = messages(data, config)
    assert any(m.startswith("错误：data/finance.xlsx: 无法读取 Excel 文件（") for m in found), found


def test_folder_of_files_is_read_together(data, config):
    folder = data / "finance"
    folder.mkdir()
    lines = (data / "finance.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "finance.csv").unlink()
    (folder / "beixishang.csv").write_text("".join(lines[:5]), encoding="utf-8")
    (folder / "lucun.csv").write_bytes(("".join(lines[:1] + lines[5:])).encode("gb18030"))
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    result = pipeline.check(data, config)
    assert not result.errors
    assert len(result.records.entries) == 6
    assert "警告：data/finance/notes.txt: 不是 .csv 或 .xlsx 文件，已忽略" in messages(data, config)


def test_missing_registry_is_an_error(data, config):
    (data / "villages.csv").unlink()
    assert "错误：data/villages.csv: 缺少村庄登记表（villages.csv 或 villages.xlsx）" in messages(data, config)


def test_unrelated_file_warns(data, config):
    (data / "notes.csv").write_text("a\n1\n", encoding="utf-8")
    assert "警告：data/notes.csv: 文件名不对应任何记录类别，已忽略" in messages(data, config)


def test_a_short_row_has_its_missing_cells_empty(data, config):
    _villages(data, (HEADER + ROW + "lucun,鹿村,阳庙镇,yangmiao\n").encode())
    problems = Problems()
    rows = list(load.load(data, problems).take("villages"))[0].rows
    assert rows[1].cells == {"code": "lucun", "name": "鹿村", "township": "阳庙镇", "township_code": "yangmiao",
                             "county": "", "board": "", "hotline": "", "finance_cycle": ""}
    found = messages(data, config)
    assert "错误：data/villages.csv 第3行 「公开栏位置」: 必填项为空" in found
