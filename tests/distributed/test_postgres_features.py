"""The embedded default's end-to-end tests rerun on the real PostgreSQL: scan, findings, alerts,
fixes, broken links, disclosure and channel health, and the weekly reports.

The tests are imported from tests/integration (pytest collects them here again); the autouse
fixture below makes a fresh PostgreSQL database every command's default through
``ORGWATCH_DATABASE_URL``. The whole integration suite runs on PostgreSQL with
``ORGWATCH_TEST_DATABASE=postgresql pytest tests/integration`` (tests/conftest.py).
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.entities import ScanRun
from tests.integration.disclosure_sites import wired  # noqa: F401 - fixture of the imported tests
from tests.integration.test_channel_health import test_broken_link_names_source_and_target_and_resolves  # noqa: F401
from tests.integration.test_disclosure_health import (  # noqa: F401
    test_an_incomplete_crawl_reports_no_missing_items, test_stale_and_fresh_channels_blank_column_and_uscc_mismatch,
)
from tests.integration.test_end_to_end import (  # noqa: F401
    site, test_notifier_down_keeps_alert_and_retry_delivers_once, test_scan_finds_alerts_once_and_resolves_fixed_page,
)
from tests.integration.test_report_scan import test_reports_follow_the_scans_week_by_week  # noqa: F401

pytestmark = pytest.mark.services


@pytest.fixture(autouse=True)
def _on_postgresql(pg_database, monkeypatch):
    monkeypatch.setenv("ORGWATCH_DATABASE_URL", pg_database)
    yield
    db = Database(pg_database)
    with db.session() as s:  # the scans really went to PostgreSQL
        assert s.scalar(select(func.count()).select_from(ScanRun)) > 0
    db.dispose()
