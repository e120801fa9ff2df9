"""Records → notices: ids, URLs, dates, windows and what is published as of a date."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from generator import notices, pipeline
from generator.errors import Where

from .conftest import set_cell


def _notices(data, config):
    result = pipeline.check(data, config)
    assert not result.errors
    return {n.id: n for n in notices.make_notices(result.records, config)}


def test_every_kind_with_stable_ids_and_urls(data, config):
    found = _notices(data, config)
    assert sorted(found) == [
        "beixishang-commitments-2024",
        "beixishang-finance-2024q2",
        "beixishang-finance-2024q3",
        "beixishang-finance-2024q3-g3",
        "beixishang-outcome-2024-road",
        "beixishang-progress-2024-04-08",
        "beixishang-resolution-2024-road",
        "beixishang-review-2024-12-23",
        "lucun-finance-2024-07",
        "lucun-resolution-2024-pond",
    ]
    q3 = found["beixishang-finance-2024q3"]
    assert q3.url == "v/beixishang/2024/finance-2024q3/index.html"
    assert q3.pdf == "v/beixishang/2024/finance-2024q3/beixishang-finance-2024q3.pdf"
    assert q3.data == "v/beixishang/2024/finance-2024q3/beixishang-finance-2024q3.csv"
    assert q3.title == "北西尚村2024年第三季度财务收支公开"
    assert found["beixishang-finance-2024q3-g3"].title == "北西尚村第三村民小组2024年第三季度财务收支公开"
    assert found["lucun-resolution-2024-pond"].title == "鹿村关于村集体坑塘对外发包的决议公开"


def test_finance_figures_and_window(data, config):
    q3 = _notices(data, config)["beixishang-finance-2024q3"]
    body = q3.body
    assert (body.period.opening, body.income, body.expense, body.closing) == (
        Decimal("1000.00"), Decimal("15000.00"), Decimal("2025.00"), Decimal("13975.00"))
    assert [g.subject for g in body.income_subjects] == ["补助收入"]
    assert [(g.subject, g.expense) for g in body.expense_subjects] == [("管理费用", Decimal("2025.00"))]
    assert (q3.date, q3.window_end, q3.late) == (dt.date(2024, 10, 8), dt.date(2024, 10, 14), False)
    group = _notices(data, config)["beixishang-finance-2024q3-g3"]
    assert group.window_end == dt.date(2024, 10, 17)  # its own 公示天数 of 10


def test_finance_sums_are_worked_out_when_first_asked_for_and_stay_in_the_content(data, config):
    """A rebuild carries most finance notices by their kept hash, so making them does not
    sum them; their content (hash, JSON download) still holds every figure, in field order."""
    q3 = _notices(data, config)["beixishang-finance-2024q3"]
    assert q3.body._worked is None
    content = notices.plain(q3.body)
    assert list(content) == ["period", "entries", "income_subjects", "expense_subjects",
                             "income", "expense", "closing", "late"]
    assert (content["income"], content["expense"], content["closing"]) == ("15000.00", "2025.00", "13975.00")
    assert [g["subject"] for g in content["expense_subjects"]] == ["管理费用"]
    assert q3.body._worked is not None
    again = _notices(data, config)["beixishang-finance-2024q3"]
    assert again.body == q3.body and again.sha256() == q3.sha256()  # worked out or not, the same


def test_default_publish_date_and_late_flag(data, config):
    set_cell(data / "finance_periods.csv", 5, "公布日期", "")
    set_cell(data / "finance_periods.csv", 5, "审核日期", "2024-07-31")
    assert _notices(data, config)["lucun-finance-2024-07"].date == dt.date(2024, 8, 1)
    set_cell(data / "finance_periods.csv", 5, "公布日期", "2024-08-12")
    assert _notices(data, config)["lucun-finance-2024-07"].late


def test_ids_do_not_depend_on_figures(data, config):
    before = _notices(data, config)
    set_cell(data / "finance.csv", 3, "支出", "1,000.00")
    set_cell(data / "finance_periods.csv", 3, "期末余额", "")
    after = _notices(data, config)
    assert before.keys() == after.keys()
    assert before["beixishang-finance-2024q3"].sha256() != after["beixishang-finance-2024q3"].sha256()
    assert before["lucun-finance-2024-07"].sha256() == after["lucun-finance-2024-07"].sha256()


def test_published_as_of(data, config):
    every = list(_notices(data, config).values())
    shown = {n.id for n in notices.published(every, dt.date(2024, 10, 8))}
    assert "beixishang-finance-2024q3" in shown
    assert "beixishang-outcome-2024-road" in shown
    assert "beixishang-review-2024-12-23" not in shown
    assert not notices.published(every, dt.date(2024, 2, 25))


def test_newest_first_is_by_date_then_id_both_descending(data, config):
    every = list(_notices(data, config).values())
    newest = notices.newest_first(every)
    assert [(n.date, n.id) for n in newest] == sorted(((n.date, n.id) for n in every), reverse=True)
    same_day = [n for n in newest if n.date == newest[0].date]
    assert len({n.date for n in every}) < len(every)  # some share a date: the id decides
    assert [n.id for n in same_day] == sorted((n.id for n in same_day), reverse=True)


def test_review_flag_at_threshold(data, config):
    review = _notices(data, config)["beixishang-review-2024-12-23"]
    assert [r.flagged for r in review.body.reviews] == [True]


def test_resolution_notice_does_not_change_when_the_outcome_arrives(data, config):
    before = _notices(data, config)["beixishang-resolution-2024-road"]
    assert before.body.outcome == "" and before.body.outcome_published is None
    set_cell(data / "decisions.csv", 2, "实施情况", "工程已完工，决算 472,350.00 元")
    after = _notices(data, config)
    assert after["beixishang-resolution-2024-road"].sha256() == before.sha256()
    assert after["beixishang-outcome-2024-road"].body.outcome == "工程已完工，决算 472,350.00 元"


def test_plain_turns_records_of_any_width_into_data():
    @dataclasses.dataclass
    class Empty:
        where: Where

    @dataclasses.dataclass
    class One:
        amount: Decimal
        where: Where

    @dataclasses.dataclass
    class Two:
        day: dt.date
        items: tuple

    here = Where("f.csv", 2)
    assert notices.plain(Empty(here)) == {}
    assert notices.plain(One(Decimal("3.5"), here)) == {"amount": "3.50"}
    assert notices.plain(Two(dt.date(2024, 10, 8), (One(Decimal("1"), here), None))) == {
        "day": "2024-10-08", "items": [{"amount": "1.00"}, None]}


@pytest.mark.parametrize("sha256", ["0" * 64, "f" * 64, "0123456789abcdef" * 4, "fedcba9876543210" * 4,
                                    "a5" * 32, "5a" * 32, "84211248c0" + "0" * 54])
def test_the_verification_code_is_the_hashs_first_40_bits_in_crockfords_base32(sha256):
    import base64

    from generator.notices import verification_code

    standard = base64.b32encode(bytes.fromhex(sha256[:10])).decode("ascii")  # 40 bits: 8 characters
    crockford = standard.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ"))
    assert verification_code(sha256) == f"{crockford[:4]}-{crockford[4:]}"
