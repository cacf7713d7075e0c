"""End-to-end crawls of the harder parts of small organisations' sites: sitemaps, attachments,
crawl traps, failing links, Weibo timelines, incremental re-scans, the private-network guard."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawlers.items import PageItem
from tests.crawlers import fixture_dynamic
from tests.crawlers.conftest import CrawlResult, channel, crawl
from tests.crawlers.fixture_site import FixtureServer

pytestmark = pytest.mark.timeout(180)
ID_NUMBER = fixture_dynamic.ID_NUMBER


@pytest.fixture(scope="module")
def run(site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One crawl of the feature sites, with a short timeout and small size limits. The timeout
    is 2 s (the slow page takes 4): at 1 s, connections to robots.txt sometimes timed out while
    the full suite loaded the machine."""
    fixture_dynamic.bomb()  # built before the crawl, so its first request is not slow
    return crawl(
        tmp_path_factory.mktemp("features"),
        [
            channel("sm:0", "website", site.url("/sm/index.html")),
            channel("docs:0", "website", site.url("/docs/index.html")),
            channel("trap:0", "website", site.url("/trap/index.html")),
            channel("err:0", "website", site.url("/errors/index.html")),
            channel("wb:0", "weibo", site.url("/weibo/timeline.json")),
            channel("wb:1", "weibo", site.url("/weibo/top-level.json")),
            channel("wb:2", "weibo", site.url("/weibo/login.json")),
        ],
        timeout=2.0, max_page_bytes=1_000_000, max_attachment_bytes=100_000, max_depth=60, max_pages=400,
        max_redirects=3,
    )


# -- sitemaps -------------------------------------------------------------------------------


def test_sitemaps_find_pages_no_link_reaches(run: CrawlResult, site: FixtureServer) -> None:
    urls = {p.url for p in run.pages("sm:0")}
    assert urls == {site.url(f"/sm/{name}.html") for name in ("index", "linked", "only-in-sitemap", "deep/orphan", "from-root")}
    orphan = run.page("sm:0", site.url("/sm/deep/orphan.html"))  # ;jsessionid=... dropped
    assert (orphan.depth, orphan.referer) == (1, site.url("/sm/sitemap-pages.xml"))
    assert not site.requested("/outside.html")


def test_sitemap_dead_entries_are_reported_with_the_sitemap_as_referer(run: CrawlResult, site: FixtureServer) -> None:
    errors = {e.url: e for e in run.errors("sm:0")}
    assert set(errors) == {site.url("/sm/gone.html"), site.url("/sm/sitemap-missing.xml")}
    assert errors[site.url("/sm/gone.html")].referer == site.url("/sm/sitemap-pages.xml")
    assert errors[site.url("/sm/sitemap-missing.xml")].referer == site.url("/sm/sitemap-index.xml")
    assert all((e.status, e.is_home) == (404, False) for e in errors.values())


def test_session_ids_are_dropped_from_links(run: CrawlResult, site: FixtureServer) -> None:
    home = run.page("sm:0", site.url("/sm/index.html"))
    assert home.links == [site.url("/sm/linked.html")]


# -- attachments ----------------------------------------------------------------------------


def attachment(run: CrawlResult, site: FixtureServer, path: str) -> PageItem:
    page = run.page("docs:0", site.url(path))
    assert (page.kind, page.referer, page.html) == ("attachment", site.url("/docs/index.html"), None)
    return page


def test_pdf_attachment(run: CrawlResult, site: FixtureServer) -> None:
    report = attachment(run, site, "/docs/report.pdf")
    assert report.readable and report.title == "2026年度工作报告" and report.content_type == "application/pdf"
    assert "二、财务收支：捐赠收入一百万元" in report.text
    assert report.first_page_text == "青禾公益服务中心2026年度工作报告\n一、基本情况"
    assert Path(report.raw_path).read_bytes()[:5] == b"%PDF-"
    assert attachment(run, site, "/docs/print-only.pdf").readable


def test_unreadable_pdfs_say_why(run: CrawlResult, site: FixtureServer) -> None:
    scan = attachment(run, site, "/docs/scan.pdf")
    assert (scan.readable, scan.text) == (False, "") and "扫描件" in scan.unreadable_reason
    locked = attachment(run, site, "/docs/locked.pdf")
    assert not locked.readable and "加密" in locked.unreadable_reason


