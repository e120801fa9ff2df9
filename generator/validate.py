"""Every check of the data contract: raw rows in, `Records` and the problems found out.

All rows of all kinds are checked before anything stops, so the clerk sees every
problem of a run at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import fields, forked, privacy, rules, schema
from .check_cache import DEFERRED_KINDS, CheckCache, digests, village_of
from .config import Config
from .errors import Problems
from .journal import Journal
from .load import RawRow, RawTable, Tables
from .model import (
    Commitment,
    Correction,
    Decision,
    Entry,
    Period,
    PeriodKey,
    Progress,
    Records,
    Review,
    Village,
)
from .validate_links import check_links

log = logging.getLogger(__name__)

# Public on purpose: the supervision hotline is the number villagers are meant to call.
_NOT_MASKED = {"hotline"}


class Row:
    """A raw row with its parsed values; `ok` is False once any cell failed."""

    _HEADERS: dict[str, dict[str, str]] = {}

    def __init__(self, kind: str, raw: RawRow):
        self.raw = raw
        if kind not in self._HEADERS:
            self._HEADERS[kind] = {column.key: column.header for column in schema.KINDS[kind]}
        self.headers = self._HEADERS[kind]
        self.values: dict[str, object] = {}
        self.ok = True

    def where(self, key: str | None = None):
        return self.raw.where(self.header(key) if key else None)

    def header(self, key: str) -> str:
        """Messages always name a column by its Chinese header, as the contract does."""
        return self.headers[key]

    def __getitem__(self, key: str):
        return self.values[key]


def parse_rows(kind: str, tables: Iterable[RawTable], problems: Problems) -> Iterator[Row]:
    for table in tables:
        for raw in table.rows:
            row = Row(kind, raw)
            for column in schema.KINDS[kind]:
                cell = raw.cells.get(column.key, "")
                if cell == "":
                    row.values[column.key] = None
                    if column.required:
                        problems.error(row.where(column.key), "必填项为空")
                        row.ok = False
                    continue
                try:
                    value = column.parse(cell)
                except fields.FieldError as exc:
                    problems.error(row.where(column.key), str(exc))
                    row.ok = False
                    continue
                if column.parse is fields.parse_slug and privacy.mask(value) != value:
                    # Codes become URLs, and a URL must never carry a person's identifier.
                    problems.error(row.where(column.key), f'代码 "{value}" 像身份证号、银行卡号或手机号，不能用作代码（代码会出现在网址中）')
                    row.ok = False
                    continue
                if isinstance(value, str) and column.key not in _NOT_MASKED:
                    masked = privacy.mask(value)
                    if masked != value:
                        problems.warn(row.where(column.key), "含有身份证号、银行卡号或手机号，发布时已隐去")
                    value = masked
                row.values[column.key] = value
            yield row


def _villages(rows: Iterator[Row], problems: Problems) -> dict[str, Village]:
    villages: dict[str, Village] = {}
    for row in rows:
        if not row.ok:
            continue
        code = row["code"]
        if code in villages:
            problems.error(row.where("code"), f'村代码 "{code}" 重复（已在 {villages[code].where.file} 第{villages[code].where.row}行出现）')
            continue
        villages[code] = Village(
            code=code, name=row["name"], township=row["township"],
            township_code=row["township_code"], county=row["county"] or "",
            board=row["board"], hotline=row["hotline"],
            finance_cycle=row["finance_cycle"] or "季度", where=row.where(),
        )
    return villages


def _known_village(row: Row, villages: dict[str, Village], problems: Problems) -> bool:
    if row.values.get("village") is None:
        return False
    if row["village"] not in villages:
        problems.error(row.where("village"), f'村代码 "{row["village"]}" 不在村庄登记表中')
        return False
    return True


def _entries(rows: Iterator[Row], villages, problems: Problems) -> list[Entry]:
    entries = []
    for row in rows:
        known = _known_village(row, villages, problems)
        income, expense = row.values.get("income"), row.values.get("expense")
        if row.raw.cells.get("income", "") != "" and row.raw.cells.get("expense", "") != "":
            problems.error(row.where("expense"), "收入和支出只能填写一项")
            row.ok = False
        elif row.raw.cells.get("income", "") == "" and row.raw.cells.get("expense", "") == "":
            problems.error(row.where("income"), "收入和支出必须填写一项")
            row.ok = False
        for key, amount in (("income", income), ("expense", expense)):
            if amount is not None and amount <= 0:
                problems.error(row.where(key), f"金额应大于 0，而不是 {amount}")
                row.ok = False
        if row.ok and known:
            entries.append(Entry(
                village=row["village"], group=row["group"] or None, date=row["date"],
                voucher=row["voucher"], subject=row["subject"], summary=row["summary"],
                income=income, expense=expense, handler=row["handler"] or "", where=row.where(),
            ))
    return entries


def _periods(rows: Iterator[Row], villages, problems: Problems) -> list[Period]:
    periods = []
    for row in rows:
        known = _known_village(row, villages, problems)
        if not (row.ok and known):
            continue
        year, unit, index = row["period"]
        village = villages[row["village"]]
        key = PeriodKey(year, unit, index)
        if unit != village.period_unit:
            expected = PeriodKey.containing(key.start, village.period_unit).code
            problems.error(row.where("period"), f'期间 "{key.code}" 与该村的财务公开周期「{village.finance_cycle}」不符（应写作 {expected} 这样的格式）')
            continue
        publish_date = row["publish_date"] or rules.default_publish_date(key)
        ok = True
        if row["review_date"] > publish_date:
            problems.error(row.where("review_date"), f"审核日期 {row['review_date']} 晚于公布日期 {publish_date}（应先审核后公布）")
            ok = False
        if row["days"] == 0:
            problems.error(row.where("days"), "公示天数应至少为 1 天")
            ok = False
        if publish_date <= key.end:
            problems.error(row.where("publish_date"), f"公布日期 {publish_date} 应在期间 {key.code} 结束（{key.end}）之后")
            ok = False
        if not ok:
            continue
        periods.append(Period(
            village=row["village"], group=row["group"] or None, key=key,
            opening=row["opening"], closing=row["closing"], publish_date=publish_date,
            reviewer=row["reviewer"], review_date=row["review_date"], days=row["days"],
            where=row.where(),
        ))
    return periods


_STAGES = ("proposed", "deliberated", "reviewed", "resolved", "resolution_published", "outcome_published")


def _decision_ok(row: Row, problems: Problems) -> bool:
    """Stage order, attendance and vote arithmetic, quorum; True when the row may be published."""
    ok = True
    previous = None
    for key in _STAGES:
        day = row.values.get(key)
        if day is None:
            continue
        if previous is not None and day < row[previous]:
            problems.error(row.where(key), f"{row.header(key)} {day} 早于{row.header(previous)} {row[previous]}（各阶段日期不能倒退）")
            ok = False
        previous = key
    pairs = (("members_present", "members_expected"), ("members_for", "members_present"), ("present", "expected"))
    for small, large in pairs:
        if row[small] > row[large]:
            problems.error(row.where(small), f"{row.header(small)} {row[small]} 人多于{row.header(large)} {row[large]} 人")
            ok = False
    votes = row["votes_for"] + row["votes_against"] + row["abstain"]
    if votes > row["present"]:
        problems.error(row.where("votes_for"), f"同意、反对、弃权合计 {votes} 人多于实到 {row['present']} 人")
        ok = False
    if not ok:
        return False
    if not rules.party_meeting_valid(row["members_expected"], row["members_present"]):
        problems.error(row.where("members_present"), f"党员实到 {row['members_present']} 人不足党员应到 {row['members_expected']} 人的三分之二，党员大会无效，事项不能提交村民决议")
        return False
    if not rules.party_meeting_approved(row["members_expected"], row["members_for"]):
        problems.error(row.where("members_for"), f"党员同意 {row['members_for']} 人未超过党员应到 {row['members_expected']} 人的半数，党员大会未审议通过，事项不能提交村民决议")
        return False
    if not rules.village_meeting_valid(row["body"], row["expected"], row["present"]):
        share = "不足" if row["body"] == rules.REPRESENTATIVES_MEETING else "未超过"
        problems.error(row.where("present"), f"实到 {row['present']} 人{share}应到 {row['expected']} 人的{rules.quorum_words(row['body'])}，{row['body']}无效，不能作为决议公开")
        return False
    if row["outcome"] and row["outcome_published"] is None:
        problems.error(row.where("outcome_published"), "填写了实施情况，必须填写实施结果公开日期")
        return False
    if row["outcome_published"] is not None and not row["outcome"]:
        problems.error(row.where("outcome"), "填写了实施结果公开日期，必须填写实施情况")
        return False
    if row["outcome"] and not rules.passed(row["present"], row["votes_for"]):
        problems.error(row.where("outcome"), f"事项未通过（同意 {row['votes_for']} 人未超过实到 {row['present']} 人的半数），不能有实施情况")
        return False
    return True


def _decisions(rows: Iterator[Row], villages, problems: Problems) -> list[Decision]:
    decisions = []
    for row in rows:
        known = _known_village(row, villages, problems)
        if not (row.ok and _decision_ok(row, problems) and known):
            continue
        values = {key: row.values[key] for key in row.values}
        values["category"] = values["category"] or ""
        values["outcome"] = values["outcome"] or ""
        decisions.append(Decision(**values, passed=rules.passed(row["present"], row["votes_for"]), where=row.where()))
    return decisions


def _simple(cls, rows: Iterator[Row], villages, problems: Problems) -> list:
    return [
        cls(**row.values, where=row.where())
        for row in rows
        if _known_village(row, villages, problems) and row.ok
    ]


def _reviews(rows: Iterator[Row], villages, problems: Problems, config: Config) -> list[Review]:
    reviews = []
    for row in rows:
        known = _known_village(row, villages, problems)
        if not row.ok:
            continue
        given = row["satisfied"] + row["fair"] + row["unsatisfied"]
        if given > row["raters"]:
            problems.error(row.where("raters"), f"满意、基本满意、不满意合计 {given} 人多于参评人数 {row['raters']} 人")
            continue
        if known:
            flagged = rules.rating_flagged(row["raters"], row["unsatisfied"], config.unsatisfied_threshold)
            reviews.append(Review(**row.values, flagged=flagged, where=row.where()))
    return reviews


def _checked_file(kind: str, table: RawTable | None, make, found: Problems, earlier, rows: dict[str, str] | None) -> tuple[list, list]:
    """A file's records and problems. With the last check of the same file at hand (its bytes
    changed since), the rows of villages whose rows are exactly as they were, at the same row
    numbers, take their records and problems from it, and only the others are checked: one new
    row in a county-wide file checks that village's rows, not 87,000. Every rule here looks at
    one row, so the result is what checking every row gives, in the same order."""
    if earlier is None or table is None or rows is None:
        return make(parse_rows(kind, [table] if table else [], found), found), found.items
    old_records, old_problems, old_rows = earlier
    same = {village for village, digest in rows.items() if old_rows.get(village) == digest}
    kept = {raw.row for raw in table.rows if village_of(raw) in same}
    read = len(found.items)  # problems of reading the file (its header), which come first
    fresh = RawTable(table.kind, table.file, table.headers, [raw for raw in table.rows if raw.row not in kept])
    made = make(parse_rows(kind, [fresh], found), found)
    records = sorted([r for r in old_records if r.where.row in kept] + made, key=lambda r: r.where.row)
    checked = [p for p in old_problems if p.where.row in kept] + found.items[read:]
    return records, found.items[:read] + sorted(checked, key=lambda p: p.where.row or 0)


def _file_checked(kind: str, path: Path, tables: Tables, make, cache: CheckCache | None) -> tuple[list, list]:
    """A file not in the cache, checked: only its appended rows when it just gained some at its
    end, else as _checked_file does; what it found is kept in the cache for the next check."""
    found = Problems()
    appended = cache.appended(kind, path, tables, found) if cache else None
    if appended:
        old_records, old_problems, table, by_village = appended
        read = len(found.items)  # problems of reading its header, which come first
        new_records = make(parse_rows(kind, [table], found), found)
        known = old_records + new_records, found.items[:read] + old_problems + found.items[read:]
    else:
        table = tables.read(kind, path, found)
        earlier = cache.earlier(kind, path) if cache and table else None
        by_village = digests(table) if cache else None  # (cells, numbered rows)
        known = _checked_file(kind, table, make, found, earlier, by_village[1] if by_village else None)
    if cache:
        cache.keep_records(kind, path, *known, by_village, table.layout if table else None)
    return known


def _checked_files(tables: Tables, makers: dict[str, Callable], cache: CheckCache | None) -> dict[tuple[str, Path], tuple]:
    """(kind, file) → the file's records and problems, from the cache or checked now.

    Files not in the cache (a first build, new settings: 28 s a county) are checked by two
    processes when there are enough of them: this one and a forked copy take the next file
    in turn, largest first, so both finish together. The copy keeps what it found in the
    check cache, where this process takes it from once it has checked its own; a file the
    copy could not keep there is checked here after all.
    """
    def check(kind: str, path: Path) -> tuple:
        return _file_checked(kind, path, tables, makers[kind], cache)

    def cached(kind: str, path: Path, checked_now: bool = False) -> tuple | None:
        return cache.records(kind, path, deferred=kind in DEFERRED_KINDS, checked_now=checked_now) if cache else None

    known, missing = {}, []
    for kind in makers:
        for path in tables.files_of(kind):
            found = cached(kind, path)
            if found is None:
                missing.append((kind, path))
            else:
                known[kind, path] = found
    dealer = forked.Dealer.made() if cache and forked.can_fork() and _shared(missing) else None
    if dealer is None:
        return known | {(kind, path): check(kind, path) for kind, path in missing}

    def check_dealt() -> None:  # in the copy: what it finds goes to the cache, not back here
        for kind, path in dealer.deal(missing):
            check(kind, path)

    copy = forked.Beside(check_dealt)
    try:
        known.update(((kind, path), check(kind, path)) for kind, path in dealer.deal(missing))
    except BaseException:
        copy.stop()
        raise
    try:
        copy.result()  # what it raised is raised here, as if this process had checked the file
    except forked.CopyLost as lost:
        log.warning("%s；它分到的文件改由本进程检查", lost)
    for kind, path in missing:
        if (kind, path) not in known:
            known[kind, path] = cached(kind, path, checked_now=True) or check(kind, path)
    return known


# Files not in the check cache are shared with a forked copy when all but the largest come to
# this many bytes: less is checked sooner than a copy is made and its records read back (the
# sample's 0.3 MB: 0.2 s). Not the largest: a rebuild often has one county-wide file to check
# (5 MB, rows appended or a row edited), which is one process's work whatever its size.
SHARED_FROM = 1 << 20
# A workbook's bytes, zipped, take about twice as long to check as a CSV's.
_WORKBOOK_WEIGHT = 2


def _shared(files: list[tuple[str, Path]]) -> bool:
    """Whether the files are worth sharing with a copy; if so, they are put largest first."""
    sizes = {path: path.stat().st_size * (_WORKBOOK_WEIGHT if path.suffix.lower() == ".xlsx" else 1)
             for _, path in files}
    files.sort(key=lambda item: sizes[item[1]], reverse=True)
    return sum(sizes[path] for _, path in files[1:]) >= SHARED_FROM


def validate(tables: Tables, config: Config, problems: Problems, cache: CheckCache | None = None) -> Records:
    """Parse and check every row of every kind; cross-record rules run on what parsed.

    Each file is read as its rows are needed and dropped once they are records. A file whose
    bytes, village register, settings and code are as in a cached check is not read again:
    its records and problems come from `cache`.
    """
    records = Records()
    records.villages = _villages(parse_rows("villages", tables.take("villages"), problems), problems)
    villages = records.villages
    makers = {
        "entries": ("finance", lambda rows, found: _entries(rows, villages, found)),
        "periods": ("finance_periods", lambda rows, found: _periods(rows, villages, found)),
        "decisions": ("decisions", lambda rows, found: _decisions(rows, villages, found)),
        "commitments": ("commitments", lambda rows, found: _simple(Commitment, rows, villages, found)),
        "progress": ("commitment_progress", lambda rows, found: _simple(Progress, rows, villages, found)),
        "reviews": ("commitment_reviews", lambda rows, found: _reviews(rows, villages, found, config)),
        "corrections": ("corrections", lambda rows, found: [Correction(**row.values, where=row.where()) for row in rows if row.ok]),
    }
    checked = _checked_files(tables, dict(makers.values()), cache)
    for attribute, (kind, _) in makers.items():
        made = Journal() if kind in DEFERRED_KINDS else []
        for path in tables.files_of(kind):  # in the files' order: the records' and the problems'
            known = checked.pop((kind, path))
            if isinstance(made, Journal):
                made.add(known[0])  # as a whole, perhaps still as the cache keeps it
            else:
                made.extend(known[0])
            problems.items.extend(known[1])
        setattr(records, attribute, made)
    check_links(records, config, problems, cache)
    if cache:
        cache.prune()
    return records
