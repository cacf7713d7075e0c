"""The two-organisation world served on 127.0.0.1 for every scheduler test."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.schedule.world import write_feed, write_sites


@pytest.fixture()
def urls(tmp_path: Path, serve_sites) -> dict[str, str]:
    """Base URLs of the running sites (anhe has a feed)."""
    root = write_sites(tmp_path / "sites")
    urls = serve_sites(root)
    write_feed(root, urls["anhe"])
    return urls
