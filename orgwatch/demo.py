"""``orgwatch demo``: serve three fictional organisations' sites on 127.0.0.1, scan them into a
fresh SQLite file, deliver the alerts to a local receiver, and say where to look."""
from __future__ import annotations

import time
from pathlib import Path

import jinja2
import yaml
from rich.console import Console

from config.settings import load_settings
from models import findings as findings_store
from orgwatch.devserver import AlertReceiver, SiteServer
from orgwatch.progress import run_scan_with_progress
from orgwatch.runtime import Runtime

DEMO_ROOT = Path(__file__).resolve().parent / "demo"


def write_demo_config(folder: Path, sites: dict[str, str], notify_url: str) -> Path:
    """Write the demo's registry and settings into ``folder``; return the settings file."""
    folder.mkdir(parents=True, exist_ok=True)
    template = jinja2.Template((DEMO_ROOT / "registry.yaml.j2").read_text(encoding="utf-8"))
    (folder / "registry.yaml").write_text(template.render(sites=sites, notify_url=notify_url), encoding="utf-8")
    settings = {
        "data_dir": ".",
        "database_url": f"sqlite:///{folder / 'demo.db'}",
        "registry": "registry.yaml",
        "crawl": {"allow_private_networks": True, "download_delay": 0, "obey_robots": True},
    }
    path = folder / "orgwatch.yaml"
    path.write_text("# orgwatch 演示设置（由 orgwatch demo 生成）\n" + yaml.safe_dump(settings, allow_unicode=True),
                    encoding="utf-8")
    return path


def run_demo(folder: Path, *, console: Console, keep_serving: bool = False) -> None:
    for stale in ("demo.db", "demo.db-wal", "demo.db-shm", "outbox/outbox.jsonl", "outbox/outbox.md"):
        (folder / stale).unlink(missing_ok=True)
    sites = SiteServer(DEMO_ROOT / "sites")
    receiver = AlertReceiver(folder / "outbox").start()
    try:
        urls = sites.start()
        console.print("示例网站已在本机启动：" + "，".join(f"{k} {v}/" for k, v in urls.items()), highlight=False)
        config = write_demo_config(folder, urls, receiver.url("demo"))
        rt = Runtime(settings=load_settings(config))
        summary = run_scan_with_progress(rt, None, deliver=True, console=console)
        _wait_for(receiver, summary.messages_sent)
        _print_findings(rt, console)
        _print_next_steps(folder, config, console)
        if keep_serving:
            console.print("示例网站继续运行中，按 Ctrl+C 结束。")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sites.stop()
        receiver.stop()


def _wait_for(receiver: AlertReceiver, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def _print_findings(rt: Runtime, console: Console) -> None:
    with rt.db.session() as s:
        rows = findings_store.list_findings(s, status="active")
        lines = [f"  [{f.severity}] {f.org.name}：{f.category}/{f.rule}  {f.url}\n      {f.evidence}" for f in rows]
    console.print(f"\n发现 {len(lines)} 个待处理问题：", highlight=False)
    for line in lines:
        console.print(line, highlight=False, markup=False)


def _print_next_steps(folder: Path, config: Path, console: Console) -> None:
    console.print(
        "\n接下来可以看看：\n"
        f"  收到的通知（本地收件箱）：{folder / 'outbox' / 'outbox.md'}\n"
        f"  数据库（SQLite）：{folder / 'demo.db'}\n"
        f"  列出问题：orgwatch findings --config {config}\n"
        f"  导出 JSON：orgwatch findings --config {config} --format json\n"
        f"  查看通知投递：orgwatch alerts list --config {config}",
        highlight=False,
    )
