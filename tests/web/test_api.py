"""The JSON API's routes as a script would use them (bearer token): filters, detail with history
and alerts, triage with feedback and audit, snapshots, reports, the pre-publish check."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.entities import Feedback, Finding
from tests.web.conftest import MASKED_ID, RAW_ID, SEEDS, audit_rows


@pytest.fixture()
def bureau(api_client):
    return api_client("reviewer")


def _ids(response) -> set[int]:
    return {f["id"] for f in response.json()["items"]}


def test_openapi_document_lists_only_the_api(make_client):
    doc = make_client().get("/api/v1/openapi.json").json()
    assert doc["paths"] and all(path.startswith("/api/v1/") for path in doc["paths"])
    assert "/api/v1/findings/{finding_id}/triage" in doc["paths"]
    assert make_client().get("/api/v1/docs").status_code == 404  # Swagger UI would need a CDN


def test_finding_filters_and_pagination(bureau, world):
    key = world.findings
    assert _ids(bureau.get("/api/v1/findings", params={"severity": "high", "status": "open"})) == \
        {key["kangning_id"], key["xinhe_fund"], key["zhuxue_fund"]}
    assert _ids(bureau.get("/api/v1/findings", params={"status": "active", "org_id": "kangning"})) == \
        {key["kangning_id"], key["kangning_secret"]}
    assert _ids(bureau.get("/api/v1/findings", params={"category": "stale_channel"})) == {key["xinhe_stale"]}
    assert _ids(bureau.get("/api/v1/findings", params={"q": "会长个人账户"})) == {key["xinhe_fund"]}
    assert _ids(bureau.get("/api/v1/findings", params={"q": "助学圆梦"})) == {key["zhuxue_fund"]}  # org name
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # the filters use Beijing days
    recent = _ids(bureau.get("/api/v1/findings", params={"since": str(today - dt.timedelta(days=7))}))
    assert recent == {world.findings[s.key] for s in SEEDS if s.days_ago <= 5}
    old = _ids(bureau.get("/api/v1/findings", params={"until": str(today - dt.timedelta(days=30))}))
    assert old == {world.findings[s.key] for s in SEEDS if s.days_ago >= 40}
    pages = [bureau.get("/api/v1/findings", params={"per_page": 3, "page": n}).json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [len(SEEDS)] * 3 and pages[0]["pages"] == 3
    assert set().union(*({f["id"] for f in p["items"]} for p in pages)) == set(world.findings.values())


def test_bad_filters_get_422_in_fastapi_format(bureau):
    response = bureau.get("/api/v1/findings", params={"severity": "urgent", "since": "yesterday", "page": 0})
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert fields == {("query", "severity"), ("query", "since"), ("query", "page")}
    assert bureau.get("/api/v1/findings/abc").status_code == 422


def test_finding_detail_has_history_alerts_and_masked_evidence(bureau, world):
    detail = bureau.get(f"/api/v1/findings/{world.findings['kangning_id']}").json()
    assert detail["finding"]["org_name"] == world.org_names["kangning"]
    assert MASKED_ID in detail["finding"]["evidence"] and RAW_ID not in detail["finding"]["evidence"]
    assert detail["snapshot_id"] == world.snapshots["kangning_id"]
    assert [e["action"] for e in detail["history"]][0] == "found"
    [alert] = detail["alerts"]
    assert alert["recipient"] == "周立新" and alert["status"] == "failed" and alert["attempts"] == 2
    assert "502" in alert["last_error"]
    assert bureau.get("/api/v1/findings/999999").status_code == 404


def test_snapshot_text_is_decoded_from_its_encoding(bureau, world):
    snap = bureau.get(f"/api/v1/snapshots/{world.snapshots['zhuxue_fund']}").json()
    assert snap["encoding"] == "gb18030" and "理事长个人微信" in snap["text"]


def _triage(client, finding_id: int, action: str, reason: str | None = None):
    return client.post(f"/api/v1/findings/{finding_id}/triage", json={"action": action, "reason": reason})


def _feedback(rt, finding_id: int) -> list[tuple[str, str]]:
    with rt.db.session() as s:
        return [(f.verdict, f.author) for f in s.scalars(select(Feedback).where(Feedback.finding_id == finding_id))]


def test_triage_transitions_feedback_and_audit(bureau, world, rt):
    finding_id = world.findings["xinhe_fund"]
    refused = _triage(bureau, finding_id, "false_positive")
    assert refused.status_code == 409 and "理由" in refused.json()["detail"]
    assert _triage(bureau, finding_id, "reopen").status_code == 409  # it is open already
    ack = _triage(bureau, finding_id, "acknowledge").json()
    assert (ack["old_status"], ack["new_status"], ack["feedback"]) == ("open", "acknowledged", "confirmed")
    assert _feedback(rt, finding_id) == [("confirmed", "reviewer")]
    fp = _triage(bureau, finding_id, "false_positive", "是机构自己的公告，不是募捐").json()
    assert fp["new_status"] == "false_positive"
    assert _feedback(rt, finding_id) == [("false_positive", "reviewer")]  # the opposite verdict replaced
    detail = bureau.get(f"/api/v1/findings/{finding_id}").json()
    assert detail["finding"]["status_by"] == "reviewer"
    assert detail["finding"]["status_note"] == "是机构自己的公告，不是募捐"
    assert [e["action"] for e in detail["history"] if e["actor"]] == ["triage.acknowledge", "triage.false_positive"]
    reopened = _triage(bureau, finding_id, "reopen").json()
    assert reopened["new_status"] == "open" and _feedback(rt, finding_id) == []
    resolved = _triage(bureau, finding_id, "resolve", "已删除页面").json()
    assert resolved["new_status"] == "resolved"
    with rt.db.session() as s:
        assert s.get(Finding, finding_id).resolved_at is not None
    entries = [e for e in audit_rows(rt) if e.action.startswith("triage.")]
    assert [(e.action, e.actor, e.target_id) for e in entries] == [
        (f"triage.{a}", "reviewer", str(finding_id)) for a in ("acknowledge", "false_positive", "reopen", "resolve")]
    assert entries[1].detail == {"from": "acknowledged", "to": "false_positive", "reason": "是机构自己的公告，不是募捐"}


def test_triage_body_is_validated(bureau, world):
    finding_id = world.findings["xinhe_fund"]
    assert _triage(bureau, finding_id, "delete").status_code == 422
    assert bureau.post(f"/api/v1/findings/{finding_id}/triage", json={"action": "resolve", "x": 1}).status_code == 422


def test_organisation_detail_without_contact_addresses(bureau):
    from tests.web.conftest import NOTIFY_PHONE

    response = bureau.get("/api/v1/organisations/kangning")
    detail = response.json()
    assert {p["name"] for p in detail["people"]} == {"周立新", "陈美华"}
    assert NOTIFY_PHONE not in response.text and "mailto" not in response.text
    states = {c["kind"]: (c["reachable"], c["state"]) for c in detail["channels"]}
    assert states == {"website": (True, "ok"), "feed": (False, "failed")}
    assert {d["item"]: d["status"] for d in detail["disclosure"]} == {"annual_report": "present",
                                                                      "fee_standard": "missing"}
    assert detail["scans"]


def test_reports_list_summary_and_files(bureau):
    weeks = bureau.get("/api/v1/reports").json()
    assert weeks[0]["partial"] is True and all(not w["partial"] for w in weeks[1:])
    week = weeks[0]["week"]
    summary = bureau.get(f"/api/v1/reports/{week}").json()
    assert summary["week"] == week and len(summary["orgs"]) == 3
    xlsx = bureau.get(summary["files"]["xlsx"])
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert xlsx.headers["content-disposition"] == f'attachment; filename="weekly-{week}.xlsx"'
    unit = bureau.get(f"/api/v1/reports/{week}", params={"unit": "云川市教育局"}).json()
    assert [o["org_id"] for o in unit["orgs"]] == ["zhuxue"]
    assert bureau.get("/api/v1/reports/2026-W99").status_code == 404
    assert bureau.get("/api/v1/reports/2999-W01").status_code == 404


def test_report_pdf(bureau):
    week = bureau.get("/api/v1/reports").json()[1]["week"]
    pdf = bureau.get(f"/api/v1/reports/{week}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_check_pasted_text_and_uploaded_file_like_the_cli(api_client):
    from tests.integration.sitegen import IDS

    client = api_client("kangning-staff")
    text = f"助餐补贴发放名单：张桂兰 {IDS[0]} 300元"
    pasted = client.post("/api/v1/check", data={"text": text}).json()
    assert pasted["error"] is None
    [found] = pasted["findings"]
    assert found["category"] == "pii_id" and IDS[0] not in found["evidence"] and found["line"] == 1
    uploaded = client.post("/api/v1/check", files={"file": ("名单.html", f"<p>{text}</p>".encode(), "text/html")})
    body = uploaded.json()
    assert body["name"] == "名单.html" and body["format"] == "html"
    assert [f["category"] for f in body["findings"]] == ["pii_id"]
    clean = client.post("/api/v1/check", data={"text": "本周开展敬老志愿服务。"}).json()
    assert clean["findings"] == []
    empty = client.post("/api/v1/check", data={"text": "  "})
    assert empty.status_code == 422 and "上传" in empty.json()["detail"]


def test_audit_log_pages_and_filters(bureau, api_client, world):
    _triage(api_client("kangning-staff"), world.findings["kangning_id"], "acknowledge")
    page = bureau.get("/api/v1/audit", params={"action": "triage"}).json()
    assert [(e["actor"], e["action"]) for e in page["items"]] == [("kangning-staff", "triage.acknowledge")]
    uses = bureau.get("/api/v1/audit", params={"action": "token.use"}).json()["items"]
    assert {e["actor"] for e in uses} == {"reviewer", "kangning-staff"}


def test_unknown_paths_and_out_of_range_ids(bureau, make_client):
    missing = bureau.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "找不到" in missing.json()["detail"]
    assert bureau.get(f"/api/v1/findings/{2 ** 50}").status_code == 404
    assert bureau.get(f"/api/v1/findings/{2 ** 60}").status_code == 422  # beyond the documented range
    page = make_client("reviewer").get("/no-such-page")
    assert page.status_code == 404 and "找不到" in page.text and "<html" in page.text
    assert make_client("reviewer").get("/findings/99999999999999999999999").status_code in (404, 422)
