"""The one clock: what "today" is for a build."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from .errors import ConfigError

# Villages keep Beijing time; a build just after midnight UTC is already the next day there.
TIMEZONE = ZoneInfo("Asia/Shanghai")


def build_date(as_of: str | None = None) -> dt.date:
    """`--as-of` if given, else SOURCE_DATE_EPOCH if set, else today in Beijing."""
    if as_of:
        try:
            return dt.date.fromisoformat(as_of)
        except ValueError:
            raise ConfigError(f'--as-of 日期格式无效 "{as_of}"（应为 YYYY-MM-DD，如 2024-10-15）') from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), TIMEZONE).date()
        except ValueError:
            raise ConfigError(f'环境变量 SOURCE_DATE_EPOCH 无效 "{epoch}"（应为整数秒）') from None
    return dt.datetime.now(TIMEZONE).date()


def epoch_of(day: dt.date) -> int:
    """Midnight of `day` in Beijing as a Unix time, for tools that read SOURCE_DATE_EPOCH."""
    return int(dt.datetime.combine(day, dt.time(0), TIMEZONE).timestamp())
