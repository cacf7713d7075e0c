"""``orgwatch demo`` works on a fresh folder and finds exactly the planted problems (orgwatch/demo/EXPECTED.md)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

from click.testing import CliRunner

from models.findings import PAGE_CATEGORIES
from orgwatch.cli import main

PLANTED = {
    ("kangning", "/gongkai/2026q3-zhucan.html", "pii_id", "unmasked_id"),
    ("zhiyuan", "/article_15.htm", "secret_mark", "level_mark"),
    ("zhiyuan", "/article_16.htm", "secret_mark", "internal_mark"),
    ("zhuxue", "/mp/s_1002.html", "pii_id", "unmasked_id"),
}


def test_demo_scans_sample_sites_and_delivers_to_local_outbox(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--dir", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "outbox.md" in result.output

    config = folder / "orgwatch.yaml"
    listed = json.loads(CliRunner().invoke(main, ["findings", "--config", str(config), "--format", "json"]).output)
    content = {(f["org"], urlsplit(f["url"]).path, f["category"], f["rule"])
               for f in listed if f["category"] in PAGE_CATEGORIES}
    assert content == PLANTED, "exactly the planted problems, none of the near misses"
    missing = [f for f in listed if f["category"] == "disclosure_missing"]
    assert missing and all(f["item"] and "应" in f["evidence"] for f in missing)
    # the demo registry records when each organisation was registered, years ago: the 30-day items name their date
    charters = {f["org"]: f["evidence"] for f in missing if f["item"] == "charter"}
    assert "应于登记之日起 30 日内即 2016-06-17 前公开" in charters["kangning"]
    assert not any("名册未记录登记日期" in f["evidence"] for f in missing)

    # one message per organisation and recipient: 3 platform managers and 3 legal representatives
    messages = [json.loads(line) for line in (folder / "outbox" / "outbox.jsonl").read_text("utf-8").splitlines()]
    assert len(messages) == 6
    assert any("青溪区志愿者协会" in m["title"] and "机密★5年" in m["message"] for m in messages)
    assert "公开了未遮盖的居民身份证号码" in (folder / "outbox" / "outbox.md").read_text("utf-8")

    # a second demo run starts from a fresh database and an empty outbox
    again = CliRunner().invoke(main, ["demo", "--dir", str(folder)], catch_exceptions=False)
    assert again.exit_code == 0 and f"新问题 {len(listed)} 个" in again.output
    assert len((folder / "outbox" / "outbox.jsonl").read_text("utf-8").splitlines()) == 6
