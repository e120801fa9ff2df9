"""Checks across records: uniqueness, references, reconciliation and the disclosure schedule.

Every rule compares records of one village (a voucher number is unique within a village, a
commitment is looked up in its own village...), so the rules run village by village: a
rebuild after one village's rows changed checks that village again and takes the other
villages' problems from the check cache.
"""

from __future__ import annotations

from dataclasses import replace

from . import rules
from .check_cache import CheckCache
from .config import Config
from .errors import Problem, Problems, Where
from .fields import shown
from .journal import of_villages
from .model import Records, group_slug


def _money(value) -> str:
    return f"{value:,.2f}"


def _in_group(group: str | None) -> str:
    return f"（{group}）" if group else ""


def _at(where: Where, column: str) -> Where:
    return replace(where, column=column)


def _unique(items, key, describe, header: str, problems: Problems) -> None:
    seen = {}
    for item in items:
        first = seen.setdefault(key(item), item)
        if first is not item:
            problems.error(_at(item.where, header), f"{describe(item)} 重复（已在 {first.where.file} 第{first.where.row}行出现）")


def _check_vouchers(records: Records, problems: Problems) -> None:
    _unique(
        records.entries,
        key=lambda e: (e.village, e.group, e.date.year, e.voucher),
        describe=lambda e: f'凭证号 "{e.voucher}" 在 {e.date.year}年{_in_group(e.group)}',
        header="凭证号", problems=problems,
    )


def _check_groups(records: Records, problems: Problems) -> None:
    names: dict[tuple[str, str], str] = {}
    for item in [*records.entries, *records.periods]:
        if item.group is None:
            continue
        slug = (item.village, group_slug(item.group))
        if names.setdefault(slug, item.group) != item.group:
            problems.error(_at(item.where, "村民小组"), f'村民小组 "{item.group}" 与 "{names[slug]}" 写法不同却指同一个小组，请统一写法')


def _check_periods(records: Records, config: Config, problems: Problems) -> None:
    by_book = records.entries_by_book()

    declared = {}
    for period in records.periods:
        book = (period.village, period.group, period.key)
        if book in declared:
            first = declared[book].where
            problems.error(_at(period.where, "期间"), f"期间 {period.key.code}{_in_group(period.group)} 重复（已在 {first.file} 第{first.row}行出现）")
            continue
        declared[book] = period

    closings = {}
    for book, period in declared.items():
        income, expense = rules.totals(by_book.get(book, []))
        computed = rules.closing_balance(period.opening, income, expense)
        closings[book] = period.closing if period.closing is not None else computed
        if period.closing is not None and period.closing != computed:
            problems.error(_at(period.where, "期末余额"), f"期末余额 {_money(period.closing)} 与计算结果 {_money(computed)} 不符（期初余额 {_money(period.opening)} + 本期收入 {_money(income)} − 本期支出 {_money(expense)}）")
        if rules.is_late(period.key, period.publish_date, config.late_after_day):
            deadline = rules.publish_deadline(period.key, config.late_after_day)
            problems.warn(_at(period.where, "公布日期"), f"公布日期 {period.publish_date} 晚于 {deadline}，该期财务公开逾期")

    for (village, group, key), period in sorted(declared.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        previous = closings.get((village, group, key.previous()))
        if previous is not None and previous != period.opening:
            problems.error(_at(period.where, "期初余额"), f"期初余额 {_money(period.opening)} 与上期（{key.previous().label}）期末余额 {_money(previous)} 不符")

    for book, entries in by_book.items():
        if book not in declared:
            first = min(entries, key=lambda e: (e.where.file, e.where.row))
            problems.warn(_at(first.where, "日期"), f"{book[2].code}{_in_group(book[1])} 没有财务公开期间记录，该期 {len(entries)} 笔收支暂不公开")


def _check_commitments(records: Records, problems: Problems) -> None:
    _unique(records.decisions, key=lambda d: (d.village, d.id),
            describe=lambda d: f'编号 "{d.id}" 在本村', header="编号", problems=problems)
    _unique(records.commitments, key=lambda c: (c.village, c.year, c.id),
            describe=lambda c: f'编号 "{c.id}" 在本村 {c.year}年', header="编号", problems=problems)
    known = {(c.village, c.year, c.id) for c in records.commitments}
    cadres = {(c.village, c.year, c.name) for c in records.commitments}
    for item in records.progress:
        if (item.village, item.year, item.commitment) not in known:
            problems.error(_at(item.where, "承诺编号"), f'承诺编号 "{shown(item.commitment)}" 在本村 {item.year}年 的承诺中不存在')
    for item in records.reviews:
        if (item.village, item.year, item.name) not in cadres:
            problems.error(_at(item.where, "姓名"), f'"{item.name}" 在本村 {item.year}年 没有承诺记录，无法评诺')


_LISTS = ("entries", "periods", "decisions", "commitments", "progress", "reviews")


def _by_village(records: Records, wanted: set[str]) -> dict[str, Records]:
    """The records of each wanted village, in their order, with its register row alone."""
    own = {code: Records(villages={code: records.villages[code]}) for code in sorted(wanted)}
    for name in _LISTS:
        lists = {code: getattr(village, name) for code, village in own.items()}
        for item in of_villages(getattr(records, name), wanted):
            found = lists.get(item.village)
            if found is not None:
                found.append(item)
    return own


def _check_village(records: Records, config: Config) -> list[Problem]:
    found = Problems()
    _check_vouchers(records, found)
    _check_groups(records, found)
    _check_periods(records, config, found)
    _check_commitments(records, found)
    return found.items


def check_links(records: Records, config: Config, problems: Problems, cache: CheckCache | None = None) -> None:
    """Problems village by village (in the order of their codes), each village's in the order
    of the rules; a village whose rows are as the cache last saw them is not checked again."""
    codes = sorted(records.villages)
    known = cache.link_problems(codes) if cache else {}
    for code, own in _by_village(records, set(codes) - known.keys()).items():
        known[code] = _check_village(own, config)
    if cache:
        cache.keep_link_problems(known)
    problems.items.extend(problem for code in codes for problem in known[code])
