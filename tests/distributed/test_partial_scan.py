"""A job for some of an organisation's channels (a large site split per channel) does not judge
disclosures or channel health: the items on the channels it did not crawl would look missing."""
from __future__ import annotations

import datetime as dt
import json

import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from config.settings import load_settings
from models import scans
from models.entities import ChannelCheck, DisclosureCheck
from models.sync import sync_registry
from orgwatch.cli import main
from orgwatch.runtime import Runtime
from orgwatch.scan import run_scan
from tests.distributed.orgsites import write_config, write_sites


def disclosure_findings(config) -> list[dict]:
    result = CliRunner().invoke(main, ["findings", "--config", str(config), "--format", "json",
                                       "--category", "disclosure_missing"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_channel_subset_scan_skips_disclosure_and_health_full_scan_judges(tmp_path, serve_sites):
    urls = serve_sites(write_sites(tmp_path / "sites", 2))
    config = write_config(tmp_path, {"org001": urls["org001"]}, "json://127.0.0.1:9/pm")
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["health"] = {"disclosure_checks": True, "channel_checks": True}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    registry = tmp_path / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["organizations"][0]["channels"].append({"kind": "website", "url": urls["org002"] + "/"})
    registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rt = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 29))

    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], rt.now())
        first = scans.active_channels(s, ["org001"])[0].id
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
