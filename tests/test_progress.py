"""Progress on long builds: plain lines where stderr is no terminal (CI logs)."""

import pytest

from generator import progress


@pytest.fixture
def lines(monkeypatch):
    said = []
    monkeypatch.setattr(progress, "_enabled", True)
    monkeypatch.setattr(progress, "_interactive", lambda: False)
    monkeypatch.setattr(progress.log, "info", lambda text, *args: said.append(text % args))
    return said


def test_a_stage_says_how_far_along_in_tenths_and_at_the_end(lines):
    assert list(progress.track(range(25), "网页")) == list(range(25))
    assert lines == [f"[网页] {done}/25" for done in (2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 25)]


def test_items_a_forked_copy_does_beside_are_counted_by_the_one_that_reports(lines):
    assert list(progress.track(range(10), "网页", 20, each=2)) == list(range(10))
    assert lines == [f"[网页] {done}/20" for done in range(2, 21, 2)]
    lines.clear()
    assert list(progress.track(range(10), "网页", 0, each=0)) == list(range(10))
    assert lines == []  # the copy itself says nothing


def test_a_stage_says_how_long_it_took(lines):
    with progress.stage("清单"):
        pass
    assert len(lines) == 1 and lines[0].startswith("[清单] 完成，用时 ")


def test_nothing_is_said_unless_the_command_line_asked(monkeypatch, lines):
    monkeypatch.setattr(progress, "_enabled", False)
    assert list(progress.track(range(3), "网页")) == [0, 1, 2]
    with progress.stage("清单"):
        pass
    assert lines == []
