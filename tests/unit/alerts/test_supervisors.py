"""The registry's supervising units: optional, named exactly, contacts with Apprise URLs."""
from __future__ import annotations

import pytest

from classifier.codes import uscc_check_char
from config.exceptions import RegistryError
from config.registry import parse_registry

UNIT = "青溪区民政局"


def org(org_id: str, name: str, n: int, people: list, supervisor: str | None = None) -> dict:
    base = f"52500199MJQ{n:06d}"
    return {"id": org_id, "name": name, "type": "social_service", "uscc": base + uscc_check_char(base),
            "registration_authority": "民政局", "supervisor": supervisor,
            "channels": [{"kind": "website", "url": f"http://{org_id}.example.org/"}], "people": people}


def registry(orgs, supervisors=None):
    raw = {"organizations": orgs}
    if supervisors is not None:
        raw["supervisors"] = supervisors
    return parse_registry(raw, "registry.yaml")


def test_supervisors_are_optional_and_looked_up_by_name():
    assert registry([org("a", "甲", 1, [], supervisor="未列出的单位")]).supervisors == []
    reg = registry([org("a", "甲", 1, [], supervisor=UNIT)],
                   [{"name": UNIT, "people": [{"name": "王主任", "notify": ["json://h/x"]}]}, {"name": "教育局"}])
    assert reg.supervisor(UNIT).people[0].name == "王主任"
    assert reg.supervisor("教育局").people == [] and reg.supervisor("无") is None


@pytest.mark.parametrize(
    "orgs, supervisors, expected",
    [
        ([org("a", "甲协会", 1, [], supervisor="青溪区民证局")], [{"name": UNIT}],
         "甲协会（id: a）的 supervisor '青溪区民证局' 不在 supervisors 中；已列出的单位：青溪区民政局"),
        ([], [{"name": UNIT}, {"name": UNIT}], f"业务主管单位 {UNIT} 在 supervisors 中重复"),
        ([], [{"name": UNIT, "people": [{"name": "王主任", "notify": ["wang@example.org"]}]}],
         f"第 1 个业务主管单位 {UNIT}的字段 people[0].notify：通知地址应为 Apprise URL"),
        ([], [{"name": UNIT, "contacts": []}], f"第 1 个业务主管单位 {UNIT}的字段 contacts"),
    ],
    ids=["unknown-unit", "duplicate-unit", "contact-url", "unknown-field"],
)
def test_supervisor_errors_are_clear(orgs, supervisors, expected):
    with pytest.raises(RegistryError) as err:
        registry(orgs, supervisors)
    assert expected in str(err.value) and "registry.yaml" in str(err.value)
