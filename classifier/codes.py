"""Check characters of the identifiers orgwatch meets: resident IDs and USCCs."""
from __future__ import annotations

import datetime as dt

from stdnum.cn import ric


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True if ``code`` is an 18-character USCC with a correct check character.

    Written here rather than with ``stdnum.cn.uscc``, which refuses codes whose
    first 8 characters are not all digits although the standard allows letters there.
    """
    code = code.strip().upper()
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


#: GB/T 2260 province-level codes: the first two digits of every resident ID.
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)


def _birth_ok(number: str, today: dt.date | None) -> bool:
    """Birth date YYYYMMDD at [6:14] (18 digits) or YYMMDD in the 1900s at [6:12] (15 digits)."""
    digits = number[6:14] if len(number) == 18 else "19" + number[6:12]
    try:
        birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= birth <= (today or dt.date.today())


def is_valid_ric(number: str, today: dt.date | None = None) -> bool:
    """True for an 18-character resident ID with a valid province, birth date and check character.

    The region is checked at province level: python-stdnum's region table lacks many
    county codes created since (500114, 黔江区, among them), and a real ID from such a
    county is still personal data.
    """
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    if number[:2] not in PROVINCES or not _birth_ok(number, today):
        return False
    return ric_check_char(number[:17]) == number[17]


def is_plausible_legacy_ric(number: str, today: dt.date | None = None) -> bool:
    """True for a 15-digit (pre-1999) resident ID whose province and 19YYMMDD date are plausible."""
    if len(number) != 15 or not number.isdigit() or number[:2] not in PROVINCES:
        return False
    return _birth_ok(number, today)


def ric_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a resident ID."""
    return ric.calc_check_digit(first17 + "0")  # stdnum expects the check position present
