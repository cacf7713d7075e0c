"""End-to-end crawls through :func:`crawlers.runner.run_crawl` (a real child process) against
the fixture sites on 127.0.0.1."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crawlers.items import ChannelDone, PageItem
from tests.crawlers.conftest import CrawlResult, channel, crawl
from tests.crawlers.fixture_site import FixtureServer

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def full(site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One crawl of every kind of channel at once, as a scan would run it."""
    return crawl(
        tmp_path_factory.mktemp("full"),
        [
            channel("utf8:0", "website", site.url("/utf8/index.html")),
            channel("enc:0", "website", site.url("/enc/index.html")),
            channel("down:0", "website", site.url("/err500/index.html")),
            channel("rss:0", "feed", site.url("/feed/rss.xml")),
            channel("atom:0", "feed", site.url("/feed/atom.xml")),
            channel("wx:0", "wechat_article", site.url("/wechat/s/abc.html")),
        ],
        max_depth=3,
    )


def test_every_channel_ends_with_its_channel_done(full: CrawlResult) -> None:
    keys = ["utf8:0", "enc:0", "down:0", "rss:0", "atom:0", "wx:0"]
    for key in keys:
        events = [e for e in full.events if e.channel == key]
        assert isinstance(events[-1], ChannelDone), key
        done = full.done(key)
        assert (done.pages, done.errors) == (len(full.pages(key)), len(full.errors(key)))
        assert not done.truncated


def test_website_follows_in_site_links_to_the_depth_limit(full: CrawlResult, site: FixtureServer) -> None:
    pages = {p.url: p for p in full.pages("utf8:0") if p.kind == "page"}
    assert set(pages) == {
        site.url("/utf8/index.html"),
        site.url("/utf8/about.html"),
        site.url("/utf8/news/list.html"),
        site.url("/utf8/news/2026/activity.html"),
        site.url("/utf8/news/2026/archive/old.html"),  # depth 3 = max_depth
    }
    assert pages[site.url("/utf8/news/2026/archive/old.html")].depth == 3
    assert pages[site.url("/utf8/news/2026/activity.html")].referer == site.url("/utf8/news/list.html")
    assert not site.requested("/utf8/news/2026/archive/older.html")  # depth 4


def test_home_page_reads_like_a_visitor_sees_it(full: CrawlResult, site: FixtureServer) -> None:
    home = full.page("utf8:0", site.url("/utf8/index.html"))
    assert home.status == 200 and home.kind == "page" and home.depth == 0
    assert home.title == "青禾公益服务中心 - 首页"
    assert "青禾公益服务中心是经民政部门登记的民办非企业单位" in home.text
    assert "青禾公益服务中心欢迎您" in home.text  # the banner's alt text
    for hidden in ("脚本里的文字", "模板中的文字", "请启用脚本", ".banner"):
        assert hidden not in home.text
    assert "青禾公益服务中心是经民政部门登记的民办非企业单位" in home.main_text
    assert home.html is not None and "<main>" in home.html
    assert home.content_hash == hashlib.sha256(Path(home.raw_path).read_bytes()).hexdigest()
    assert Path(home.raw_path).name == f"{home.content_hash}.bin"
    assert home.size == Path(home.raw_path).stat().st_size


def test_links_are_absolute_documents_fetched_images_not(full: CrawlResult, site: FixtureServer) -> None:
    home = full.page("utf8:0", site.url("/utf8/index.html"))
    assert site.url("/utf8/files/annual-report.pdf") in home.links
    assert "http://www.example.com/" in home.links
    assert all(link.startswith("http") and "#" not in link for link in home.links)
    assert not any(link.startswith(("mailto:", "javascript:")) for link in home.links)
    report = full.page("utf8:0", site.url("/utf8/files/annual-report.pdf"))
    assert (report.kind, report.referer, report.html) == ("attachment", site.url("/utf8/index.html"), None)
    assert not report.readable and "损坏" in report.unreadable_reason  # "%PDF-1.4" and nothing else
    assert not site.requested("/utf8/images/banner.png")


