"""PDF rendering speed and size: PDFs per second with 1 and 2 processes, KB per one-page notice.

Renders every notice of the shipped sample (or of --data) from an empty PDF cache, once
with one process and once with two, then once more with the cache warm.
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
    speedup = results[1] / results[2]
    print(f"speed-up with 2 processes: {speedup:.2f}× (target ≥ 1.8×): {'OK' if speedup >= 1.8 else 'UNDER'}")
    if one_page:
        print(f"one-page notices: {len(one_page)}, mean {sum(one_page) / len(one_page) / 1024:.1f} KB, "
              f"max {max(one_page) / 1024:.1f} KB (target ≤ 40 KB): {'OK' if max(one_page) <= 40 * 1024 else 'OVER'}")


if __name__ == "__main__":
    main()
