"""Masking of personal identifiers (ID, bank card and mobile numbers) in free text.

PIPL Arts. 13/25/28 and 政府信息公开条例 Art. 15: a list that names people shows only what
identifies them enough. IDs keep region and last four (410811********1234), bank cards
only the last four, mobile numbers nothing.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# A run of digits (optionally written in groups with spaces or dashes) not glued to more digits.
_RUN = re.compile(r"(?<![0-9])(?:\d[ -]?){10,18}[\dXx](?![0-9A-Za-z])")


# A cheap first look: every pattern _RUN masks has at least 11 digits within 22 characters.
_LONG_DIGITS = re.compile(r"\d(?:[ -]?\d){10}")


def id_check_ok(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _mask_run(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"[ -]", "", text)
    if len(digits) == 18 and digits[:17].isdigit() and (id_check_ok(digits) or digits[-1] in "Xx"):
        return digits[:6] + "*" * 8 + digits[-4:]
    if not digits.isdigit():
        return text
    if len(digits) == 18 and not luhn_ok(digits):
        # An 18-digit number failing both checks is most likely a mistyped ID: hide it.
        return digits[:6] + "*" * 8 + digits[-4:]
    if len(digits) == 15 and not luhn_ok(digits):
        return digits[:6] + "*" * 5 + digits[-4:]
    if 16 <= len(digits) <= 19 and luhn_ok(digits):
        return "*" * (len(digits) - 4) + digits[-4:]
    if len(digits) == 11 and re.fullmatch(r"1[3-9]\d{9}", digits):
        return "*" * 11
    return text


def mask(text: str) -> str:
    """The text with every ID, bank card and mobile number in it masked."""
    if not text or not _LONG_DIGITS.search(text):
        return text  # fewer than 11 digits close together: nothing to mask (most cells)
    return _RUN.sub(_mask_run, text)
