"""Half of the rendering in a forked copy of the build: the same files, recorded as if made here."""

import dataclasses
import datetime as dt
import hashlib
import json
import os
import time

import pytest

from generator import forked, paths, pipeline, reuse
from generator.errors import UnsafePathError

from .conftest import SAMPLE
from .test_publish import tree

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not forked._two_cores(), reason="needs fork and 2 cores")


def _stage(tmp_path):
    stage = tmp_path / "stage"
    stage.mkdir()
    paths.forget(stage)
    return stage, reuse.Reuse.nothing(stage)


def _writer(stage, carry, fail_on=None, pids=None):
    def work(part, shown):
        if pids is not None:
            with open(pids, "a", encoding="utf-8") as record:  # each process adds its line
                record.write(f"{os.getpid()}\n")
        for item in part:
            if item == fail_on:
                raise UnsafePathError(f"输出路径不安全：'{item}'")
            relative = f"n/{item}/index.html"
            paths.write_bytes(stage, relative, f"page {item}".encode())
            carry.made_unit(f"page:{item}", f"key {item}", [relative])
        return os.getpid(), list(part), shown
    return work


def _copies(pids):
    """The pids the work ran in other than this one's: the copy's, if it got as far as starting."""
    return [int(pid) for pid in pids.read_text().split() if int(pid) != os.getpid()] if pids.exists() else []


def _assert_waited_for(children):
    for pid in children:
        with pytest.raises(ChildProcessError):  # reaped: no longer a child of this process
            os.waitpid(pid, os.WNOHANG)


def test_the_second_half_is_made_by_another_process_and_recorded_here(tmp_path):
    stage, carry = _stage(tmp_path)
    items = list(range(forked.MINIMUM + 7))
    (mine_pid, mine, mine_shown), (their_pid, theirs, their_shown) = forked.in_two(items, _writer(stage, carry), stage, carry)
    assert mine_pid == os.getpid() != their_pid
    assert mine + theirs == items and abs(len(mine) - len(theirs)) <= 1
    assert (mine_shown, their_shown) == (2, 0)  # only this process reports progress, for both
    done = paths.written(stage)
    for item in items:
        content = f"page {item}".encode()
        assert (stage / f"n/{item}/index.html").read_bytes() == content
        assert done[f"n/{item}/index.html"][:2] == (hashlib.sha256(content).hexdigest(), len(content))
        assert carry.units[f"page:{item}"] == [f"key {item}", [f"n/{item}/index.html"]]
    assert carry.made == len(items)
    _assert_waited_for([their_pid])


def test_a_short_list_is_done_here_alone(tmp_path):
    stage, carry = _stage(tmp_path)
    [(pid, part, shown)] = forked.in_two(list(range(forked.MINIMUM - 1)), _writer(stage, carry), stage, carry)
    assert (pid, len(part), shown) == (os.getpid(), forked.MINIMUM - 1, 1)


def test_no_copy_where_two_of_this_process_would_pass_the_memory_budget(tmp_path, monkeypatch):
    stage, carry = _stage(tmp_path)
    monkeypatch.setattr(forked, "MEMORY_BUDGET", forked._resident())
    [(pid, _, shown)] = forked.in_two(list(range(forked.MINIMUM)), _writer(stage, carry), stage, carry)
    assert (pid, shown) == (os.getpid(), 1)


def test_an_error_in_the_copy_is_raised_here(tmp_path):
    stage, carry = _stage(tmp_path)
    items = list(range(forked.MINIMUM + 1))
    pids = tmp_path / "pids"
    with pytest.raises(UnsafePathError, match=f"输出路径不安全：'{items[-1]}'"):
        forked.in_two(items, _writer(stage, carry, fail_on=items[-1], pids=pids), stage, carry)
    _assert_waited_for(_copies(pids))


def test_an_error_here_stops_the_copy(tmp_path):
    stage, carry = _stage(tmp_path)
    pids = tmp_path / "pids"
    with pytest.raises(UnsafePathError):
        forked.in_two(list(range(forked.MINIMUM + 1)), _writer(stage, carry, fail_on=0, pids=pids), stage, carry)
    _assert_waited_for(_copies(pids))


def test_a_copy_that_dies_is_an_error_not_half_a_site(tmp_path):
    stage, carry = _stage(tmp_path)

    def work(part, shown):
        if shown == 0:
            os._exit(3)  # as if killed: nothing sent back
        return part

    with pytest.raises(forked.CopyLost, match=r"子进程意外退出（状态 \d+），网站没有改动"):
        forked.in_two(list(range(forked.MINIMUM)), work, stage, carry)


def test_under_an_overlay_the_copy_s_files_are_the_ones_put_under_the_stage(tmp_path):
    stage, carry = _stage(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    paths.overlay(stage, str(site), [])
    items = list(range(forked.MINIMUM))
    forked.in_two(items, _writer(stage, carry), stage, carry)
    assert paths.rewritten(stage) == {f"n/{item}/index.html" for item in items}


def test_a_build_split_in_two_is_byte_identical_and_recorded_whole(config, tmp_path, sample_site, monkeypatch):
    site, _ = sample_site
    monkeypatch.setattr(forked, "MINIMUM", 2)
    split = tmp_path / "split"
    pipeline.build(SAMPLE, split, config, dt.date(2026, 1, 15))
    assert tree(split) == tree(site)
    # The copy's units and files are in the build record, for the next build to carry.
    record = reuse.read_record(reuse.record_file(config, split))
    manifest = json.loads((split / "manifest.json").read_text(encoding="utf-8"))["notices"]
    assert len(manifest) > 20
    for notice in manifest:
        assert {"page:" + notice["url"], "data:" + notice["id"]} <= record["units"].keys()
        assert {notice["url"], notice["data"]} <= record["files"].keys()


def test_a_rebuild_shares_out_only_what_it_makes(config, data, tmp_path, monkeypatch):
    """Pages and downloads carried over are carried here: a copy gets only what is made."""
    from .conftest import add_row
    from .test_reuse import NEW_PROGRESS

    config = dataclasses.replace(config, cache_dir=tmp_path / "cache")
    site = tmp_path / "site"
    monkeypatch.setattr(forked, "MINIMUM", 2)
    shared = []
    in_two = forked.in_two
    monkeypatch.setattr(forked, "in_two", lambda items, *rest: shared.append(len(items)) or in_two(items, *rest))
    first = pipeline.build(data, site, config, dt.date(2026, 1, 15), pdfs=False)
    assert max(shared) == len(first.published)  # a first build: every page and download is made, in two
    shared.clear()
    add_row(data / "commitment_progress.csv", NEW_PROGRESS)
    again = pipeline.build(data, site, config, dt.date(2026, 1, 15), pdfs=False)
    assert len(again.published) == len(first.published) + 1
    assert shared and max(shared) <= 3  # the new notice and those that show it, not all of them


def test_without_a_lock_to_share_there_is_no_dealer(monkeypatch):
    import multiprocessing

    def no_sem_open(*args, **kwargs):
        raise ImportError("This platform lacks a functioning sem_open implementation")

    monkeypatch.setattr(multiprocessing, "Value", no_sem_open)
    assert forked.Dealer.made() is None


def test_a_dealer_deals_each_number_once_to_this_process_and_its_copy():
    dealer = forked.Dealer.made()

    def taken() -> list[int]:
        numbers = []
        while (index := dealer.take()) < 2000:
            numbers.append(index)
        return numbers

    copy = forked.Beside(taken)
    time.sleep(0.1)  # the copy is taking by now
    mine = taken()
    theirs = copy.result()
    assert sorted(mine + theirs) == list(range(2000)) and theirs
