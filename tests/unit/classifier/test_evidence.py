"""No evidence ever carries a full personal number, whatever detector produced it."""
from __future__ import annotations

import pytest

from classifier import Document, analyze
from classifier.codes import ric_check_char
from classifier.evidence import mask_personal

ID = (lambda b: b + ric_check_char(b))("50019919470518213")


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"张桂兰 {ID} 300元", "张桂兰 500199********" + ID[-4:] + " 300元"),
        ("电话 13812345678。", "电话 138****5678。"),
        ("卡号 6222021234567890123", "卡号 6222***********0123"),
        ("订单 20261128", "订单 20261128"),
        ("已遮盖 500199********2136", "已遮盖 500199********2136"),
    ],
    ids=["id", "mobile", "card", "short-number", "already-masked"],
)
def test_mask_personal(text, expected):
    assert mask_personal(text) == expected


def test_secret_mark_evidence_masks_neighbouring_ids():
    text = f"机密★5年\n困难老人名单\n张桂兰 {ID}\n"
    [finding] = [d for d in analyze(Document(text=text)) if d.category == "secret_mark"]
    assert ID not in finding.evidence and "机密★5年" in finding.evidence
    assert finding.detail["line"] == 1


def test_configuring_one_detector_first_still_loads_them_all():
    import subprocess
    import sys

    code = ("from classifier.detectors import lexicon; lexicon.configure([]); "
            "from classifier.registry import all_detectors; print(len(all_detectors()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) >= 9
