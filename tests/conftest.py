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


def require_service(name: str, port: int) -> None:
    """Skip when a service is absent, or fail when ORGWATCH_REQUIRE_SERVICES=1 (CI)."""
    if _port_open(port):
        return
    message = f"{name} is not listening on 127.0.0.1:{port}"
    if os.environ.get("ORGWATCH_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " and ORGWATCH_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture()
def postgres_url() -> str:
    require_service("PostgreSQL", 5432)
    return os.environ.get("ORGWATCH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


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
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's own settings or data directory."""
    for key in list(os.environ):
        if key.startswith("ORGWATCH_") and key not in ("ORGWATCH_REQUIRE_SERVICES", "ORGWATCH_TEST_POSTGRES"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
