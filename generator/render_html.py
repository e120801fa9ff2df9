"""The site's pages: notice pages and hub pages (home, township, village, year), in the shell."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path

from . import executor, forked, paths, progress, reuse, site_shell, templates
from .config import Config
from .model import Records, Village
from .notices import KIND_NAMES, Notice, newest_first, plain

LATEST_ON_HOME = 20
HUBS_STAGE = "村镇页面"  # the pipeline's step for render_hubs (the benchmark counts it with the pages)


@dataclass
class Crumb:
    label: str
    path: str  # folder URL from the site root; "" is home


@dataclass
class VillageHub:
    village: Village
    notices: list[Notice] = field(default_factory=list)  # newest first

    @property
    def path(self) -> str:
        return f"v/{self.village.code}/"

    @property
    def latest_finance(self) -> Notice | None:
        return next((n for n in self.notices if n.kind == "finance" and n.group is None), None)

    def by_year(self) -> list[tuple[int, list[tuple[str, list[Notice]]]]]:
        years: dict[int, dict[str, list[Notice]]] = defaultdict(lambda: defaultdict(list))
        for notice in self.notices:
            years[notice.year][notice.kind].append(notice)
        return [
            (year, [(KIND_NAMES[k], years[year][k]) for k in KIND_NAMES if years[year][k]])
            for year in sorted(years, reverse=True)
        ]


@dataclass
class TownshipHub:
    code: str
    name: str
    county: str
    villages: list[VillageHub] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"t/{self.code}/"


def _hubs(newest: list[Notice], records: Records) -> list[TownshipHub]:
    """Each township's villages, each with its notices (`newest`: all of them, newest first)."""
    villages = {code: VillageHub(v) for code, v in sorted(records.villages.items())}
    for notice in newest:
        villages[notice.village.code].notices.append(notice)
    townships: dict[str, TownshipHub] = {}
    for hub in villages.values():
        v = hub.village
        townships.setdefault(v.township_code, TownshipHub(v.township_code, v.township, v.county)).villages.append(hub)
    return sorted(townships.values(), key=lambda t: t.code)


def _root(path: str) -> str:
    """The relative way from a page's folder back to the site root."""
    return "../" * path.count("/")


class PageWriter:
    def __init__(self, stage: Path, shell: site_shell.Shell, config: Config, as_of: dt.date):
        self.stage, self.shell, self.config, self.as_of = stage, shell, config, as_of
        self.theme = reuse.code_digest(templates.THEME_DIR)  # workers (Dask's live on) read it afresh

    def page(self, path: str, template: str, title: str, crumbs: list[Crumb], **context) -> str:
        templates.read_afresh(self.theme)
        body = templates.render(
            template, root=_root(path), as_of=self.as_of, crumbs=crumbs, title=title,
            config=self.config, **context,
        )
        return self.shell.page(title, body, path)

    def write(self, path: str, template: str, title: str, crumbs: list[Crumb], **context) -> None:
        paths.write_text(self.stage, path + "index.html", self.page(path, template, title, crumbs, **context))


def _notice_pages(writer: PageWriter, chunk: list[tuple]) -> list[tuple[str, str]]:
    """Render a chunk of notice pages (in a worker process or on a Dask worker); returns (file, html)."""
    return [
        (notice.url, writer.page(notice.folder, "notice.html", notice.title, crumbs, notice=notice,
                                 related=related, progress_of=progress_of))
        for notice, crumbs, related, progress_of in chunk
    ]


def _crumbs(notice_or_village, township: TownshipHub | None = None) -> list[Crumb]:
    crumbs = [Crumb("首页", "")]
    village = getattr(notice_or_village, "village", notice_or_village)
    crumbs.append(Crumb(village.township, f"t/{village.township_code}/"))
    crumbs.append(Crumb(village.name, f"v/{village.code}/"))
    return crumbs


PAGES_PER_TASK = 200


