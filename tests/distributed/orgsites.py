"""Generated organisation sites and their registry, for the distributed tests and the benchmark.

Organisation ``n`` gets a four-page website; every third one publishes a list of unmasked
ID numbers (a ``pii_id`` finding and an alert), the others a masked list. ``SlowSite`` is a
site that takes its time over every page, to catch a job mid-crawl.
"""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from classifier.codes import uscc_check_char
from tests.integration.sitegen import make_id

SURNAMES = "张王李赵刘陈杨黄周吴"
INDEX = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{name}</title></head><body><h1>{name}</h1>
<ul><li><a href="/list.html">{year}年度慰问金发放名单公示</a></li><li><a href="/news.html">志愿服务活动简讯</a></li>
<li><a href="/about.html">机构简介</a></li></ul><p>统一社会信用代码：{uscc}</p></body></html>"""
LIST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{year}年度慰问金发放名单公示</title></head>
<body><h1>{year}年度慰问金发放名单公示</h1><p>发布时间：2026-10-{day:02d}</p><table>
<tr><th>姓名</th><th>身份证号</th><th>金额</th></tr>{rows}</table><p>公示期五个工作日。</p></body></html>"""
NEWS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>志愿服务活动简讯</title></head>
<body><h1>志愿服务活动简讯</h1><p>发布时间：2026-11-{day:02d}</p><p>本月{name}组织志愿者走访辖区内的独居老人{n}户，
送去冬衣和米面，并登记了需要上门服务的事项。</p></body></html>"""
ABOUT = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>机构简介</title></head>
<body><h1>机构简介</h1><p>{name}是经民政局登记的社会服务机构，业务范围为社区养老、助残和志愿服务。</p></body></html>"""


def org_id(n: int) -> str:
    return f"org{n:03d}"


def org_name(n: int) -> str:
    return f"青溪区第{n}社区服务中心"


def uscc(n: int) -> str:
    body = f"52500199MJQ{n:06d}"
    return body + uscc_check_char(body)


def leaks_ids(n: int) -> bool:
    """Whether organisation ``n``'s list page shows unmasked ID numbers."""
    return n % 3 == 0


def write_org_site(root: Path, n: int) -> Path:
    """Write organisation ``n``'s site into ``root/<org id>``."""
    site = root / org_id(n)
    site.mkdir(parents=True, exist_ok=True)
    ids = [make_id("500199", f"19{40 + (n + k) % 30}0{1 + k}1{k}", f"{(n * 7 + k) % 900 + 100:03d}") for k in range(3)]
    shown = ids if leaks_ids(n) else [i[:6] + "********" + i[-4:] for i in ids]
    rows = "".join(f"<tr><td>{SURNAMES[(n + k) % 10]}某某</td><td>{i}</td><td>500元</td></tr>"
                   for k, i in enumerate(shown))
    name = org_name(n)
    (site / "index.html").write_text(INDEX.format(name=name, year=2026, uscc=uscc(n)), encoding="utf-8")
    (site / "list.html").write_text(LIST.format(year=2026, day=1 + n % 28, rows=rows), encoding="utf-8")
    (site / "news.html").write_text(NEWS.format(name=name, day=1 + n % 28, n=3 + n % 9), encoding="utf-8")
    (site / "about.html").write_text(ABOUT.format(name=name), encoding="utf-8")
    return site


def write_sites(root: Path, count: int) -> Path:
    """Write ``count`` organisation sites (numbered from 1) into ``root``."""
    for n in range(1, count + 1):
        write_org_site(root, n)
    return root


def registry_entry(n: int, url: str, notify: str) -> dict:
    return {"id": org_id(n), "name": org_name(n), "type": "social_service", "charity": False, "uscc": uscc(n),
            "registration_authority": "云川市青溪区民政局", "channels": [{"kind": "website", "url": url + "/"}],
            "people": [{"name": f"管理员{n}", "role": "platform_manager", "notify": [notify]}]}


def write_config(folder: Path, urls: dict[str, str], notify: str, *, database_url: str | None = None,
                 distributed: dict | None = None, data_dir: str = "data") -> Path:
    """A registry of the organisations at ``urls`` (``orgNNN`` -> base URL) and its settings file."""
    orgs = [registry_entry(int(org[3:]), url, notify) for org, url in sorted(urls.items())]
    (folder / "registry.yaml").write_text(yaml.safe_dump({"organizations": orgs}, allow_unicode=True),
                                          encoding="utf-8")
    settings = {"data_dir": data_dir, "registry": "registry.yaml",
                "crawl": {"allow_private_networks": True, "download_delay": 0, "obey_robots": False},
                "health": {"disclosure_checks": False, "channel_checks": False}}
    if database_url:
        settings["database_url"] = database_url
    if distributed:
        settings["distributed"] = distributed
    path = folder / "orgwatch.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def two_site_org(folder: Path, urls: dict[str, str]) -> tuple[Path, list[int]]:
    """Organisation org001 with two websites (the generated sites of ``urls``' org001 and org002),
    disclosure and channel checks on, its registry synced; returns the settings file and the
    two channel ids."""
    from config.settings import load_settings
    from models import scans
    from models.sync import sync_registry
    from orgwatch.runtime import Runtime

    config = write_config(folder, {"org001": urls["org001"]}, "json://127.0.0.1:9/pm")
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["health"] = {"disclosure_checks": True, "channel_checks": True}
    config.write_text(yaml.safe_dump(settings), encoding="utf-8")
    registry = folder / "registry.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["organizations"][0]["channels"].append({"kind": "website", "url": urls["org002"] + "/"})
    registry.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rt = Runtime(settings=load_settings(config))
    with rt.db.session() as s:
        sync_registry(s, [o.model_dump() for o in rt.registry.organizations], rt.now())
        channels = [c.id for c in scans.active_channels(s, ["org001"])]
    rt.db.dispose()
    return config, channels


class SlowSite:
    """A site on 127.0.0.1 that waits ``delay`` seconds before each answer; ``requests`` counts them.

    Its list page shows unmasked ID numbers, like organisation 3 of ``write_org_site``.
    """

    def __init__(self, root: Path, delay: float) -> None:
        self.site = write_org_site(root, 3)
        self.delay, self.requests = delay, 0
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args) -> None:  # noqa: A002 - base class signature
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                with outer._lock:
                    outer.requests += 1
                time.sleep(outer.delay)
                path = outer.site / (self.path.split("?", 1)[0].lstrip("/") or "index.html")
                if not path.is_file():
                    self.send_response(404)
                    self.end_headers()
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
