"""Which CJK font to embed: PDF size and coverage of rare name characters, measured.

For each candidate main face (with Noto Sans CJK SC slices as fallback for what it lacks,
as generator/fonts.py does), renders the one-page notices of the sample and the same
notices with rare name characters added, and reports their size; and counts how many of
a list of rare name characters the main face and the whole stack can print.
Candidates that are not installed are listed with the Debian package that has them.

    .venv/bin/python benchmarks/fonts.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import weasyprint
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader
from weasyprint.text.fonts import FontConfiguration

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import fonts, notices, pipeline, render_pdf  # noqa: E402
from generator.config import load_config  # noqa: E402

RARE_NAMES = "䶮𠮷堃喆犇淼昇玥珺瑄彧燊垚鑫焱赟昉晟旻曌龑龘丌亓乜"
CANDIDATES = [
    ("WenQuanYi Micro Hei", (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),), "fonts-wqy-microhei"),
    ("WenQuanYi Zen Hei", (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),), "fonts-wqy-zenhei"),
    ("Droid Sans Fallback", (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),), "fonts-droid-fallback"),
    ("AR PL UMing CN", (Path("/usr/share/fonts/truetype/arphic/uming.ttc"),), "fonts-arphic-uming"),
]
NOTO = "Noto Sans CJK SC (whole, as shipped)"


def cmap_of(spec) -> set[int]:
    name, paths, _ = spec
    path = next(p for p in paths if p.exists())
    if path.suffix == ".ttc":
        font = next(f for f in TTCollection(str(path), lazy=True).fonts if f["name"].getDebugName(4) == name)
    else:
        font = TTFont(str(path), lazy=True)
    return set(font.getBestCmap())


def render(html_pages: list[str], css: str) -> list[int]:
    font_config = FontConfiguration()  # without it @font-face is ignored and host fonts are used
    sheet = weasyprint.CSS(string=css + (render_pdf.PRINT_DIR / "print.css").read_text(encoding="utf-8"),
                           font_config=font_config)
    return [len(weasyprint.HTML(string=h, base_url=str(render_pdf.PRINT_DIR)).write_pdf(
        stylesheets=[sheet], font_config=font_config)) for h in html_pages]


def main() -> None:
    config = load_config(ROOT / "mkdocs.yml")
    checked = pipeline.check(ROOT / "data", config)
    shown = notices.published(notices.make_notices(checked.records, config), dt.date(2026, 1, 15))
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        render_pdf.render_pdfs(stage, shown, config, dt.date(2026, 1, 15))
        one_page = [n for n in shown if len(PdfReader(stage / n.pdf).pages) == 1][:6]
    plain = [render_pdf.print_html(n, config, dt.date(2026, 1, 15)) for n in one_page]
    rare = [h.replace("<h1>", f"<h1>{RARE_NAMES[:2]} ", 1) for h in plain]
    rare_set = {ord(c) for c in RARE_NAMES}
    noto_cmap = cmap_of(fonts.RARE)
    print(f"{len(one_page)} one-page notices; rare name characters tested: {RARE_NAMES}")
    print(f"{'main face':<38}{'KB/notice':>10}{'+䶮𠮷 KB':>10}{'rare: main':>11}{'stack':>7}")
    noto_face = fonts.Face("Notice CJK", config.cache / "noto-whole.otf")
    fonts._face(fonts.RARE[1][0], fonts.RARE[0]).save(str(noto_face.path))
    for label, css, main_cmap, stack_cmap in [
        (NOTO, fonts.font_css([noto_face]), noto_cmap, noto_cmap),
        *[
            (spec[0], fonts.font_css(fonts.faces(config.cache, spec)), cmap_of(spec), cmap_of(spec) | noto_cmap)
            for spec in CANDIDATES if any(p.exists() for p in spec[1])
        ],
    ]:
        sizes, rare_sizes = render(plain, css), render(rare, css)
        print(f"{label:<38}{sum(sizes) / len(sizes) / 1024:>10.1f}{sum(rare_sizes) / len(rare_sizes) / 1024:>10.1f}"
              f"{len(rare_set & main_cmap):>8}/{len(rare_set)}{len(rare_set & stack_cmap):>4}/{len(rare_set)}")
    noto_face.path.unlink()
    for spec in CANDIDATES:
        if not any(p.exists() for p in spec[1]):
            print(f"not installed: {spec[0]} (apt-get install {spec[2]})")
    print(f"chosen by generator/fonts.py: {fonts.MAIN[0]} + Noto Sans CJK SC slices")


if __name__ == "__main__":
    main()
