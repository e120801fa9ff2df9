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


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