def render_notice_pages(stage: Path, shell: site_shell.Shell, notices: list[Notice], records: Records,
                        config: Config, as_of: dt.date, runner: executor.Executor | None = None,
                        carry: reuse.Reuse | None = None) -> None:
    """Every notice's page; unchanged ones carried over from the published site. Unless a
    cluster renders them, half of those to make are made by a forked copy of this process
    (forked). Where units may be carried (a rebuild), those still to key are keyed here first:
    nearly all are carried over, which a copy would only slow down (50k: forking a 550 MB build
    to carry 25,000 pages cost more than it saved); else each half is keyed where it is made.

    Each village's pages are first keyed together (_unchanged_villages): the pages of a village
    whose key is unchanged are carried as they were, without a key each."""
    carry = carry or reuse.Reuse.nothing(stage)
    pages = PageWriter(stage, shell, config, as_of)
    by_id = {n.id: n for n in notices}
    # Each village's data in a notice page's key as its digest, made once a village, not a notice.
    villages = {code: carry.key("village", plain(village)) for code, village in records.villages.items()}
    to_key = _unchanged_villages(notices, villages, as_of, carry)
    # The 践诺 rows a commitments page shows, of every village with a page to key: a page made
    # again in an unchanged village (its file changed) shows its village's rows too.
    keyed_villages = {notice.village.code for notice in to_key}
    progress_rows = _progress_by_commitment([n for n in notices if n.village.code in keyed_villages])
    notices = to_key
    runner = _page_runner(runner)

    def to_make(part: list[Notice]) -> list[tuple]:
        keyed = []
        for notice in part:
            related, (progress_of, progress_from) = _related(notice, by_id), _progress_of(notice, progress_rows)
            key = carry.key(*_page_inputs(notice, villages[notice.village.code], related, progress_from, as_of))
            keyed.append((notice, related, progress_of, key))
        jobs = []
        for at in carry.carry_each([("page:" + notice.url, key) for notice, _, _, key in keyed]):
            notice, related, progress_of, key = keyed[at]
            carry.made_unit("page:" + notice.url, key, [notice.url])
            year = Crumb(f"{notice.year}年", f"v/{notice.village.code}/{notice.year}/")
            jobs.append((notice, [*_crumbs(notice), year], related, progress_of))
        return jobs

    keyed_here = carry.can_carry

    def work(part: list, shown: int) -> None:
        jobs = part if keyed_here else to_make(part)
        rendered = executor.flatten(runner.map(_notice_pages, executor.chunks(jobs, PAGES_PER_TASK), pages))
        with paths.Writer() as writer:
            for file, html in progress.track(rendered, "网页", len(jobs) * shown, each=shown):
                writer.write_text(stage, file, html)

    items = to_make(notices) if keyed_here else notices
    if isinstance(runner, executor.Inline):
        forked.in_two(items, work, stage, carry)
    else:
        work(items, 1)


def _unchanged_villages(notices: list[Notice], villages: dict[str, str], as_of: dt.date,
                        carry: reuse.Reuse) -> list[Notice]:
    """Carry over the pages of each village whose notice pages' inputs are all as the last build
    recorded them, under one key a village; the notices whose pages are still to key (those of
    the other villages, and any page of an unchanged one whose file changed on the server).

    A village's key holds, for each of its published notices, what its page's key holds of
    its own (_page_inputs) and the village's digest: what a page shows of other notices (the
    related resolution or outcome, the 践诺 rows) is of its own village's, so it is in that key
    too. A rebuild after one new record keyed 50,000 pages one by one (0.9 s of a county's
    rebuild); now 725 villages, and the pages of the one that changed."""
    members: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        members[notice.village.code].append(notice)
    groups = [(village_pages_unit(code), carry.key("pages", villages[code], [_own_inputs(n, as_of) for n in group]))
              for code, group in members.items()]
    changed = set(carry.carry_each(groups))
    to_key, unchanged = [], []
    for at, group in enumerate(members.values()):
        if at in changed:
            carry.made_unit(*groups[at], [])  # no files of its own: its notices' pages are units each
        (to_key if at in changed else unchanged).extend(group)
    return to_key + [unchanged[at] for at in carry.carry_as_before(["page:" + n.url for n in unchanged])]


def village_pages_unit(code: str) -> str:
    """The unit of a village's notice pages as one (_unchanged_villages), whose key stands for
    them all (a township's search bundle is keyed by its villages')."""
    return f"pages:{code}"


def render_hubs(stage: Path, shell: site_shell.Shell, notices: list[Notice], records: Records, config: Config,
                as_of: dt.date, search_bundles: list[str], carry: reuse.Reuse | None = None) -> None:
    """The home, verify and search pages, and each township's and village's pages (a village's
    carried over while its list of notices is unchanged)."""
    carry = carry or reuse.Reuse.nothing(stage)
    pages = PageWriter(stage, shell, config, as_of)
    newest = newest_first(notices)
    townships = _hubs(newest, records)
    latest = newest[:LATEST_ON_HOME]
    pages.write("", "home.html", config.site_name, [], townships=townships, latest=latest)
    pages.write("verify/", "verify.html", "核验公告", [Crumb("首页", "")])
    if search_bundles:
        pages.write("search/", "search.html", "搜索公告", [Crumb("首页", "")], bundles=search_bundles)
    for township in townships:
        pages.write(township.path, "township.html", f"{township.name}村务公开",
                    [Crumb("首页", "")], township=township)
        for hub in township.villages:
            _village_pages(pages, hub, carry)


