"""The compliance score: the formula as written in the report, table-driven."""
from __future__ import annotations

import re

import pytest

from orgwatch.reports.score import FORMULA, WEIGHTS, ScoreInputs, compliance_score


@pytest.mark.parametrize("inputs, expected", [
    (ScoreInputs(), 100),
    (ScoreInputs(high=1), 75),
    (ScoreInputs(medium=2, low=1), 77),
    (ScoreInputs(disclosure=1, stale=1), 85),
    (ScoreInputs(unreachable=1), 85),
    (ScoreInputs(high=2, medium=1, low=1, disclosure=1, unreachable=0, stale=1), 22),
    (ScoreInputs(high=4), 0),
    (ScoreInputs(high=9, unreachable=3), 0),  # floored at 0
])
def test_score(inputs, expected):
    assert compliance_score(inputs) == expected


def test_formula_text_states_the_weights_used():
    numbers = [int(n) for n in re.findall(r"− (\d+)×", FORMULA)]
    assert numbers == [WEIGHTS[k] for k in ("high", "medium", "low", "disclosure", "unreachable", "stale")]
    assert FORMULA.startswith("合规分 = 100") and "最低为 0" in FORMULA
