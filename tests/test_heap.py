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