def _page_runner(runner: executor.Executor | None) -> executor.Executor:
    """Where notice pages are rendered: on the cluster if there is one; in local worker
    processes only when a core is left for this process, which prepares every page's data and
    writes every page. A page takes about 0.4 ms to render, and shipping its notice out and its
    HTML back costs about as much: with 2 workers on 2 cores, 5,025 pages took 6.0 s against
    4.0 s in this process on disk (3.5 against 3.0 s on tmpfs)."""
    if isinstance(runner, executor.DaskCluster):
        return runner
    if runner is not None and runner.workers < (os.cpu_count() or 1):
        return runner
    return executor.Inline()


def _village_pages(pages: PageWriter, hub: VillageHub, carry: reuse.Reuse) -> None:
    """A village's page and its year pages: one unit, made again only when its list changes."""
    key = carry.key("hub", plain(hub.village), [n.listed() for n in hub.notices])
    unit = "hub:" + hub.village.code
    if carry.carry(unit, key):
        return
    files = [hub.path + "index.html"]
    pages.write(hub.path, "village.html", f"{hub.village.name}村务公开", _crumbs(hub.village)[:2], hub=hub)
    for year, kinds in hub.by_year():
        files.append(f"{hub.path}{year}/index.html")
        pages.write(f"{hub.path}{year}/", "year.html", f"{hub.village.name}{year}年村务公开",
                    _crumbs(hub.village), hub=hub, year=year, kinds=kinds)
    carry.made_unit(unit, key, files)


def _page_inputs(notice: Notice, village: str, related: Notice | None, progress_from: list, as_of: dt.date) -> list:
    """Everything a notice page shows, as plain data: its key for incremental builds.
    `village` stands for the village's data (its register row) by their digest, and
    `progress_from` for the 践诺 rows a commitments page shows: the notices they are in."""
    return [
        "page", village, related and [related.id, related.title, related.folder, related.kind], progress_from,
        *_own_inputs(notice, as_of),
    ]


def _own_inputs(notice: Notice, as_of: dt.date) -> list:
    """What a notice page shows of the notice itself: its content by its hash, where it is, its
    versions, and its window's state (only an open window shows the build date, see
    _notice_head.html)."""
    state = templates.window_state(notice, as_of)
    return [notice.id, notice.sha256(), notice.year, notice.slug, notice.group, notice.version, notice.original,
            notice.archive, state, as_of.isoformat() if state == "公示中" else None]


def _progress_of(notice: Notice, progress_rows: dict) -> tuple[dict, list]:
    """The 践诺 rows the commitments page shows, those of its own commitments only, and the
    [id, hash] of each progress notice they are in: what they stand for in the page's key
    (the rows are in the notices' content, and the notices' dates order them)."""
    if notice.kind != "commitments":
        return {}, []
    village = progress_rows.get(notice.village.code, {})
    wanted = {(c.year, c.id) for c in notice.body.commitments}
    shown = {key: found for key, found in village.items() if key in wanted}
    sources = {source.id: source.sha256() for found in shown.values() for _, source in found}
    return {key: [row for row, _ in found] for key, found in shown.items()}, sorted(map(list, sources.items()))


def _progress_by_commitment(notices: list[Notice]) -> dict[str, dict[tuple[int, str], list]]:
    """Published 践诺 rows per village and (year, commitment 编号), oldest first, each with the
    progress notice it is in.

    The commitments page shows each commitment's latest status and history from them; the
    commitments notice itself (its content and hash) stays what was made public.
    """
    found: dict[str, dict[tuple[int, str], list]] = defaultdict(lambda: defaultdict(list))
    # Only the progress notices sorted (a stable sort: their order is the same), not a county's 50,000
    for notice in sorted([n for n in notices if n.kind == "progress"], key=attrgetter("date")):
        for row, _ in notice.body.items:
            found[notice.village.code][(row.year, row.commitment)].append((row, notice))
    return found


def _related(notice: Notice, by_id: dict[str, Notice]) -> Notice | None:
    """A resolution's outcome notice and an outcome's resolution, when published."""
    if notice.kind == "resolution":
        return by_id.get(notice.id.replace("-resolution-", "-outcome-", 1))
    if notice.kind == "outcome":
        return by_id.get(notice.id.replace("-outcome-", "-resolution-", 1))
    return None
