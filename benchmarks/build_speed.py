"""Full and incremental build speed at county scale, against Hugo on the same notices.

For each size, writes a synthetic corpus (`python -m generator sample`, not timed), then
  - builds the site without PDFs (pages, downloads, feeds, search, manifest) in a fresh
    process: wall time per stage, notices per second, and peak memory: the largest sum of
    the PSS of the build and all its children (Pagefind, workers), sampled every 20 ms, and
    each program's share of it at that moment;
  - builds the same notices with Hugo (Debian package) as Markdown pages with a minimal
    layout, and prints the ratio of notices per second (target ≥ 1.0× at 5,000), for the
    HTML build (pages, downloads, feeds, manifest: the target's measure) and with search
    indexing; and, for comparison only, for our stages that do Hugo's work (check, shell, pages);
  - adds one record (a new 践诺 row) and rebuilds, three times (--rebuilds), each with another
    new record: the median wall time, and on the first, files made anew (the others stay in
    the published site as they were) and files whose bytes changed;
  - edits one published record in the middle of its county-wide file, with the 更正 row that
    needs, and rebuilds once (appending is the clerks' usual change; this is the other one);
  - rebuilds under another site name, as after an upgrade or a new setting: every key
    changes, and the last build's record is held besides: peak memory.
Needs Hugo: bash scripts/setup-bench.sh.

    .venv/bin/python benchmarks/build_speed.py --notices 5000 [--notices 50000] [--repeat 3] [--rebuilds 3]

With --repeat N, the full builds (ours, then Hugo's) run N times in turn and the median is
reported: on this machine the same build's disk time varies 2x from one minute to the next.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NOTICES_PER_VILLAGE_YEAR = 13.8  # what `generator sample` makes for a quarterly village
YEARS = 5
SEARCH_STAGES = ("搜索索引准备", "搜索索引")  # started (and, in a rebuild, run meanwhile), then finished
# What Hugo's build does, from our stages: read and check the records, make the page shell,
# render and write the pages (no downloads, feeds, search or manifest).
PAGE_STAGES = ("检查数据", "页面框架", "网页", "村镇页面")

RUN_BUILD = """
import dataclasses, datetime as dt, json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from generator import pipeline, progress
from generator.config import load_config
progress.enable()
config = dataclasses.replace(load_config(Path({root!r}) / "mkdocs.yml"), cache_dir=Path(sys.argv[3]))
if len(sys.argv) > 4:  # another site name: every key changes (the home page's title only shows it)
    config = dataclasses.replace(config, site_name=sys.argv[4])
