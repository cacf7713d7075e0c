"""A small world for alert tests: a registry and settings written to a folder, and findings stored
through the same service functions a scan uses (no crawl), so each test can pick its day with --as-of."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from classifier.codes import uscc_check_char
from config.settings import load_settings
from models import findings as store
from models import scans
from models.sync import sync_registry
from orgwatch.cli import main
from orgwatch.runtime import Runtime

EVIDENCE = {"pii_id": "发放名单：张桂兰 【500199********2139】 300元", "secret_mark": "【机密★5年】 关于做好冬季安全工作的通知",
            "broken_link": "页面中的链接 【http://x/old.html】 无法打开：HTTP 404", "illegal_fundraising": "扫码捐款 【个人收款码】"}
RULES = {"pii_id": "unmasked_id", "secret_mark": "level_mark", "broken_link": "http_404", "illegal_fundraising": "personal_account"}


def uscc(n: int) -> str:
    base = f"52500199MJQ{n:06d}"[:17]
    return base + uscc_check_char(base)


def org(org_id: str, name: str, n: int, people: list[dict], supervisor: str | None = None) -> dict:
    return {"id": org_id, "name": name, "type": "social_service", "uscc": uscc(n),
            "registration_authority": "云川市青溪区民政局", "supervisor": supervisor,
            "channels": [{"kind": "website", "url": f"http://{org_id}.example.org/"}], "people": people}


def person(name: str, role: str, *urls: str) -> dict:
    return {"name": name, "role": role, "notify": list(urls)}


def write_world(folder: Path, orgs: list[dict], *, supervisors: list[dict] | None = None,
                alerts: dict | None = None) -> Path:
    """Write registry.yaml and orgwatch.yaml (SQLite in the folder); return the settings file."""
    folder.mkdir(parents=True, exist_ok=True)
    registry = {"organizations": orgs, **({"supervisors": supervisors} if supervisors else {})}
    (folder / "registry.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    settings = {"data_dir": "data", "registry": "registry.yaml", "alerts": {"retry_after_minutes": 0, **(alerts or {})}}
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def runtime(config: Path, day: dt.date | None = None) -> Runtime:
    return Runtime(settings=load_settings(config), as_of=day or dt.date.today())


def seed(config: Path, day: dt.date, found: list[tuple[str, str, str, str]]) -> list[int]:
    """Store findings (org id, category, severity, url) as a scan on ``day`` would; return their ids."""
    rt = runtime(config, day)
    now = rt.now()
    ids = []
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], now)
        scan_id = scans.start_scan(s, scope="all", as_of=day, now=now)
        channels = {c.org_id: c.id for c in scans.active_channels(s)}
        for org_id, category, severity, url in found:
            values = dict(fingerprint=store.fingerprint(org_id, url, category, RULES[category], None, ""),
                          org_id=org_id, channel_id=channels[org_id], url=url, category=category,
                          rule=RULES[category], severity=severity, evidence=EVIDENCE[category])
            ids.append(store.upsert_finding(s, values, scan_id=scan_id, now=now)[0])
        scans.finish_scan(s, scan_id, now=now, status="completed")
    rt.db.dispose()
    return ids


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def messages(config: Path, *extra: str) -> list[dict]:
    result = cli("alerts", "list", "--config", str(config), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
