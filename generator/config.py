"""The site's typed configuration, read from the `extra.publisher` section of mkdocs.yml."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .errors import ConfigError

NOTICE_KINDS = ("finance", "resolution", "outcome", "commitments", "progress", "review")


class _IgnoreTagsLoader(yaml.SafeLoader):
    """mkdocs.yml may carry `!!python/name:` tags meant for mkdocs; we only read plain keys."""


_IgnoreTagsLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class Config:
    site_name: str = "村务公开"
    site_url: str = ""
    posting_days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOTICE_KINDS, 7))
    unsatisfied_threshold: Decimal = Decimal("0.30")
    late_after_day: int = 10
    pdf_workers: int = 2
    mkdocs_file: Path | None = None

    def days_for(self, kind: str) -> int:
        return self.posting_days[kind]


def _positive_int(value: object, name: str, top: int = 10_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise ConfigError(f"mkdocs.yml 中 extra.publisher.{name} 应为 1 到 {top} 之间的整数，而不是 {value!r}")
    return value


def load_config(mkdocs_file: Path) -> Config:
    try:
        raw = yaml.load(mkdocs_file.read_text(encoding="utf-8"), Loader=_IgnoreTagsLoader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"无法读取配置文件 {mkdocs_file}：{exc}") from None
    options = (raw.get("extra") or {}).get("publisher") or {}
    unknown = set(options) - {"posting_days", "unsatisfied_threshold", "late_after_day", "pdf_workers"}
    if unknown:
        raise ConfigError(f"mkdocs.yml 中 extra.publisher 有未知选项：{'、'.join(sorted(unknown))}")
    days = dict.fromkeys(NOTICE_KINDS, 7)
    given_days = options.get("posting_days", {})
    if isinstance(given_days, int):
        days = dict.fromkeys(NOTICE_KINDS, _positive_int(given_days, "posting_days"))
    else:
        for kind, value in (given_days or {}).items():
            if kind not in NOTICE_KINDS:
                raise ConfigError(f"mkdocs.yml 中 extra.publisher.posting_days 的公告类别 {kind!r} 无效（应为 {'、'.join(NOTICE_KINDS)}）")
            days[kind] = _positive_int(value, f"posting_days.{kind}")
    try:
        threshold = Decimal(str(options.get("unsatisfied_threshold", "0.30")))
    except InvalidOperation:
        threshold = Decimal(-1)
    if not Decimal(0) < threshold <= Decimal(1):
        raise ConfigError("mkdocs.yml 中 extra.publisher.unsatisfied_threshold 应为 0 到 1 之间的小数，如 0.30")
    return Config(
        site_name=str(raw.get("site_name") or "村务公开"),
        site_url=str(raw.get("site_url") or ""),
        posting_days=days,
        unsatisfied_threshold=threshold,
        late_after_day=_positive_int(options.get("late_after_day", 10), "late_after_day", 28),
        pdf_workers=_positive_int(options.get("pdf_workers", 2), "pdf_workers", 64),
        mkdocs_file=mkdocs_file,
    )
