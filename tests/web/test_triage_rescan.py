"""Triage against real scans on 127.0.0.1: a false positive stays one (and is not alerted again)
when a later scan sees it again, a finding the reviewer resolved that comes back is a new
occurrence and is alerted again, and the registry sync is audited."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from config.settings import load_settings
from models.entities import Finding
from orgwatch import triage
from orgwatch.cli import main
from orgwatch.runtime import Runtime
from tests.integration.sitegen import write_config, write_site
from tests.web.conftest import audit_rows


@pytest.fixture()
def site(tmp_path: Path, serve_sites, alert_sink):
    root = write_site(tmp_path / "sites")
    urls = serve_sites(root)
    config = write_config(tmp_path, urls["anhe"], alert_sink.url("manager"), alert_sink.url("legal"))
    return root, config


def _scan(config: Path) -> None:
    result = CliRunner().invoke(main, ["scan", "--config", str(config)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _findings(rt) -> dict[str, Finding]:
    with rt.db.session() as s:
        return {f.category: f for f in s.query(Finding)}


def _edit_pages(root: Path) -> None:
    """Change both pages a little (the problems stay), so the next scan analyses them again."""
    for name in ("list.html", "notice.html"):
        page = root / "anhe" / name
        page.write_bytes(page.read_bytes() + b"\n<!-- updated -->\n")


def _manager_alerts(alert_sink) -> int:
    return sum(1 for m in alert_sink.received if m["path"] == "/manager")


def test_false_positive_survives_rescans_and_resolved_finding_comes_back(site, alert_sink):
    root, config = site
    _scan(config)
    rt = Runtime(settings=load_settings(config))
    found = _findings(rt)
    assert set(found) == {"pii_id", "secret_mark"} and _manager_alerts(alert_sink) == 1
    triage.apply(rt, found["pii_id"].id, "false_positive", "审核员甲", "名单中的号码是测试数据")
    triage.apply(rt, found["secret_mark"].id, "resolve", "审核员甲", "已删除密级标志")

    _edit_pages(root)
    _scan(config)
    again = _findings(rt)
    assert again["pii_id"].status == "false_positive" and again["pii_id"].occurrence == 1
    assert again["pii_id"].last_seen > found["pii_id"].last_seen, "the scan did see it again"
    assert again["secret_mark"].status == "open" and again["secret_mark"].occurrence == 2
    manager = [m for m in alert_sink.received if m["path"] == "/manager"]
    assert len(manager) == 2
    assert "/notice.html" in manager[-1]["message"] and "/list.html" not in manager[-1]["message"]

    _edit_pages(root)
    _scan(config)
    assert _findings(rt)["pii_id"].status == "false_positive"
    assert _manager_alerts(alert_sink) == 2
    rt.db.dispose()


def test_registry_sync_is_audited_when_the_registry_changes(site):
    _, config = site
    _scan(config)
    rt = Runtime(settings=load_settings(config))
    [first] = audit_rows(rt, "registry.sync")
    assert first.detail["organisations"] == {"added": ["anhe"]}
    assert first.detail["people"]["added"] == ["anhe 周敏（platform_manager）", "anhe 陈国华（legal_representative）"]
    _scan(config)
    assert len(audit_rows(rt, "registry.sync")) == 1, "an unchanged registry writes no entry"

    registry_file = config.parent / "registry.yaml"
    registry = yaml.safe_load(registry_file.read_text(encoding="utf-8"))
    registry["organizations"][0]["name"] = "青溪区安和社区服务中心（更名）"
    registry["organizations"][0]["people"] = registry["organizations"][0]["people"][:1]
    registry_file.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    _scan(config)
    change = audit_rows(rt, "registry.sync")[-1]
    assert change.detail == {"organisations": {"changed": ["anhe"]},
                             "people": {"removed": ["anhe 陈国华（legal_representative）"]}}
    rt.db.dispose()
