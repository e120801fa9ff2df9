"""Shared fixtures: copies of the valid test data and the shipped sample, cell editing, builds."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.config import load_config

ROOT = Path(__file__).resolve().parent.parent
VALID = ROOT / "tests" / "data" / "valid"
SAMPLE = ROOT / "data"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def config():
    return load_config(ROOT / "mkdocs.yml")


@pytest.fixture
def data(tmp_path) -> Path:
    """A private copy of tests/data/valid, in a folder named data/ as clerks have it."""
    target = tmp_path / "data"
    shutil.copytree(VALID, target)
    return target


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path: Path, row: int, header: str, value: str) -> None:
    """Change one cell, addressed as a spreadsheet shows it (header is row 1)."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(header)] = value
    write_rows(path, rows)


def add_row(path: Path, values: dict[str, str]) -> int:
    """Append a row (unnamed columns left empty); returns its spreadsheet row number."""
    rows = read_rows(path)
    rows.append([values.get(h, "") for h in rows[0]])
    write_rows(path, rows)
    return len(rows)


def messages(data_dir: Path, config) -> list[str]:
    """Every problem the validator reports, as the clerk reads it."""
    return [f"{p.level.value}：{p}" for p in pipeline.check(data_dir, config).problems]


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory, config):
    """The shipped sample, built once for the whole session as of 2026-01-15."""
    site = tmp_path_factory.mktemp("sample") / "site"
    result = pipeline.build(SAMPLE, site, config, dt.date(2026, 1, 15))
    return site, result


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
