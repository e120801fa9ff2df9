"""The README cannot drift from the code: every column, option and command is documented."""

import pytest

from generator import config, schema

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", schema.KIND_ORDER)
def test_every_column_is_in_the_readme(kind):
    assert f"### {kind} " in README
    section = README.split(f"### {kind} ", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    for column in schema.KINDS[kind]:
        assert f"| {column.header} | {column.key} |" in section, (kind, column.header)


def test_every_option_and_command_is_in_the_readme():
    for option in ("posting_days", "unsatisfied_threshold", "late_after_day", "pdf_workers", "paper", *config.NOTICE_KINDS):
        assert f"`{option}`" in README, option
    for command in ("generator validate", "generator build", "generator serve", "generator print", "generator verify", "generator sample", "--scheduler", "--previous", "--township", "--period", "--as-of", "--data", "--site",
                    "bash scripts/setup.sh", "bash scripts/test.sh"):
        assert command in README, command


def test_ci_runs_the_readme_test_command():
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
