"""The compliance score (0-100) of one organisation at the end of a week, and its formula in words."""
from __future__ import annotations

from dataclasses import dataclass

#: points taken off per open problem; the formula text below must say the same
WEIGHTS = {"high": 25, "medium": 10, "low": 3, "disclosure": 10, "unreachable": 15, "stale": 5}
#: categories counted by their own term instead of by severity
SEPARATE_CATEGORIES = ("disclosure_missing", "unreachable", "stale_channel")

FORMULA = (
    "合规分 = 100 − 25×高风险问题数 − 10×中风险问题数 − 3×低风险问题数 − 10×信息公开缺项数 "
    "− 15×无法访问的渠道数 − 5×长期未更新的渠道数，最低为 0。"
)
FORMULA_NOTES = (
    "只计本周末（周日 24:00，北京时间）仍未消除的问题；标为误报的问题不计。",
    "风险问题数不含信息公开缺项、无法访问和长期未更新，这三项按各自的条目单独扣分，不重复计算。",
    "到本周末为止从未被扫描过的机构不评分，显示“未扫描”。",
)


@dataclass(frozen=True)
class ScoreInputs:
    """What the score is computed from: open problems at the end of the week."""

    high: int = 0
    medium: int = 0
    low: int = 0
    disclosure: int = 0
    unreachable: int = 0
    stale: int = 0


def compliance_score(inputs: ScoreInputs) -> int:
    """``FORMULA`` applied to ``inputs``."""
    penalty = sum(WEIGHTS[name] * getattr(inputs, name) for name in WEIGHTS)
    return max(0, 100 - penalty)
