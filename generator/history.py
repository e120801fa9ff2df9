"""What was published before: published notices never change silently; corrections are declared.

The previous build's manifest says which notices are out and what their content hash is.
A notice whose content would change stops the build, unless `data/corrections` declares a
更正 for it: then a new version is published, marked 更正, and the version it replaces is
kept beside it (folder `<notice>--v<n>/`), marked 已更正.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from markupsafe import escape

from . import chinese, paths
from .errors import Problems, PublisherError, Where
from .model import Correction
from .notices import Notice
from .schema import KINDS

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
HISTORY_DIR = "manifests"


@dataclass(frozen=True)
class Previous:
    """The last published manifest, its exact bytes, and the folder holding that site."""

    manifest: dict | None = None
    raw: bytes | None = None
    folder: Path | None = None
    path: Path | None = None  # where `raw` was read, to read it again once slim
    digest: str | None = None  # sha256 of `raw`, kept when slim

    @property
    def sha256(self) -> str | None:
        if self.digest is not None:
            return self.digest
        return hashlib.sha256(self.raw).hexdigest() if self.raw is not None else None

    def slim(self) -> Previous:
        """Without its notices, once held against this build's (100 MB of dicts at county scale),
        and without its bytes, read again for the manifest's chain (27 MB): what the rest of
        the build reads is the head."""
        if self.manifest is None:
            return self
        head = {key: value for key, value in self.manifest.items() if key not in ("notices", "superseded")}
        if self.path is None:
            return replace(self, manifest=head)
        return replace(self, manifest=head, raw=None, digest=self.sha256)

    def exact_bytes(self) -> bytes | None:
        """The manifest's bytes, read again when slim: they must be those read first."""
        if self.raw is not None or self.path is None:
            return self.raw
        try:
            raw = self.path.read_bytes()
        except OSError:
            raw = b""
        if hashlib.sha256(raw).hexdigest() != self.digest:
            raise PublisherError(f"上次发布的清单 {self.path} 在本次生成期间被改动，请重新生成")
        return raw

    def entries(self) -> dict[str, dict]:
        return {e["id"]: e for e in (self.manifest or {}).get("notices", [])}

    def superseded(self) -> list[dict]:
        return list((self.manifest or {}).get("superseded", []))

    def content_of(self, entry: dict) -> dict | None:
        """The canonical content of a published version, from its JSON download."""
        if self.folder is None:
            return None
        json_path = self.folder / (entry["data"].removesuffix(".csv") + ".json")
        try:
            return json.loads(json_path.read_text(encoding="utf-8"))["content"]
        except (OSError, ValueError, KeyError):
            return None


def read_previous(site_dir: Path, previous_file: Path | None = None) -> Previous:
    path = previous_file or site_dir / MANIFEST
    if not path.exists():
        if previous_file is not None:
            raise PublisherError(f"--previous 指定的清单文件不存在：{path}")
        return Previous()
    raw = path.read_bytes()
    try:
        manifest = json.loads(raw)
        manifest["notices"]  # noqa: B018 - a manifest without notices is not one of ours
    except (ValueError, KeyError, TypeError):
        raise PublisherError(f"上次发布的清单 {path} 已损坏，无法核对已发布的公告（可用 --previous 指定一份完好的清单）") from None
    return Previous(manifest, raw, path.parent, path)


def archive_folder(folder: str, version: int) -> str:
    return folder.rstrip("/") + f"--v{version}/"


@dataclass
class History:
    notices: list[Notice]
    superseded: list[dict] = field(default_factory=list)  # manifest entries of replaced versions
    new_archives: list[tuple[dict, Notice]] = field(default_factory=list)  # replaced this build


def _corrections_by_notice(corrections: list[Correction], every: dict[str, Notice], as_of: dt.date,
                           problems: Problems) -> dict[str, list[Correction]]:
    found: dict[str, list[Correction]] = defaultdict(list)
    for item in corrections:
        notice = every.get(item.notice)
        if notice is None:
            problems.error(replace(item.where, column="公告编号"), f'公告编号 "{item.notice}" 不存在（请从网站公告页面或 manifest.json 中复制）')
        elif item.date < notice.date:
            problems.error(replace(item.where, column="更正日期"), f"更正日期 {item.date} 早于公告的公布日期 {notice.date}")
        elif item.date <= as_of:
            found[item.notice].append(item)
    for items in found.values():
        items.sort(key=lambda c: (c.date, c.where.file, c.where.row or 0))
    return found


