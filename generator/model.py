"""The validated records: small frozen dataclasses, money as Decimal, dates as dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Where
from .pickling import Pickled

QUARTER_NAMES = "一二三四"


@dataclass(frozen=True, slots=True)
class Village(Pickled):
    code: str
    name: str
    township: str
    township_code: str
    county: str
    board: str
    hotline: str
    finance_cycle: str  # "季度" or "月"
    where: Where = field(compare=False, repr=False)

    @property
    def period_unit(self) -> str:
        return "M" if self.finance_cycle == "月" else "Q"


@dataclass(frozen=True, order=True, slots=True)
class PeriodKey(Pickled):
    """A disclosure period: a quarter (unit "Q") or a month (unit "M")."""

    year: int
    unit: str
    index: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.index}" if self.unit == "Q" else f"{self.year}-{self.index:02d}"

    @property
    def label(self) -> str:
        if self.unit == "Q":
            return f"{self.year}年第{QUARTER_NAMES[self.index - 1]}季度"
        return f"{self.year}年{self.index}月"

    @property
    def first_month(self) -> int:
        return (self.index - 1) * 3 + 1 if self.unit == "Q" else self.index

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def next(self) -> PeriodKey:
        last = 4 if self.unit == "Q" else 12
        if self.index == last:
            return PeriodKey(self.year + 1, self.unit, 1)
        return PeriodKey(self.year, self.unit, self.index + 1)

    def previous(self) -> PeriodKey:
        last = 4 if self.unit == "Q" else 12
        if self.index == 1:
            return PeriodKey(self.year - 1, self.unit, last)
        return PeriodKey(self.year, self.unit, self.index - 1)

    @classmethod
    def containing(cls, day: dt.date, unit: str) -> PeriodKey:
        index = (day.month - 1) // 3 + 1 if unit == "Q" else day.month
        return cls(day.year, unit, index)


@dataclass(frozen=True, slots=True)
class Entry(Pickled):
    """One line of the cash journal: exactly one of income and expense is set."""

    village: str
    group: str | None
    date: dt.date
    voucher: str
    subject: str
    summary: str
    income: Decimal | None
    expense: Decimal | None
    handler: str
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Period(Pickled):
    village: str
    group: str | None
    key: PeriodKey
    opening: Decimal
    closing: Decimal | None  # as declared by the clerk, if at all
    publish_date: dt.date
    reviewer: str
    review_date: dt.date
    days: int | None
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Decision(Pickled):
    village: str
    id: str
    title: str
    category: str
    amount: Decimal | None
    proposed: dt.date
    deliberated: dt.date
    reviewed: dt.date
    members_expected: int
    members_present: int
    members_for: int
    body: str
    resolved: dt.date
    expected: int
    present: int
    votes_for: int
    votes_against: int
    abstain: int
    resolution: str
    resolution_published: dt.date
    outcome: str
    outcome_published: dt.date | None
    passed: bool
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Commitment(Pickled):
    village: str
    year: int
    id: str
    name: str
    role: str
    item: str
    deadline: dt.date
    published: dt.date
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Progress(Pickled):
    village: str
    year: int
    commitment: str
    progress: str
    status: str
    published: dt.date
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Review(Pickled):
    village: str
    year: int
    name: str
    role: str
    date: dt.date
    raters: int
    satisfied: int
    fair: int
    unsatisfied: int
    published: dt.date
    flagged: bool  # 不满意 share at or above the configured threshold
    where: Where = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Correction(Pickled):
    """A declared change to a published notice (更正): the notice, when, and why."""

    notice: str
    date: dt.date
    reason: str
    where: Where = field(compare=False, repr=False)


@dataclass
class Records:
    villages: dict[str, Village] = field(default_factory=dict)
    entries: Iterable[Entry] = field(default_factory=list)  # a journal.Journal once checked
    periods: list[Period] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    def entries_by_book(self) -> dict[Book, list[Entry]]:
        """Journal entries by (village, group, disclosure period of the village's cycle)."""
        return by_book(self.entries, self.villages)


Book = tuple[str, str | None, PeriodKey]  # village, 村民小组 (or None), disclosure period


def by_book(entries: Iterable[Entry], villages: dict[str, Village]) -> dict[Book, list[Entry]]:
    """Entries by book, in their order."""
    books: dict[Book, list[Entry]] = {}
    units = {code: village.period_unit for code, village in villages.items()}
    periods: dict[tuple[int, int, str], PeriodKey] = {}  # a few dozen months for 250,000 entries
    for entry in entries:
        day, unit = entry.date, units[entry.village]
        month = (day.year, day.month, unit)
        period = periods.get(month)
        if period is None:
            period = periods[month] = PeriodKey.containing(day, unit)
        books.setdefault((entry.village, entry.group, period), []).append(entry)
    return books


_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def group_slug(name: str) -> str:
    """A URL-safe name for a 村民小组: 第三村民小组 / 三组 / 3组 → g3; otherwise a short hash.

    Group names are Chinese and never go into URLs as they are (readable, and stable
    because it depends on the name alone).
    """
    text = unicodedata.normalize("NFKC", name).strip()
    match = re.fullmatch(r"第?([0-9〇零一二两三四五六七八九十百]+)(?:村民)?(?:小)?组", text)
    number = _chinese_number(match.group(1)) if match else None
    if number:
        return f"g{number}"
    return "g-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
