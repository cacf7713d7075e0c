"""Fixtures for the distributed tests: real workers on a per-test Redis database, stopped afterwards."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.distributed.procs import Workers


@pytest.fixture()
def start_workers(tmp_path: Path):
    """``start_workers(config)`` -> a Workers; every worker is stopped after the test."""
    started: list[Workers] = []

    def make(config: Path) -> Workers:
        workers = Workers(config, tmp_path)
        started.append(workers)
        return workers

    yield make
    for workers in started:
        workers.stop_all()
