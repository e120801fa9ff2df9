"""The whole build in order, one step a line: load → validate → notices → render → publish."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import (
    executor,
    heap,
    history,
    load,
    notices,
    publish,
    render_data,
    render_feeds,
    render_html,
    render_search,
    reuse,
    site_scan,
    site_shell,
    templates,
    validate,
)
from .check_cache import CheckCache
from .config import Config
from .errors import DataError, Problem, Problems, PublisherError, Where
from .model import PeriodKey, Records
from .notices import Notice
from .pdf_cache import PdfCache
from .progress import stage as step

log = logging.getLogger(__name__)

# The last steps: the listings that need no search bundle (the sitemap, the manifest's notices),
# then checksums.json and manifest.json. A rebuild makes the first while Pagefind indexes.
LISTING_STAGE, MANIFEST_STAGE = "清单准备", "清单"


def _pdf_modules():
    """render_pdf and print_batch, imported only when PDFs are made: WeasyPrint and pypdf take
    0.6 s to import, half of a clerk's `validate` of the sample (1.3 s before, 0.65 s after)."""
    from . import print_batch, render_pdf

    return render_pdf, print_batch


@dataclass
class CheckResult:
    records: Records
    problems: list[Problem]
    cache: CheckCache | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


@dataclass
class Plan:
    """Everything decided before anything is written: the notices as they will be published."""

    records: Records
    problems: list[Problem]
    every: list[Notice]
    history: history.History
    previous: history.Previous
    cache: CheckCache | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def published(self) -> list[Notice]:
        return self.history.notices


@dataclass
class BuildResult:
    site_dir: Path
    as_of: dt.date
    published: list[Notice]
    waiting: list[Notice]
    warnings: list[Problem] = field(default_factory=list)


@heap.tuned()
def check(data_dir: Path, config: Config) -> CheckResult:
    """Load and validate everything; every problem is collected, none raised."""
    templates.read_afresh(reuse.code_digest(templates.THEME_DIR))  # edits since the last build show
    problems = Problems()
    if not data_dir.is_dir():
        problems.error(Where(str(data_dir)), "数据文件夹不存在")
        return CheckResult(Records(), problems.items)
    tables = load.load(data_dir, problems)
    cache = CheckCache.for_config(tables, config)
    records = validate.validate(tables, config, problems, cache)
    return CheckResult(records, problems.items, cache)


@heap.tuned()
def prepare(data_dir: Path, site_dir: Path, config: Config, as_of: dt.date,
            previous_file: Path | None = None) -> Plan:
    """Check the data, make the notices, and hold them against what was published before."""
    checked = check(data_dir, config)
    problems = Problems()
    problems.items = list(checked.problems)
    publish.finish_interrupted(site_dir)  # a site a killed build left half updated is whole again
    if checked.errors:
        # Rows with errors are left out of the records, so comparing with what was published
        # would only report those notices again as "removed": fix the data first.
        return Plan(checked.records, problems.items, [], history.History([]), history.read_previous(site_dir, previous_file))
    with heap.kept():  # a county's notices: long-lived, no cycles, nothing to collect
        every = notices.make_notices(checked.records, config)
    if checked.cache:
        checked.cache.restore_hashes(every)
    # Read after the notices are made: its dicts (100 MB at county scale), freed once held
    # against them, then leave no holes among the notices that would keep memory from the system.
    previous = history.read_previous(site_dir, previous_file)
    past = history.apply(notices.published(every, as_of), every, checked.records.corrections, previous, as_of, problems)
    return Plan(checked.records, problems.items, every, past, previous.slim(), checked.cache)


@heap.tuned()
def print_batch_file(data_dir: Path, site_dir: Path, config: Config, as_of: dt.date,
                     township_code: str, period: PeriodKey) -> Path:
    """One township's batch for one period, written to site/print/… (the rest of the site untouched).

    The notices are those the site publishes, corrections and all, so paper matches the site.
    """
    render_pdf, print_batch = _pdf_modules()
    plan = prepare(data_dir, site_dir, config, as_of)
    if plan.errors:
        raise DataError(plan.errors)
    chosen = print_batch.members(plan.published, township_code, period)
    if not chosen:
        raise PublisherError(f"乡镇代码 {township_code} 在 {period.code} 没有截至 {as_of} 已发布的公告")
    target = site_dir / print_batch.batch_path(township_code, period)
    with tempfile.TemporaryDirectory(prefix="cunwu-print-") as tmp:
        render_pdf.render_pdfs(Path(tmp), chosen, config, as_of)
        pdf = print_batch.batch_pdf(Path(tmp), chosen, chosen[0].village.township, period, config)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".pdf.tmp")
    partial.write_bytes(pdf)
    partial.replace(target)  # never a half-written file where a print shop may pick it up
    return target


