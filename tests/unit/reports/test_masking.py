"""The last safeguard on evidence: numbers a detector left unmasked around its hit."""
from __future__ import annotations

import pytest

from orgwatch.reports.masking import mask_context


@pytest.mark.parametrize("evidence, expected", [
    ("第一页 【机密★5年】 张桂兰 500199194705182136", "第一页 【机密★5年】 张桂兰 500199********2136"),
    ("编号 50019919470518213X 结束", "编号 500199********213X 结束"),
    ("卡号 6222021234567890123", "卡号 622202*********0123"),
    ("电话 13812345678，", "电话 138****5678，"),
    ("【500199********2136】", "【500199********2136】"),  # already masked
    ("订单 A2026112812345678901234", "订单 A2026112812345678901234"),  # part of a longer run
    ("座机 023-12345678", "座机 023-12345678"),
    ("", ""),
])
def test_mask_context(evidence, expected):
    assert mask_context(evidence) == expected