start = time.perf_counter()
result = pipeline.build(Path(sys.argv[1]), Path(sys.argv[2]), config, dt.date(2026, 12, 31), pdfs=False)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "notices": len(result.published)}}))
"""
_STAGE = re.compile(r"\[(.+)\] 完成，用时 ([0-9.]+) 秒")


def _tree_memory(process: psutil.Process) -> dict[str, list[int]]:
    """Processes and PSS of the build and of its children, by program ("build" for the build's
    own process): shared pages (forked workers) count once."""
    parts: dict[str, list[int]] = {}
    for member in [process, *process.children(recursive=True)]:
        try:
            name = "build" if member.pid == process.pid else member.name()
            size = member.memory_full_info().pss
        except psutil.Error:
            continue  # a child that just ended
        count, total = parts.get(name, (0, 0))
        parts[name] = [count + 1, total + size]
    return parts


def _total(parts: dict[str, list[int]]) -> int:
    return sum(size for _, size in parts.values())


def _watch(pid: int, peak: dict, done: threading.Event) -> None:
    """Keeps in `peak` the largest total seen, and what each program had at that moment."""
    process = psutil.Process(pid)
    while not done.is_set():
        try:
            parts = _tree_memory(process)
        except psutil.Error:
            return
        if _total(parts) > _total(peak):
            peak.clear()
            peak.update(parts)
        time.sleep(0.02)


HUGO_LAYOUT = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</body></html>
"""


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def our_build(data: Path, site: Path, cache: Path, site_name: str | None = None, watch: bool = False) -> dict:
    """One build in a fresh process; its figures and stage times, and with `watch` the peak
    memory of the whole tree.

    Timed runs are not watched: reading every process's smaps every 20 ms slowed a county's
    one-record rebuild by about 2.8 s (12.0 → 14.8 s, three alternating runs each; 1.7 s
    polling every 100 ms), so memory is measured in runs of its own.
    `cache` is the build's own cache folder: empty for the full build, so nothing from an
    earlier run of the benchmark (the corpus is the same each time) makes it look faster.
    `site_name`: built under another site name than mkdocs.yml's.
    """
    os.sync()  # the previous step's files are on disk before the clock starts, not written meanwhile
    child = subprocess.Popen([PYTHON, "-c", RUN_BUILD.format(root=str(ROOT)), str(data), str(site), str(cache),
                              *([site_name] if site_name else [])],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, done = {}, threading.Event()
    watcher = threading.Thread(target=_watch, args=(child.pid, peak, done), daemon=True) if watch else None
    if watcher:
        watcher.start()
    out, err = child.communicate()
    done.set()
    if watcher:
        watcher.join()
    if child.returncode != 0:
        raise SystemExit(f"build failed:\n{err}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["stages"] = {name: float(sec) for name, sec in _STAGE.findall(err)}
    figures["peak_mb"] = _total(peak) / 2**20
    figures["peak_parts"] = ", ".join(f"{name} ({count} process{'es' if count > 1 else ''}) {size / 2**20:.0f} MB"
                                      for name, (count, size) in sorted(peak.items()))
    return figures


def hugo_project(data: Path, work: Path) -> int:
    """The same notices as Markdown pages (a table of each notice's rows), for Hugo; their count."""
    sys.path.insert(0, str(ROOT))
    from generator import notices, pipeline, render_data
    from generator.config import load_config

    config = load_config(ROOT / "mkdocs.yml")
    checked = pipeline.check(data, config)
    shown = notices.make_notices(checked.records, config)
    content = work / "content" / "n"
    content.mkdir(parents=True)
    for notice in shown:
        lines = render_data.notice_csv(notice).decode("utf-8-sig").splitlines()
        header = lines[0].split(",")
        table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        table += ["| " + " | ".join(line.split(",")) + " |" for line in lines[1:]]
        (content / f"{notice.id}.md").write_text(
            f'---\ntitle: "{notice.title}"\ndate: {notice.date.isoformat()}\n---\n\n' + "\n".join(table) + "\n",
            encoding="utf-8")
    layouts = work / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (layouts / "list.html").write_text("<ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>", encoding="utf-8")
    (work / "config.toml").write_text('baseURL = "/"\ntitle = "bench"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n',
                                      encoding="utf-8")
    return len(shown)


def hugo_build(work: Path, out: Path) -> float:
    """Hugo's build of the project into a new folder: wall time."""
    os.sync()
    start = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "-s", str(work), "-d", str(out)], check=True)
    return time.perf_counter() - start


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def one_size(target: int, tmp: Path, repeat: int, rebuild_count: int) -> None:
    villages = math.ceil(target / (YEARS * NOTICES_PER_VILLAGE_YEAR))
    data = tmp / f"data-{target}"
    subprocess.run([PYTHON, "-m", "generator", "sample", "--villages", str(villages), "--years", str(YEARS),
                    "--out", str(data)], cwd=ROOT, check=True, capture_output=True)
    hugo = shutil.which("hugo")
    hugo_count = hugo_project(data, tmp / f"hugo-{target}") if hugo else 0
    runs, hugo_runs = [], []
    for number in range(repeat):  # ours and Hugo's in turn, so a slow spell of the disk hits both
        site, cache = tmp / f"site-{target}-{number}", tmp / f"cache-{target}-{number}"
        run = our_build(data, site, cache)
        run["html_seconds"] = run["seconds"] - sum(run["stages"].get(name, 0.0) for name in SEARCH_STAGES)
        runs.append(run)
        if hugo:
            hugo_runs.append(hugo_build(tmp / f"hugo-{target}", tmp / f"hugo-{target}-out-{number}"))
        if repeat > 1:
            print(f"  run {number + 1}: ours {run['seconds']:.1f} s (HTML build {run['html_seconds']:.1f} s)"
                  + (f", Hugo {hugo_runs[-1]:.1f} s" if hugo else ""))
    ours = sorted(runs, key=lambda r: r["html_seconds"])[len(runs) // 2]  # the median run
    largest = our_build(data, tmp / f"site-{target}-memory", tmp / f"cache-{target}-memory", watch=True)
    html_seconds = ours["html_seconds"]
    rate, html_rate = ours["notices"] / ours["seconds"], ours["notices"] / html_seconds
    which = f"the median of {repeat} runs by HTML build time" if repeat > 1 else "one run"
    print(f"\n== {ours['notices']} notices ({villages} villages × {YEARS} years): {which} ==")
    print(f"this program (no PDFs): {ours['seconds']:.1f} s, {rate:.0f} notices/s, "
          f"peak memory (PSS) of the build and its children {largest['peak_mb']:.0f} MB "
          f"(a full build of its own, watched; target ≤ 1024 MB at 50,000): {largest['peak_parts']}")
    print("  stages: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in ours["stages"].items()))
    print(f"  HTML build without the search index: {html_seconds:.1f} s, {html_rate:.0f} notices/s")
    if hugo:
        hugo_seconds = sorted(hugo_runs)[len(hugo_runs) // 2]
        hugo_rate = hugo_count / hugo_seconds
        print(f"Hugo (Markdown, minimal layout): {hugo_seconds:.1f} s, {hugo_rate:.0f} notices/s"
              + (f" (median of {repeat})" if repeat > 1 else ""))
        print(f"ratio (ours / Hugo, notices per second): HTML build {html_rate / hugo_rate:.2f}×, "
              f"with search index {rate / hugo_rate:.2f}× (target ≥ 1.0×)")
        pages_seconds = sum(ours["stages"].get(name, 0.0) for name in PAGE_STAGES)
        print(f"  for comparison only, our stages that do what Hugo does ({', '.join(PAGE_STAGES)}): "
              f"{pages_seconds:.1f} s, {hugo_seconds / pages_seconds:.2f}× Hugo's rate")
    else:
        print("Hugo not installed: bash scripts/setup-bench.sh")
    site, cache = tmp / f"site-{target}-{repeat - 1}", tmp / f"cache-{target}-{repeat - 1}"  # the last run's
    rebuilds = []
    for number in range(rebuild_count):  # each adds another record: a notice of its own date
        if number == 0:  # files made anew: counted on the first (hashing the whole site takes a while)
            before, before_inodes = tree(site), inodes(site)
        _add_record(data, dt.date(2025, 12, 28) - dt.timedelta(days=number))
        rebuilds.append(our_build(data, site, cache))
        if number == 0:
            after, after_inodes = tree(site), inodes(site)
            changed = sum(1 for k in after if before.get(k) != after[k])
            made = sum(1 for k in after_inodes if before_inodes.get(k) != after_inodes[k])
    again = sorted(rebuilds, key=lambda r: r["seconds"])[len(rebuilds) // 2]  # the median rebuild
    times = ", ".join(f"{r['seconds']:.1f}" for r in rebuilds)
    which = f"median of {len(rebuilds)}, each adding one: {times} s" if len(rebuilds) > 1 else "one run"
    _add_record(data, dt.date(2025, 12, 28) - dt.timedelta(days=rebuild_count))
    watched = our_build(data, site, cache, watch=True)
    print(f"incremental (one new record; {which}): {again['seconds']:.1f} s = {100 * again['seconds'] / ours['seconds']:.1f}% "
          f"of the full build (target ≤ 5%); peak {watched['peak_mb']:.0f} MB (one more, watched): {watched['peak_parts']}")
    print("  stages: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in again["stages"].items()))
    print(f"  files made anew (first rebuild): {made} of {len(after)} (the rest left as they were); "
          f"files with new bytes: {changed}")
    _edit_one_record(data, site)
    edited = our_build(data, site, cache)
    print(f"incremental (one published record edited in the middle of its file, with its 更正 row): "
          f"{edited['seconds']:.1f} s = {100 * edited['seconds'] / ours['seconds']:.1f}% of the full build")
    print("  stages: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in edited["stages"].items()))
    # What an upgrade of the program or a new setting does to a published county: every key
    # changes, so nothing is carried over, while the last build's record (every file's hash,
    # to keep files whose bytes stay the same) is held besides: the most memory a build takes.
    renamed = our_build(data, site, cache, site_name="某县村务公开（新）", watch=True)
    print(f"rebuild after a settings change (new site name, so every key changes): {renamed['seconds']:.1f} s, "
          f"peak {renamed['peak_mb']:.0f} MB (target ≤ 1024 MB at 50,000): {renamed['peak_parts']}")


def _add_record(data: Path, day: dt.date) -> None:
    """A new 践诺 row: a notice of its own date."""
    with open(data / "commitment_progress.csv", "ab") as extra:
        extra.write(f"t01-v0001,2025,2025-01,已全部完成，台账已报镇党委存档,已完成,{day}\r\n".encode("gb18030"))


def _edit_one_record(data: Path, site: Path) -> None:
    """The 践诺 row in the middle of commitment_progress.csv (GB18030, as the sample writes it)
    given another 进展 text, and the 更正 row a published notice's change needs."""
    path = data / "commitment_progress.csv"
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    middle = len(lines) // 2
    village, year, commitment, text, status, day = lines[middle].split(",")  # no quoted cells in the sample
    lines[middle] = ",".join([village, year, commitment, text + "（已核实）", status, day])
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    notice = f"{village}-progress-{day}"
    if f'"id": "{notice}"'.encode() not in (site / "manifest.json").read_bytes():
        raise SystemExit(f"benchmark: no published notice {notice} for the edited row")
    (data / "corrections.csv").write_text(f"公告编号,更正日期,更正原因\n{notice},2026-12-30,进展录入有误\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, action="append", help="corpus sizes (default 5000)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="full builds (ours and Hugo's) per size; the median is reported (disk speed varies 2x here)")
    parser.add_argument("--rebuilds", type=int, default=3,
                        help="one-record rebuilds after the full builds; the median is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for number, target in enumerate(args.notices or [5000]):
            if number:
                settle()
            one_size(target, Path(tmp), max(1, args.repeat), max(1, args.rebuilds))


# After many files are deleted, making files is up to ten times slower for a few minutes on
# this machine's disk (ext4 without a journal looks past inodes freed recently: 15,000 files
# took 13.9 s right after 60,000 were deleted, 10.7 s 90 s later, 1.2 s at 220 s, and 1.8 s
# with nothing deleted). The settings-change rebuild replaces a whole site, whose old files
# are then deleted; the next size waits this long before its builds are timed.
SETTLE_SECONDS = 300


def settle() -> None:
    print(f"(waiting {SETTLE_SECONDS} s: the last site replaced was just deleted, which slows making files for a while)",
          flush=True)
    time.sleep(SETTLE_SECONDS)


if __name__ == "__main__":
    main()