def test_office_attachments(run: CrawlResult, site: FixtureServer) -> None:
    members = attachment(run, site, "/docs/members.xlsx")
    assert "工作表：原始名单（隐藏）" in members.text and f"李四\t{ID_NUMBER}" in members.text
    notice = attachment(run, site, "/docs/notice.docx")
    assert notice.title == "关于年检的通知"
    assert notice.first_page_text == "内部资料\n机密★1年\n关于开展年度检查的通知"
    assert "办公室\t王五" in notice.text and notice.text.endswith("青禾公益服务中心办公室")
    table = attachment(run, site, "/docs/table.xls")  # an HTML table saved as .xls
    assert table.readable and "赵六 13800138000" in table.text


@pytest.mark.parametrize(("path", "words"), [("/docs/old.doc", "旧版 Word"), ("/docs/old.wps", "WPS 文字"), ("/docs/old.et", "WPS 表格")])
def test_old_office_formats_are_not_readable_records(run: CrawlResult, site: FixtureServer, path: str, words: str) -> None:
    page = attachment(run, site, path)
    assert not page.readable and words in page.unreadable_reason


def test_text_attachments_and_names(run: CrawlResult, site: FixtureServer) -> None:
    notes = attachment(run, site, "/docs/notes.txt")
    assert notes.text == "活动须知\n请携带身份证原件。" and notes.encoding == "gb18030"
    named = attachment(run, site, "/docs/%E5%90%8D%E5%8D%95.txt")
    assert (named.title, named.text) == ("名单.txt", "名单：张三、李四")


def test_download_script_answering_with_a_spreadsheet(run: CrawlResult, site: FixtureServer) -> None:
    sheet = attachment(run, site, "/docs/download.jsp?id=7")
    assert sheet.title == "报名名单.xlsx" and ID_NUMBER in sheet.text


def test_attachment_failures_name_the_linking_page(run: CrawlResult, site: FixtureServer) -> None:
    errors = {e.url: e for e in run.errors("docs:0")}
    assert set(errors) == {site.url("/docs/huge.pdf"), site.url("/docs/missing.pdf")}
    huge = errors[site.url("/docs/huge.pdf")]
    assert huge.reason == "too_large" and huge.message.startswith("附件超过大小上限（100000 字节）")
    assert errors[site.url("/docs/missing.pdf")].status == 404
    assert all(e.referer == site.url("/docs/index.html") for e in errors.values())
    assert not site.requested("/docs/photo.jpg") and not site.requested("/docs/archive.zip")


# -- crawl traps ----------------------------------------------------------------------------


def test_crawl_traps_stop_and_are_reported_as_truncation(run: CrawlResult, site: FixtureServer) -> None:
    done = run.done("trap:0")
    assert done.truncated and done.truncated_by == ["crawl_trap"] and run.errors("trap:0") == []
    assert done.truncated_reason.startswith("疑似无限链接（日历、重复路径、不断变长的查询串）")
    urls = [p.url for p in run.pages("trap:0")]
    assert len(urls) < 100
    months = [u.split("m=")[1] for u in urls if "/cal/month" in u]
    assert max(months) == "2027-11" and min(months) >= "2024-01"
    assert site.url("/loop/a/b/a/b/") in urls and site.url("/loop/a/b/a/b/a/b/") not in urls
    assert not any("p6=1" in u for u in urls)


def test_published_date_from_the_url(run: CrawlResult, site: FixtureServer) -> None:
    page = run.page("trap:0", site.url("/news/2026/1125.html"))
    assert (page.published_at, page.published_source) == ("2026-11-25", "url")


# -- failing links --------------------------------------------------------------------------


def test_failing_links(run: CrawlResult, site: FixtureServer) -> None:
    errors = {e.url: e for e in run.errors("err:0")}
    assert set(errors) == {site.url(p) for p in ("/errors/missing.html", "/err500/index.html", "/redirect/a", "/slow.html", "/bomb.html")}
    assert all(e.referer == site.url("/errors/index.html") and not e.is_home for e in errors.values())
    assert (errors[site.url("/errors/missing.html")].status, errors[site.url("/err500/index.html")].status) == (404, 500)
    loop = errors[site.url("/redirect/a")]
    assert loop.reason == "redirect" and "循环" in loop.message
    slow = errors[site.url("/slow.html")]
    assert slow.reason == "timeout" and "2 秒" in slow.message
    bomb = errors[site.url("/bomb.html")]
    assert bomb.reason == "too_large" and "压缩炸弹" in bomb.message
    assert run.page("err:0", site.url("/errors/ok.html")).title == "正常页面"  # the crawl went on
    assert not run.done("err:0").truncated


