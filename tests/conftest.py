"""Shared fixtures: real local servers on 127.0.0.1 and real databases."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from orgwatch.devserver import AlertReceiver, SiteServer

ROOT = Path(__file__).resolve().parent.parent


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def require(available: bool, message: str) -> None:
    """Skip when something a test needs is absent, or fail when ORGWATCH_REQUIRE_SERVICES=1 (CI)."""
    if available:
        return
    if os.environ.get("ORGWATCH_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " and ORGWATCH_REQUIRE_SERVICES=1")
    pytest.skip(message)


def require_service(name: str, port: int) -> None:
    """Skip when a service is absent, or fail when ORGWATCH_REQUIRE_SERVICES=1 (CI)."""
    require(_port_open(port), f"{name} is not listening on 127.0.0.1:{port}")


@pytest.fixture()
def postgres_url() -> str:
    require_service("PostgreSQL", 5432)
    return os.environ.get("ORGWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture()
def pg_database(postgres_url):
    """A fresh, empty PostgreSQL database for one test (dropped afterwards); yields its URL."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"orgwatch_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture()
def redis_url():
    """A Redis database number of its own for one test (claimed among 1-15, emptied afterwards),
    so concurrent tests never see each other's jobs; yields ``redis://127.0.0.1:6379/N``."""
    import redis

    require_service("Redis", 6379)
    claim = f"orgwatch:test-claim:{os.getpid()}"
    for number in range(1, 16):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.set("orgwatch:test-claim", claim, nx=True, ex=1800):
            break
        client.close()
    else:
        pytest.fail("all Redis databases 1-15 are claimed by other tests")
    client.flushdb()
    client.set("orgwatch:test-claim", claim, ex=1800)
    yield f"redis://127.0.0.1:6379/{number}"
    client.flushdb()
    client.close()


@pytest.fixture()
def alert_sink(tmp_path: Path):
    """A real HTTP receiver for Apprise's json:// on 127.0.0.1; ``.received`` lists what arrived."""
    sink = AlertReceiver(tmp_path / "sink").start()
    yield sink
    sink.stop()


@pytest.fixture()
def serve_sites():
    """Start a SiteServer over a folder of site folders; stopped after the test."""
    servers: list[SiteServer] = []

    def start(root: Path) -> dict[str, str]:
        server = SiteServer(root)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """No test reads the developer's own settings or data directory.

    With ``ORGWATCH_TEST_DATABASE=postgresql`` every test gets a fresh PostgreSQL database as its
    default (``ORGWATCH_DATABASE_URL``), so a suite can be rerun on PostgreSQL:
    ``ORGWATCH_TEST_DATABASE=postgresql pytest tests/integration``.
    """
    keep = ("ORGWATCH_REQUIRE_SERVICES", "ORGWATCH_TEST_POSTGRES", "ORGWATCH_TEST_DATABASE")
    for key in list(os.environ):
        if key.startswith("ORGWATCH_") and key not in keep:
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if os.environ.get("ORGWATCH_TEST_DATABASE") == "postgresql":
        monkeypatch.setenv("ORGWATCH_DATABASE_URL", request.getfixturevalue("pg_database"))
