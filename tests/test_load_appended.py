"""Reading only the rows appended to a CSV: the same rows, numbers and problems as reading it whole."""

import csv
import hashlib
import io
import random

from generator import load
from generator.errors import Problems

HEADER = ["村代码", "日期", "凭证号", "科目", "摘要", "支出", "不认识的列"]
CELLS = ["lucun", "2024-09-30", "记-1", "办公费", "买纸，两箱", '他说"够了"', "第一行\n第二行", "  有空格 ",
         "=SUM(A1)", "䶮", "", "12.00"]


def _csv(rows: list[list[str]], line_end: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows(rows)
    return out.getvalue()


def _rows(chance: random.Random, count: int) -> list[list[str]]:
    rows = []
    for _ in range(count):
        width = chance.choice([len(HEADER), len(HEADER), len(HEADER) - 2])  # some rows short
        rows.append([chance.choice(CELLS) for _ in range(width)] if chance.random() > 0.1 else [])  # some blank
    return rows


def _read(path, table_rows_before=None):
    problems = Problems()
    if table_rows_before is None:
        table = load.read_table("finance", path, path.parent, problems)
    else:
        table = load.read_appended("finance", path, path.parent, problems, table_rows_before)
    return table, [str(p) for p in problems.items]


def _seen(table):
    return [(raw.row, raw.cells) for raw in table.rows]


def test_appended_rows_read_alone_are_those_of_the_whole_file(tmp_path):
    chance = random.Random(20261124)
    for case in range(60):
        encoding = chance.choice(["utf-8", "utf-8-sig", "gb18030"])
        line_end = chance.choice(["\n", "\r\n"])
        old_rows, new_rows = _rows(chance, chance.randrange(0, 8)), _rows(chance, chance.randrange(1, 5))
        old = _csv([HEADER, *old_rows], line_end).encode(encoding)
        whole = old + _csv(new_rows, line_end).encode("utf-8" if encoding == "utf-8-sig" else encoding)
        path = tmp_path / f"{case}.csv"
        path.write_bytes(old)
        before, _ = _read(path)
        path.write_bytes(whole)
        after, after_problems = _read(path)
        appended, appended_problems = _read(path, (len(old), hashlib.sha256(old).hexdigest(), *before.layout))

        assert appended is not None, case
        assert _seen(before) + _seen(appended) == _seen(after), case
        assert appended.headers == after.headers and appended.layout == after.layout, case
        assert appended_problems == after_problems == [f"{tmp_path.name}/{case}.csv 第1行 「不认识的列」: 未知的列，已忽略"]


def test_a_file_changed_otherwise_is_read_whole(tmp_path):
    path = tmp_path / "finance.csv"
    old = _csv([HEADER, ["lucun", "2024-09-30", "记-1", "办公费", "纸", "12.00"]], "\n").encode("utf-8")
    row = _csv([["lucun", "2024-10-01", "记-2", "办公费", "笔", "3.00"]], "\n")
    before = (len(old), hashlib.sha256(old).hexdigest(), "utf-8-sig", 2)
    changed = {
        "a row before changed": old.replace(b"12.00", b"13.00") + row.encode("utf-8"),
        "nothing appended": old,
        "a GB18030 row in a UTF-8 file (the whole file is then GB18030)": old + row.encode("gb18030"),
        "a row with more cells than the header (an error with the whole file's line number)": old + b"a,b,c,d,e,f,g,h,i\n",
    }
    for why, content in changed.items():
        path.write_bytes(content)
        assert _read(path, before)[0] is None, why
    path.write_bytes(old[:-1])  # its last row without a line end: a new one would continue it
    unended = (len(old) - 1, hashlib.sha256(old[:-1]).hexdigest(), "utf-8-sig", 2)
    path.write_bytes(old[:-1] + b"\n" + row.encode("utf-8"))
    assert _read(path, unended)[0] is None
    quoted = _csv([HEADER[:-1] + ["有\n换行的列"], ["lucun"]], "\n").encode("utf-8")
    path.write_bytes(quoted + row.encode("utf-8"))
    assert _read(path, (len(quoted), hashlib.sha256(quoted).hexdigest(), "utf-8-sig", 3))[0] is None