@heap.tuned()
def build(data_dir: Path, site_dir: Path, config: Config, as_of: dt.date,
          previous_file: Path | None = None, pdfs: bool = True, scheduler=None) -> BuildResult:
    """Validate, then write the whole site; on any error the existing site stays as it was.

    `pdfs=False` leaves the PDFs out (benchmarks time pages and PDFs separately);
    `scheduler` (a Dask address or Client) renders on a cluster instead of local processes.
    """
    publish.finish_interrupted(site_dir)  # whole again before find lists it
    with reuse.scanning(config, site_dir) as scan, contextlib.ExitStack() as later:
        # A rebuild (there is a record to check the site against) will likely index a township.
        warm = later.enter_context(contextlib.closing(render_search.WarmService())) if scan else None
        with step("检查数据"):
            plan = prepare(data_dir, site_dir, config, as_of, previous_file)
        if plan.errors:
            raise DataError(plan.errors)
        return _write_site(plan, site_dir, config, as_of, pdfs, scheduler, scan, warm)


def _listing(stage: Path, plan: Plan, shown: list[Notice], config: Config, carry: reuse.Reuse) -> publish.Listing:
    """The earlier versions' pages, the sitemap and the manifest's notices (see publish.write_listing)."""
    history.write_archives(stage, plan.history, plan.previous)
    return publish.write_listing(stage, shown, config.site_url, plan.previous, carry)


def _keep_hashes(plan: Plan, shown: list[Notice]) -> None:
    """The notices' hashes kept in the check cache: all are hashed by the time the downloads are
    made, and the next build need not hash them again. Kept whatever this build's outcome (they
    are of the rows, not of the site): a rebuild keeps them while Pagefind indexes (0.1-0.2 s of
    a county's), a build indexing several townships at the end (10 MB beside none of Pagefind's
    processes)."""
    if plan.cache:
        plan.cache.keep_hashes(shown)


def _write_site(plan: Plan, site_dir: Path, config: Config, as_of: dt.date, pdfs: bool, scheduler,
                scan: site_scan.SiteScan | None, warm: render_search.WarmService | None) -> BuildResult:
    """Every file of the site from the plan, swapped in at the end."""
    heap.settled()  # the records and notices: kept to the end, never garbage
    shown = plan.published
    ids = {n.id for n in shown}
    waiting = [n for n in plan.every if n.id not in ids]
    bundles = render_search.bundle_paths(shown)
    runner = executor.make(scheduler, config.pdf_workers)
    with publish.staging(site_dir) as stage, contextlib.closing(runner):
        with step("页面框架"):
            shell = site_shell.build_mkdocs(stage, config, as_of)
            carry = reuse.start(config, site_dir, stage, plan.previous, shell.html, scan)
        # The downloads of notices not hashed yet come first: they hash each on the way, which
        # the pages then use. Those of notices hashed already (a rebuild's: restored from the
        # check cache) come after the pages, while Pagefind indexes a changed township.
        hashed, unhashed = [], []
        for notice in shown:
            (hashed if notice.hashed else unhashed).append(notice)
        with step("数据下载"):
            render_data.render_downloads(stage, unhashed, carry)
        with step("网页"):  # the notice pages, which search indexes
            render_html.render_notice_pages(stage, shell, shown, plan.records, config, as_of, runner, carry)
        if pdfs:
            render_pdf, print_batch = _pdf_modules()
            with step("PDF"):
                render_pdf.render_pdfs(stage, shown, config, as_of, runner, carry)
            with step("张贴材料"):
                print_batch.render_batches(stage, shown, config)
            PdfCache(config.cache / "pdf").prune(site_dir)  # what this site and others publish stays
        runner.close()  # the rendering workers' memory is freed before Pagefind needs its own
        executor.give_back_memory()
        with step(render_search.STAGE):
            search = render_search.start(stage, shown, carry, warm)  # one changed township: indexed meanwhile
        with contextlib.closing(search):
            with step(render_data.CATALOGUE_STAGE):
                render_data.render_downloads(stage, hashed, carry)
                render_data.render_datapackage(stage, shown, carry)
            with step("订阅"):
                render_feeds.render_feeds(stage, shown, plan.records.villages, config, carry)
            with step(render_html.HUBS_STAGE):
                render_html.render_hubs(stage, shell, shown, plan.records, config, as_of, bundles, carry)
            with step("核验码"):
                render_data.render_verify_index(stage, shown, plan.history.superseded, carry)
            carry.carried_all(narrow=search.at_finish)  # the last units: freed before Pagefind's peak
            executor.give_back_memory()  # what the listings took, before Pagefind's peak
            listing = None
            if not search.at_finish:  # a township indexed meanwhile (a rebuild's): so is what needs no bundle
                with step(LISTING_STAGE):
                    listing = _listing(stage, plan, shown, config, carry)
                    _keep_hashes(plan, shown)
            with step(render_search.FINISH_STAGE):
                search.finish()
        with step(MANIFEST_STAGE):
            listing = listing or _listing(stage, plan, shown, config, carry)
            digest = publish.write_manifest(stage, listing, as_of, plan.history.superseded, plan.previous, carry)
    reuse.save(config, site_dir, carry, digest)
    if search.at_finish:
        _keep_hashes(plan, shown)
    log.info("published %d notices, %d waiting for their date", len(shown), len(waiting))
    return BuildResult(site_dir, as_of, shown, waiting, [p for p in plan.problems if not p.is_error])
