"""Data downloads beside every notice: CSV in the contract's own columns, and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path

from . import forked, jsontext, paths, reuse, schema
from .notices import Notice, canonical_text, verification_code

DATAPACKAGE = "datapackage.json"

# A cell starting with these is run as a formula by Excel and WPS (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that spreadsheets show as text; numbers and dates pass unchanged."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _rows(kind: str, content: dict) -> tuple[str, list[dict]]:
    """The record kind whose columns the CSV uses, and its rows, from the canonical content."""
    if kind == "finance":
        return "finance", content["entries"]
    if kind in ("resolution", "outcome"):
        return "decisions", [content]
    if kind == "commitments":
        return "commitments", content["commitments"]
    if kind == "progress":
        return "commitment_progress", [progress for progress, _ in content["items"]]
    return "commitment_reviews", content["reviews"]


def notice_csv(notice: Notice, canonical: dict | None = None) -> bytes:
    """`canonical`: the notice's canonical() when the caller has it already (it is not kept)."""
    kind, rows = _rows(notice.kind, (canonical or notice.canonical())["content"])
    columns = schema.KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([safe_cell(row.get(c.key)) for c in columns])
    # UTF-8 with BOM: what Excel on Chinese Windows needs to open it without mojibake.
    return out.getvalue().encode("utf-8-sig")


def notice_json(notice: Notice, text: str | None = None) -> bytes:
    """The notice's content and hash: json.dumps({**canonical, "sha256": …}) with sorted keys,
    compact (json's C encoder only runs without indent). Made from `text`, the canonical_text
    its hash was taken of, by putting the hash in its place among the sorted top-level keys, after
    "kind" and before "title": the content is serialised once a notice, not twice (0.3 s less at 5,000).
    The last ',"title":' is the top-level one: only plain strings follow it, and a quote within a
    string is escaped."""
    text = text or canonical_text(notice.canonical())
    at = text.rindex(',"title":')
    return f'{text[:at]},"sha256":"{notice.sha256()}"{text[at:]}\n'.encode()


CATALOGUE_STAGE = "数据目录"  # the pipeline's step for datapackage.json (and the downloads of hashed notices)


def render_downloads(stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None) -> None:
    """Each notice's CSV and JSON, half of those to make by a forked copy of this process
    (forked). Where units may be carried (a rebuild), notices hashed already are keyed here
    first and those carried over left out: a copy made to carry 25,000 notices' downloads only
    slowed a county's rebuild, beside Pagefind on the other core."""
    carry = carry or reuse.Reuse.nothing(stage)
    to_make = notices
    if carry.can_carry:
        hashed = [notice for notice in notices if notice.hashed]
        missed = carry.carry_each([("data:" + n.id, n.sha256()) for n in hashed])
        # Those not hashed yet (new or changed content) and the hashed ones not carried, by position
        to_make = [notice for notice in notices if not notice.hashed] + [hashed[at] for at in missed]

    def work(part: list[Notice], _shown: int) -> list[str]:
        _write_downloads(stage, part, carry)
        return [notice.sha256() for notice in part]  # the copy's hashes, which later steps use here

    halves = forked.in_two(to_make, work, stage, carry)
    copied = to_make[len(halves[0]):]  # the forked copy's part, hashed there (none when done here alone)
    for notice, sha256 in zip(copied, halves[1] if copied else [], strict=True):
        notice.remember_hash(sha256)


def _write_downloads(stage: Path, notices: list[Notice], carry: reuse.Reuse) -> None:
    with paths.Writer() as writer:
        for notice in notices:
            # The content is walked at most once here, for both the hash (the key) and the files;
            # the notice keeps only the hash, which pages, verify codes and the manifest use later.
            # (A rebuild has hashed every notice already, to compare with the manifest.)
            canonical, text, sha256 = (None, None, notice.sha256()) if notice.hashed else notice.canonical_and_hash()
            # Both files are made from the content the hash is of: the hash is their key, as is
            # (not hashed again: 0.17 s of a county's rebuild). The code, settings and libraries
            # need not be in it: a record keyed under others has no units (reuse.read_record).
            unit, key = "data:" + notice.id, sha256
            if not carry.carry(unit, key):
                if canonical is None:
                    canonical = notice.canonical()
                    text = canonical_text(canonical)
                writer.write_bytes(stage, notice.data, notice_csv(notice, canonical))
                writer.write_bytes(stage, notice.json, notice_json(notice, text))
                carry.made_unit(unit, key, [notice.data, notice.json])


