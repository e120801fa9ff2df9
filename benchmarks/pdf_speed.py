"""PDF rendering speed and size: PDFs per second with 1 and 2 processes, KB per one-page notice.

Renders every notice of the shipped sample (or of --data) from an empty PDF cache, once
with one process and once with two, then once more with the cache warm. Then builds the
whole site with PDFs from an empty cache, adds one record (a 践诺 row) and builds again:
time, PDFs rendered again and PDF files made anew.
Targets (issue 4): ≥ 1.8× with 2 processes; ≤ 40 KB for a one-page notice.

    .venv/bin/python benchmarks/pdf_speed.py [--data DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import notices, pipeline, render_pdf  # noqa: E402
from generator.config import load_config  # noqa: E402

AS_OF = dt.date(2026, 1, 15)


def timed_render(shown, config, workers: int, cache: Path, runner=None) -> float:
    run_config = dataclasses.replace(config, pdf_workers=workers, cache_dir=cache)
    with tempfile.TemporaryDirectory() as stage:
        start = time.perf_counter()
        render_pdf.render_pdfs(Path(stage), shown, run_config, AS_OF, runner)
        return time.perf_counter() - start


def dask_rates(shown, config, fonts_cache: Path, tmp: str) -> None:
    """The same rendering on a local Dask cluster of 1 and of 2 worker processes."""
    import distributed

    from generator import executor

    timings = {}
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None,
                                      host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
            cache = Path(tmp) / f"dask-{workers}"
            shutil.copytree(fonts_cache, cache / "fonts")
            timings[workers] = timed_render(shown, config, workers, cache, executor.DaskCluster(client))
        print(f"Dask, {workers} worker(s): {timings[workers]:6.2f} s, {len(shown) / timings[workers]:6.1f} PDFs/s")
    print(f"Dask speed-up with 2 workers: {timings[1] / timings[2]:.2f}×")


NEW_PROGRESS = "lucun,2025,2025-01,已提前完成全年目标，台账已报镇党委存档,已完成,2025-12-20\r\n"


def one_change(data: Path, config, tmp: Path, fonts_cache: Path) -> None:
    """A site built with PDFs, then rebuilt after one new record: what is rendered again."""
    cache = tmp / "one-change-cache"
    shutil.copytree(fonts_cache, cache / "fonts")
    run_config = dataclasses.replace(config, cache_dir=cache)
    copy, site = tmp / "one-change-data", tmp / "one-change-site"
    shutil.copytree(data, copy)
    start = time.perf_counter()
    pipeline.build(copy, site, run_config, AS_OF)
    first = time.perf_counter() - start
    inodes = {p: p.stat().st_ino for p in site.rglob("*.pdf")}
    rendered = len(list((cache / "pdf").glob("*.pdf")))
    with open(copy / "commitment_progress.csv", "ab") as extra:
        extra.write(NEW_PROGRESS.encode("gb18030"))
    start = time.perf_counter()
    pipeline.build(copy, site, run_config, AS_OF)
    again = time.perf_counter() - start
    rendered_again = len(list((cache / "pdf").glob("*.pdf"))) - rendered
    made = sum(1 for p in site.rglob("*.pdf") if inodes.get(p) != p.stat().st_ino)
    print(f"site with PDFs, first build: {first:6.2f} s ({rendered} PDFs rendered)")
    print(f"after one new record: {again:6.2f} s; PDFs rendered again: {rendered_again}; "
          f"PDF files made anew: {made} (notice PDFs and print batches; the rest are carried over)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--repeat", type=int, default=2, help="runs per setting; the best is reported")
    parser.add_argument("--dask", action="store_true", help="also render on a local Dask cluster of 1 and 2 workers")
    args = parser.parse_args()
    config = load_config(ROOT / "mkdocs.yml")
    checked = pipeline.check(args.data, config)
    shown = notices.published(notices.make_notices(checked.records, config), AS_OF)
    fonts_cache = config.cache / "fonts"
    render_pdf.fonts.faces(config.cache)  # prepared once per machine; not part of the timing
    print(f"notices: {len(shown)}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            best = None
            for attempt in range(args.repeat):
                cache = Path(tmp) / f"cache-{workers}-{attempt}"
                shutil.copytree(fonts_cache, cache / "fonts")
                seconds = timed_render(shown, config, workers, cache)
                best = seconds if best is None else min(best, seconds)
            results[workers] = best
            print(f"{workers} process(es): {best:6.2f} s, {len(shown) / best:6.1f} PDFs/s")
        if args.dask:
            dask_rates(shown, config, fonts_cache, tmp)
        warm = timed_render(shown, config, 2, cache)
        print(f"rebuild with warm cache (nothing changed): {warm:6.2f} s")
        stage = Path(tmp) / "site"
        render_pdf.render_pdfs(stage, shown, dataclasses.replace(config, cache_dir=cache), AS_OF)
        one_page = [p.stat().st_size for p in stage.rglob("*.pdf") if len(PdfReader(p).pages) == 1]
        one_change(args.data, config, Path(tmp), fonts_cache)
    speedup = results[1] / results[2]
    print(f"speed-up with 2 processes: {speedup:.2f}× (target ≥ 1.8×): {'OK' if speedup >= 1.8 else 'UNDER'}")
    if one_page:
        print(f"one-page notices: {len(one_page)}, mean {sum(one_page) / len(one_page) / 1024:.1f} KB, "
              f"max {max(one_page) / 1024:.1f} KB (target ≤ 40 KB): {'OK' if max(one_page) <= 40 * 1024 else 'OVER'}")


if __name__ == "__main__":
    main()
