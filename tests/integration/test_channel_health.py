"""Broken in-site links and unreachable home pages become findings, and resolve when fixed."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from orgwatch.cli import main
from orgwatch.devserver import SiteServer
from tests.integration.sitegen import write_config, write_site


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(config: Path, category: str) -> list[dict]:
    out = run("findings", "--config", str(config), "--format", "json", "--category", category).output
    return json.loads(out)


def test_broken_link_names_source_and_target_and_resolves(tmp_path, serve_sites, alert_sink):
    root = write_site(tmp_path / "sites")
    index = root / "anhe" / "index.html"
    index.write_text(index.read_text("utf-8").replace("</ul>", '<li><a href="/old-news.html">旧闻</a></li></ul>'),
                     encoding="utf-8")
    base = serve_sites(root)["anhe"]
    config = write_config(tmp_path, base, alert_sink.url("manager"))

    assert run("scan", "--config", str(config)).exit_code == 0
    [broken] = findings(config, "broken_link")
    assert broken["url"] == base + "/" and broken["rule"] == "http_404" and broken["severity"] == "low"
    assert f"{base}/old-news.html" in broken["evidence"] and "HTTP 404" in broken["evidence"]

    (root / "anhe" / "old-news.html").write_text("<html><body>旧闻</body></html>", encoding="utf-8")
    assert run("scan", "--config", str(config)).exit_code == 0
    assert [f["status"] for f in findings(config, "broken_link")] == ["resolved"]


def test_unreachable_after_two_failed_scans_and_resolved_when_back(tmp_path, alert_sink):
    root = write_site(tmp_path / "sites")
    server = SiteServer(root)
    base = server.start()["anhe"]
    port = int(base.rsplit(":", 1)[1])
    server.stop()
    config = write_config(tmp_path, base, alert_sink.url("manager"))

    first = run("scan", "--config", str(config))
    assert first.exit_code == 0 and "1 个地址无法访问" in first.output
    assert findings(config, "unreachable") == [], "the first failure is recorded but does not alert"
    assert alert_sink.received == []

    assert run("scan", "--config", str(config)).exit_code == 0
    [down] = findings(config, "unreachable")
    assert down["status"] == "open" and down["severity"] == "high" and "连续 2 次" in down["evidence"]
    assert len(alert_sink.received) == 2 and "无法访问" in alert_sink.received[0]["message"]

    revived = _serve_on(root / "anhe", port)
    try:
        assert run("scan", "--config", str(config)).exit_code == 0
    finally:
        revived.shutdown()
        revived.server_close()
    assert [f["status"] for f in findings(config, "unreachable")] == ["resolved"]


def _serve_on(folder: Path, port: int):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
