"""Two small organisations served on 127.0.0.1 for the scheduler tests: 安和 with a website and
an RSS feed, 青禾 with a website; and a Runtime whose clock the test sets."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from classifier.codes import uscc_check_char
from config.settings import load_settings
from orgwatch.reports.week import CST
from orgwatch.runtime import Runtime

USCC_A = (lambda b: b + uscc_check_char(b))("52500199MJQ111222")
USCC_B = (lambda b: b + uscc_check_char(b))("52500199MJQ333444")

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1><p>{body}</p>{links}</body></html>"""

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>安和社区服务中心</title><link>{base}/</link><description>中心动态</description>
<item><title>社区冬季义诊活动顺利举行</title><link>{base}/news1.html</link><pubDate>Mon, 23 Nov 2026 09:00:00 +0800</pubDate>
<description>本周六上午，中心组织志愿者在社区广场开展义诊，为老人测量血压。</description></item>
</channel></rss>"""


def _page(title: str, body: str, links: list[tuple[str, str]] = ()) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return PAGE.format(title=title, body=body, links=f"<ul>{items}</ul>" if items else "")


def write_sites(root: Path) -> Path:
    """Write the two sites under ``root`` (one folder each, served by ``SiteServer``)."""
    anhe, qinghe = root / "anhe", root / "qinghe"
    anhe.mkdir(parents=True, exist_ok=True)
    qinghe.mkdir(parents=True, exist_ok=True)
    (anhe / "index.html").write_text(_page("青溪区安和社区服务中心", "为辖区老人提供日间照料和助餐服务。",
                                           [("/about.html", "中心简介"), ("/news1.html", "社区冬季义诊活动顺利举行")]),
                                     encoding="utf-8")
    (anhe / "about.html").write_text(_page("中心简介", "本中心成立于2015年，是民办非营利社会服务机构。"), encoding="utf-8")
    (anhe / "news1.html").write_text(_page("社区冬季义诊活动顺利举行", "本周六上午，中心组织志愿者开展义诊。"),
                                     encoding="utf-8")
    (qinghe / "index.html").write_text(_page("青溪区青禾青少年发展促进会", "开展青少年课外阅读和科普活动。",
                                             [("/about.html", "协会简介")]), encoding="utf-8")
    (qinghe / "about.html").write_text(_page("协会简介", "本会是青少年工作者自愿结成的社会团体。"), encoding="utf-8")
    return root


def write_feed(root: Path, base_url: str) -> None:
    (root / "anhe" / "feed.xml").write_text(FEED.format(base=base_url), encoding="utf-8")


def write_config(folder: Path, urls: dict[str, str], *, schedule: dict | None = None, reports: dict | None = None,
                 extra: dict | None = None) -> Path:
    """Registry and settings for the two sites; returns the settings file."""
    def org(org_id: str, name: str, org_type: str, uscc: str, channels: list[dict]) -> dict:
        return {"id": org_id, "name": name, "type": org_type, "uscc": uscc,
                "registration_authority": "云川市青溪区民政局", "channels": channels}

    registry = {"organizations": [
        org("anhe", "青溪区安和社区服务中心", "social_service", USCC_A, [
            {"kind": "website", "url": urls["anhe"] + "/"},
            {"kind": "feed", "url": urls["anhe"] + "/feed.xml"},
        ]),
        org("qinghe", "青溪区青禾青少年发展促进会", "social_group", USCC_B, [{"kind": "website", "url": urls["qinghe"] + "/"}]),
    ]}
    (folder / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml",
                "crawl": {"allow_private_networks": True, "download_delay": 0, "autothrottle": False},
                "health": {"disclosure_checks": False, "channel_checks": False},
                "schedule": {"weekly_report": False, **(schedule or {})}, **(extra or {})}
    if reports:
        settings["reports"] = reports
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


class ClockRuntime(Runtime):
    """A Runtime whose ``now()`` is whatever the test set with :meth:`at` (and ``as_of`` its day)."""

    moment: dt.datetime

    def at(self, moment: dt.datetime) -> "ClockRuntime":
        self.moment = moment
        self.as_of = moment.astimezone(CST).date()
        return self

    def now(self) -> dt.datetime:
        return self.moment


def runtime(config: Path, moment: dt.datetime, **overrides) -> ClockRuntime:
    return ClockRuntime(settings=load_settings(config, **overrides)).at(moment)


def cst(*args: int) -> dt.datetime:
    """A China Standard Time wall-clock moment as aware UTC."""
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.timezone.utc)
