"""Fixture organisations for the disclosure and channel-health tests: small sites written to a
folder (one sub-folder per site, served by ``serve_sites``), a public-account feed, a registry."""
from __future__ import annotations

import datetime as dt
import inspect
import json
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from classifier.codes import uscc_check_char

NAV = [("/", "首页"), ("/about.html", "机构简介"), ("/news/index.html", "新闻动态"), ("/notice/index.html", "通知公告"),
       ("/gongkai/index.html", "信息公开"), ("/contact.html", "联系我们")]


def uscc(body: str) -> str:
    return body + uscc_check_char(body)


@dataclass
class Doc:
    """An article page: ``path`` on the site, its title, publication date and body HTML."""

    path: str
    title: str
    date: dt.date | None = None
    body: str = "<p>正文。</p>"


@dataclass
class Site:
    """One organisation's website; ``gongkai`` documents are listed on the 信息公开 page."""

    name: str
    uscc_shown: str
    about: str = ""
    contact: str = ""
    news: list[Doc] = field(default_factory=list)
    notices: list[Doc] = field(default_factory=list)
    gongkai: list[Doc] = field(default_factory=list)
    home_extra: str = ""


def page(site: Site, title: str, body: str, date: dt.date | None = None) -> str:
    nav = " ".join(f'<a href="{href}">{text}</a>' for href, text in NAV)
    when = f"<p>发布时间：{date.isoformat()}</p>" if date else ""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} - {site.name}</title></head><body>'
            f'<div class="nav">{nav}</div><div class="main"><h1>{title}</h1>{when}{body}</div>'
            f'<div class="foot">版权所有 {site.name}</div></body></html>')


def list_body(docs: list[Doc]) -> str:
    if not docs:
        return "<p>暂无信息</p>"
    rows = "".join(f'<li><a href="{d.path}">{d.title}</a> <span>{d.date.isoformat() if d.date else ""}</span></li>'
                   for d in docs)
    return f"<ul>{rows}</ul>"


def home_body(site: Site) -> str:
    latest = list_body(site.news[:5]) if site.news else ""
    return (f"<p>{site.name}是在民政部门登记的非营利性社会组织，致力于服务社区居民、开展公益活动、"
            f"促进邻里互助和社会和谐。欢迎社会各界关心支持我们的工作。</p><h2>新闻动态</h2>{latest}"
            f"<p>统一社会信用代码：{site.uscc_shown}</p>{site.home_extra}")


def write_site(root: Path, site_id: str, site: Site) -> Path:
    """Write ``site`` into ``root/site_id``; returns the folder."""
    files = {
        "index.html": page(site, "首页", home_body(site)).replace(f"<title>首页 - {site.name}", f"<title>{site.name}"),
        "about.html": page(site, "机构简介", site.about or "<p>本机构简介。</p>"),
        "contact.html": page(site, "联系我们", site.contact or "<p>欢迎来访。</p>"),
        "news/index.html": page(site, "新闻动态", list_body(site.news)),
        "notice/index.html": page(site, "通知公告", list_body(site.notices)),
        "gongkai/index.html": page(site, "信息公开", list_body(site.gongkai)),
    }
    for doc in site.news + site.notices + site.gongkai:
        files[doc.path.lstrip("/")] = page(site, doc.title, doc.body, doc.date)
    folder = root / site_id
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


def deface(folder: Path, *, links: int = 12) -> None:
    """Replace the home page with a gambling page full of external links."""
    anchors = "".join(f'<a href="http://bet{i}.example-casino.com/">澳门赌场{i}号 真人娱乐 在线博彩</a> ' for i in range(links))
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>澳门新葡京 真人娱乐</title></head><body>'
        f'<h1>澳门新葡京娱乐城 百家乐 老虎机 彩票 注册就送 888 元</h1><p>{anchors}</p>'
        '<p>全网最高返水，24小时在线客服，充值秒到账，提款无限制，信誉第一，欢迎新老会员。</p></body></html>',
        encoding="utf-8")


def write_feed(root: Path, site_id: str, title: str, items: list[Doc]) -> None:
    """An RSS 2.0 public-account feed at ``/feed.xml`` with one article page per item."""
    folder = root / site_id
    entries = []
    for d in items:
        (folder / d.path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (folder / d.path.lstrip("/")).write_text(
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{d.title}</title></head>'
            f'<body><h1>{d.title}</h1>{d.body}</body></html>', encoding="utf-8")
        when = dt.datetime.combine(d.date, dt.time(18, 0), dt.timezone(dt.timedelta(hours=8)))
        entries.append(f"<item><title>{d.title}</title><link>{d.path}</link>"
                       f"<pubDate>{format_datetime(when)}</pubDate><description>{d.title}</description></item>")
    (folder / "feed.xml").write_text(
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f'<link>http://example.org/</link><description>{title}</description>{"".join(entries)}</channel></rss>',
        encoding="utf-8")
    (folder / "_headers.yaml").write_text(
        yaml.safe_dump({"/feed.xml": {"Content-type": "application/rss+xml; charset=utf-8"}}), encoding="utf-8")


def write_config(folder: Path, orgs: list[dict], health: dict | None = None, crawl: dict | None = None) -> Path:
    """registry.yaml and orgwatch.yaml in ``folder``; ``orgs`` are registry entries (people added)."""
    for org in orgs:
        org.setdefault("registration_authority", "云川市青溪区民政局")
        org.setdefault("people", [{"name": "周敏", "role": "platform_manager", "notify": ["json://127.0.0.1:9/none"]}])
    (folder / "registry.yaml").write_text(yaml.safe_dump({"organizations": orgs}, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml",
                "crawl": {"allow_private_networks": True, "download_delay": 0, **(crawl or {})},
                "health": health or {}}
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def run(*args: str):
    result = CliRunner().invoke(__import__("orgwatch.cli", fromlist=["main"]).main, list(args), catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result


def scan(config: Path, as_of: str) -> str:
    return run("scan", "--config", str(config), "--as-of", as_of, "--no-deliver").output


def findings(config: Path, category: str | None = None) -> list[dict]:
    args = ["findings", "--config", str(config), "--format", "json"] + (["--category", category] if category else [])
    return json.loads(run(*args).output)


def status(config: Path, as_of: str, *orgs: str) -> list[dict]:
    args = ["status", "--config", str(config), "--as-of", as_of, "--format", "json"]
    for org in orgs:
        args += ["--org", org]
    return json.loads(run(*args).output)


def items(record: dict) -> dict[str, dict]:
    return {i["item"]: i for i in record["items"]}


@pytest.fixture()
def wired(monkeypatch):
    """Run the disclosure and health checks inside each scan, before alerts are queued, as
    ``orgwatch.scan._finish`` does once it calls ``evaluate_after_scan`` (a no-op then)."""
    import orgwatch.scan as scan_module
    from orgwatch.disclosure import evaluate_after_scan

    if "evaluate_after_scan" in inspect.getsource(scan_module._finish):
        return
    original = scan_module.queue_alerts

    def queue_alerts(rt, org_ids, *args, scan_id=None, **kwargs):
        evaluate_after_scan(rt, scan_id, org_ids)
        return original(rt, org_ids, *args, scan_id=scan_id, **kwargs)

    monkeypatch.setattr(scan_module, "queue_alerts", queue_alerts)
