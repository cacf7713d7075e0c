"""The template filters the pages rely on: Beijing time, Chinese labels, autoescaping."""
from __future__ import annotations

import datetime as dt

import pytest

from orgwatch.web.templating import format_dt, severity_label, status_label, templates


@pytest.mark.parametrize("value, shown", [
    (dt.datetime(2026, 11, 28, 0, 30, tzinfo=dt.timezone.utc), "2026-11-28 08:30"),
    (dt.datetime(2026, 11, 28, 16, 5, tzinfo=dt.timezone.utc), "2026-11-29 00:05"),  # past midnight in Beijing
    (dt.date(2026, 11, 28), "2026-11-28"),
    (None, ""),
])
def test_dt_shows_beijing_time(value, shown):
    assert format_dt(value) == shown


def test_labels_and_category_names():
    assert [severity_label(s) for s in ("high", "medium", "low")] == ["高", "中", "低"]
    assert [status_label(s) for s in ("open", "acknowledged", "false_positive", "resolved")] == \
        ["待处理", "已确认", "误报", "已解决"]
    assert templates.env.filters["category_label"]("pii_id") == "身份证号"


def test_templates_escape_html():
    rendered = templates.env.from_string("{{ text }}").render(text="<script>alert(1)</script>")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered
