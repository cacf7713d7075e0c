"""A last safeguard for evidence shown in reports and check results: long digit runs (ID and
bank-card numbers) and mobile numbers that a detector left unmasked around its hit are masked."""
from __future__ import annotations

import re

from classifier.evidence import mask_digits

#: 15-19 characters of digits (an ID may end in X), not part of a longer letter-digit run
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{14,18}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


def mask_context(evidence: str) -> str:
    """``evidence`` with unmasked ID/card numbers as 500114********1234 and mobiles as 138****1234."""
    evidence = _LONG_NUMBER.sub(lambda m: mask_digits(m.group(), 6, 4), evidence)
    return _MOBILE.sub(lambda m: mask_digits(m.group(), 3, 4), evidence)
