"""The record kinds of the data contract: their columns, English aliases and field parsers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import fields

CYCLES = ("季度", "月")
BODIES = ("村民会议", "村民代表会议")
STATUSES = ("未开始", "进行中", "已完成", "未完成")


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header clerks write
    key: str  # the English alias, also the record field name
    parse: Callable[[object], object]
    required: bool = True


def _col(header: str, key: str, parse=fields.parse_text, required: bool = True) -> Column:
    return Column(header, key, parse, required)


_VILLAGE = _col("村代码", "village", fields.parse_slug)
_GROUP = _col("村民小组", "group", required=False)
_YEAR = _col("年度", "year", fields.parse_year)

KINDS: dict[str, tuple[Column, ...]] = {
    "villages": (
        _col("村代码", "code", fields.parse_slug),
        _col("村名", "name"),
        _col("乡镇", "township"),
        _col("乡镇代码", "township_code", fields.parse_slug),
        _col("县区", "county", required=False),
        _col("公开栏位置", "board"),
        _col("监督电话", "hotline"),
        _col("财务公开周期", "finance_cycle", fields.choice(*CYCLES), required=False),
    ),
    "finance": (
        _VILLAGE,
        _GROUP,
        _col("日期", "date", fields.parse_date),
        _col("凭证号", "voucher"),
        _col("科目", "subject"),
        _col("摘要", "summary"),
        _col("收入", "income", fields.parse_amount, required=False),
        _col("支出", "expense", fields.parse_amount, required=False),
        _col("经办人", "handler", required=False),
    ),
    "finance_periods": (
        _VILLAGE,
        _GROUP,
        _col("期间", "period", fields.parse_period),
        _col("期初余额", "opening", fields.parse_amount),
        _col("期末余额", "closing", fields.parse_amount, required=False),
        _col("公布日期", "publish_date", fields.parse_date, required=False),
        _col("审核人", "reviewer"),
        _col("审核日期", "review_date", fields.parse_date),
        _col("公示天数", "days", fields.parse_count, required=False),
    ),
    "decisions": (
        _VILLAGE,
        _col("编号", "id", fields.parse_slug),
        _col("事项", "title"),
        _col("类别", "category", required=False),
        _col("金额", "amount", fields.parse_amount, required=False),
        _col("提议日期", "proposed", fields.parse_date),
        _col("商议日期", "deliberated", fields.parse_date),
        _col("审议日期", "reviewed", fields.parse_date),
        _col("党员应到", "members_expected", fields.parse_count),
        _col("党员实到", "members_present", fields.parse_count),
        _col("党员同意", "members_for", fields.parse_count),
        _col("决议机构", "body", fields.choice(*BODIES)),
        _col("决议日期", "resolved", fields.parse_date),
        _col("应到", "expected", fields.parse_count),
        _col("实到", "present", fields.parse_count),
        _col("同意", "votes_for", fields.parse_count),
        _col("反对", "votes_against", fields.parse_count),
        _col("弃权", "abstain", fields.parse_count),
        _col("决议内容", "resolution"),
        _col("决议公开日期", "resolution_published", fields.parse_date),
        _col("实施情况", "outcome", required=False),
        _col("实施结果公开日期", "outcome_published", fields.parse_date, required=False),
    ),
    "commitments": (
        _VILLAGE,
        _YEAR,
        _col("编号", "id", fields.parse_slug),
        _col("姓名", "name"),
        _col("职务", "role"),
        _col("承诺事项", "item"),
        _col("完成时限", "deadline", fields.parse_date),
        _col("公开日期", "published", fields.parse_date),
    ),
    "commitment_progress": (
        _VILLAGE,
        _YEAR,
        _col("承诺编号", "commitment", fields.parse_slug),
        _col("进展", "progress"),
        _col("状态", "status", fields.choice(*STATUSES)),
        _col("公开日期", "published", fields.parse_date),
    ),
    "commitment_reviews": (
        _VILLAGE,
        _YEAR,
        _col("姓名", "name"),
        _col("职务", "role"),
        _col("评议日期", "date", fields.parse_date),
        _col("参评人数", "raters", fields.parse_count),
        _col("满意", "satisfied", fields.parse_count),
        _col("基本满意", "fair", fields.parse_count),
        _col("不满意", "unsatisfied", fields.parse_count),
        _col("公开日期", "published", fields.parse_date),
    ),
    "corrections": (
        _col("公告编号", "notice", fields.parse_notice_id),
        _col("更正日期", "date", fields.parse_date),
        _col("更正原因", "reason"),
    ),
}

# The order in which kinds are read and checked: the registry first, since rows point to it.
KIND_ORDER = tuple(KINDS)
REQUIRED_KINDS = ("villages",)


def column_for(kind: str, header: str) -> Column | None:
    """The column a file header names, by its Chinese name or its English key."""
    wanted = fields.nfkc(header)
    for column in KINDS[kind]:
        if wanted in (column.header, column.key):
            return column
    return None
