"""Field parsers: one per type of the data contract."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import fields
from generator.fields import FieldError


@pytest.mark.parametrize("text", ["2024-07-05", "2024/7/5", "2024.7.5", "2024年7月5日", "２０２４－０７－０５", " 2024/07/05 "])
def test_dates_in_every_contract_form(text):
    assert fields.parse_date(text) == dt.date(2024, 7, 5)


def test_excel_date_cells_are_dates():
    assert fields.parse_date(dt.datetime(2024, 7, 5)) == dt.date(2024, 7, 5)
    assert fields.parse_date("2024-07-05 00:00:00") == dt.date(2024, 7, 5)


@pytest.mark.parametrize("text", ["07/05/2024", "7月5日", "2024-7", "20240705", "2024-13-01"])
def test_other_date_forms_are_errors(text):
    with pytest.raises(FieldError):
        fields.parse_date(text)


def test_date_message_names_the_forms():
    with pytest.raises(FieldError) as caught:
        fields.parse_date("07/05/2024")
    assert str(caught.value) == '日期格式无效 "07/05/2024"（应为 2024-07-05、2024/7/5、2024.7.5 或 2024年7月5日）'
    with pytest.raises(FieldError) as caught:
        fields.parse_date("2024-02-30")
    assert str(caught.value) == '日期不存在 "2024-02-30"'


@pytest.mark.parametrize("text, expected", [
    ("1,125.00", "1125.00"), ("￥900", "900.00"), ("¥900", "900.00"), ("675元", "675.00"),
    ("１，１２５．５", "1125.50"), ("-3,260.00", "-3260.00"), ("0", "0.00"), ("1234567.8", "1234567.80"),
])
def test_amounts(text, expected):
    value = fields.parse_amount(text)
    assert isinstance(value, Decimal)
    assert value == Decimal(expected) and str(value) == expected


@pytest.mark.parametrize("text", ["1,2", "12.345", "1.2.3", "abc", "1,0000", "¥", "1e5", "--1"])
def test_bad_amounts(text):
    with pytest.raises(FieldError) as caught:
        fields.parse_amount(text)
    assert str(caught.value) == f'金额格式无效 "{text}"（应为数字，最多两位小数）'


def test_excel_number_cells_are_exact():
    assert fields.parse_amount(1234.56) == Decimal("1234.56")
    assert str(fields.parse_amount(1234.56)) == "1234.56"
    assert fields.parse_amount(0.1 + 0.2) == Decimal("0.30")
    assert fields.parse_amount(900) == Decimal("900.00")
    with pytest.raises(FieldError):
        fields.parse_amount(1.234)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amount_round_trips_through_every_written_form(value):
    assert fields.parse_amount(f"{value:,.2f}") == value
    assert fields.parse_amount(f"{value:.2f}元") == value
    assert fields.parse_amount(float(value)) == value  # as an Excel number cell holds it


@pytest.mark.parametrize("value, expected", [("12", 12), ("０", 0), (3, 3), (3.0, 3)])
def test_counts(value, expected):
    assert fields.parse_count(value) == expected


@pytest.mark.parametrize("value", ["-1", "3.5", "三", 2.5])
def test_bad_counts(value):
    with pytest.raises(FieldError):
        fields.parse_count(value)


def test_slugs():
    assert fields.parse_slug("bei-xishang2") == "bei-xishang2"
    for bad in ("BeiXiShang", "北西尚", "a_b", "x" * 41):
        with pytest.raises(FieldError):
            fields.parse_slug(bad)


def test_periods():
    assert fields.parse_period("2024Q3") == (2024, "Q", 3)
    assert fields.parse_period("2024q3") == (2024, "Q", 3)
    assert fields.parse_period("2024-07") == (2024, "M", 7)
    for bad in ("2024Q5", "2024-13", "2024年三季度", "Q3"):
        with pytest.raises(FieldError):
            fields.parse_period(bad)


def test_choice():
    parse = fields.choice("季度", "月")
    assert parse("月") == "月"
    with pytest.raises(FieldError) as caught:
        parse("半年")
    assert str(caught.value) == '"半年" 不是有效的取值（应为 季度、月 之一）'


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_round_trips_through_every_written_form(day):
    for text in (day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}.{day.month}.{day.day}",
                 f"{day.year}年{day.month}月{day.day}日"):
        assert fields.parse_date(text) == day
    assert fields.parse_date(dt.datetime.combine(day, dt.time(0))) == day


@given(st.text(max_size=30))
def test_date_parser_never_crashes(text):
    try:
        fields.parse_date(text)
    except FieldError:
        pass
