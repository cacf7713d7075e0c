"""Scoping of the HTML pages: every route that takes an id answers 404 for another organisation's
finding, snapshot, organisation or report, with none of its data; forms without CSRF token get 403."""
from __future__ import annotations

import re

import pytest

from tests.web.conftest import EDUCATION_UNIT, RAW_ID, csrf_from

#: user -> the organisations outside its scope
OUTSIDE = {"health-unit": ("zhuxue",), "kangning-staff": ("xinhe", "zhuxue"), "zhuxue-staff": ("kangning", "xinhe")}
#: finding key per organisation (the first is the one with a snapshot where there is one)
FINDING_OF = {"kangning": "kangning_id", "xinhe": "xinhe_fund", "zhuxue": "zhuxue_fund"}
#: words that appear only in that organisation's data
SECRET_WORDS = {"kangning": ("张桂兰", RAW_ID[-4:] + "</mark>"), "xinhe": ("会长个人账户", "心禾协会"),
                "zhuxue": ("助学募捐", "各位爱心人士")}


def other_org_routes(world, org_id: str) -> list[str]:
    fid = world.findings[FINDING_OF[org_id]]
    return [f"/findings/{fid}", f"/findings/{fid}/snapshot", f"/organisations/{org_id}",
            f"/findings?org={org_id}", f"/findings?q={world.org_names[org_id]}"]


def assert_nothing_of(html: str, world, org_id: str) -> None:
    assert world.org_names[org_id] not in html
    for word in SECRET_WORDS[org_id]:
        assert word not in html, word
    assert world.evidence(FINDING_OF[org_id]) not in html


@pytest.mark.parametrize("user", sorted(OUTSIDE))
def test_other_organisations_resources_are_not_found(make_client, world, user: str) -> None:
    client = make_client(user)
    for org_id in OUTSIDE[user]:
        for path in other_org_routes(world, org_id):
            response = client.get(path)
            body = response.text
            if path.startswith("/findings?"):
                assert response.status_code == 200
                body = body[body.index('id="findings-table"'):]  # the form echoes what was asked
                assert "共 0 个问题" in body, path  # a filter or search outside the scope finds nothing
            else:
                assert response.status_code == 404, path
                assert "找不到" in body
            assert_nothing_of(body, world, org_id)


@pytest.mark.parametrize("user", sorted(OUTSIDE))
def test_triage_of_another_organisations_finding_is_not_found(make_client, world, user: str) -> None:
    client = make_client(user)
    token = csrf_from(client.get("/").text)
    for org_id in OUTSIDE[user]:
        fid = world.findings[FINDING_OF[org_id]]
        response = client.post(f"/findings/{fid}/triage", data={"csrf_token": token, "action": "false_positive",
                                                                  "reason": "不是我们的"})
        assert response.status_code == 404
        assert_nothing_of(response.text, world, org_id)
    other = make_client("reviewer").get(f"/findings/{world.findings[FINDING_OF[OUTSIDE[user][0]]]}").text
    assert "不是我们的" not in other and '<span class="badge st-open">待处理</span>' in other


def test_reports_of_other_units_and_organisations_are_not_found(make_client, world) -> None:
    weeks = re.findall(r'href="/reports/(\d{4}-W\d\d)"', make_client("reviewer").get("/reports").text)
    week = weeks[0]
    cases = [("kangning-staff", "?org=zhuxue", "zhuxue"), ("kangning-staff", f"?unit={EDUCATION_UNIT}", "zhuxue"),
             ("health-unit", f"?unit={EDUCATION_UNIT}", "zhuxue"), ("health-unit", "?org=zhuxue", "zhuxue"),
             ("zhuxue-staff", "?org=kangning", "kangning")]
    for user, query, org_id in cases:
        client = make_client(user)
        for suffix in ("", "/xlsx", "/html"):
            response = client.get(f"/reports/{week}{suffix}{query}")
            assert response.status_code == 404, (user, suffix, query)
            assert_nothing_of(response.text, world, org_id)


def test_check_for_another_organisation_is_not_found(make_client, world) -> None:
    client = make_client("health-unit")
    token = csrf_from(client.get("/check").text)
    response = client.post("/check", data={"csrf_token": token, "org": "zhuxue", "text": "测试文字"})
    assert response.status_code == 404
    assert world.org_names["zhuxue"] not in response.text


def test_bureau_sees_every_organisation_and_missing_ids_are_not_found(make_client, world) -> None:
    client = make_client("reviewer")
    for org_id, key in FINDING_OF.items():
        fid = world.findings[key]
        for path in (f"/findings/{fid}", f"/organisations/{org_id}"):
            assert client.get(path).status_code == 200, path
        if key in world.snapshots:
            assert client.get(f"/findings/{fid}/snapshot").status_code == 200
    for path in ("/findings/999999", "/findings/999999/snapshot", "/organisations/no-such-org"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_forms_without_a_valid_csrf_token_are_refused(make_client, world, token: str | None) -> None:
    client = make_client("kangning-staff")
    fid = world.findings["kangning_id"]
    extra = {} if token is None else {"csrf_token": token}
    posts = [(f"/findings/{fid}/triage", {"action": "false_positive", "reason": "伪造的请求"}),
             ("/check", {"text": "测试文字"}), ("/logout", {})]
    for path, data in posts:
        response = client.post(path, data={**data, **extra}, follow_redirects=False)
        assert response.status_code == 403, path
        assert "安全令牌" in response.text
    page = client.get(f"/findings/{fid}").text
    assert '<span class="badge st-open">待处理</span>' in page and "伪造的请求" not in page


def test_a_token_from_another_session_is_refused(make_client, world) -> None:
    fid = world.findings["kangning_id"]
    stolen = csrf_from(make_client("reviewer").get("/").text)
    response = make_client("kangning-staff").post(
        f"/findings/{fid}/triage", data={"csrf_token": stolen, "action": "acknowledge"}, follow_redirects=False)
    assert response.status_code == 403
