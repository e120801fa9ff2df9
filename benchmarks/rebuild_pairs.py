"""One-record rebuilds, alternating two versions of the generator on one published site.

On this machine the same rebuild varies 2x from one minute to the next, so a change is judged
by pairs run in turn: the code of `--base` (a commit, checked out in a temporary worktree) and
the working tree's, each adding its own new record to the same site. Both run under the base's
code digest, so the build record stays valid for both and each rebuild carries what it would
(the output of the two must be the same bytes for the comparison to mean anything; the tests
check that). Prints each rebuild's build time (`pipeline.build()`, not Python's start) and,
with --time, the time spent in the named functions.

With --two-sites, each version builds a site of its own from its own copy of the data, under
its own code digest, and the two add the same records in turn: for a change to what the build
record holds (which units there are, what their keys are made of), where one record cannot
serve both versions.

    .venv/bin/python benchmarks/rebuild_pairs.py --base HEAD --notices 50000 --pairs 4 \\
        --time reuse:Reuse.carry_each --time render_search:Indexing.finish
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import NOTICES_PER_VILLAGE_YEAR, PYTHON, ROOT, YEARS, _add_record  # noqa: E402

RUN = """
import dataclasses, datetime as dt, functools, importlib, json, sys, time
from pathlib import Path
code, digest_from, data, site, cache, *timed = sys.argv[1:]
sys.path.insert(0, code)
from generator import pipeline, reuse
from generator.config import load_config
held = b"".join(p.name.encode() + b"\\0" + p.read_bytes() + b"\\0" for p in sorted(Path(digest_from).glob("*.py")))
reuse._code_read = lambda: held  # the base's code digest: one salt for both versions
spent = {{}}
def timer(name, function):
    @functools.wraps(function)
    def timed_call(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start
    return timed_call
for spec in timed:
    module, attribute = spec.split(":")
    owner = importlib.import_module("generator." + module)
    *path, last = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, last, timer(spec, getattr(owner, last)))
if __name__ == "__main__":
    config = dataclasses.replace(load_config(Path({root!r}) / "mkdocs.yml"), cache_dir=Path(cache))
    start = time.perf_counter()
    pipeline.build(Path(data), Path(site), config, dt.date(2026, 12, 31), pdfs=False)
    print(json.dumps({{"seconds": time.perf_counter() - start, **spent}}))
"""


def build(code: Path, digest_from: Path, data: Path, site: Path, cache: Path, timed: list[str]) -> dict:
    done = subprocess.run([PYTHON, "-c", RUN.format(root=str(ROOT)), str(code), str(digest_from), str(data),
                           str(site), str(cache), *timed], capture_output=True, text=True, cwd=code)
    if done.returncode != 0:
        raise SystemExit(f"build failed ({code}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare the working tree with")
    parser.add_argument("--notices", type=int, default=50000, help="corpus size")
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--two-sites", action="store_true",
                        help="a site (and data, record) for each version: for changes to what the record holds")
    parser.add_argument("--time", action="append", default=[], metavar="MODULE:FUNCTION",
                        help="also time calls of generator.MODULE's FUNCTION (Class.method allowed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base], cwd=ROOT, check=True)
        try:
            data = tmp / "data"
            villages = math.ceil(args.notices / (YEARS * NOTICES_PER_VILLAGE_YEAR))
            subprocess.run([PYTHON, "-m", "generator", "sample", "--villages", str(villages), "--years", str(YEARS),
                            "--out", str(data)], cwd=ROOT, check=True, capture_output=True)
            versions = {"base": base, "new": ROOT}
            if args.two_sites:  # name → (code, its code digest's source, data, site, cache)
                shutil.copytree(data, tmp / "data-new")
                places = {name: (code, code / "generator", tmp / f"data-{name}" if name == "new" else data,
                                 tmp / f"site-{name}", tmp / f"cache-{name}") for name, code in versions.items()}
                for name, (code, digest_from, its_data, site, cache) in places.items():
                    first = build(code, digest_from, its_data, site, cache, [])
                    print(f"full build ({name}): {first['seconds']:.1f} s")
            else:
                places = {name: (code, base / "generator", data, tmp / "site", tmp / "cache")
                          for name, code in versions.items()}
                first = build(base, base / "generator", data, tmp / "site", tmp / "cache", [])
                print(f"full build ({args.base}): {first['seconds']:.1f} s")
            print("then one-record rebuilds in turn")
            runs: dict[str, list[dict]] = {"base": [], "new": []}
            day = dt.date(2025, 12, 28)
            for _ in range(args.pairs):
                for name, (code, digest_from, its_data, site, cache) in places.items():
                    _add_record(its_data, day)
                    if not args.two_sites:  # each version adds a record of its own to the one site
                        day -= dt.timedelta(days=1)
                    runs[name].append(build(code, digest_from, its_data, site, cache, args.time))
                    figures = ", ".join(f"{key} {value:.3f}" for key, value in runs[name][-1].items() if key != "seconds")
                    print(f"  {name}: {runs[name][-1]['seconds']:.2f} s" + (f" ({figures})" if figures else ""), flush=True)
                if args.two_sites:  # both sites got the same record
                    day -= dt.timedelta(days=1)
            for name, found in runs.items():
                print(f"{name}: mean {mean(r['seconds'] for r in found):.2f} s; "
                      + ", ".join(f"{key} {mean(r.get(key, 0.0) for r in found):.3f}" for key in args.time))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False)


if __name__ == "__main__":
    main()