def apply(shown: list[Notice], every: list[Notice], corrections: list[Correction], previous: Previous,
          as_of: dt.date, problems: Problems) -> History:
    """Check published notices against the previous manifest and apply declared corrections."""
    declared = _corrections_by_notice(corrections, {n.id: n for n in every}, as_of, problems)
    before = previous.entries()
    superseded = previous.superseded()
    archived = {(e["id"], e["version"]): e for e in superseded}
    history = History([], superseded)
    for notice in shown:
        fixes = tuple(declared.get(notice.id, ()))
        entry = before.get(notice.id)
        if entry is None:
            history.notices.append(notice.changed(corrections=fixes))
            continue
        version = entry.get("version", 1)
        # Most notices have no correction: the notice itself, without comparing its fields (50,000 a county).
        unchanged = notice if not fixes and not notice.corrections else notice.changed(corrections=fixes[: version - 1])
        if unchanged.sha256() == entry["sha256"]:
            older = archived.get((notice.id, version - 1))
            if older is not None:  # keep showing what the last correction changed
                unchanged = unchanged.changed(original=previous.content_of(older),
                                    archive=older["url"].removesuffix("index.html"))
            history.notices.append(unchanged)
        elif len(fixes) >= version:
            corrected = notice.changed(corrections=fixes, original=previous.content_of(entry),
                                archive=archive_folder(notice.folder, version))
            history.notices.append(corrected)
            old = {**entry, "version": version, "url": corrected.archive + "index.html",
                   "pdf": corrected.archive + f"{notice.id}.pdf", "data": corrected.archive + f"{notice.id}.csv",
                   "corrected_on": fixes[version - 1].date.isoformat(), "reason": fixes[version - 1].reason}
            history.superseded.append(old)
            history.new_archives.append((entry, corrected))
        else:
            problems.error(notice.source, f"公告 {notice.id}（{notice.title}）已于 {entry['date']} 发布，本次数据会改变它的内容。"
                                          "已发布的公告不能悄悄修改；如确需更正，请在 data/corrections.csv 中登记公告编号、更正日期和更正原因")
    current = {n.id for n in shown}
    for notice_id, entry in before.items():
        if notice_id not in current:
            problems.error(Where(MANIFEST), f"已发布的公告 {notice_id}（{entry['title']}）在本次构建中不存在：已发布的公告不能删除"
                                            f"（如果是 --as-of 早于上次发布的 {previous.manifest['generated_as_of']}，请改用正确的日期）")
    return history


_ARTICLE = re.compile(r'<article class="notice notice--(\w+)" data-pagefind-body>')


def _mark_corrected(html: str, corrected: Notice) -> str:
    """The replaced version's own page, with a notice on top that it has been corrected."""
    fix = corrected.corrections[-1]
    banner = (f'<p class="corrected-banner"><strong>已更正</strong>：本公告已于{chinese.date_cn(fix.date)}更正'
              f'（原因：{escape(fix.reason)}）。<a href="../{corrected.slug}/">查看更正后的公告</a></p>')
    return _ARTICLE.sub(lambda m: f'<article class="notice notice--{m.group(1)} notice--superseded">{banner}', html, count=1)


def write_archives(stage: Path, history: History, previous: Previous) -> None:
    """Carry every earlier version into the new site, and archive the ones replaced now."""
    if previous.folder is None:
        return
    replaced_now = {archive_folder(n.folder, e.get("version", 1)) for e, n in history.new_archives}
    for entry in history.superseded:
        folder = entry["url"].removesuffix("index.html")
        source = previous.folder / folder
        if folder not in replaced_now and source.is_dir():
            for path in sorted(source.rglob("*")):  # through paths: the checksums list them
                if path.is_file():
                    paths.write_bytes(stage, folder + path.relative_to(source).as_posix(), path.read_bytes())
    for entry, corrected in history.new_archives:
        source = previous.folder / entry["url"].removesuffix("index.html")
        target = corrected.archive
        for name in (f"{corrected.id}.pdf", f"{corrected.id}.csv", f"{corrected.id}.json"):
            if (source / name).exists():
                paths.write_bytes(stage, target + name, (source / name).read_bytes())
        page = source / "index.html"
        if page.exists():
            paths.write_text(stage, target + "index.html", _mark_corrected(page.read_text(encoding="utf-8"), corrected))
        log.info("archived %s version %s at %s", corrected.id, entry.get("version", 1), target)


# How a change reads to a villager: field names as the clerk's columns name them.
_SKIP = {"income_subjects", "expense_subjects", "key", "where", "village", "group", "year", "flagged", "late"}
_LABELS = {
    "income": "收入", "expense": "支出", "opening": "期初余额", "closing": "期末余额", "period": "",
    "entries": "", "commitments": "", "items": "", "reviews": "", "passed": "表决结果",
}
_TOTALS = {"income": "本期收入", "expense": "本期支出", "closing": "期末余额（计算）"}


def _label(key: str, top: bool) -> str:
    if top and key in _TOTALS:
        return _TOTALS[key]
    if key in _LABELS:
        return _LABELS[key]
    return next((c.header for columns in KINDS.values() for c in columns if c.key == key), key)


def _flatten(value, prefix: str, out: dict[str, str], top: bool = True) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _SKIP:
                label = _label(key, top)
                _flatten(item, f"{prefix} {label}".strip() if label else prefix, out, top=False)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            name = item.get("voucher") or item.get("id") or item.get("name") if isinstance(item, dict) else None
            step = f"凭证 {name}" if isinstance(item, dict) and "voucher" in item else (name or f"第{index + 1}项")
            if isinstance(item, list):  # (progress, commitment) pairs: the progress row is what was posted
                item = item[0]
            _flatten(item, f"{prefix} {step}".strip(), out, top=False)
    elif isinstance(value, bool):
        out[prefix] = "通过" if value else "未通过"
    else:
        out[prefix] = "" if value is None else str(value)


def differences(original: dict | None, current: dict) -> list[tuple[str, str, str]]:
    """(what, before, after) for every value a correction changed, in the notice's order."""
    if original is None:
        return []
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    _flatten(original, "", before)
    _flatten(current, "", after)
    labels = list(after) + [k for k in before if k not in after]
    return [(k, before.get(k, "（无）") or "（未填写）", after.get(k, "（已删除）") or "（未填写）")
            for k in labels if before.get(k) != after.get(k)]
