"""A synthetic, contract-valid corpus of any size, for benchmarks: `python -m generator sample`.

Villages come in townships of fifteen, as in 阳庙镇; every record kind is written, the
journal in one file per village in mixed encodings (UTF-8, UTF-8 with BOM, GB18030, some
XLSX) as clerks' offices would send them. The same arguments give the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from pathlib import Path

import openpyxl

from . import schema

VILLAGES_PER_TOWNSHIP = 15
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文聂"
GIVEN = "建国秀兰明伟芳娜敏静丽强磊军洋勇艳杰娟涛超霞平刚桂英华玉兰志红春梅国庆德胜保国长青小军红梅"
PLACES = "东西南北前后上下新老大小"
PLACE_NAMES = "王庄李庄张寨刘集陈桥杨楼赵屯黄营周店吴堡徐湾孙岗胡庙朱坡高村林场何湾郭庄马寨罗集梁庄宋楼"
CADRES = (("党支部书记", 1125), ("村委会主任", 900), ("两委委员", 675), ("两委委员", 675))
FINANCE_HEADERS = [c.header for c in schema.KINDS["finance"]]


def _csv(rows: list[list], headers: list[str], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _write(path: Path, rows: list[list], headers: list[str], encoding: str = "utf-8-sig") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv(rows, headers, encoding))


def _xlsx(path: Path, rows: list[list], headers: list[str]) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("日记账")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _name(chance: random.Random) -> str:
    return chance.choice(SURNAMES) + "".join(chance.choice(GIVEN) for _ in range(chance.randint(1, 2)))


def _period_keys(first_year: int, years: int, monthly: bool) -> list[tuple[int, int]]:
    return [(y, i) for y in range(first_year, first_year + years) for i in range(1, 13 if monthly else 5)]


def _span(year: int, index: int, monthly: bool) -> tuple[dt.date, dt.date]:
    first = dt.date(year, index if monthly else (index - 1) * 3 + 1, 1)
    months = 1 if monthly else 3
    nxt = dt.date(first.year + (first.month + months - 1) // 12, (first.month + months - 1) % 12 + 1, 1)
    return first, nxt


def _village_journal(code: str, years: int, first_year: int, chance: random.Random) -> list[list]:
    rows = []
    handler = _name(chance)
    for year in range(first_year, first_year + years):
        number = 0
        for month in range(1, 13):
            lines = [(dt.date(year, month, 25), "管理费用", f"发放{month}月{role}报酬", None, Decimal(pay)) for role, pay in CADRES]
            lines.append((dt.date(year, month, chance.randint(3, 20)), "管理费用", f"{month}月办公用品及水电费",
                          None, Decimal(chance.randint(18000, 62000)) / 100))
            if month % 3 == 1:
                lines.append((dt.date(year, month, 12), "补助收入", f"收到第{(month - 1) // 3 + 1}季度村级组织运转经费", Decimal(15000), None))
            if month % 2 == 0:
                lines.append((dt.date(year, month, 8), "公益支出", f"{month}月村内环境卫生保洁费", None, Decimal(2400)))
            if month in (1, 7):
                lines.append((dt.date(year, month, 18), "发包及上交收入", "收取集体土地承包费", Decimal(chance.randint(40, 120) * 1000), None))
            for day, subject, summary, income, expense in sorted(lines):
                number += 1
                rows.append([code, "", day, f"记-{year}-{number:03d}", subject, summary, income, expense, handler])
    return rows


def write_sample(out: Path, villages: int, years: int, first_year: int = 2021, seed: int = 20241008) -> None:
    chance = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    registry, periods, decisions, commitments, progress, reviews = [], [], [], [], [], []
    for n in range(villages):
        township = n // VILLAGES_PER_TOWNSHIP
        code = f"t{township + 1:02d}-v{n + 1:04d}"
        monthly = n % 10 == 3
        name = f"{PLACES[n % len(PLACES)]}{PLACE_NAMES[(n * 2) % len(PLACE_NAMES):][:2]}{n + 1}村"
        registry.append([code, name, f"第{township + 1}镇", f"t{township + 1:02d}", "示范县",
                         "村委会门口公开栏", "0391-3561201", "月" if monthly else "季度"])
        journal = _village_journal(code, years, first_year, chance)
        opening = Decimal(chance.randint(10000, 200000))
        for year, index in _period_keys(first_year, years, monthly):
            start, end = _span(year, index, monthly)
            moves = [r for r in journal if start <= r[2] < end]
            closing = opening + sum((r[6] or 0) for r in moves) - sum((r[7] or 0) for r in moves)
            publish = end + dt.timedelta(days=chance.randint(1, 8))
            label = f"{year}-{index:02d}" if monthly else f"{year}Q{index}"
            periods.append([code, "", label, f"{opening:.2f}", f"{closing:.2f}", publish, f"村务监督委员会：{_name(chance)}",
                            publish - dt.timedelta(days=1), ""])
            opening = closing
        rows = [[*r[:6], "" if r[6] is None else f"{r[6]:.2f}", "" if r[7] is None else f"{r[7]:.2f}", r[8]] for r in journal]
        target = out / "finance" / f"{code}.csv"
        kind = n % 20
        if kind == 7:
            _xlsx(target.with_suffix(".xlsx"), [[*r[:6], float(r[6]) if r[6] else None, float(r[7]) if r[7] else None, r[8]] for r in journal], FINANCE_HEADERS)
        else:
            _write(target, rows, FINANCE_HEADERS, ("utf-8", "utf-8-sig", "gb18030")[kind % 3])
        people = [(_name(chance), role) for role, _ in CADRES]
        for year in range(first_year, first_year + years):
            for d in range(3):
                proposed = dt.date(year, 3 + d * 3, 2)
                passed = d != 2 or n % 4
                votes_for = 30 if passed else 14
                outcome = passed and d == 0
                decisions.append([
                    code, f"{year}-{d + 1}", f"{year}年第{d + 1}项村内公益事业建设", "工程建设", f"{chance.randint(20, 300) * 1000:.2f}",
                    proposed, proposed + dt.timedelta(days=2), proposed + dt.timedelta(days=6), 30, 25, 22, "村民代表会议",
                    proposed + dt.timedelta(days=10), 40, 35, votes_for, 35 - votes_for - 2, 2,
                    "同意实施，资金由村集体经费和奖补资金解决。" if passed else "同意票未过半数，事项未通过。",
                    proposed + dt.timedelta(days=12),
                    "已按决议实施完毕并通过验收。" if outcome else "",
                    proposed + dt.timedelta(days=120) if outcome else "",
                ])
            for p, (person, role) in enumerate(people):
                for item in range(2):
                    cid = f"{year}-{p * 2 + item + 1:02d}"
                    commitments.append([code, year, cid, person, role, f"{year}年承诺事项{item + 1}：办好群众关心的实事",
                                        dt.date(year, 12, 30), dt.date(year, 2, 26)])
                    for quarter, status in ((1, "进行中"), (2, "进行中"), (3, "进行中")):
                        progress.append([code, year, cid, f"已完成全年任务的{quarter * 25}%", status, dt.date(year, quarter * 3 + 1, 8)])
                raters = chance.randint(50, 90)
                unhappy = chance.randint(0, raters // 3)
                reviews.append([code, year, person, role, dt.date(year, 12, 18), raters, raters - unhappy - 5, 5, unhappy, dt.date(year, 12, 23)])
    headers = {kind: [c.header for c in schema.KINDS[kind]] for kind in schema.KINDS}
    _write(out / "villages.csv", registry, headers["villages"])
    _write(out / "finance_periods.csv", periods, headers["finance_periods"])
    _write(out / "decisions.csv", decisions, headers["decisions"], "gb18030")
    _write(out / "commitments.csv", commitments, headers["commitments"])
    _write(out / "commitment_progress.csv", progress, headers["commitment_progress"], "gb18030")
    _write(out / "commitment_reviews.csv", reviews, headers["commitment_reviews"])
