"""The journal: finance entries from the check cache stay unpickled until a village's are needed,
and everything made from them is as from entries loaded at once."""

import dataclasses
import datetime as dt
import pickle

import pytest

from generator import notices, pipeline
from generator.errors import PublisherError
from generator.journal import Books, Deferred, Journal
from generator.notices import FinanceBody
from generator.sample import write_sample
from tests.conftest import read_rows, write_rows

AS_OF = dt.date(2026, 12, 31)


@pytest.fixture
def corpus(tmp_path):
    """Six villages, each with its own finance file (as `generator sample` writes them)."""
    write_sample(tmp_path / "data", villages=6, years=2)
    return tmp_path / "data"


@pytest.fixture
def cached(config, tmp_path):
    return dataclasses.replace(config, cache_dir=tmp_path / "cache")


def _parts(journal: Journal) -> list:
    return journal._parts


def test_a_second_check_defers_every_finance_file_and_loads_none_of_them(corpus, cached):
    cold = pipeline.check(corpus, cached)
    warm = pipeline.check(corpus, cached)
    parts = _parts(warm.records.entries)
    assert len(parts) == len(list((corpus / "finance").glob("*.csv"))) > 1
    assert all(isinstance(part, Deferred) and not part.loaded for part in parts)
    assert list(warm.records.entries) == list(cold.records.entries)  # in the same order
    assert all(part.loaded for part in parts)  # iterating loads


def test_notices_from_deferred_entries_are_the_same_and_load_only_what_is_shown(corpus, cached):
    cold = notices.make_notices(pipeline.check(corpus, cached).records, cached)
    warm_records = pipeline.check(corpus, cached).records
    warm = notices.make_notices(warm_records, cached)
    assert not any(part.loaded for part in _parts(warm_records.entries))  # making notices reads no entry
    shown = next(n for n in warm if n.kind == "finance")
    shown_hash = shown.sha256()
    loaded = [part for part in _parts(warm_records.entries) if part.loaded]
    assert [part.villages for part in loaded] == [frozenset({shown.village.code})]
    assert [n.sha256() for n in warm] == [n.sha256() for n in cold]
    assert shown_hash == next(n for n in cold if n.id == shown.id).sha256()


def test_a_changed_village_loads_only_its_own_files_for_its_cross_record_checks(corpus, cached):
    pipeline.check(corpus, cached)
    periods = corpus / "finance_periods.csv"
    rows = read_rows(periods)
    village = rows[1][0]
    write_rows(periods, [rows[0], rows[2], rows[1], *rows[3:]])  # the same cells, its row numbers changed
    again = pipeline.check(corpus, cached)
    loaded = {code for part in _parts(again.records.entries) if part.loaded for code in part.villages}
    assert village in loaded and len(loaded) < 6


def test_books_give_each_book_as_entries_by_book_sorted(corpus, cached):
    cold = pipeline.check(corpus, cached).records
    warm = pipeline.check(corpus, cached).records
    expected = cold.entries_by_book()
    books = Books(warm.entries, warm.villages)
    for book, entries in expected.items():
        assert books.entries(book) == tuple(sorted(entries, key=lambda e: (e.date, e.voucher)))
    assert books.entries(("nowhere", None, next(iter(expected))[2])) == ()


def test_a_finance_body_pickles_with_its_entries_and_compares_by_them(corpus, cached):
    pipeline.check(corpus, cached)
    warm = notices.make_notices(pipeline.check(corpus, cached).records, cached)
    body = next(n for n in warm if n.kind == "finance").body
    again = pickle.loads(pickle.dumps(body))  # as sent to a rendering worker
    assert again.entries == body.entries and again == body and again.income == body.income
    assert FinanceBody.of(body.period, (), body.late) != body


def test_damaged_cached_entries_stop_the_build_with_a_message_in_chinese():
    part = Deferred(frozenset({"v1"}), "finance/v1.csv", [b"not a pickle."])
    with pytest.raises(PublisherError, match="finance/v1.csv.*已损坏.*删除 .cache/checks"):
        list(Journal([part]))


def test_a_cut_short_cache_block_is_checked_again(corpus, cached):
    cold = pipeline.check(corpus, cached)
    block = sorted((cached.cache / "checks").glob("block-finance-*.pickle"))[0]
    block.write_bytes(block.read_bytes()[:-1])  # its STOP opcode gone
    again = pipeline.check(corpus, cached)
    assert len(again.cache.read_again) == 1
    assert list(again.records.entries) == list(cold.records.entries)


def test_every_village_s_books_asked_for_read_each_file_once(corpus, cached, monkeypatch):
    """After a check that kept no hashes (validate, then build), every finance notice is made
    anew from deferred entries: each file is grouped by village once, not scanned again for
    every village after it (quadratic: 30 s for a county)."""
    cold = notices.make_notices(pipeline.check(corpus, cached).records, cached)
    warm_records = pipeline.check(corpus, cached).records
    calls = []
    records = Deferred.records
    monkeypatch.setattr(Deferred, "records", lambda part: calls.append(part.shown) or records(part))
    warm = notices.make_notices(warm_records, cached)
    assert [n.sha256() for n in warm] == [n.sha256() for n in cold]
    shown = [part.shown for part in _parts(warm_records.entries)]
    assert sorted(calls) == sorted(shown)  # each file's records taken once