def render_datapackage(stage: Path, notices: list[Notice], carry: reuse.Reuse | None = None) -> None:
    """datapackage.json, listing every notice's downloads (written by render_downloads).

    Notices whose downloads were carried over have the very entries they had: those are
    copied from the published datapackage.json (when that has the bytes the last build
    recorded) in runs, not written again.
    """
    carry = carry or reuse.Reuse.nothing(stage)
    package = {
        "name": "cunwu-notices",
        "title": "村务公开公告数据",
        "description": "每份已发布公告的表格（CSV，列名与数据约定一致）和完整数据（JSON）。",
    }
    published = carry.published_bytes(DATAPACKAGE)
    listing = jsontext.PublishedList(published, "name") if published else None
    resources = _resources(notices, paths.written(stage), listing, carry)
    paths.write_bytes(stage, DATAPACKAGE, jsontext.indented_with_items(package, "resources", resources, 1))


def _resources(notices: list[Notice], written: dict[str, tuple[str, int, int]],
               listing: jsontext.PublishedList | None, carry: reuse.Reuse) -> Iterator:
    """datapackage.json's entries, made as it is written out (200,000 at county scale), or,
    for each run of notices whose downloads were carried (both entries as the last build
    wrote them: the same content, the key), copied from the published file when it has them
    in order under the same paths (each csv path is checked; the json's is beside it)."""
    def copy(run: list[Notice]) -> jsontext.Written | None:
        return listing.run(run[0].id + "-csv", run[-1].id + "-json", 2 * len(run),
                           (b'"path": ' + encode_basestring(notice.data).encode() for notice in run))

    return jsontext.in_runs(notices, lambda notice: listing is not None and carry.was_carried("data:" + notice.id),
                            copy, lambda notice: _entries(notice, written))


def _entries(notice: Notice, written: dict[str, tuple[str, int, int]]) -> Iterator[dict]:
    for path, fmt, media in ((notice.data, "csv", "text/csv"), (notice.json, "json", "application/json")):
        sha256, size, _ = written[path]
        yield {
            "name": f"{notice.id}-{fmt}", "path": path, "title": notice.title, "format": fmt,
            "mediatype": media, "encoding": "utf-8-sig" if fmt == "csv" else "utf-8",
            "bytes": size, "hash": "sha256:" + sha256,
        }


VERIFY_DIR = "verify/codes"


def render_verify_index(stage: Path, notices: list[Notice], superseded: list[dict],
                        carry: reuse.Reuse | None = None) -> None:
    """Verification codes → notices, sharded by the first two characters (a few KB per lookup).

    Each shard is a unit keyed by its notices' ids, hashes, versions and folders (the hash
    stands for the title and date it shows) and its corrected versions: a rebuild makes only
    the shards whose notices changed, not the 1,024 shards of 50,000 entries (0.6 s a county).
    """
    carry = carry or reuse.Reuse.nothing(stage)
    current = {n.id: n for n in notices}
    members: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        members[notice.code[:2]].append(notice)
    older: dict[str, list[dict]] = defaultdict(list)
    for entry in superseded:
        older[verification_code(entry["sha256"])[:2]].append(entry)
    for prefix in sorted(members.keys() | older.keys()):
        key = carry.key("verify", prefix, [[n.id, n.sha256(), n.version, n.folder] for n in members[prefix]],
                        older[prefix], [_current_folder(e, current) for e in older[prefix]])
        unit, file = "verify:" + prefix, f"{VERIFY_DIR}/{prefix}.json"
        if carry.carry(unit, key):
            continue
        shard = _verify_shard(members[prefix], older[prefix], current)
        text = json.dumps(shard, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        paths.write_text(stage, file, text + "\n")
        carry.made_unit(unit, key, [file])


def _verify_shard(notices: list[Notice], superseded: list[dict], current: dict[str, Notice]) -> dict[str, list[dict]]:
    """One shard: code → its notices (current first, in the build's order, then corrected versions)."""
    shard: dict[str, list[dict]] = {}
    for n in notices:
        shard.setdefault(n.code, []).append(
            {"id": n.id, "title": n.title, "date": n.date.isoformat(), "url": n.folder,
             "sha256": n.sha256(), "version": n.version, "status": "current"})
    for entry in superseded:
        shard.setdefault(verification_code(entry["sha256"]), []).append({
            "id": entry["id"], "title": entry["title"], "date": entry["date"],
            "url": entry["url"].removesuffix("index.html"), "sha256": entry["sha256"],
            "version": entry["version"], "status": "corrected", "corrected_on": entry["corrected_on"],
            "reason": entry["reason"], "current": _current_folder(entry, current),
        })
    return shard


def _current_folder(superseded: dict, current: dict[str, Notice]) -> str | None:
    """Where a corrected version's current one is published, if it still is."""
    newer = current.get(superseded["id"])
    return newer.folder if newer else None
