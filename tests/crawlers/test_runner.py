"""The parent side of a crawl: streaming, errors from the child, stopping early."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import CrawlSettings
from crawlers.exceptions import CrawlError, CrawlProcessError
from crawlers.items import ChannelDone, CrawlJob, FetchError, PageItem
from crawlers.runner import PROJECT_ROOT, run_crawl
from tests.crawlers.conftest import channel
from tests.crawlers.fixture_site import FixtureServer

pytestmark = pytest.mark.timeout(120)


def job_for(tmp_path: Path, *channels, **limits) -> CrawlJob:
    settings = {"download_delay": 0, "autothrottle": False, "allow_private_networks": True, **limits}
    return CrawlJob(channels=list(channels), crawl=CrawlSettings(**settings).model_dump(), spool_dir=str(tmp_path / "spool"))


def test_events_stream_and_log_goes_to_log_path(site: FixtureServer, tmp_path: Path) -> None:
    log = tmp_path / "logs" / "crawl.log"
    events = run_crawl(job_for(tmp_path, channel("w:0", "wechat_article", site.url("/wechat/s/abc.html"))), log_path=log)
    first = next(events)
    assert isinstance(first, PageItem) and first.title == "寒假支教志愿者招募"
    rest = list(events)
    assert isinstance(rest[-1], ChannelDone)
    assert "Spider closed (finished)" in log.read_text(encoding="utf-8")


def test_child_failure_raises_with_log_tail(tmp_path: Path) -> None:
    job = CrawlJob(channels=[channel("x:0", "website", "http://127.0.0.1:9/")], crawl={"max_pages": 0}, spool_dir=str(tmp_path))
    with pytest.raises(CrawlProcessError) as caught:
        list(run_crawl(job, log_path=tmp_path / "crawl.log"))
    assert isinstance(caught.value, CrawlError)
    assert caught.value.returncode not in (0, None)
    assert "max_pages" in caught.value.stderr_tail  # pydantic names the bad field
    assert "max_pages" in str(caught.value)


def test_unusable_channels_are_reported_as_home_errors(site: FixtureServer, tmp_path: Path) -> None:
    events = list(run_crawl(job_for(
        tmp_path,
        channel("odd:0", "carrier_pigeon", "http://127.0.0.1:9/"),
        channel("typo:0", "website", "www.no-scheme.org.cn"),
        channel("notfeed:0", "feed", site.url("/utf8/about.html")),
    )))
    errors = {e.channel: e for e in events if isinstance(e, FetchError)}
    assert errors["odd:0"].reason == "other" and "carrier_pigeon" in errors["odd:0"].message
    assert errors["typo:0"].reason == "other" and "http://" in errors["typo:0"].message
    assert "订阅源无法解析" in errors["notfeed:0"].message
    assert all(e.is_home for e in errors.values())
    assert not any(isinstance(e, PageItem) for e in events)
    done = {e.channel: e for e in events if isinstance(e, ChannelDone)}
    assert sorted(done) == ["notfeed:0", "odd:0", "typo:0"]
    assert all(d.errors == 1 for d in done.values())


def test_closing_the_stream_early_stops_the_child(site: FixtureServer, tmp_path: Path) -> None:
    events = run_crawl(job_for(tmp_path, channel("u:0", "website", site.url("/utf8/index.html"))))
    assert isinstance(next(events), (PageItem, FetchError))
    events.close()  # must not hang or raise


def test_run_module_writes_only_json_lines_on_stdout(site: FixtureServer, tmp_path: Path) -> None:
    job = job_for(tmp_path, channel("u:0", "website", site.url("/utf8/about.html")), max_depth=0)
    job_path = tmp_path / "job.json"
    job_path.write_text(json.dumps({"channels": [vars(c) for c in job.channels], "crawl": job.crawl,
                                    "spool_dir": job.spool_dir}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "crawlers.run", str(job_path)], cwd=PROJECT_ROOT,
                          capture_output=True, timeout=100, check=False)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    lines = proc.stdout.decode("utf-8").splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["page", "done"]
    assert b"Scrapy" in proc.stderr
