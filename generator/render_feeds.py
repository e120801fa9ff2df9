"""Atom feeds per village and per township, so a township office or a villager's reader app
hears of each new notice."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from feedgen.feed import FeedGenerator

from . import clock, paths, reuse
from .config import Config
from .model import Village
from .notices import Notice, newest_first

FEED_FILE = "feed.xml"
ENTRIES = 50


def _when(day: dt.date) -> dt.datetime:
    """Notices are dated, not timed: midnight Beijing time of their date."""
    return dt.datetime.combine(day, dt.time(0), clock.TIMEZONE)


def _absolute(config: Config, path: str) -> str:
    base = config.site_url.rstrip("/") + "/" if config.site_url else "/"
    return base + path


def feed_xml(title: str, path: str, newest: list[Notice], config: Config) -> bytes:
    """The feed of the first ENTRIES of `newest` (notices newest first: notices.newest_first)."""
    newest = newest[:ENTRIES]
    feed = FeedGenerator()
    feed.id(_absolute(config, path))
    feed.title(title)
    feed.language("zh-CN")
    feed.link(href=_absolute(config, path), rel="alternate")
    feed.link(href=_absolute(config, path + FEED_FILE), rel="self")
    feed.generator("村务公开发布器")
    # Feeds change only when notices do: the newest notice dates the feed, never the clock.
    feed.updated(_when(newest[0].date) if newest else _when(dt.date(2000, 1, 1)))
    for notice in reversed(newest):  # feedgen prepends entries
        entry = feed.add_entry()
        entry.id(_absolute(config, notice.folder))
        entry.title(notice.title)
        entry.link(href=_absolute(config, notice.folder))
        entry.updated(_when(notice.date))
        entry.published(_when(notice.date))
        entry.author(name=notice.issuer)
        entry.summary(f"{notice.kind_name}，{notice.village.township}{notice.village.name}，"
                      f"公示期 {notice.date.isoformat()} 至 {notice.window_end.isoformat()}")
    return feed.atom_str(pretty=True)


def _feed(stage: Path, carry: reuse.Reuse, title: str, path: str, newest: list[Notice], config: Config) -> None:
    """One feed (`newest`: its notices, newest first), carried over from the published site when
    what it shows is unchanged."""
    shown = [n.listed() for n in newest[:ENTRIES]]  # stands for every field feed_xml uses
    unit, key = "feed:" + path, carry.key("feed", title, path, config.site_url, shown)
    if carry.carry(unit, key):
        return
    paths.write_bytes(stage, path + FEED_FILE, feed_xml(title, path, newest, config))
    carry.made_unit(unit, key, [path + FEED_FILE])


def render_feeds(stage: Path, notices: list[Notice], villages: dict[str, Village], config: Config,
                 carry: reuse.Reuse | None = None) -> None:
    """A feed for every village and township, even one with nothing published yet."""
    carry = carry or reuse.Reuse.nothing(stage)
    by_village: dict[str, list[Notice]] = defaultdict(list)
    by_township: dict[str, list[Notice]] = defaultdict(list)
    for notice in newest_first(notices):  # each village's and township's newest first
        by_village[notice.village.code].append(notice)
        by_township[notice.village.township_code].append(notice)
    townships = {}
    for code, village in villages.items():
        _feed(stage, carry, f"{village.township}{village.name}村务公开", f"v/{code}/", by_village[code], config)
        townships[village.township_code] = village.township
    for code, name in townships.items():
        _feed(stage, carry, f"{name}村务公开", f"t/{code}/", by_township[code], config)
