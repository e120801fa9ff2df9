"""The build's collector settings stay inside the build."""

import datetime as dt
import gc

from generator import heap, pipeline


def test_a_build_collects_rarely_and_leaves_the_collector_as_it_found_it(data, config, tmp_path, monkeypatch):
    seen = []
    prepare = pipeline.prepare

    def watched(*args, **kwargs):
        seen.append(gc.get_threshold())
        return prepare(*args, **kwargs)

    monkeypatch.setattr(pipeline, "prepare", watched)
    before = gc.get_threshold()
    pipeline.build(data, tmp_path / "site", config, dt.date(2025, 1, 31), pdfs=False)
    assert seen == [heap.BUILD_THRESHOLDS]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0  # the build's objects are collectable again


def test_settled_objects_are_left_out_of_collections_until_the_end():
    with heap.tuned():
        with heap.tuned():  # a check inside a build
            kept = [[] for _ in range(100)]
            heap.settled()
            assert gc.get_freeze_count() >= 100
        assert gc.get_threshold() == heap.BUILD_THRESHOLDS
        assert gc.get_freeze_count() >= 100
    assert gc.get_freeze_count() == 0
    assert len(kept) == 100


def test_settled_outside_a_build_freezes_nothing():
    heap.settled()
    assert gc.get_freeze_count() == 0


def test_kept_objects_are_never_collected_meanwhile_and_left_out_of_collections_inside_a_build():
    collections = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with heap.tuned():
            with heap.kept():
                made = [[] for _ in range(200_000)]  # four times the build's young threshold
                assert not gc.isenabled()
            assert gc.isenabled()
            assert gc.get_freeze_count() >= 200_000
            assert collections == []
            [[] for _ in range(heap.BUILD_THRESHOLDS[0] * 2)]  # noqa: B018 - young objects, to collect
        assert collections  # the collector runs again after
        assert gc.get_freeze_count() == 0
    finally:
        gc.callbacks.remove(count)
    assert len(made) == 200_000


def test_kept_outside_a_build_only_pauses_the_collector():
    gc.disable()
    try:
        with heap.kept():
            [[] for _ in range(1000)]  # noqa: B018
        assert not gc.isenabled()  # as it was: kept() does not switch on what the caller switched off
    finally:
        gc.enable()
    with heap.kept():
        made = [[] for _ in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    assert len(made) == 1000
