"""The one Jinja environment, autoescaping on, shared by page and print templates."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import jinja2

from . import chinese, history, rules
from .notices import plain

THEME_DIR = Path(__file__).resolve().parent.parent / "theme"


def window_state(notice, as_of: dt.date) -> str:
    if as_of < notice.date:
        return "未开始"
    return "公示中" if as_of <= notice.window_end else "公示期已满"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([THEME_DIR / "templates", THEME_DIR / "print"]),
        autoescape=True,  # every cell is text: HTML in the data must show, never run
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # read once per build: see read_afresh
    )
    env.filters.update(
        money=chinese.money,
        capitals=chinese.capitals,
        date_cn=chinese.date_cn,
        percent=chinese.percent,
        fraction_of=chinese.fraction_of,
    )
    env.globals.update(
        differences=lambda notice: history.differences(notice.original, plain(notice.body)),
        window_state=window_state,
        party_valid=rules.party_meeting_valid,
        party_approved=rules.party_meeting_approved,
        meeting_valid=rules.village_meeting_valid,
        quorum_words=rules.quorum_words,
    )
    return env


_READ_FOR: list[str | None] = [None]  # the version of the theme the compiled templates are of


def read_afresh(version: str) -> None:
    """Templates are read once per build, not looked up on disk at each use (that was a stat
    per template and include per page, 11% of rendering the pages). A build names its theme's
    version here first, in this process and in each worker: templates of another version are
    dropped, so a template edited between two builds of one process (`serve`) shows in the next."""
    if _READ_FOR[0] != version:
        environment.cache_clear()
        _READ_FOR[0] = version


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
