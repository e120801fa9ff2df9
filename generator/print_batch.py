"""One print-ready PDF per township and period for the print shop.

A batch holds, for every village of the township, the notices of the period: the finance
notices of that quarter (or of its months, for villages that disclose monthly) and every
other notice dated within it. A cover sheet lists villages, notices and page counts; each
notice starts on a new sheet, so printing double-sided never puts two notices on one sheet.
The notices' own PDFs are reused as they are, never rendered again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from . import paths, render_pdf, templates
from .config import Config
from .model import PeriodKey
from .notices import KIND_NAMES, FinanceBody, Notice

KIND_ORDER = list(KIND_NAMES)


@dataclass(frozen=True)
class Part:
    notice: Notice
    pages: int
    first_page: int  # in the batch, counting the cover
    sheets: int


def batch_path(township_code: str, period: PeriodKey) -> str:
    return f"print/{township_code}/{period.code}.pdf"


def _in_period(notice: Notice, period: PeriodKey) -> bool:
    if isinstance(notice.body, FinanceBody):
        key = notice.body.period.key
        return period.start <= key.start and key.end <= period.end
    return period.start <= notice.date <= period.end


def members(notices: list[Notice], township_code: str, period: PeriodKey) -> list[Notice]:
    chosen = [n for n in notices if n.village.township_code == township_code and _in_period(n, period)]
    return sorted(chosen, key=lambda n: (n.village.code, KIND_ORDER.index(n.kind), n.date, n.id))


def periods_with_notices(notices: list[Notice]) -> list[tuple[str, PeriodKey]]:
    """Every (township, quarter) that has at least one notice: what the build prints."""
    found = set()
    for notice in notices:
        key = notice.body.period.key if isinstance(notice.body, FinanceBody) else PeriodKey.containing(notice.date, "Q")
        found.add((notice.village.township_code, PeriodKey.containing(key.start, "Q")))
    return sorted(found)


def _cover(township: str, period: PeriodKey, parts: list[Part], sheets: int, config: Config) -> bytes:
    html = templates.render("print_cover.html", township=township, period=period, parts=parts, sheets=sheets)
    return render_pdf.render_document(html, config)


def _append(writer: PdfWriter, pdf: bytes) -> int:
    """Append a PDF and pad it to an even page count; returns its own page count."""
    reader = PdfReader(io.BytesIO(pdf))
    writer.append(reader)
    count = len(reader.pages)
    if count % 2:
        last = reader.pages[-1].mediabox
        writer.add_blank_page(width=last.width, height=last.height)
    return count


def batch_pdf(site: Path, chosen: list[Notice], township: str, period: PeriodKey, config: Config) -> bytes:
    pdfs = [paths.located(site, n.pdf).read_bytes() for n in chosen]  # in the stage or kept in the site
    counts = [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs]
    # Lay out without the cover first, then with it: the cover's own length shifts page numbers.
    cover_pages = 1
    for _ in range(3):
        parts, page = [], cover_pages + cover_pages % 2 + 1
        for notice, count in zip(chosen, counts, strict=True):
            parts.append(Part(notice, count, page, (count + 1) // 2))
            page += count + count % 2
        sheets = (cover_pages + 1) // 2 + sum(p.sheets for p in parts)
        cover = _cover(township, period, parts, sheets, config)
        if len(PdfReader(io.BytesIO(cover)).pages) == cover_pages:
            break
        cover_pages = len(PdfReader(io.BytesIO(cover)).pages)
    writer = PdfWriter()
    _append(writer, cover)
    for pdf in pdfs:
        _append(writer, pdf)
    last_date = max(n.date for n in chosen)
    stamp = f"D:{last_date:%Y%m%d}000000+08'00'"
    writer.add_metadata({
        "/Title": f"{township}{period.label}村务公开张贴材料", "/Author": f"{township}人民政府",
        "/CreationDate": stamp, "/ModDate": stamp, "/Producer": "村务公开发布器",
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_batches(stage: Path, notices: list[Notice], config: Config) -> list[str]:
    """Every township's batch for every quarter with notices; returns the files written."""
    written = []
    for township_code, period in periods_with_notices(notices):
        chosen = members(notices, township_code, period)
        path = batch_path(township_code, period)
        paths.write_bytes(stage, path, batch_pdf(stage, chosen, chosen[0].village.township, period, config))
        written.append(path)
    return written
