"""How dates and money are written on a Chinese public notice."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ("", "万", "亿", "万亿")


def date_cn(day: dt.date) -> str:
    """2024年10月8日, as a notice's date is written."""
    return f"{day.year}年{day.month}月{day.day}日"


def money(amount: Decimal | None) -> str:
    """1,125.00 — thousands separators, always two decimals."""
    if amount is None:
        return ""
    return f"{amount:,.2f}"


def _group_words(group: int) -> str:
    words, zero = "", False
    for digit, unit in zip(f"{group:04d}", ("仟", "佰", "拾", ""), strict=True):
        if digit == "0":
            zero = bool(words)
            continue
        if zero:
            words += "零"
        words += _DIGITS[int(digit)] + unit
        zero = False
    return words


def _integer_words(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    if len(groups) > len(_GROUP_UNITS):
        raise ValueError("金额过大")
    words, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words += "零"
        words += _group_words(group) + _GROUP_UNITS[index]
        zero_pending = False
    return words


def capitals(amount: Decimal) -> str:
    """Amount in Chinese financial capitals: 12300 → 壹万贰仟叁佰元整, 1.05 → 壹元零伍分."""
    cents = int((abs(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents == 0:
        return "零元整"
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = _integer_words(yuan) + "元" if yuan else ""
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif fen and yuan:
        words += "零"
    if fen:
        words += _DIGITS[fen] + "分"
    else:
        words += "整"
    return ("负" if amount < 0 else "") + words


def fraction_of(whole: int, numerator: int, denominator: int) -> str:
    """A quorum threshold for display, e.g. 38 × 2/3 → 25.3 (the rule itself compares integers)."""
    value = (Decimal(whole) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:f}".removesuffix(".0")


def percent(part: int, whole: int) -> str:
    """A share for display only (decisions use exact integer comparisons)."""
    if whole == 0:
        return "—"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{share}%"