def test_dead_link_and_robots_are_reported(full: CrawlResult, site: FixtureServer) -> None:
    errors = {e.url: e for e in full.errors("utf8:0")}
    missing = errors[site.url("/utf8/missing.html")]
    assert (missing.reason, missing.status, missing.is_home) == ("http", 404, False)
    assert "404" in missing.message and "页面不存在" in missing.message
    assert missing.referer == site.url("/utf8/index.html")
    blocked = errors[site.url("/utf8/private/secret.html")]
    assert blocked.reason == "blocked_robots" and "robots.txt" in blocked.message
    assert not site.requested("/utf8/private/secret.html")


def test_published_dates_from_chinese_labels(full: CrawlResult, site: FixtureServer) -> None:
    about = full.page("utf8:0", site.url("/utf8/about.html"))
    assert (about.published_at, about.published_source) == ("2026-10-08", "visible")
    activity = full.page("utf8:0", site.url("/utf8/news/2026/activity.html"))
    assert activity.published_at == "2026-11-20"


def test_gbk_declared_only_in_meta(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/gbk-meta.html"))
    assert page.encoding == "gb18030"  # gb2312 in <meta>, read as its superset
    assert page.title == "南岭乡村教育促进会章程"
    assert "本会名称为南岭乡村教育促进会，是由关心乡村教育的个人和单位自愿结成的非营利性社会组织" in page.text
    assert "刘䶮" in page.text  # only GB18030 has this character
    assert "\ufffd" not in page.text
    assert (page.published_at, page.published_source) == ("2026-09-01", "visible")


def test_gbk_declared_only_in_header(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/gbk-header.html"))
    assert page.encoding == "gb18030"
    assert page.title == "关于开展年度检查工作的通知"
    assert "请各单位按时报送年度工作总结和财务报表" in page.text


def test_undeclared_gb18030_is_detected(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/nocharset.html"))
    assert page.encoding == "gb18030"
    assert page.title == "溪山环境保护志愿者协会简介"
    assert "保护绿水青山需要每一个人的参与" in page.text


def test_gb18030_declared_only_in_header(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/gb18030-header.html"))
    assert page.encoding == "gb18030"
    assert "协会整理了彝文古籍，其中包含扩展汉字𠀀和㐀。" in page.text  # four-byte GB18030 characters


def test_big5_declared_in_meta(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/big5-meta.html"))
    assert page.encoding == "big5hkscs"  # Big5 is read as its superset (WHATWG), like GBK as GB18030
    assert page.title == "香港青年義工協會簡介"
    assert "致力推廣青年義務工作，服務長者及弱勢社群" in page.text and "\ufffd" not in page.text
    assert (page.published_at, page.published_source) == ("2026-10-12", "visible")


def test_big5_declared_only_in_header(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/big5-header.html"))
    assert page.encoding == "big5hkscs"
    assert page.title == "澳門社區服務中心通告"
    assert "歡迎區內居民報名參加" in page.text


def test_broken_html_still_gives_text_and_links(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("enc:0", site.url("/enc/broken.html"))
    assert page.title == "残缺页面测试"
    assert "第一段文字没有结束标签" in page.text and "交错" in page.text
    assert "单元格甲 单元格乙" in page.text and "图片说明文字" in page.text
    assert "脚本写入" not in page.text
    assert page.links == [site.url("/enc/index.html")]
    assert len([p for p in full.pages("enc:0") if p.url == site.url("/enc/index.html")]) == 1


def test_home_page_500_is_a_home_error(full: CrawlResult, site: FixtureServer) -> None:
    assert full.pages("down:0") == []
    (error,) = full.errors("down:0")
    assert (error.reason, error.status, error.is_home) == ("http", 500, True)
    assert "服务器内部错误" in error.message


def test_rss_items_are_fetched_as_articles(full: CrawlResult, site: FixtureServer) -> None:
    article = full.page("rss:0", site.url("/feed/articles/1.html"))
    assert article.kind == "feed_item" and article.status == 200
    assert article.title == "第二期乡村图书角捐建完成"  # the entry's title, not the page's
    assert "共捐赠图书六千余册" in article.text
    assert (article.published_at, article.published_source) == ("2026-11-24", "feed")
    assert article.referer == site.url("/feed/rss.xml")


def test_rss_dead_link_is_analysed_from_feed_content(full: CrawlResult, site: FixtureServer) -> None:
    dead = site.url("/feed/articles/gone.html")
    (error,) = full.errors("rss:0")
    assert (error.url, error.reason, error.status) == (dead, "http", 404)
    page = full.page("rss:0", dead)
    assert page.final_url == site.url("/feed/rss.xml")
    assert page.title == "助学金发放情况公示"
    assert "本季度共向一百二十名学生发放助学金" in page.text
    # 07:30 +08:00 on the 16th is still the 16th in China, though the 15th in UTC.
    assert (page.published_at, page.published_source) == ("2026-11-16", "feed")
    assert Path(page.raw_path).read_bytes() == page.html.encode("utf-8")


def test_rss_item_without_link_comes_from_the_feed(full: CrawlResult, site: FixtureServer) -> None:
    (page,) = [p for p in full.pages("rss:0") if p.title == "理事会换届公告"]
    assert page.url.startswith(site.url("/feed/rss.xml") + "#")
    assert "选举产生了第三届理事会成员" in page.text
    assert page.published_at == "2026-11-11"


def test_rss_item_linking_a_wechat_article(full: CrawlResult, site: FixtureServer) -> None:
    page = full.page("rss:0", site.url("/wechat/s/abc.html"))
    assert page.kind == "wechat_article"
    assert "招募寒假支教志愿者二十名" in page.main_text
    assert (page.published_at, page.published_source) == ("2026-11-24", "wechat_ct")


def test_atom_feed(full: CrawlResult, site: FixtureServer) -> None:
    article = full.page("atom:0", site.url("/feed/articles/2.html"))
    assert article.title == "社工进社区开展心理健康讲座"
    assert "关注情绪，快乐生活" in article.text
    assert article.published_at == "2026-11-22"
    dead = full.page("atom:0", site.url("/feed/articles/gone-atom.html"))
    assert "本年度共服务居民两千三百人次" in dead.text
    assert [e.url for e in full.errors("atom:0")] == [site.url("/feed/articles/gone-atom.html")]
    (no_link,) = [p for p in full.pages("atom:0") if p.title == "事务所搬迁通知"]
    assert "迁至新址办公" in no_link.text and no_link.published_at == "2026-11-02"


def test_wechat_article_channel(full: CrawlResult, site: FixtureServer) -> None:
    (page,) = full.pages("wx:0")
    assert page.kind == "wechat_article"
    assert page.title == "寒假支教志愿者招募"
    assert page.main_text.startswith("明德助学基金会现面向社会招募寒假支教志愿者二十名")
    assert "微信扫一扫" not in page.main_text and "微信扫一扫" in page.text
    assert (page.published_at, page.published_source) == ("2026-11-24", "wechat_ct")


def test_private_network_guard_refuses_loopback(site: FixtureServer, tmp_path: Path) -> None:
    before = len(site.requests)
    result = crawl(tmp_path, [channel("lan:0", "website", site.url("/utf8/index.html"))], allow_private_networks=False)
    assert result.pages("lan:0") == []
    (error,) = result.errors("lan:0")
    assert (error.reason, error.is_home) == ("private_network", True)
    assert "127.0.0.1" in error.message and "内网" in error.message
    assert len(site.requests) == before  # not even robots.txt was asked for
    assert result.done("lan:0").errors == 1


def test_max_pages_truncates(site: FixtureServer, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("small:0", "website", site.url("/utf8/index.html"))], max_pages=2)
    done = result.done("small:0")
    assert done.truncated and "页面数上限（max_pages = 2）" in done.truncated_reason
    assert done.truncated_by == ["max_pages"]
    assert len(result.pages("small:0")) + len(result.errors("small:0")) <= 2
    assert result.pages("small:0")[0].url == site.url("/utf8/index.html")


def test_max_bytes_stops_the_channel(site: FixtureServer, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("bytes:0", "website", site.url("/utf8/index.html"))], max_bytes=1)
    done = result.done("bytes:0")
    assert done.truncated and "下载量上限" in done.truncated_reason
    assert [p.url for p in result.pages("bytes:0")] == [site.url("/utf8/index.html")]
    assert done.bytes >= result.pages("bytes:0")[0].size  # robots.txt and sitemaps count too


def test_oversized_page_is_too_large(site: FixtureServer, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("big:0", "website", site.url("/big.html"))], max_page_bytes=2048, max_depth=0)
    (error,) = [e for e in result.errors("big:0") if e.url == site.url("/big.html")]
    assert (error.reason, error.is_home) == ("too_large", True)
    assert "2048" in error.message
    assert site.url("/big.html") not in [p.url for p in result.pages("big:0")]


def test_unreachable_site_is_a_connection_error(closed_port: int, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port}/"
    result = crawl(tmp_path, [channel("gone:0", "website", url)], obey_robots=False)
    (error,) = result.errors("gone:0")
    assert (error.reason, error.is_home) == ("connection", True)
    assert "无法连接" in error.message


def test_channel_can_opt_out_of_robots(site: FixtureServer, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("nobots:0", "website", site.url("/utf8/index.html"), obey_robots=False)], max_depth=1)
    secret = result.page("nobots:0", site.url("/utf8/private/secret.html"))
    assert "robots.txt 禁止抓取本页" in secret.text


def test_redirected_home_keeps_requested_url(site: FixtureServer, tmp_path: Path) -> None:
    result = crawl(tmp_path, [channel("moved:0", "website", site.url("/moved/"))], max_depth=0)
    (page,) = result.pages("moved:0")
    assert page.url == site.url("/moved/")
    assert page.final_url == site.url("/utf8/about.html")
    assert page.title == "机构简介 - 青禾公益服务中心"


def test_incremental_second_scan_reports_unchanged(site: FixtureServer, tmp_path: Path) -> None:
    home, child = site.url("/etag/index.html"), site.url("/etag/child.html")
    first = crawl(tmp_path / "one", [channel("inc:0", "website", home)], max_depth=1)
    known = {
        p.url: {"etag": p.etag, "last_modified": p.last_modified, "hash": p.content_hash}
        for p in first.pages("inc:0")
    }
    assert known[home]["etag"] and known[home]["last_modified"]
    assert not any(p.unchanged for p in first.pages("inc:0"))

    # Same spool folder: the home page's links can be read from its previous body after a 304.
    spool_first = tmp_path / "one" / "spool"
    second_dir = tmp_path / "two"
    second_dir.mkdir()
    (second_dir / "spool").symlink_to(spool_first, target_is_directory=True)
    second = crawl(second_dir, [channel("inc:0", "website", home, known=known)], max_depth=1)
    home_page = second.page("inc:0", home)
    assert (home_page.status, home_page.unchanged) == (304, True)
    assert home_page.text == "" and home_page.content_hash == known[home]["hash"]
    assert home_page.links == [child]
    assert site.requested("/etag/index.html")[-1].get("if-none-match") == known[home]["etag"]
    child_page = second.page("inc:0", child)
    assert (child_page.status, child_page.unchanged) == (200, True)  # same hash
    assert child_page.text == "" and child_page.content_hash == known[child]["hash"]  # not read again


def test_incremental_without_spooled_body_fetches_in_full(site: FixtureServer, tmp_path: Path) -> None:
    home, child = site.url("/etag/index.html"), site.url("/etag/child.html")
    first = crawl(tmp_path / "one", [channel("inc:1", "website", home)], max_depth=1)
    known = {p.url: {"etag": p.etag, "last_modified": p.last_modified, "hash": p.content_hash} for p in first.pages("inc:1")}
    second = crawl(tmp_path / "two", [channel("inc:1", "website", home, known=known)], max_depth=1)
    home_page = second.page("inc:1", home)
    assert (home_page.status, home_page.unchanged) == (200, True)
    assert second.page("inc:1", child).unchanged  # still reached through the home page's links
    assert all(isinstance(p, PageItem) for p in second.pages("inc:1"))
