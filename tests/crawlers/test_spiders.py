"""A sweep over every spider, the website spider's idea of "the site", and the pipelines."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.internet.error import TCPTimedOutError
from twisted.python.failure import Failure

from crawlers.items import ChannelJob, FetchError, PageItem, event_from_json
from crawlers.pipelines import CheckEvent, CountEvents, HandOff
from crawlers.settings import scrapy_settings
from crawlers.spiders import SPIDERS
from crawlers.spiders.base import DEPTH, URL
from crawlers.spiders.feed import FeedSpider
from crawlers.spiders.website import SiteScope, WebsiteSpider, is_page_link, registrable_domain
from crawlers.spiders.weibo import post_html, timeline_posts


def make_spider(spider_cls, tmp_path: Path, url: str = "http://www.example.org.cn/", **settings):
    crawler = get_crawler(spider_cls, {**scrapy_settings(settings)})
    job = ChannelJob(key="org:0", org_id="org", kind=spider_cls.name, url=url)
    spider = spider_cls.from_crawler(crawler, channel=job, spool_dir=str(tmp_path))
    crawler.spider = spider
    return crawler, spider


@pytest.mark.parametrize("kind", sorted(SPIDERS))
def test_every_spider_is_documented_and_built_from_settings(kind: str, tmp_path: Path) -> None:
    spider_cls = SPIDERS[kind]
    assert spider_cls.name == kind
    doc = spider_cls.__doc__ or ""
    assert doc.startswith("Reads ") and "Arguments:" in doc
    _, spider = make_spider(spider_cls, tmp_path, max_pages=7, max_depth=2, max_bytes=1000)
    assert (spider.max_pages, spider.max_depth, spider.max_bytes) == (7, 2, 1000)
    assert spider.home_url == "http://www.example.org.cn/"


def test_request_budget_dedupe_and_conditional_headers(tmp_path: Path) -> None:
    crawler, spider = make_spider(WebsiteSpider, tmp_path, max_pages=2, max_depth=1, fetch_attachments=False)
    page = "http://www.example.org.cn/a.html"
    spider.known = {page: {"etag": '"v1"', "last_modified": "Tue, 01 Sep 2026 00:00:00 GMT", "hash": "0" * 64}}
    leaf = spider.make_request(page, callback=spider.parse_page, depth=1)
    assert leaf.headers.get("If-None-Match") == b'"v1"'
    assert spider.make_request(page, callback=spider.parse_page, depth=1) is None  # already requested
    # A page whose links are needed is not asked for conditionally (a 304 has no links) ...
    spider.known["http://www.example.org.cn/"] = {"etag": '"h"', "hash": "1" * 64}
    home = spider.make_request(spider.home_url, callback=spider.parse_page, depth=0)
    assert home.headers.get("If-None-Match") is None
    assert spider.make_request("http://www.example.org.cn/c.html", callback=spider.parse_page, depth=1) is None
    assert "max_pages = 2" in spider.done_event().truncated_reason
    # ... unless its previous body is still spooled.
    (tmp_path / f"{'1' * 64}.bin").write_bytes(b"<a href='x.html'>x</a>")
    _, spider2 = make_spider(WebsiteSpider, tmp_path)
    spider2.known = dict(spider.known)
    assert spider2.make_request(spider2.home_url, callback=spider2.parse_page, depth=0).headers.get("If-None-Match") == b'"h"'
    # ... or its links from the previous scan are known (even an empty list).
    _, spider3 = make_spider(WebsiteSpider, tmp_path / "elsewhere")
    spider3.known = {spider3.home_url: {"etag": '"h"', "hash": "2" * 64, "links": []}}
    assert spider3.make_request(spider3.home_url, callback=spider3.parse_page, depth=0).headers.get("If-None-Match") == b'"h"'


def test_pages_at_max_depth_are_read_in_full_for_their_documents(tmp_path: Path) -> None:
    _, spider = make_spider(WebsiteSpider, tmp_path, max_depth=1)
    spider.known = {"http://www.example.org.cn/a.html": {"etag": '"v1"', "hash": "0" * 64}}
    assert not spider.make_request("http://www.example.org.cn/a.html", callback=spider.parse_page, depth=1).headers
    assert spider.follows_links(1)


def test_close_for_another_reason_is_truncation(tmp_path: Path) -> None:
    _, spider = make_spider(WebsiteSpider, tmp_path)
    assert spider.done_event("finished").truncated is False
    done = spider.done_event("shutdown")
    assert (done.truncated_reason, done.truncated_by) == ("抓取提前结束（shutdown）", ["shutdown"])


def html_response(url: str, body: bytes, *, depth: int = 1, **meta: object) -> HtmlResponse:
    request = scrapy.Request(url, meta={URL: url, DEPTH: depth, **meta})
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=request)


def callback_output(output) -> list:
    """What a callback yields before it stops the channel (CloseSpider)."""
    items = []
    try:
        for item in output:
            items.append(item)
    except CloseSpider:
        pass
    return items


HOME_BODY = ("<html><head><meta charset='utf-8'><title>首页</title></head><body>"
             + "".join(f'<a href="/p{i}.html">栏目{i}</a>' for i in range(3)) + "<p>正文</p>" * 50 + "</body></html>").encode()


def test_answers_after_max_bytes_are_counted_not_read(tmp_path: Path) -> None:
    _, spider = make_spider(WebsiteSpider, tmp_path, max_bytes=len(HOME_BODY), fetch_attachments=False)
    home = callback_output(spider.parse_page(html_response(spider.home_url, HOME_BODY, depth=0)))
    assert [type(e) for e in home] == [PageItem]  # read; its links are beyond the budget
    # A page and a failure for requests that were already under way:
    late = html_response("http://www.example.org.cn/p9.html", HOME_BODY)
    assert callback_output(spider.parse_page(late)) == []
    failure = Failure(TCPTimedOutError())
    failure.request = scrapy.Request("http://www.example.org.cn/p8.html", meta={URL: "http://www.example.org.cn/p8.html"})
    assert list(spider.on_error(failure)) == []
    done = spider.done_event("max_bytes")
    assert (done.truncated_by, done.bytes, done.late_responses) == (["max_bytes"], 2 * len(HOME_BODY), 2)
    assert "下载量上限" in done.truncated_reason


def test_the_channel_url_is_read_even_after_max_bytes(tmp_path: Path) -> None:
    """robots.txt or a sitemap may spend a tiny budget before the home page arrives."""
    _, spider = make_spider(WebsiteSpider, tmp_path, max_bytes=10, fetch_attachments=False)
    robots = callback_output(spider.parse_robots(html_response(
        "http://www.example.org.cn/robots.txt", b"Sitemap: http://www.example.org.cn/sm.xml\n", depth=0)))
    assert robots == []  # the sitemap it names is not asked for
    home = callback_output(spider.parse_page(html_response(spider.home_url, HOME_BODY, depth=0)))
    assert [type(e) for e in home] == [PageItem]
    assert spider.done_event("max_bytes").late_responses == 0


def test_a_late_feed_article_is_read_from_the_feed(tmp_path: Path) -> None:
    _, spider = make_spider(FeedSpider, tmp_path, url="http://www.example.org.cn/rss.xml", max_bytes=1)
    spider.account(html_response(spider.home_url, b"<rss/>", depth=0))  # the feed spends the budget
    entry = {"index": 0, "id": "a1", "title": "活动通知", "link": "http://www.example.org.cn/a1.html",
             "published_at": "2026-11-01", "content": "<p>摘要</p>", "feed_url": spider.home_url, "feed_status": 200}
    late = html_response(entry["link"], HOME_BODY, orgwatch_entry=entry)
    (page,) = callback_output(spider.parse_item(late))
    assert (page.url, page.final_url, page.text) == (entry["link"], spider.home_url, "摘要")
    assert spider.done_event("max_bytes").late_responses == 1


@pytest.mark.parametrize(
    ("url", "inside"),
    [
        ("http://www.xiehui.org.cn/news/1.html", True),
        ("https://news.xiehui.org.cn/", True),
        ("http://xiehui.org.cn/", True),
        ("http://www.other.org.cn/", False),
        ("http://xiehui.org.cn.evil.com/", False),
        ("http://partner-cdn.com/files/a.html", True),  # extra host
        ("http://img.partner-cdn.com/a.html", True),
        ("http://10.0.0.5:8080/a", True),  # extra host with port
        ("http://10.0.0.5:8081/a", False),
    ],
)
def test_site_scope_by_registrable_domain(url: str, inside: bool) -> None:
    scope = SiteScope("http://www.xiehui.org.cn/", ["partner-cdn.com", "10.0.0.5:8080"])
    assert (url in scope) is inside


def test_site_scope_for_ip_sites_includes_the_port() -> None:
    scope = SiteScope("http://127.0.0.1:8000/index.html")
    assert "http://127.0.0.1:8000/a.html" in scope
    assert "http://127.0.0.1:8001/a.html" not in scope
    assert "http://127.0.0.1/a.html" not in scope
    assert "http://127.0.0.1:80/" in SiteScope("http://127.0.0.1/")


def test_registrable_domain_is_offline() -> None:
    assert registrable_domain("www.szjj.gov.cn") == "szjj.gov.cn"
    assert registrable_domain("a.b.example.com.cn") == "example.com.cn"
    assert registrable_domain("localhost") == "localhost"


@pytest.mark.parametrize(
    ("url", "page"),
    [
        ("http://x.cn/a.html", True), ("http://x.cn/list?page=2", True), ("http://x.cn/news/", True),
        ("http://x.cn/v1.2/about", True), ("http://x.cn/f/report.PDF", False), ("http://x.cn/a.docx", False),
        ("http://x.cn/img/logo.png", False), ("http://x.cn/a.zip?dl=1", False),
    ],
)
def test_is_page_link(url: str, page: bool) -> None:
    assert is_page_link(url) is page


def page_item(channel: str = "org:0") -> PageItem:
    return PageItem(channel=channel, url="http://x.cn/", final_url="http://x.cn/", status=200,
                    fetched_at="2026-11-28T00:00:00+00:00", title="标题", text="正文")


def test_pipelines_check_count_and_hand_off(tmp_path: Path) -> None:
    crawler, spider = make_spider(WebsiteSpider, tmp_path)
    with pytest.raises(DropItem):
        CheckEvent.from_crawler(crawler).process_item({"url": "http://x.cn/"})
    with pytest.raises(DropItem):
        CheckEvent.from_crawler(crawler).process_item(page_item("other:9"))
    counter = CountEvents.from_crawler(crawler)
    counter.process_item(page_item())
    counter.process_item(FetchError(channel="org:0", url="http://x.cn/b", reason="http", message="404"))
    spider.tally.bytes = 123

    out = tmp_path / "events.jsonl"
    fd = os.open(out, os.O_WRONLY | os.O_CREAT)
    try:
        handoff = HandOff(crawler, fd)
        handoff.process_item(page_item())
        handoff.spider_closed(spider, "finished")
    finally:
        os.close(fd)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["title"] == "标题"  # Chinese as is, one line per event
    assert event_from_json(lines[0]) == page_item()
    done = event_from_json(lines[1])
    assert (done.pages, done.errors, done.bytes, done.truncated) == (1, 1, 123, False)
    assert spider.channel_done_sent


@pytest.mark.parametrize(
    ("data", "ids"),
    [
        ({"data": {"cards": [{"mblog": {"id": 1}}, {"card_group": [{"mblog": {"id": "2"}}, {"mblog": {"id": 1}}]}]}}, ["1", "2"]),
        ({"cards": [{"mblog": {"id": 3}}, {"card_type": 58}, "odd", {"mblog": {"text": "no id"}}]}, ["3"]),
        ({"ok": 0, "msg": "请先登录"}, []), ([], []), ({"data": None}, []),
    ],
)
def test_weibo_timeline_posts(data: object, ids: list[str]) -> None:
    assert [str(p["id"]) for p in timeline_posts(data)] == ids


def test_weibo_repost_carries_the_original_text() -> None:
    html = post_html({"text": "转发微博", "retweeted_status": {"text": "原文内容", "user": {"screen_name": "民政局"}}})
    assert "转发微博" in html and "转发@民政局：" in html and "原文内容" in html
