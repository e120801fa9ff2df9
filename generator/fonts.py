"""The CJK fonts embedded in every PDF, prepared once from files the set-up installs.

Chosen by measurement (benchmarks/fonts.py): WenQuanYi Micro Hei as the main face keeps a
one-page notice small, and Noto Sans CJK SC, cut into small slices by code point, prints
every rare name character the main face lacks (䶮, 𠮷, …). Slicing matters because
WeasyPrint's subsetter keeps glyph ids: a glyph late in a 65,000-glyph font drags tens of
thousands of empty glyph slots into the PDF, while in a slice of a few hundred it costs little.
Output never depends on the host's other fonts: the print CSS loads exactly these files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from .errors import PublisherError

MAIN = ("WenQuanYi Micro Hei", (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),), "fonts-wqy-microhei")
RARE = ("Noto Sans CJK SC", (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),), "fonts-noto-cjk")
SLICE = 512  # code points per rare slice: small enough that an unused glyph slot costs little
FAMILY = "Notice CJK"


@dataclass(frozen=True)
class Face:
    family: str
    path: Path


def _source(spec) -> Path:
    name, candidates, package = spec
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        raise PublisherError(f"未找到字体 {name}（请先运行 bash scripts/setup.sh 安装 {package}）")
    return found


def _face(collection: Path, name: str) -> TTFont:
    for font in TTCollection(str(collection), lazy=True).fonts:
        if font["name"].getDebugName(4) == name:
            font.recalcTimestamp = False  # keep the font's own date: same input, same PDF bytes
            return font
    raise PublisherError(f"字体文件 {collection} 中没有 {name}")


_DIGESTS: dict[tuple, str] = {}


def _digest(*paths: Path) -> str:
    """A name for the prepared fonts, from the sources' contents (read once per process)."""
    signature = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    if signature not in _DIGESTS:
        digest = hashlib.sha256(f"v1 slice={SLICE} {paths[0].name}".encode())
        for path in paths:
            digest.update(path.read_bytes())
        _DIGESTS[signature] = digest.hexdigest()[:16]
    return _DIGESTS[signature]


def _slices(rare: TTFont, main_cmap: set[int], folder: Path) -> list[str]:
    """Save the rare face's code points the main face lacks as small fonts; returns file names."""
    missing = sorted(set(rare.getBestCmap()) - main_cmap)
    options = subset.Options(
        layout_features=[], hinting=False, desubroutinize=True, notdef_outline=True,
        name_IDs=["*"], glyph_names=False, retain_gids=False,
    )
    options.recalc_timestamp = False
    whole = folder / "rare-all.otf"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=missing)
    subsetter.subset(rare)
    rare.save(str(whole))
    names = []
    for number, start in enumerate(range(0, len(missing), SLICE), start=1):
        font = TTFont(str(whole), recalcTimestamp=False)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=missing[start:start + SLICE])
        subsetter.subset(font)
        name = f"rare-{number:02d}.otf"
        font.save(str(folder / name))
        names.append(name)
    whole.unlink()
    return names


def faces(cache_dir: Path, main_spec=MAIN) -> list[Face]:
    """The font files in fallback order, made once per machine into the cache folder.

    `main_spec` (name, candidate files, Debian package) is there for benchmarks/fonts.py,
    which measures other main faces the same way.
    """
    main_source, rare_source = _source(main_spec), _source(RARE)
    folder = cache_dir / "fonts" / _digest(main_source, rare_source)
    index = folder / "faces.json"
    if not index.exists():
        partial = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        main = _face(main_source, main_spec[0]) if main_source.suffix == ".ttc" else TTFont(str(main_source), recalcTimestamp=False)
        main.save(str(partial / "main.ttf"))
        slices = _slices(_face(rare_source, RARE[0]), set(main.getBestCmap()), partial)
        (partial / "faces.json").write_text(json.dumps(["main.ttf", *slices]), encoding="utf-8")
        try:
            partial.rename(folder)  # atomic: a parallel build never sees half a folder
        except OSError:
            shutil.rmtree(partial)  # another build made it first
    files = json.loads(index.read_text(encoding="utf-8"))
    return [Face(FAMILY if n == 0 else f"{FAMILY} {n:02d}", folder / name) for n, name in enumerate(files)]


def font_css(faces_: list[Face]) -> str:
    """@font-face rules for every face, and the fallback stack that uses them in order."""
    rules = [f'@font-face {{ font-family: "{f.family}"; src: url("{f.path.resolve().as_uri()}"); }}' for f in faces_]
    stack = ", ".join(f'"{f.family}"' for f in faces_)
    return "\n".join(rules) + f"\nhtml {{ font-family: {stack}; }}\n@page {{ font-family: {stack}; }}\n"
