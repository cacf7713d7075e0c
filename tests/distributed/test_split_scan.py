"""A large organisation scanned by one job per channel: the last job of the group judges the
organisation's disclosures and channel health over what all of them read, once, with the
outcome a whole scan of the organisation gives. The jobs run in this process, as a worker runs
them (no broker is needed for that)."""
from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from sqlalchemy import func, select

from config.settings import load_settings
from models import jobs as job_store
from models.entities import ChannelCheck, DisclosureCheck, Finding, ScanRun, ScheduleMark
from orgwatch.cli import main
from orgwatch.distributed import ScanJobSpec
from orgwatch.distributed.jobs import job_payload, pending_judgements, split_groups, split_mark, wait_for_judgements
from orgwatch.distributed.tasks import JobRun, runtime_for
from orgwatch.runtime import Runtime
from orgwatch.scan import run_scan
from tests.distributed.orgsites import two_site_org, write_sites


def open_disclosure(config) -> set[tuple[str, str]]:
    result = CliRunner().invoke(main, ["findings", "--config", str(config), "--format", "json",
                                       "--category", "disclosure_missing", "--status", "active"])
    assert result.exit_code == 0, result.output
    return {(f["item"], f["rule"]) for f in json.loads(result.output)}


def counts(rt) -> tuple[int, int]:
    with rt.db.session() as s:
        return (s.scalar(select(func.count()).select_from(DisclosureCheck)),
                s.scalar(select(func.count()).select_from(ChannelCheck)))


def test_the_last_channel_job_judges_the_organisation_once(tmp_path, serve_sites):
    config, channels = two_site_org(tmp_path, serve_sites(write_sites(tmp_path / "sites", 2)))
    rt = Runtime(settings=load_settings(config), as_of=dt.date(2026, 11, 29))
    specs = [ScanJobSpec("org001", [c]) for c in channels]
    ids = ["job-a", "job-b"]
    group = split_groups(ids, specs)["org001"]
    assert group["jobs"] == ids and split_groups(ids[:1], specs[:1]) == {}  # a lone job is no group
    with rt.db.session() as s:
        for job_id, spec in zip(ids, specs):
            job_store.add_job(s, job_id=job_id, org_id="org001", channel_ids=spec.channel_ids, as_of=rt.as_of,
                              now=rt.now())
    payloads = [json.loads(json.dumps(job_payload(rt, j, spec, False, group), default=str))
                for j, spec in zip(ids, specs)]

    assert JobRun(runtime_for(payloads[0]), payloads[0]).run() == "completed"
    assert counts(rt) == (0, 0), "one channel of two read: nothing judged yet"
    assert pending_judgements(rt, ids) == [], "a job is still to come: no judgement is owed yet"
    assert JobRun(runtime_for(payloads[1]), payloads[1]).run() == "completed"
    disclosure_checks, channel_checks = counts(rt)
    assert disclosure_checks > 0 and channel_checks == 2
    with rt.db.session() as s:
        assert not any(c.status == "unverified" for c in s.scalars(select(DisclosureCheck)))  # both channels read
        [mark] = s.scalars(select(ScheduleMark)).all()
        assert mark.status == "done" and mark.detail == {"org_id": "org001", "channels": 2}
    judged = open_disclosure(config)
    assert judged, "the generated sites publish none of the mandated items"
    with rt.db.session() as s:  # every finding is new, and counted once, in the scan it is attributed to
        runs = {r.id: r for r in s.scalars(select(ScanRun))}
        found = s.scalars(select(Finding)).all()
        assert sum(r.findings_new for r in runs.values()) == len(found)
        assert {f.last_scan_id for f in found if f.category == "disclosure_missing"} == {max(runs)}
        assert runs[max(runs)].findings_new >= len(judged)

    JobRun(runtime_for(payloads[1]), payloads[1])._judge_group(group)  # a second delivery: judged once only
    with rt.db.session() as s:
        assert len(s.scalars(select(ScheduleMark)).all()) == 1

    # Whoever waits for the jobs (scan --distributed --wait) also waits for that judgement.
    assert group["id"] == ids[0] and wait_for_judgements(rt, ids, grace=5) == []
    with rt.db.session() as s:
        s.delete(s.scalars(select(ScheduleMark).where(ScheduleMark.key == split_mark(ids[0]))).one())
    assert wait_for_judgements(rt, ids, grace=0.2, poll=0.05) == ["org001"], "judgement missing: said, not hidden"
    JobRun(runtime_for(payloads[1]), payloads[1])._judge_group(group)
    assert pending_judgements(rt, ids) == []

    whole = run_scan(rt, ["org001"], deliver=False, sync=False)  # the same organisation in one scan
    assert whole.status == "completed" and open_disclosure(config) == judged
    rt.db.dispose()
