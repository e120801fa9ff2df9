"""The CJK font embedded in every PDF, taken from a file the set-up installs.

Output must not depend on which fonts a host happens to have: the print CSS loads this
one file with @font-face. Debian's fonts-noto-cjk ships a collection (.ttc); the
Simplified Chinese face is extracted once into the cache, since @font-face takes a face.
"""

from __future__ import annotations

import os
from pathlib import Path

from fontTools.ttLib import TTCollection

from .errors import PublisherError

FONT_NAME = "NotoSansCJKsc-Regular.otf"
FACE = "Noto Sans CJK SC"
COLLECTIONS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"),
)


def cjk_font(cache_dir: Path) -> Path:
    target = cache_dir / "fonts" / FONT_NAME
    if target.exists():
        return target
    source = next((p for p in COLLECTIONS if p.exists()), None)
    if source is None:
        raise PublisherError("未找到中文字体 NotoSansCJK-Regular.ttc（请先运行 bash scripts/setup.sh 安装 fonts-noto-cjk）")
    collection = TTCollection(str(source))
    face = next((f for f in collection.fonts if f["name"].getDebugName(4) == FACE), None)
    if face is None:
        raise PublisherError(f"字体文件 {source} 中没有 {FACE}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    face.save(str(partial))
    partial.replace(target)  # atomic, so parallel builds never read half a font
    return target
