"""Channel health and registration consistency end to end: stale and fresh public-account feeds,
a stale website, a blank column, a USCC shown wrongly, a defaced home page, an incomplete crawl."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from config.settings import load_settings
from models.db import Database
from models.entities import Finding, HomeBaseline
from tests.integration.disclosure_sites import (
    Doc, Site, deface, findings, items, run, scan, status, uscc, write_config, write_feed, write_site,
)
from tests.integration.disclosure_sites import wired  # noqa: F401 - fixture

D = dt.date
FRESH, STALE = uscc("51500199MJQ300004"), uscc("51500199MJQ400005")
WRONG = uscc("51500199MJQ999990")


def _site(name: str, shown: str, news: list[Doc], notices: list[Doc]) -> Site:
    charter = Doc("/gongkai/charter.html", f"{name}章程", D(2024, 3, 1), "<p>第一章 总则</p><p>第一条 本会名称。</p>")
    return Site(name=name, uscc_shown=shown, news=news, notices=notices, gongkai=[charter],
                contact="<p>地址：云川市青溪区文星路1号 电话：023-65551234</p>")


def test_stale_and_fresh_channels_blank_column_and_uscc_mismatch(tmp_path, serve_sites, wired):  # noqa: F811
    root = tmp_path / "sites"
    write_site(root, "fresh", _site("青溪区书画协会", FRESH,
                                    news=[Doc("/news/1.html", "书画展开幕", D(2026, 5, 25))],
                                    notices=[]))
    write_feed(root, "fresh", "青溪区书画协会公众号", [Doc("/mp/1.html", "本周活动预告", D(2026, 5, 29))])
    write_site(root, "stale", _site("青溪区棋牌协会", WRONG,
                                    news=[Doc("/news/1.html", "象棋比赛举行", D(2026, 1, 10))],
                                    notices=[Doc("/notice/1.html", "关于缴纳会费的通知", D(2026, 1, 5))]))
    write_feed(root, "stale", "青溪区棋牌协会公众号", [Doc("/mp/1.html", "新春围棋联谊", D(2026, 4, 20)),
                                                    Doc("/mp/0.html", "元旦快乐", D(2026, 1, 1))])
    urls = serve_sites(root)
    config = write_config(tmp_path, [
        {"id": "fresh", "name": "青溪区书画协会", "type": "social_group", "uscc": FRESH,
         "channels": [{"kind": "website", "url": urls["fresh"] + "/"},
                      {"kind": "feed", "url": urls["fresh"] + "/feed.xml"}]},
        {"id": "stale", "name": "青溪区棋牌协会", "type": "social_group", "uscc": STALE,
         "channels": [{"kind": "website", "url": urls["stale"] + "/"},
                      {"kind": "feed", "url": urls["stale"] + "/feed.xml"}]},
    ])
    scan(config, "2026-06-01")

    stale = [f for f in findings(config, "stale_channel") if f["status"] == "open"]
    by_key = {(f["org"], f["rule"], f["url"]): f for f in stale}
    assert set(by_key) == {
        ("stale", "channel_stale", urls["stale"] + "/feed.xml"),  # 42 days > 14
        ("stale", "channel_stale", urls["stale"] + "/"),  # 142 days > 90; its columns are not reported again
        ("fresh", "blank_column", urls["fresh"] + "/notice/index.html"),
    }
    feed = by_key[("stale", "channel_stale", urls["stale"] + "/feed.xml")]
    assert "【2026-04-20】" in feed["evidence"] and "新春围棋联谊" in feed["evidence"] and "超过 14 天" in feed["evidence"]
    assert "国办秘函〔2019〕19号" in feed["basis"]
    blank = by_key[("fresh", "blank_column", urls["fresh"] + "/notice/index.html")]
    assert "【通知公告】" in blank["evidence"] and "暂无信息" in blank["evidence"]

    [mismatch] = [f for f in findings(config, "disclosure_missing") if f["rule"] == "mismatch"]
    assert mismatch["org"] == "stale" and mismatch["item"] == "registration" and mismatch["url"] == urls["stale"] + "/"
    assert f"【{WRONG}】" in mismatch["evidence"] and STALE in mismatch["evidence"]

    fresh_st, stale_st = status(config, "2026-06-01", "fresh", "stale")
    channels = {c["kind"]: c for c in stale_st["channels"]}
    assert channels["feed"]["state"] == "stale" and channels["feed"]["newest_on"] == "2026-04-20"
    assert channels["feed"]["age_days"] == 42 and channels["feed"]["threshold_days"] == 14
    assert {c["name"]: c["state"] for c in channels["website"]["columns"]} == {"新闻动态": "stale", "通知公告": "ok"}
    assert stale_st["mismatches"] == [{"field": "uscc", "shown": WRONG, "expected": STALE, "url": urls["stale"] + "/"}]
    fresh_channels = {c["kind"]: c for c in fresh_st["channels"]}
    assert fresh_channels["feed"]["state"] == "ok" and fresh_channels["feed"]["newest_on"] == "2026-05-29"
    assert {c["name"]: c["state"] for c in fresh_channels["website"]["columns"]} == {"新闻动态": "ok", "通知公告": "blank"}

    text = run("status", "--config", str(config), "--as-of", "2026-06-01", "--org", "stale").output
    assert "公众号（订阅源）" in text and "最新发布 2026-04-20（42 天前" in text and "长期未更新" in text
    assert f"统一社会信用代码与名册不一致：页面显示 {WRONG}" in text


def _deface_site() -> Site:
    return _site("青溪区园艺协会", FRESH, news=[Doc("/news/1.html", "插花培训", D(2026, 5, 20))],
                 notices=[Doc("/notice/1.html", "关于换届的通知", D(2026, 5, 2))])


def test_defaced_home_page_after_a_clean_baseline(tmp_path, serve_sites, wired):  # noqa: F811
    root = tmp_path / "sites"
    folder = write_site(root, "yuanyi", _deface_site())
    urls = serve_sites(root)
    config = write_config(tmp_path, [
        {"id": "yuanyi", "name": "青溪区园艺协会", "type": "social_group", "uscc": FRESH,
         "channels": [{"kind": "website", "url": urls["yuanyi"] + "/"}]},
    ])
    scan(config, "2026-06-01")  # the clean baseline
    assert findings(config, "defacement") == []

    deface(folder)
    scan(config, "2026-06-02")
    [found] = findings(config, "defacement")
    assert found["status"] == "open" and found["severity"] == "high" and found["rule"] == "home_defaced"
    assert found["url"] == urls["yuanyi"] + "/" and "大部分文字被替换" in found["evidence"]
    assert "bet0.example-casino.com" in found["evidence"]
    db = Database(load_settings(config).db_url)
    with db.session() as s:
        detail = s.scalars(select(Finding).where(Finding.category == "defacement")).one().detail
        baselines = list(s.scalars(select(HomeBaseline)))
    assert set(detail["reasons"]) == {"text_replaced", "external_links"} and detail["similarity"] < 0.2
    assert "+澳门新葡京娱乐城" in detail["diff"] and "-青溪区园艺协会" in detail["diff"]
    assert len(baselines) == 1 and "澳门" not in baselines[0].text, "a defaced page never becomes the baseline"
    assert status(config, "2026-06-02", "yuanyi")[0]["channels"][0]["defaced"] is True

    write_site(root, "yuanyi", _deface_site())  # restored from backup
    scan(config, "2026-06-03")
    assert [f["status"] for f in findings(config, "defacement")] == ["resolved"]

    deface(folder)  # defaced again: new again, then a reviewer calls it a redesign
    scan(config, "2026-06-04")
    [again] = findings(config, "defacement")
    assert again["status"] == "open" and again["occurrence"] == 2
    with db.session() as s:
        s.scalars(select(Finding).where(Finding.category == "defacement")).one().status = "false_positive"
    scan(config, "2026-06-05")
    with db.session() as s:
        assert any("澳门" in b.text for b in s.scalars(select(HomeBaseline))), "the reviewed page became the baseline"
    assert status(config, "2026-06-05", "yuanyi")[0]["channels"][0]["defaced"] is False
    db.dispose()


def test_an_incomplete_crawl_reports_no_missing_items(tmp_path, serve_sites, wired):  # noqa: F811
    root = tmp_path / "sites"
    write_site(root, "yuanyi", _deface_site())
    urls = serve_sites(root)
    config = write_config(tmp_path, [
        {"id": "yuanyi", "name": "青溪区园艺协会", "type": "social_group", "uscc": FRESH,
         "channels": [{"kind": "website", "url": urls["yuanyi"] + "/"}]},
    ], crawl={"max_pages": 3})
    scan(config, "2026-06-01")
    assert findings(config, "disclosure_missing") == []
    record = status(config, "2026-06-01", "yuanyi")[0]
    assert "max_pages" in record["incomplete"]
    checklist = items(record)
    assert checklist["charter"]["status"] == "unverified" and checklist["registration"]["status"] == "present"
    text = run("status", "--config", str(config), "--as-of", "2026-06-01").output
    assert "本次抓取不完整，未报告缺失项" in text and "? 章程：未能判定" in text
