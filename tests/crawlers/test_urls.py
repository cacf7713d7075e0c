"""URLs: the canonical form, crawl-trap detection, sitemaps and robots.txt."""
from __future__ import annotations

import datetime as dt
import gzip

import pytest

from crawlers.sitemaps import read_sitemap, sitemaps_in_robots
from crawlers.traps import CALENDAR_RUN, TrapDetector, repeating_path, url_date
from crawlers.urls import canonical, home_folder, is_document_link, is_page_link, site_root

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.org.cn:80/a.html#top", "http://x.org.cn/a.html"),
        ("https://x.org.cn:443/", "https://x.org.cn/"),
        ("https://x.org.cn:8443/", "https://x.org.cn:8443/"),
        ("http://x.org.cn/article.jsp?id=12&cat=3", "http://x.org.cn/article.jsp?cat=3&id=12"),
        ("http://x.org.cn/article.jsp;jsessionid=0A1B2C3D4E?id=12", "http://x.org.cn/article.jsp?id=12"),
        ("http://x.org.cn/a.php?PHPSESSID=abc123&page=2", "http://x.org.cn/a.php?page=2"),
        ("http://x.org.cn/a.asp?ASPSESSIONIDQQGGGQRT=KLMNOP&id=1", "http://x.org.cn/a.asp?id=1"),
        ("http://x.org.cn/a?JSESSIONID=1&sessionid=2", "http://x.org.cn/a"),
        ("http://x.org.cn/list.jsp?sid=3", "http://x.org.cn/list.jsp?sid=3"),  # a column id
        ("http://x.org.cn/list.jsp?sid=8f14e45fceea167a5a36dedd4bea2543", "http://x.org.cn/list.jsp"),
        ("http://x.org.cn/新闻/列表.html?q=年检", "http://x.org.cn/%E6%96%B0%E9%97%BB/%E5%88%97%E8%A1%A8.html?q=%E5%B9%B4%E6%A3%80"),
        ("HTTP://X.ORG.CN", "http://x.org.cn/"),
    ],
)
def test_canonical(url: str, expected: str) -> None:
    assert canonical(url) == expected


def test_url_helpers() -> None:
    assert home_folder("http://x.cn/org/index.html") == "http://x.cn/org/"
    assert home_folder("http://x.cn") == "http://x.cn/"
    assert site_root("https://x.cn:8443/a/b.html?x=1") == "https://x.cn:8443/"
    assert is_document_link("http://x.cn/a/名单.XLSX") and is_document_link("http://x.cn/a.et")
    assert not is_document_link("http://x.cn/a.zip") and not is_page_link("http://x.cn/a.wps")


@pytest.mark.parametrize(
    ("path", "trap"),
    [
        ("/a/b/a/b/a/b/", True), ("/a/a/a/", True), ("/x/a/b/c/a/b/c/a/b/c/index.html", True),
        ("/news/2026/11/a.html", False), ("/a/b/a/b/", False), ("/" + "/".join(f"s{i}" for i in range(31)), True),
    ],
)
def test_repeating_path(path: str, trap: bool) -> None:
    assert repeating_path(path) is trap


@pytest.mark.parametrize(
    ("url", "year", "month"),
    [
        ("http://x.cn/cal?month=2027-01", 2027, 1),
        ("http://x.cn/cal?date=20270105", 2027, 1),
        ("http://x.cn/cal?year=2027&month=3", 2027, 3),
        ("http://x.cn/cal/2027/01/", 2027, 1),
        ("http://x.cn/archive/2027-1.html", 2027, 1),
        ("http://x.cn/article.jsp?id=202701", None, None),  # an id, not a date
        ("http://x.cn/content/2101.html", None, None),
        ("http://x.cn/content/210112.html", None, None),
    ],
)
def test_url_date(url: str, year: int | None, month: int | None) -> None:
    found = url_date(url)
    assert (found.year, found.month) == (year, month) if found else (year, month) == (None, None)


