"""The API's scoped queries on PostgreSQL (ILIKE search, grouped counts, reports): the same world as
the SQLite tests, built in a fresh PostgreSQL database."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from models import users
from orgwatch.web.app import create_app
from tests.web.conftest import ROLE_USER, SEEDS, build_world

VISIBLE = {"bureau": {"kangning", "xinhe", "zhuxue"}, "supervisor": {"kangning", "xinhe"}, "org": {"kangning"}}


@pytest.fixture()
def pg_world(pg_database, tmp_path, monkeypatch):
    monkeypatch.setenv("ORGWATCH_DATABASE_URL", pg_database)
    world = build_world(tmp_path / "world")
    rt = world.runtime()
    assert rt.db.dialect == "postgresql"
    yield world, rt
    rt.db.dispose()


@pytest.mark.services
def test_scoped_api_on_postgresql(pg_world):
    world, rt = pg_world
    app = create_app(rt)
    for role, user in ROLE_USER.items():
        with rt.db.session() as s:
            _, token = users.create_token(s, user=users.require_user(s, user), name="pg", now=rt.now())
        with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {token}"}) as client:
            items = client.get("/api/v1/findings", params={"per_page": 200}).json()["items"]
            assert {f["org_id"] for f in items} == VISIBLE[role]
            hits = client.get("/api/v1/findings", params={"q": "KANGNING.EXAMPLE.ORG/NEWS"}).json()["items"]
            assert {f["id"] for f in hits} == {world.findings[s.key] for s in SEEDS
                                               if s.org_id == "kangning" and s.path.startswith("news/")}
            assert {o["id"] for o in client.get("/api/v1/organisations").json()} == VISIBLE[role]
            zhuxue = client.get(f"/api/v1/findings/{world.findings['zhuxue_fund']}")
            assert zhuxue.status_code == (200 if "zhuxue" in VISIBLE[role] else 404)
            week = client.get("/api/v1/reports").json()[0]["week"]
            orgs = {o["org_id"] for o in client.get(f"/api/v1/reports/{week}").json()["orgs"]}
            assert orgs == VISIBLE[role]
            triaged = client.post(f"/api/v1/findings/{world.findings['kangning_id']}/triage",
                                  json={"action": "confirm"})
            assert triaged.status_code == 200, triaged.text  # confirm is allowed on open and acknowledged
