"""A build killed at any moment leaves either the old site or the new one, never a mix that stays."""

import os
import random
import shutil
import signal
import subprocess
import sys
import time

from generator import publish, reuse

from .conftest import ROOT, add_row
from .test_publish import tree

BUILD = [sys.executable, "-m", "generator", "build", "--as-of", "2025-01-31"]


def _build(data, site, env=None):
    subprocess.run([*BUILD, "--data", str(data), "--site", str(site)], cwd=ROOT, check=True, capture_output=True,
                   env=env)


def test_killed_builds_leave_old_or_new_site(data, tmp_path):
    old_site, new_site, site = tmp_path / "old", tmp_path / "new", tmp_path / "site"
    _build(data, old_site)
    old = tree(old_site)
    # A new notice (published notices may not change silently, so the new site adds one).
    add_row(data / "commitment_progress.csv", {"村代码": "beixishang", "年度": "2024", "承诺编号": "2024-01",
                                              "进展": "已完成全年任务的80%", "状态": "进行中", "公开日期": "2024-10-09"})
    shutil.copytree(old_site, new_site)  # the new site is built on the old one: its manifest chains to it
    started = time.monotonic()
    _build(data, new_site)
    duration = time.monotonic() - started
    new = tree(new_site)
    assert old != new
    chance = random.Random(20241008)
    outcomes = []
    temp = tmp_path / "temp"  # the builds' temp folder: work folders belong beside the stage
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    for _ in range(8):
        shutil.rmtree(site, ignore_errors=True)
        shutil.copytree(old_site, site)
        process = subprocess.Popen([*BUILD, "--data", str(data), "--site", str(site)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(chance.uniform(0.05, duration * 1.1))
        os.killpg(process.pid, signal.SIGKILL)  # the build and any PDF workers it started
        process.wait()
        now = tree(site)
        assert now in (old, new)
        outcomes.append("new" if now == new else "old")
    # The next build clears what the killed ones left behind, and completes.
    _build(data, site, env)
    assert tree(site) == new
    assert not list(tmp_path.glob(".site.building-*"))
    # Only what a killed process's libraries leave may stay (ctypes' gcc probe: tmp*, cc*).
    assert [p.name for p in temp.iterdir() if p.name.startswith("cunwu-")] == []
    assert len(outcomes) == 8


def test_killed_rebuilds_in_place_leave_old_or_new_site(data, tmp_path, config):
    """A rebuild moves only its changed files into the published site. Killed at any moment,
    the site is the old or the new one once a move cut short is finished, which the next
    build (or any command reading the site) does first."""
    site, kept = tmp_path / "site", tmp_path / "kept"
    _build(data, site)
    old = tree(site)
    record = reuse.record_file(config, site)
    shutil.copytree(site, kept)  # copy2 keeps the mtimes, so the build's record still describes it
    kept_record = record.read_bytes()
    folder = site.stat().st_ino
    add_row(data / "commitment_progress.csv", {"村代码": "beixishang", "年度": "2024", "承诺编号": "2024-01",
                                              "进展": "已完成全年任务的80%", "状态": "进行中", "公开日期": "2024-10-09"})
    started = time.monotonic()
    _build(data, site)
    duration = time.monotonic() - started
    new = tree(site)
    assert site.stat().st_ino == folder  # moved into the site in place, not swapped in whole
    chance = random.Random(20241009)
    for _ in range(6):
        shutil.rmtree(site)
        shutil.copytree(kept, site)
        record.write_bytes(kept_record)
        process = subprocess.Popen([*BUILD, "--data", str(data), "--site", str(site)], cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(chance.uniform(0.05, duration * 1.1))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        publish.finish_interrupted(site)
        assert tree(site) in (old, new)
    _build(data, site)
    assert tree(site) == new
    assert not list(tmp_path.glob(".site.building-*")) and not list(tmp_path.glob(".site.moving*"))
