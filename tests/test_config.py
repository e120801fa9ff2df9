"""Typed configuration from mkdocs.yml, with errors in Chinese."""

from decimal import Decimal

import pytest

from generator.config import load_config
from generator.errors import ConfigError


def _config(tmp_path, publisher: str):
    path = tmp_path / "mkdocs.yml"
    path.write_text("site_name: 测试\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
                    f"extra:\n  publisher:\n{publisher}", encoding="utf-8")
    return load_config(path)


def test_defaults_and_per_kind_days(tmp_path):
    config = _config(tmp_path, "    posting_days:\n      finance: 10\n")
    assert config.days_for("finance") == 10 and config.days_for("review") == 7
    assert config.unsatisfied_threshold == Decimal("0.30") and config.late_after_day == 10


def test_one_number_for_every_kind(tmp_path):
    assert _config(tmp_path, "    posting_days: 5\n").days_for("outcome") == 5


@pytest.mark.parametrize("publisher, message", [
    ("    posting_days:\n      lease: 7\n", "mkdocs.yml 中 extra.publisher.posting_days 的公告类别 'lease' 无效"),
    ("    posting_days:\n      finance: 0\n", "mkdocs.yml 中 extra.publisher.posting_days.finance 应为 1 到 10000 之间的整数，而不是 0"),
    ("    unsatisfied_threshold: 30%\n", "mkdocs.yml 中 extra.publisher.unsatisfied_threshold 应为 0 到 1 之间的小数，如 0.30"),
    ("    late_after_day: 31\n", "mkdocs.yml 中 extra.publisher.late_after_day 应为 1 到 28 之间的整数，而不是 31"),
    ("    pdf_worker: 2\n", "mkdocs.yml 中 extra.publisher 有未知选项：pdf_worker"),
])
def test_bad_options(tmp_path, publisher, message):
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, publisher)
    assert str(caught.value).startswith(message)