def test_calendar_far_ahead_or_far_back_is_a_trap() -> None:
    detector = TrapDetector(TODAY)
    assert detector.check("http://x.cn/cal?month=2027-11") is None  # within a year
    assert detector.check("http://x.cn/cal?month=2027-12") == "calendar"
    assert detector.check("http://x.cn/cal/1989/12/") == "calendar"
    assert detector.check("http://x.cn/news/2031.html") is None


def test_calendar_run_backwards_is_a_trap() -> None:
    detector = TrapDetector(TODAY)
    referer, found = "http://x.cn/index.html", None
    for step in range(CALENDAR_RUN + 5):
        year, month = divmod(2026 * 12 + 10 - step, 12)
        url = f"http://x.cn/cal?month={year}-{month + 1:02d}"
        found = detector.check(url, referer, requests=step)
        if found:
            break
        referer = url
    assert found == "calendar" and step == CALENDAR_RUN + 1


def test_articles_listed_on_one_page_are_not_a_calendar_run() -> None:
    detector = TrapDetector(TODAY)
    assert all(detector.check(f"http://x.cn/news/2026/11/{d}.html", "http://x.cn/news/list.html") is None for d in range(1, 29))
    assert all(detector.check(f"http://x.cn/article.jsp?id={i}", "http://x.cn/list.jsp") is None for i in range(1, 500))


def test_growing_query() -> None:
    detector = TrapDetector(TODAY)
    assert detector.check("http://x.cn/s?" + "&".join(["k=1"] * 4)) == "growing_query"
    assert detector.check("http://x.cn/s?q=" + "x" * 401) == "growing_query"
    referer, kinds = "http://x.cn/s?a=1", []
    for n in range(8):
        url = f"{referer}&p{n}=1"
        kinds.append(detector.check(url, referer))
        referer = url
    assert kinds[:4] == [None] * 4 and "growing_query" in kinds
    assert detector.check("http://x.cn/list?page=2", "http://x.cn/list?page=1") is None


def test_trap_report_describes_what_was_stopped() -> None:
    detector = TrapDetector(TODAY)
    assert detector.report.describe() == ""
    detector.check("http://x.cn/a/a/a/", requests=7)
    detector.check("http://x.cn/cal?month=2030-01", requests=9)
    text = detector.report.describe()
    assert text.startswith("疑似无限链接（日历、重复路径）") and "第 7 个请求" in text
    assert "共 2 个" in text and "http://x.cn/a/a/a/" in text


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://x.cn/a.html</loc><lastmod>2026-11-01</lastmod></url><url><loc>/b.html</loc></url></urlset>"""


def test_sitemaps() -> None:
    found = read_sitemap(URLSET, "http://x.cn/sitemap.xml")
    assert (found.is_index, found.urls) == (False, ["http://x.cn/a.html", "http://x.cn/b.html"])
    index = read_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
                         b"<loc>http://x.cn/s1.xml.gz</loc></sitemap></sitemapindex>", "http://x.cn/")
    assert (index.is_index, index.urls) == (True, ["http://x.cn/s1.xml.gz"])
    assert read_sitemap(gzip.compress(URLSET), "http://x.cn/s.xml.gz").urls[0] == "http://x.cn/a.html"
    assert read_sitemap(gzip.compress(URLSET), "http://x.cn/s.xml.gz", max_size=100) is None
    assert read_sitemap(b"http://x.cn/1.html\nhttp://x.cn/2.html\n", "http://x.cn/s.txt").urls == ["http://x.cn/1.html", "http://x.cn/2.html"]
    assert read_sitemap(b"<html><body>404</body></html>", "http://x.cn/sitemap.xml") is None
    assert read_sitemap(b"", "http://x.cn/sitemap.xml") is None


def test_sitemaps_named_in_robots() -> None:
    robots = b"User-agent: *\nDisallow: /admin/\nSitemap: /sitemap_index.xml\nsitemap: http://x.cn/news.xml\nSitemap: /sitemap_index.xml\n"
    assert sitemaps_in_robots(robots, "http://x.cn/robots.txt") == ["http://x.cn/sitemap_index.xml", "http://x.cn/news.xml"]
