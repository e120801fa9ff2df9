"""Dates and money as a notice writes them."""

import datetime as dt
from decimal import Decimal

import pytest

from generator import chinese


@pytest.mark.parametrize("amount, words", [
    ("12300", "壹万贰仟叁佰元整"),
    ("1125", "壹仟壹佰贰拾伍元整"),
    ("900", "玖佰元整"),
    ("675", "陆佰柒拾伍元整"),
    ("100005", "壹拾万零伍元整"),
    ("1010", "壹仟零壹拾元整"),
    ("10", "壹拾元整"),
    ("100000001", "壹亿零壹元整"),
    ("4147200", "肆佰壹拾肆万柒仟贰佰元整"),
    ("1.05", "壹元零伍分"),
    ("0.50", "伍角整"),
    ("0.05", "伍分"),
    ("1000.50", "壹仟元伍角整"),
    ("0", "零元整"),
    ("-3260", "负叁仟贰佰陆拾元整"),
    ("199335.53", "壹拾玖万玖仟叁佰叁拾伍元伍角叁分"),
])
def test_capitals(amount, words):
    assert chinese.capitals(Decimal(amount)) == words


def test_dates_and_money():
    assert chinese.date_cn(dt.date(2024, 10, 8)) == "2024年10月8日"
    assert chinese.money(Decimal("1125")) == "1,125.00"
    assert chinese.money(Decimal("-3260.5")) == "-3,260.50"
    assert chinese.percent(1, 3) == "33.3%"
    assert chinese.percent(0, 0) == "—"
