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


PAPER_SIZES = {"A4": 1.0, "A3": 1.414}  # type scales with the sheet, as a wall notice must
ORIENTATIONS = ("portrait", "landscape")


@dataclass(frozen=True)
class Paper:
    size: str = "A4"
    orientation: str = "portrait"

    @property
    def css(self) -> str:
        return f"{self.size} {self.orientation}"

    @property
    def scale(self) -> float:
        return PAPER_SIZES[self.size]


def _paper(value: object, kind: str) -> Paper:
    words = str(value).split()
    size = words[0].upper() if words else ""
    orientation = words[1].lower() if len(words) > 1 else "portrait"
    if size not in PAPER_SIZES or orientation not in ORIENTATIONS or len(words) > 2:
        raise ConfigError(f"mkdocs.yml 中 extra.publisher.paper.{kind} 无效：{value!r}（应为 A4 或 A3，可加 portrait 或 landscape，如 \"A3 landscape\"）")
    return Paper(size, orientation)


@dataclass(frozen=True)
class Config:
    site_name: str = "村务公开"
    site_url: str = ""
    posting_days: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOTICE_KINDS, 7))
    unsatisfied_threshold: Decimal = Decimal("0.30")
    late_after_day: int = 10
    pdf_workers: int = 2
    paper: dict[str, Paper] = field(default_factory=lambda: dict.fromkeys(NOTICE_KINDS, Paper()))
    mkdocs_file: Path | None = None
    cache_dir: Path | None = None  # default: .cache beside mkdocs.yml

    def days_for(self, kind: str) -> int:
        return self.posting_days[kind]

    def paper_for(self, kind: str) -> Paper:
        return self.paper[kind]

    @property
    def cache(self) -> Path:
        if self.cache_dir is not None:
            return self.cache_dir.resolve()
        assert self.mkdocs_file is not None
        return self.mkdocs_file.parent.resolve() / ".cache"


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
    unknown = set(options) - {"posting_days", "unsatisfied_threshold", "late_after_day", "pdf_workers", "paper"}
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
    paper = dict.fromkeys(NOTICE_KINDS, Paper())
    given_paper = options.get("paper", {}) or {}
    if not isinstance(given_paper, dict):
        given_paper = dict.fromkeys(NOTICE_KINDS, given_paper)
    for kind, value in given_paper.items():
        if kind not in NOTICE_KINDS:
            raise ConfigError(f"mkdocs.yml 中 extra.publisher.paper 的公告类别 {kind!r} 无效（应为 {'、'.join(NOTICE_KINDS)}）")
        paper[kind] = _paper(value, kind)
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
        paper=paper,
        mkdocs_file=mkdocs_file,
    )
