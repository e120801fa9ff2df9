"""The one clock: --as-of, then SOURCE_DATE_EPOCH, then today in Beijing."""

import datetime as dt

import pytest

from generator import clock
from generator.errors import ConfigError


def test_as_of_wins(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert clock.build_date("2024-10-15") == dt.date(2024, 10, 15)


def test_source_date_epoch_in_beijing_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1728316800")  # 2024-10-07 16:00 UTC = 10-08 00:00 Beijing
    assert clock.build_date() == dt.date(2024, 10, 8)
    assert clock.epoch_of(dt.date(2024, 10, 8)) == 1728316800


def test_bad_values(monkeypatch):
    with pytest.raises(ConfigError):
        clock.build_date("15/10/2024")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ConfigError):
        clock.build_date()
