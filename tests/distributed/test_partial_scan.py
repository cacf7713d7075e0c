"""A scan of some of an organisation's channels does not judge disclosures or channel health by
itself: the items on the channels it did not crawl would look missing. (The jobs that split a
large organisation are judged together by the last of them: test_split_scan.)"""
from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from sqlalchemy import func, select

from config.settings import load_settings
from models.entities import ChannelCheck, DisclosureCheck
from orgwatch.cli import main
from orgwatch.runtime import Runtime
from orgwatch.scan import run_scan
from tests.distributed.orgsites import two_site_org, write_sites


def disclosure_findings(config) -> list[dict]:
    result = CliRunner().invoke(main, ["findings", "--config", str(config), "--format", "json",
                                       "--category", "disclosure_missing"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_channel_subset_scan_skips_disclosure_and_health_full_scan_judges(tmp_path, serve_sites):
    config, (first, _) = two_site_org(tmp_path, serve_sites(write_sites(tmp_path / "sites", 2)))
    rt = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 29))
    partial = run_scan(rt, ["org001"], deliver=False, channel_ids=[first], sync=False)
    assert partial.status == "completed" and partial.pages > 0
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DisclosureCheck)) == 0
        assert s.scalar(select(func.count()).select_from(ChannelCheck)) == 0
    assert disclosure_findings(config) == []

    full = run_scan(rt, ["org001"], deliver=False)
    assert full.status == "completed"
    with rt.db.session() as s:
        assert s.scalar(select(func.count()).select_from(DisclosureCheck)) > 0
        assert s.scalar(select(func.count()).select_from(ChannelCheck)) == 2
    assert disclosure_findings(config) != []  # the generated sites publish none of the mandated items
    rt.db.dispose()