# -- Weibo ----------------------------------------------------------------------------------


def test_weibo_timeline(run: CrawlResult, site: FixtureServer) -> None:
    posts = {p.url.rsplit("#", 1)[1]: p for p in run.pages("wb:0")}
    assert list(posts) == ["mblog-5001", "mblog-5002", "mblog-5003"]
    post = posts["mblog-5001"]
    assert post.kind == "weibo_post" and post.url == site.url("/weibo/timeline.json#mblog-5001")
    assert post.text == "明天上午在社区广场举办义诊活动，欢迎居民参加 #社区#\n咨询电话：010-12345678"
    assert (post.published_at, post.published_source) == ("2026-11-28", "weibo")
    assert post.title == post.text.replace("\n", " ")[:30]
    assert "转发@民政局：" in posts["mblog-5002"].text and "全市社会组织年检工作启动" in posts["mblog-5002"].text
    assert posts["mblog-5003"].published_at == "2026-11-02"
    assert [p.text for p in run.pages("wb:1")] == ["感谢志愿者们一年来的付出"]
    (error,) = run.errors("wb:2")
    assert error.is_home and "请先登录" in error.message and run.pages("wb:2") == []


# -- incremental ----------------------------------------------------------------------------


def test_rescan_with_known_links_asks_conditionally_and_reads_nothing_again(site: FixtureServer, tmp_path: Path) -> None:
    home = site.url("/docs/index.html")
    limits = {"max_attachment_bytes": 100_000}
    first = crawl(tmp_path / "one", [channel("inc:2", "website", home)], **limits)
    # As the scan service keeps them: no "links" entry when a page (or document) had none.
    known = {p.url: {k: v for k, v in (("etag", p.etag), ("last_modified", p.last_modified),
                                        ("hash", p.content_hash), ("links", p.links), ("kind", p.kind)) if v}
             for p in first.pages("inc:2")}
    before = len(site.requested("/docs/index.html"))
    # A fresh spool folder: the links come from ``known`` only.
    second = crawl(tmp_path / "two", [channel("inc:2", "website", home, known=known)], **limits)
    assert site.requested("/docs/index.html")[before].get("if-none-match") == known[home]["etag"]
    pages = {p.url: p for p in second.pages("inc:2")}
    assert set(pages) == set(known)
    assert all(p.unchanged and p.status == 304 and p.text == "" for p in pages.values())
    assert pages[home].links == []  # followed (every known page was read again), not sent back: they are stored
    assert site.requested("/docs/report.pdf")[-1].get("if-none-match")  # documents are asked conditionally
    assert pages[site.url("/docs/report.pdf")].kind == "attachment"
    assert pages[site.url("/docs/download.jsp?id=7")].kind == "attachment"
    assert second.done("inc:2").bytes < first.done("inc:2").bytes / 5


def test_attachments_can_be_switched_off(site: FixtureServer, tmp_path: Path) -> None:
    before = len(site.requests)
    result = crawl(tmp_path, [channel("noatt:0", "website", site.url("/docs/index.html"))], fetch_attachments=False)
    home = result.page("noatt:0", site.url("/docs/index.html"))
    assert [p.url for p in result.pages("noatt:0")] == [home.url] and site.url("/docs/report.pdf") in home.links
    fetched = [path for path, _ in site.requests[before:] if path.startswith("/docs/")]
    assert fetched == ["/docs/index.html", "/docs/download.jsp"]  # a page-like link is still read as a page


def test_a_host_name_resolving_to_loopback_is_refused(site: FixtureServer, tmp_path: Path) -> None:
    before = len(site.requests)
    url = site.url("/utf8/index.html").replace("127.0.0.1", "localhost")
    result = crawl(tmp_path, [channel("lan:1", "website", url)], allow_private_networks=False)
    (error,) = result.errors("lan:1")
    assert (error.reason, error.is_home) == ("private_network", True)
    assert "localhost" in error.message and "allow_private_networks" in error.message
    assert len(site.requests) == before
