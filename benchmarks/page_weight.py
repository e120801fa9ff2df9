"""Page weight: bytes a phone transfers (gzip) for a first view of each page kind.

Builds the shipped sample (or uses --site), loads each page kind in Debian's headless
Chromium at 360×740 with an empty cache, and sums every response gzip-compressed, as a
web server with gzip on would send it. Target (issue 3): ≤ 150 KB for a notice page.

    .venv/bin/python benchmarks/page_weight.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402
from generator.config import load_config  # noqa: E402

PAGES = {
    "首页 home": "",
    "乡镇 township": "t/yangmiao/",
    "村 village": "v/beixishang/",
    "年度 year": "v/beixishang/2024/",
    "财务 finance": "v/beixishang/2024/finance-2024q3/",
    "月度财务 monthly finance": "v/lucun/2024/finance-2024-07/",
    "决议 resolution": "v/beixishang/2024/resolution-2024-dashahe/",
    "实施 outcome": "v/beixishang/2024/outcome-2024-dashahe/",
    "承诺 commitments": "v/shaqiupu/2024/commitments-2024/",
    "践诺 progress": "v/beixishang/2024/progress-2024-07-08/",
    "评诺 review": "v/shaqiupu/2024/review-2024-12-23/",
    "搜索 search (with a query)": "search/?q=保洁",
}
TARGET_KB = 150


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(site: Path) -> list[tuple[str, int, int, int]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        for name, path in PAGES.items():
            context = browser.new_context(viewport={"width": 360, "height": 740})
            page = context.new_page()
            bodies: list[bytes] = []
            page.on("response", lambda response, into=bodies: into.append(response.body()) if response.ok else None)
            page.goto(base + path, wait_until="networkidle")
            raw = sum(len(b) for b in bodies)
            zipped = sum(len(gzip.compress(b, 6)) for b in bodies)
            rows.append((name, len(bodies), raw, zipped))
            context.close()
        browser.close()
    server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an already built site (default: build the sample)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            pipeline.build(ROOT / "data", site, load_config(ROOT / "mkdocs.yml"), dt.date(2026, 1, 15))
        rows = measure(site)
    print(f"{'page kind':<28}{'requests':>9}{'raw KB':>10}{'gzip KB':>10}")
    for name, count, raw, zipped in rows:
        print(f"{name:<28}{count:>9}{raw / 1024:>10.1f}{zipped / 1024:>10.1f}")
    notice_rows = [r for r in rows if r[0].split()[0] in ("财务", "月度财务", "决议", "实施", "承诺", "践诺", "评诺")]
    worst = max(r[3] for r in notice_rows) / 1024
    print(f"heaviest notice page: {worst:.1f} KB gzip (target ≤ {TARGET_KB} KB): {'OK' if worst <= TARGET_KB else 'OVER'}")


if __name__ == "__main__":
    main()
