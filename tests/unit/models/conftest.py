"""A migrated SQLite database holding one organisation, ``org1``, for the models' unit tests."""
from __future__ import annotations

import datetime as dt

import pytest

from models.db import Database
from models.entities import Organization

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone.utc)


def database_with_org(path) -> Database:
    """A migrated SQLite database at ``path`` holding one organisation, ``org1``."""
    database = Database(f"sqlite:///{path}")
    database.migrate()
    with database.session() as s:
        s.add(Organization(id="org1", name="澄江市春晖助老协会", type="social_group", uscc="51330000MJ0000001X",
                           registration_authority="澄江市民政局", updated_at=NOW))
    return database


@pytest.fixture()
def db(tmp_path):
    database = database_with_org(tmp_path / "models.db")
    yield database
    database.dispose()
