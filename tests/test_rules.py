"""Domain rules in exact arithmetic: schedule, quorum, pass, rating threshold."""

import datetime as dt
from decimal import Decimal

from generator import rules
from generator.model import PeriodKey


def test_schedule_of_a_quarter_and_a_month():
    q3 = PeriodKey(2024, "Q", 3)
    assert rules.default_publish_date(q3) == dt.date(2024, 10, 1)
    assert not rules.is_late(q3, dt.date(2024, 10, 10), 10)
    assert rules.is_late(q3, dt.date(2024, 10, 11), 10)
    december = PeriodKey(2024, "M", 12)
    assert rules.default_publish_date(december) == dt.date(2025, 1, 1)
    assert rules.is_late(december, dt.date(2025, 2, 3), 10)


def test_window_of_seven_days_starts_on_the_notice_date():
    assert rules.window_end(dt.date(2024, 10, 8), 7) == dt.date(2024, 10, 14)
    assert rules.window_end(dt.date(2024, 10, 8), 1) == dt.date(2024, 10, 8)


def test_quorum_is_exact_not_rounded():
    # 2/3 of 38 = 25.33: 66.7% rounded would wrongly let 25 pass.
    assert not rules.party_meeting_valid(38, 25)
    assert rules.party_meeting_valid(38, 26)
    assert rules.village_meeting_valid("村民代表会议", 45, 30)
    assert not rules.village_meeting_valid("村民代表会议", 45, 29)
    assert not rules.village_meeting_valid("村民会议", 1612, 806)  # exactly half is not more than half
    assert rules.village_meeting_valid("村民会议", 1612, 807)


def test_pass_needs_more_than_half_of_those_present():
    assert not rules.passed(40, 20)
    assert rules.passed(40, 21)
    assert not rules.party_meeting_approved(38, 19)
    assert rules.party_meeting_approved(38, 20)


def test_rating_threshold_is_inclusive():
    assert rules.rating_flagged(60, 18, Decimal("0.30"))
    assert not rules.rating_flagged(60, 17, Decimal("0.30"))
    assert not rules.rating_flagged(0, 0, Decimal("0.30"))
