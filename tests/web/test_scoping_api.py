"""Every API resource scoped by role: an organisation user asking for another organisation's
finding, snapshot, organisation, report or check context gets 404 and none of its data; a
supervisor sees only its unit's organisations; bureau sees everything. Both with a session
cookie and with a bearer token, since both go through the same scope."""
from __future__ import annotations

import pytest

from tests.web.conftest import ROLE_USER, SEEDS

VISIBLE = {"bureau": {"kangning", "xinhe", "zhuxue"}, "supervisor": {"kangning", "xinhe"}, "org": {"kangning"}}
ALL_ORGS = VISIBLE["bureau"]


@pytest.fixture(params=[(role, via) for role in ROLE_USER for via in ("session", "token")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def caller(request, make_client, api_client):
    role, via = request.param
    client = make_client(ROLE_USER[role]) if via == "session" else api_client(ROLE_USER[role])
    client.role = role
    return client


def _body_mentions(response, world, org_id: str) -> bool:
    return world.org_names[org_id] in response.text


def test_finding_list_holds_only_the_callers_organisations(caller, world):
    items = caller.get("/api/v1/findings", params={"per_page": 200}).json()["items"]
    expected = {world.findings[s.key] for s in SEEDS if s.org_id in VISIBLE[caller.role]}
    assert {f["id"] for f in items} == expected
    for hidden in ALL_ORGS - VISIBLE[caller.role]:
        assert caller.get("/api/v1/findings", params={"org_id": hidden}).json()["total"] == 0
        assert caller.get("/api/v1/findings", params={"q": world.org_names[hidden]}).json()["items"] == []


def test_finding_detail_is_404_outside_the_scope(caller, world):
    for seed in SEEDS:
        response = caller.get(f"/api/v1/findings/{world.findings[seed.key]}")
        if seed.org_id in VISIBLE[caller.role]:
            assert response.status_code == 200
            assert response.json()["finding"]["evidence"] == seed.evidence
        else:
            assert response.status_code == 404
            assert set(response.json()) == {"detail"}
            assert seed.evidence not in response.text and not _body_mentions(response, world, seed.org_id)


def test_snapshot_is_404_outside_the_scope(caller, world):
    for key, snapshot_id in world.snapshots.items():
        response = caller.get(f"/api/v1/snapshots/{snapshot_id}")
        if world.org_of(key) in VISIBLE[caller.role]:
            assert response.status_code == 200 and response.json()["text"]
        else:
            assert response.status_code == 404 and set(response.json()) == {"detail"}


def test_organisations_are_scoped(caller, world):
    listed = {o["id"] for o in caller.get("/api/v1/organisations").json()}
    assert listed == VISIBLE[caller.role]
    for org_id in ALL_ORGS:
        response = caller.get(f"/api/v1/organisations/{org_id}")
        if org_id in VISIBLE[caller.role]:
            assert response.status_code == 200 and response.json()["org"]["name"] == world.org_names[org_id]
        else:
            assert response.status_code == 404 and not _body_mentions(response, world, org_id)


def test_triage_outside_the_scope_is_404_and_changes_nothing(caller, world, rt):
    from models.entities import Finding

    for seed in SEEDS:
        if seed.org_id in VISIBLE[caller.role] or seed.status != "open":
            continue
        finding_id = world.findings[seed.key]
        response = caller.post(f"/api/v1/findings/{finding_id}/triage", json={"action": "resolve"},
                               headers={"X-CSRF-Token": _csrf(caller)})
        assert response.status_code == 404
        with rt.db.session() as s:
            assert s.get(Finding, finding_id).status == "open"


def _csrf(client) -> str:
    return client.get("/api/v1/me").json()["csrf_token"] or ""


def test_scans_name_only_organisations_in_scope(caller):
    scans = caller.get("/api/v1/scans").json()
    assert scans
    for scan in scans:
        if caller.role != "bureau":
            assert set(scan["scope"].split(",")) <= VISIBLE[caller.role]
        assert (scan["pages"] is not None) == (caller.role == "bureau")


def test_reports_hold_only_the_callers_organisations(caller, world):
    week = caller.get("/api/v1/reports").json()[0]["week"]
    report = caller.get(f"/api/v1/reports/{week}")
    assert report.status_code == 200
    assert {o["org_id"] for o in report.json()["orgs"]} == VISIBLE[caller.role]
    html = caller.get(f"/api/v1/reports/{week}/html")
    assert html.status_code == 200
    for hidden in ALL_ORGS - VISIBLE[caller.role]:
        assert world.org_names[hidden] not in html.text
        assert caller.get(f"/api/v1/reports/{week}", params={"org": hidden}).status_code == 404
        assert caller.get(f"/api/v1/reports/{week}/xlsx", params={"org": hidden}).status_code == 404
    if caller.role != "bureau":
        assert caller.get(f"/api/v1/reports/{week}", params={"unit": "云川市教育局"}).status_code == 404


def test_check_in_another_organisations_context_is_404(caller):
    for org_id in ALL_ORGS - VISIBLE[caller.role]:
        response = caller.post("/api/v1/check", data={"text": "测试文字", "org_id": org_id},
                               headers={"X-CSRF-Token": _csrf(caller)})
        assert response.status_code == 404


def test_audit_log_is_for_bureau_only(caller):
    response = caller.get("/api/v1/audit")
    assert response.status_code == (200 if caller.role == "bureau" else 403)
