"""Routing rules: which people and which digest a finding goes to, by category, severity and organisation."""
from __future__ import annotations

import datetime as dt

import pytest

from config.exceptions import SettingsError
from config.settings import AlertSettings, load_settings
from models.entities import Finding, Organization, Person
from orgwatch.alerting.queue import plan_org

NOW = dt.datetime(2026, 11, 28, 8, tzinfo=dt.timezone.utc)
PEOPLE = [
    Person(id=1, org_id="a", name="周敏", role="platform_manager", notify=["json://h/pm"]),
    Person(id=2, org_id="a", name="陈国华", role="legal_representative", notify=["json://h/legal"]),
    Person(id=3, org_id="a", name="李会计", role="other", notify=["json://h/other"]),
    Person(id=4, org_id="a", name="没地址", role="platform_manager", notify=[]),
]
NAMES = {p.id: p.name for p in PEOPLE}


def who(routes: dict | None, category: str, severity: str, org_id: str = "a", supervisor: str | None = "民政局") -> set[str]:
    settings = AlertSettings(**(routes or {}))
    org = Organization(id=org_id, name="机构", supervisor=supervisor)
    finding = Finding(id=9, org_id=org_id, category=category, severity=severity, occurrence=1, first_seen=NOW)
    plan = plan_org(settings.effective_routes(), org, PEOPLE, [finding])
    told = {NAMES[pid] for pid in plan.people}
    return told | ({"汇总:" + org.supervisor} if plan.digest else set())


CUSTOM = {"routes": [
    {"roles": ["platform_manager"]},
    {"categories": ["illegal_fundraising"], "roles": ["legal_representative"]},
    {"severities": ["high", "medium"], "orgs": ["a"], "roles": ["other", "supervisor"]},
]}


@pytest.mark.parametrize(
    "routes, category, severity, org_id, supervisor, expected",
    [
        # defaults: everything to the platform manager; high also to the legal representative and the digest
        (None, "broken_link", "low", "a", "民政局", {"周敏"}),
        (None, "secret_mark", "medium", "a", "民政局", {"周敏"}),
        (None, "pii_id", "high", "a", "民政局", {"周敏", "陈国华", "汇总:民政局"}),
        (None, "pii_id", "high", "a", None, {"周敏", "陈国华"}),
        ({"high_to_legal_representative": False}, "pii_id", "high", "a", "民政局", {"周敏", "汇总:民政局"}),
        # custom rules: by category, by severity and organisation
        (CUSTOM, "illegal_fundraising", "low", "a", "民政局", {"周敏", "陈国华"}),
        (CUSTOM, "pii_id", "medium", "a", "民政局", {"周敏", "李会计", "汇总:民政局"}),
        (CUSTOM, "pii_id", "medium", "b", "民政局", {"周敏"}),
        (CUSTOM, "broken_link", "low", "a", "民政局", {"周敏"}),
        ({"routes": [{"severities": ["high"], "roles": ["legal_representative"]}]}, "broken_link", "low", "a", None, set()),
    ],
    ids=["default-low", "default-medium", "default-high", "default-high-no-supervisor", "shortcut-off",
         "by-category", "by-severity-and-org", "other-org", "no-extra-rule", "nobody"],
)
def test_routing_table(routes, category, severity, org_id, supervisor, expected):
    assert who(routes, category, severity, org_id, supervisor) == expected


def test_people_without_addresses_are_not_planned_and_untold_findings_are_listed():
    settings = AlertSettings(routes=[{"roles": ["platform_manager"]}])
    org = Organization(id="a", name="机构", supervisor=None)
    finding = Finding(id=9, org_id="a", category="pii_id", severity="high", occurrence=1, first_seen=NOW)
    plan = plan_org(settings.effective_routes(), org, [PEOPLE[3]], [finding])
    assert plan.people == {} and plan.untold == [finding]


def test_default_routes_are_written_out():
    routes = AlertSettings().effective_routes()
    assert [(r.severities, r.roles) for r in routes] == [
        ("all", ["platform_manager"]), (["high"], ["legal_representative"]), (["high"], ["supervisor"]),
    ]


@pytest.mark.parametrize(
    "alerts, message",
    [
        ({"routes": [{"categories": ["pii_idd"], "roles": ["platform_manager"]}]}, "未知的问题类别 pii_idd"),
        ({"routes": [{"roles": []}]}, "alerts.routes.0.roles"),
        ({"routes": [{"roles": ["boss"]}]}, "alerts.routes.0.roles.0"),
        ({"routes": [{"roles": ["platform_manager"], "severity": ["high"]}]}, "alerts.routes.0.severity"),
        ({"routes": [{"roles": ["platform_manager"]}], "high_to_legal_representative": True}, "只能写一个"),
        ({"operators": ["ops@example.org"]}, "运维通知地址应为 Apprise URL"),
    ],
    ids=["unknown-category", "no-roles", "unknown-role", "misspelt-field", "routes-and-shortcut", "operator-url"],
)
def test_bad_routes_name_the_setting(tmp_path, alerts, message):
    import yaml

    path = tmp_path / "orgwatch.yaml"
    path.write_text(yaml.safe_dump({"alerts": alerts}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert message in str(err.value)
