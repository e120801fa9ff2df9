"""Checking a published site against its manifest chain: nothing changed, nothing silently.

Every file must match checksums.json, whose hash is in manifest.json; every notice's JSON
must hash to the manifest's sha256; and each older manifest in manifests/ must hash to the
pointer that names it, with every notice it lists either still there unchanged or replaced
by a declared correction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .history import HISTORY_DIR, MANIFEST
from .publish import CHECKSUMS, interrupted


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notices: int = 0
    files: int = 0
    manifests: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(document: dict) -> str:
    """The notice hash from its JSON download, computed as notices.Notice.sha256 does."""
    canonical = {key: value for key, value in document.items() if key != "sha256"}
    text = json.dumps(canonical, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _sha(text.encode("utf-8"))


def _load(path: Path, report: Report, what: str) -> dict | None:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        report.problems.append(f"缺少{what}：{path.name}")
    except ValueError:
        report.problems.append(f"{what}已损坏，无法读取：{path.name}")
    return None


def _check_files(site: Path, manifest: dict, report: Report) -> None:
    raw = (site / CHECKSUMS).read_bytes() if (site / CHECKSUMS).exists() else None
    if raw is None:
        report.problems.append(f"缺少文件清单 {CHECKSUMS}")
        return
    if _sha(raw) != manifest.get("checksums"):
        report.problems.append(f"{CHECKSUMS} 与 {MANIFEST} 中记录的哈希不符（文件清单被改动过）")
    sums = json.loads(raw)
    for relative, expected in sums.items():
        path = site / relative
        if not path.is_file():
            report.problems.append(f"文件缺失：{relative}")
        elif _sha(path.read_bytes()) != expected:
            report.problems.append(f"文件与清单不符（被改动过）：{relative}")
    for path in sorted(site.rglob("*")):
        relative = path.relative_to(site).as_posix()
        if path.is_file() and relative not in sums and relative not in (MANIFEST, CHECKSUMS) \
                and not relative.startswith(HISTORY_DIR + "/"):
            report.problems.append(f"清单中没有的文件：{relative}")
    report.files = len(sums)


def _check_notices(site: Path, manifest: dict, report: Report) -> None:
    for entry in [*manifest.get("notices", []), *manifest.get("superseded", [])]:
        json_path = site / (entry["data"].removesuffix(".csv") + ".json")
        document = _load(json_path, report, f"公告 {entry['id']} 的数据文件")
        if document is not None and content_hash(document) != entry["sha256"]:
            report.problems.append(f"公告 {entry['id']}（{entry['title']}）的内容与清单中的哈希不符")
    report.notices = len(manifest.get("notices", []))


def _check_chain(site: Path, manifest: dict, report: Report) -> None:
    newer, pointer, seen = manifest, manifest.get("previous"), set()
    while pointer:
        if pointer in seen:
            report.problems.append(f"清单链出现循环：{pointer}")
            return
        seen.add(pointer)
        path = site / HISTORY_DIR / f"{pointer}.json"
        if not path.is_file():
            report.problems.append(f"历史清单缺失：{HISTORY_DIR}/{pointer}.json")
            return
        raw = path.read_bytes()
        if _sha(raw) != pointer:
            report.problems.append(f"历史清单被改动过：{HISTORY_DIR}/{pointer}.json")
            return
        older = json.loads(raw)
        now = {e["id"]: e["sha256"] for e in newer.get("notices", [])}
        replaced = {(e["id"], e["sha256"]) for e in newer.get("superseded", [])}
        for entry in older.get("notices", []):
            if now.get(entry["id"]) != entry["sha256"] and (entry["id"], entry["sha256"]) not in replaced:
                report.problems.append(f"公告 {entry['id']} 在 {older['generated_as_of']} 发布后被改动或删除，却没有更正记录")
        report.manifests += 1
        newer, pointer = older, older.get("previous")


def verify_site(site: Path) -> Report:
    report = Report()
    if interrupted(site):
        report.problems.append("上次生成网站时在更新文件的过程中被中断，网站新旧混杂：再运行一次 build 即可完成更新")
    manifest = _load(site / MANIFEST, report, "发布清单")
    if manifest is None:
        return report
    _check_files(site, manifest, report)
    _check_notices(site, manifest, report)
    _check_chain(site, manifest, report)
    return report
