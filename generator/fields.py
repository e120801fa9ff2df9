"""One parser per field type of the data contract: date, amount, count, slug, period, year.

Each takes the raw cell (a string, or a native value from an .xlsx cell) and returns the
typed value, or raises FieldError with the Chinese explanation the clerk will read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

AMOUNT_HINT = "应为数字，最多两位小数"


class FieldError(ValueError):
    """A cell that does not parse as its field type; the message is shown to the clerk."""


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def shown(value: object) -> str:
    """The cell as the clerk typed it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
# pandas/openpyxl may hand an Excel date cell over as a datetime at midnight.
_MIDNIGHT = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]00:00:00")


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise FieldError(f'日期格式无效 "{value}"（日期单元格不应含时间）')
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = nfkc(str(value))
    midnight = _MIDNIGHT.fullmatch(text)
    if midnight:
        text = midnight.group(1)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise FieldError(f'日期不存在 "{shown(value)}"') from None
    raise FieldError(f'日期格式无效 "{shown(value)}"（应为 2024-07-05、2024/7/5、2024.7.5 或 2024年7月5日）')


_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?")


def parse_amount(value: object) -> Decimal:
    """Yuan as Decimal. Excel number cells arrive as float: read them as Excel shows them."""
    if isinstance(value, bool):
        raise FieldError(f'金额格式无效 "{value}"（{AMOUNT_HINT}）')
    if isinstance(value, int):
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, float):
        # Excel keeps 15 significant digits; 1234.56 must not become 1234.5599999…
        number = Decimal(format(value, ".15g"))
        if number != number.quantize(Decimal("0.01")):
            raise FieldError(f'金额格式无效 "{shown(value)}"（{AMOUNT_HINT}）')
        return number.quantize(Decimal("0.01"))
    text = nfkc(str(value))
    core = text
    if core[:1] in ("¥", "￥"):
        core = core[1:].strip()
    if core.endswith("元"):
        core = core[:-1].strip()
    if not _AMOUNT.fullmatch(core):
        raise FieldError(f'金额格式无效 "{shown(value)}"（{AMOUNT_HINT}）')
    try:
        return Decimal(core.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        raise FieldError(f'金额格式无效 "{shown(value)}"（{AMOUNT_HINT}）') from None


def parse_count(value: object) -> int:
    if isinstance(value, bool):
        raise FieldError(f'人数格式无效 "{value}"（应为不小于 0 的整数）')
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = nfkc(str(value))
        if not re.fullmatch(r"-?\d+", text):
            raise FieldError(f'人数格式无效 "{shown(value)}"（应为不小于 0 的整数）')
        number = int(text)
    if number < 0:
        raise FieldError(f'人数不能为负数 "{shown(value)}"（应为不小于 0 的整数）')
    return number


def parse_year(value: object) -> int:
    text = nfkc(shown(value)).removesuffix("年")
    if not re.fullmatch(r"(19|20)\d{2}", text):
        raise FieldError(f'年度格式无效 "{shown(value)}"（应为四位年份，如 2024）')
    return int(text)


def code_text(value: object) -> str:
    """A code cell as the code parsers read it (full-width "ｌｕｃｕｎ" is lucun)."""
    return nfkc(shown(value))


def _matching(pattern: str, message: str):
    """A parser for codes of a fixed shape; `message` names what was expected."""
    compiled = re.compile(pattern)

    def parse(value: object) -> str:
        text = code_text(value)
        if not compiled.fullmatch(text):
            raise FieldError(message.format(value=shown(value)))
        return text

    return parse


parse_slug = _matching(r"[a-z0-9-]{1,40}", '代码格式无效 "{value}"（应为 1-40 位小写英文字母、数字或连字符 -）')
parse_notice_id = _matching(
    r"[a-z0-9-]{1,160}", '公告编号格式无效 "{value}"（应为网站上公告的编号，如 beixishang-finance-2024q3）')


def parse_text(value: object) -> str:
    return shown(value).strip()


def choice(*words: str):
    """A parser that accepts exactly one of the given words."""

    def parse_choice(value: object) -> str:
        text = nfkc(shown(value))
        if text not in words:
            raise FieldError(f'"{shown(value)}" 不是有效的取值（应为 {"、".join(words)} 之一）')
        return text

    return parse_choice


_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_period(value: object) -> tuple[int, str, int]:
    """`2024Q3` → (2024, "Q", 3); `2024-07` → (2024, "M", 7)."""
    text = nfkc(shown(value)).upper()
    match = _QUARTER.fullmatch(text)
    if match:
        return int(match.group(1)), "Q", int(match.group(2))
    match = _MONTH.fullmatch(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), "M", int(match.group(2))
    raise FieldError(f'期间格式无效 "{shown(value)}"（季度写作 2024Q3，月份写作 2024-07）')
