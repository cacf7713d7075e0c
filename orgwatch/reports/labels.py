"""Short Chinese names for categories and severities, and the chart's colours, in one place."""
from __future__ import annotations

from classifier.base import CATEGORIES

#: a column header's worth of words per category (the full titles are in config/basis.yaml)
CATEGORY_LABELS: dict[str, str] = {
    "pii_id": "身份证号",
    "pii_bank": "银行卡号",
    "pii_phone_list": "手机号名单",
    "secret_mark": "密级标志",
    "unqualified_fundraising": "无资格募捐",
    "fundraising_notice_incomplete": "募捐公示不全",
    "illegal_fundraising": "疑似非法集资",
    "spam_injected": "垃圾内容",
    "hidden_link": "暗链",
    "custom_lexicon": "本地词库",
    "disclosure_missing": "信息公开缺项",
    "stale_channel": "长期未更新",
    "broken_link": "失效链接",
    "unreachable": "无法访问",
    "defacement": "疑似篡改",
}
SEVERITIES = ("high", "medium", "low")
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}
CHANNEL_KINDS = {"website": "网站", "feed": "公众号源", "wechat_article": "公众号", "weibo": "微博"}

#: one colour per category, stable across reports (matplotlib's tab20, in category order)
_TAB20 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
)
CATEGORY_COLOURS = {c: _TAB20[i % len(_TAB20)] for i, c in enumerate(CATEGORIES)}


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)
