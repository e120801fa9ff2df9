"""Full and incremental build speed at county scale, against Hugo on the same notices.

For each size, writes a synthetic corpus (`python -m generator sample`, not timed), then
  - builds the site without PDFs (pages, downloads, feeds, search, manifest) in a fresh
    process: wall time, notices per second, peak RSS of the build and of its children;
  - builds the same notices with Hugo (Debian package) as Markdown pages with a minimal
    layout, and prints the ratio of notices per second (target ≥ 1.0× at 5,000);
  - adds one record (a new 践诺 row) and rebuilds: wall time and files whose bytes changed.
Needs Hugo: bash scripts/setup-bench.sh.

    .venv/bin/python benchmarks/build_speed.py --notices 5000 [--notices 50000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NOTICES_PER_VILLAGE_YEAR = 13.8  # what `generator sample` makes for a quarterly village
YEARS = 5

RUN_BUILD = """
import datetime as dt, json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from generator import pipeline
from generator.config import load_config
config = load_config(Path({root!r}) / "mkdocs.yml")
start = time.perf_counter()
result = pipeline.build(Path(sys.argv[1]), Path(sys.argv[2]), config, dt.date(2026, 12, 31), pdfs=False)
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "notices": len(result.published),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""

HUGO_LAYOUT = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}</body></html>
"""


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def our_build(data: Path, site: Path) -> dict:
    done = subprocess.run([PYTHON, "-c", RUN_BUILD.format(root=str(ROOT)), str(data), str(site)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def hugo_build(data: Path, work: Path) -> tuple[float, int]:
    """The same notices as Markdown pages (a table of each notice's rows), built by Hugo."""
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
    start = time.perf_counter()
    subprocess.run(["hugo", "--quiet", "-s", str(work), "-d", str(work / "public")], check=True)
    return time.perf_counter() - start, len(shown)


def one_size(target: int, tmp: Path) -> None:
    villages = math.ceil(target / (YEARS * NOTICES_PER_VILLAGE_YEAR))
    data, site = tmp / f"data-{target}", tmp / f"site-{target}"
    subprocess.run([PYTHON, "-m", "generator", "sample", "--villages", str(villages), "--years", str(YEARS),
                    "--out", str(data)], cwd=ROOT, check=True, capture_output=True)
    ours = our_build(data, site)
    rate = ours["notices"] / ours["seconds"]
    print(f"\n== {ours['notices']} notices ({villages} villages × {YEARS} years) ==")
    print(f"this program (no PDFs): {ours['seconds']:.1f} s, {rate:.0f} notices/s, peak RSS {ours['rss_mb']:.0f} MB "
          f"(largest child, Pagefind: {ours['children_rss_mb']:.0f} MB)")
    if shutil.which("hugo"):
        hugo_seconds, hugo_count = hugo_build(data, tmp / f"hugo-{target}")
        hugo_rate = hugo_count / hugo_seconds
        print(f"Hugo (Markdown, minimal layout): {hugo_seconds:.1f} s, {hugo_rate:.0f} notices/s")
        print(f"ratio (ours / Hugo, notices per second): {rate / hugo_rate:.2f}× (target ≥ 1.0×)")
    else:
        print("Hugo not installed: bash scripts/setup-bench.sh")
    before = tree(site)
    with open(data / "commitment_progress.csv", "ab") as extra:
        extra.write("t01-v0001,2025,2025-01,已全部完成，台账已报镇党委存档,已完成,2025-12-28\r\n".encode("gb18030"))
    again = our_build(data, site)
    after = tree(site)
    changed = sum(1 for k in after if before.get(k) != after[k])
    print(f"incremental (one new record): {again['seconds']:.1f} s = {100 * again['seconds'] / ours['seconds']:.0f}% of the full build "
          f"(target ≤ 5%); files with new bytes: {changed} of {len(after)} (every file is written anew: no incremental mode yet)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, action="append", help="corpus sizes (default 5000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for target in args.notices or [5000]:
            one_size(target, Path(tmp))


if __name__ == "__main__":
    main()
