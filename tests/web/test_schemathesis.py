"""schemathesis against the app's own OpenAPI document (ASGI, authenticated with a bureau token):
whatever it sends, within the schema or not, the API never answers with a server error."""
from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from models import users
from orgwatch.web.app import create_app
from tests.web.conftest import World

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def bureau_api(_world_template: World, tmp_path_factory):
    """The app on a private copy of the world, and a bureau user's token."""
    folder = tmp_path_factory.mktemp("schemathesis") / "world"
    shutil.copytree(_world_template.folder, folder)
    rt = World(folder=folder, config=folder / "orgwatch.yaml").runtime()
    with rt.db.session() as s:
        _, token = users.create_token(s, user=users.require_user(s, "reviewer"), name="schemathesis", now=rt.now())
    app = create_app(rt)
    yield app, token
    rt.db.dispose()


def test_no_server_errors(bureau_api):
    app, token = bureau_api
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.text[:500])

        no_server_error()
    # it really exercised the API: answers, refusals of bad input, and not-found ids all came back
    assert len(statuses) > 5 * len(operations)
    assert {200, 404, 422} <= set(statuses)
