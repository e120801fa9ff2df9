"""Masking of ID, bank card and mobile numbers in free text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import privacy


def _id_with_check(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, privacy._ID_WEIGHTS, strict=True))
    return first17 + privacy._ID_CHECK[total % 11]


def _luhn(body: str) -> str:
    for digit in "0123456789":
        if privacy.luhn_ok(body + digit):
            return body + digit
    raise AssertionError


@pytest.mark.parametrize("text, expected", [
    ("身份证410811199001011234", "身份证410811********1234"),
    ("11010519491231002X", "110105********002X"),
    ("旧证410811900101123", "旧证410811*****1123"),
    ("卡号6222021234567890128", "卡号***************0128"),
    ("卡号 6222 0212 3456 7890 128", "卡号 ***************0128"),
    ("电话13812345678", "电话***********"),
    ("电话 138-1234-5678", "电话 ***********"),
    ("凭证2024070501 金额1234567.89 电话0391-3561201", "凭证2024070501 金额1234567.89 电话0391-3561201"),
])
def test_masking(text, expected):
    assert privacy.mask(text) == expected


@given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.text(max_size=5), st.text(max_size=5))
def test_no_id_number_survives(first17, before, after):
    number = _id_with_check(first17)
    text = privacy.mask(f"{before}张三{number}领款{after}")
    assert number not in text
    assert number[:6] + "********" + number[-4:] in text


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_no_bank_card_survives(body):
    number = _luhn(body)
    masked = privacy.mask(f"账号{number}")
    assert number not in masked and masked.endswith(number[-4:])


@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_no_mobile_survives(second, rest):
    number = "1" + second + rest
    assert number not in privacy.mask(f"联系{number}。")
