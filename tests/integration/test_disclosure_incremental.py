"""The disclosure checks after a re-scan read no unchanged page but the home page: what they take
from each page version is remembered, worked out again when the page, the registry entry or the
pack changes, and the outcome is what a full reading would give."""
from __future__ import annotations

import datetime as dt

import pytest
import yaml
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from config.settings import load_settings
from models.db import Database
from models.entities import Page
from tests.integration.disclosure_sites import Doc, Site, findings, items, scan, status, uscc, write_config, write_site

D = dt.date
USCC = uscc("51500199MJQ500006")
NEWS = [Doc(f"/news/{i}.html", f"社区志愿服务活动第{i}期", D(2026, 5, 1) + dt.timedelta(days=i),
            f"<p>第{i}期活动共有{20 + i}名志愿者参加，走访慰问社区老人。</p>") for i in range(1, 13)]


def _site(news: list[Doc]) -> Site:
    charter = Doc("/gongkai/charter.html", "青溪区邻里互助协会章程", D(2024, 3, 1),
                  "<p>第一章 总则</p><p>第一条 本会名称为青溪区邻里互助协会。</p>")
    return Site(name="青溪区邻里互助协会", uscc_shown=USCC, news=news, gongkai=[charter],
                contact="<p>地址：云川市青溪区文星路1号 电话：023-65551234</p>")


@pytest.fixture()
def texts_read():
    """The ids of the pages whose texts are read from the database (every engine, this test only)."""
    ids: list[int] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT page.id, page.text, page.main_text"):
            ids.extend(parameters.values() if isinstance(parameters, dict) else parameters)

    event.listen(Engine, "before_cursor_execute", record)
    yield ids
    event.remove(Engine, "before_cursor_execute", record)


def _pages(config) -> list[Page]:
    db = Database(load_settings(config).db_url)
    try:
        with db.session() as s:
            return list(s.scalars(select(Page)))
    finally:
        db.dispose()


def _verdicts(config) -> dict[str, tuple[str | None, bool]]:
    return {p.url: (p.disclosure_key, p.disclosure_record is not None) for p in _pages(config)}


def _registry(config, org: dict) -> None:
    (config.parent / "registry.yaml").write_text(yaml.safe_dump({"organizations": [org]}, allow_unicode=True),
                                                 encoding="utf-8")


def test_a_rescan_reads_no_unchanged_page_and_a_change_is_worked_out_again(tmp_path, serve_sites, texts_read):
    root = tmp_path / "sites"
    write_site(root, "linli", _site(NEWS))
    urls = serve_sites(root)
    org = {"id": "linli", "name": "青溪区邻里互助协会", "type": "social_group", "uscc": USCC,
           "channels": [{"kind": "website", "url": urls["linli"] + "/"}]}
    config = write_config(tmp_path, [org])
    scan(config, "2026-06-01")
    first = _verdicts(config)
    home = urls["linli"] + "/"
    assert first and all(key for url, (key, _) in first.items() if url != home), "every page version has a record key"
    recorded = {url for url, (_, yes) in first.items() if yes}
    assert urls["linli"] + "/gongkai/charter.html" in recorded
    assert not any("/news/" in url and "index" not in url for url in recorded), recorded
    before = {(f["item"], f["status"]) for f in findings(config, "disclosure_missing")}
    assert ("annual_report", "open") in before

    texts_read.clear()
    scan(config, "2026-06-01")  # nothing changed
    assert _verdicts(config) == first
    read = {p.url.removeprefix(urls["linli"]) for p in _pages(config) if p.id in texts_read}
    assert "/" in read, read  # the home page is judged from its text every time
    assert "/gongkai/charter.html" not in read, read  # remembered: the charter is still found
    assert not any(path.startswith("/news/") and path != "/news/index.html" for path in read), read
    assert items(status(config, "2026-06-01", "linli")[0])["charter"]["status"] == "present"
    assert {(f["item"], f["status"]) for f in findings(config, "disclosure_missing")} == before

    # an article that no item needed becomes the annual report: decided again, and it counts
    news = list(NEWS)
    news[3] = Doc(news[3].path, "青溪区邻里互助协会2025年度工作报告", D(2026, 5, 20), "<p>一、基本情况。二、业务活动。</p>")
    write_site(root, "linli", _site(news))
    scan(config, "2026-06-02")
    assert _verdicts(config)[urls["linli"] + news[3].path][1] is True
    assert items(status(config, "2026-06-02", "linli")[0])["annual_report"]["status"] == "present"
    assert ("annual_report", "resolved") in {(f["item"], f["status"]) for f in findings(config, "disclosure_missing")}

    # a registry change (the organisation renamed) decides every page again
    before_rename = _verdicts(config)
    _registry(config, {**org, "name": "青溪区邻里互助联合会"})
    scan(config, "2026-06-02")
    after = _verdicts(config)
    assert all(after[url][0] != before_rename[url][0] for url in after if url != home)
