"""Records pickled for the check cache come back as the same frozen records, in any process."""

import dataclasses
import pickle
import subprocess
import sys

import pytest

from generator import pipeline
from generator.pickling import Pickled


def _one_of_each(records):
    found = [*records.villages.values(), *records.entries, *records.periods, *records.decisions,
             *records.commitments, *records.progress, *records.reviews, *records.corrections]
    found += [item.where for item in found if hasattr(item, "where")] + [p.key for p in records.periods]
    return list({type(item): item for item in found}.values())


def test_every_kind_of_record_comes_back_equal_and_frozen(data, config):
    records = pipeline.check(data, dataclasses.replace(config, cache_dir=None, mkdocs_file=None)).records
    items = _one_of_each(records)
    assert len({type(item).__name__ for item in items}) >= 9  # villages to reviews, places, periods
    for item in items:
        back = pickle.loads(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(back) is type(item) and isinstance(back, Pickled)
        assert back == item and hash(back) == hash(item)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(back, dataclasses.fields(back)[0].name, None)


def test_a_new_process_reads_them_back(data, config):
    records = pipeline.check(data, dataclasses.replace(config, cache_dir=None, mkdocs_file=None)).records
    items = _one_of_each(records)
    shown = subprocess.run([sys.executable, "-c", "import pickle, sys; print(repr(pickle.load(sys.stdin.buffer)))"],
                           input=pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL), capture_output=True, check=True)
    assert shown.stdout.decode("utf-8").strip() == repr(items)


def test_replaced_is_dataclasses_replace(data, config):
    """replaced() gives what dataclasses.replace does: an equal frozen record of the same class,
    with the named fields changed and the others (compared or not) as they were."""
    from generator.pickling import replaced

    records = pipeline.check(data, dataclasses.replace(config, cache_dir=None, mkdocs_file=None)).records
    for item in _one_of_each(records):
        first = dataclasses.fields(item)[0].name
        changes = {first: None}
        made, expected = replaced(item, **changes), dataclasses.replace(item, **changes)
        assert type(made) is type(expected) and made == expected and hash(made) == hash(expected)
        assert getattr(made, first) is None and getattr(item, first) is not None
        assert [getattr(made, f.name) for f in dataclasses.fields(item)[1:]] == \
            [getattr(item, f.name) for f in dataclasses.fields(item)[1:]]
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(made, first, 1)
