"""The HTML form: escaping, links, the chart, and an empty week."""
from __future__ import annotations

import datetime as dt

from models.db import Database
from orgwatch.reports.chart import trend_svg
from orgwatch.reports.data import build_report
from orgwatch.reports.render import link, marked, render_html
from orgwatch.reports.week import Week


def test_evidence_is_escaped_and_the_hit_marked():
    html = str(marked('<script>alert(1)</script> 名单 【500199********0213】 <a href="x">'))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>【500199********0213】</mark>" in html and '<a href="x">' not in html


def test_only_web_addresses_become_links():
    shown = str(link("https://a.example.org/?q=1&x=<y>"))
    assert shown.startswith('<a class="url" href="https://a.example.org/?q=1&amp;x=&lt;y&gt;"')
    assert "<a" not in str(link("javascript:alert(1)"))
    assert "—" in str(link(""))


def test_chart_is_inline_svg_and_reproducible():
    args = (["11/16", "11/23"], {"pii_id": [1, 2], "secret_mark": [0, 1]}, {"pii_id": [0, 1]})
    svg = trend_svg(*args)
    assert svg.startswith("<svg") and 'class="chart"' in svg and "<?xml" not in svg
    assert 'width="' not in svg.split(">", 1)[0], "scales with the page"
    assert svg == trend_svg(*args)


def test_an_empty_database_gives_a_readable_report(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    db.migrate()
    with db.session() as s:
        report = build_report(s, Week(2026, 48), dt.date(2026, 12, 2))
    db.dispose()
    html = render_html(report)
    assert "范围内没有机构" in html and "本周没有新发现的高风险问题" in html and "没有未送达的通知" in html
    assert "<svg" in html
