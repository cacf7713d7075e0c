"""A generated organisation website for the crawl benchmark, served on 127.0.0.1.

``python benchmarks/crawl_site.py --pages 2000`` prints the base URL on its first line and
serves until terminated. The site is deterministic: a home page, 10 section pages, list pages
and articles (5-20 KB of Chinese text each, with navigation, a publication date, related links
and a footer), three link hops deep. Every page has an ETag and a Last-Modified and answers
conditional requests with 304, as a well-configured server would.
"""
from __future__ import annotations

import argparse
import email.utils
import random
import sys
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECTIONS = ["机构概况", "新闻动态", "通知公告", "党建工作", "项目活动", "信息公开", "志愿服务", "公益项目", "政策法规", "联系我们"]
ARTICLES_PER_LIST = 20
LAST_MODIFIED = email.utils.formatdate(1_790_000_000, usegmt=True)
PHRASES = (
    "本会始终坚持以服务会员为宗旨", "认真贯彻落实社会组织登记管理有关规定", "组织开展社区养老助餐服务",
    "面向青少年开展阅读推广活动", "积极参与乡村振兴和环境保护志愿行动", "理事会审议通过了年度工作报告和财务预算",
    "进一步健全内部治理结构和民主决策机制", "按照章程规定按时召开会员代表大会", "加强项目资金管理确保专款专用",
    "定期向社会公开年度工作报告和财务审计报告", "志愿者们冒着严寒走访慰问困难群众", "举办专题培训提升工作人员业务能力",
    "与街道社区共同开展邻里守望互助活动", "接受登记管理机关和业务主管单位的监督管理", "广泛听取会员单位的意见和建议",
    "完善志愿者招募培训和激励保障机制", "积极承接政府购买服务项目", "发挥行业协会桥梁纽带作用",
    "全年累计服务群众一万余人次", "开展安全生产和消防知识宣传", "推动公益慈善事业健康有序发展",
)


@dataclass
class Page:
    path: str
    title: str
    links: list[str] = field(default_factory=list)
    paragraphs: int = 0
    date: str = ""


def build_site(pages: int, seed: int = 2026) -> dict[str, Page]:
    """Exactly ``pages`` pages: home, 10 sections, list pages, articles."""
    rng = random.Random(seed)
    sections = len(SECTIONS)
    lists_per_section = max(1, round(((pages - 1) / sections - 1) / (ARTICLES_PER_LIST + 1)))
    site: dict[str, Page] = {"/": Page("/", "青禾公益服务中心", [f"/s{i}/index.html" for i in range(sections)], 6)}
    lists: list[Page] = []
    for s, name in enumerate(SECTIONS):
        section = Page(f"/s{s}/index.html", name, [], 4)
        site[section.path] = section
        for k in range(lists_per_section):
            page = Page(f"/s{s}/list_{k}.html", f"{name} 第{k + 1}页", [], 1)
            section.links.append(page.path)
            site[page.path] = page
            lists.append(page)
    articles = max(0, pages - len(site))
    paths = [f"/s{a % sections}/{2020 + a % 7}/art_{a}.jsp?id={a}" for a in range(articles)]
    for a, path in enumerate(paths):
        day = f"{2020 + a % 7}-{1 + a % 12:02d}-{1 + a % 28:02d}"
        site[path] = Page(path, f"{SECTIONS[a % sections]}：{PHRASES[a % len(PHRASES)]}", [], rng.randint(15, 60), day)
        lists[a % len(lists)].links.append(path)
        site[path].links = rng.sample(paths, min(3, len(paths)))
    return site


class Renderer:
    """Renders pages from a pool of paragraphs (cheap, deterministic)."""

    def __init__(self, site: dict[str, Page], seed: int = 7) -> None:
        rng = random.Random(seed)
        self.site = site
        self.pool = ["，".join(rng.choice(PHRASES) for _ in range(rng.randint(4, 9))) + "。" for _ in range(400)]
        self.nav = "".join(f'<li><a href="/s{i}/index.html">{name}</a></li>' for i, name in enumerate(SECTIONS))

    def render(self, page: Page) -> bytes:
        start = sum(map(ord, page.path)) % len(self.pool)
        body = "".join(f"<p>{self.pool[(start + i * 7) % len(self.pool)]}</p>" for i in range(page.paragraphs))
        links = "".join(f'<li><a href="{link}">{self.site[link].title}</a></li>' for link in page.links)
        date = f'<div class="info">发布时间：{page.date} 来源：本会 点击：{len(page.path) * 37}</div>' if page.date else ""
        html = (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{page.title} - 青禾公益服务中心</title>"
            '<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script></head><body>'
            f'<div class="top"><img src="/img/logo.png" alt="青禾公益服务中心"><ul class="nav"><li><a href="/">首页</a></li>{self.nav}</ul></div>'
            f'<div class="main"><h1>{page.title}</h1>{date}<div class="content">{body}</div><ul class="list">{links}</ul></div>'
            '<div class="footer"><p>地址：云川市青溪区安和路1号 电话：0871-12345678</p><p>版权所有 青禾公益服务中心 滇ICP备12345678号</p></div>'
            "</body></html>"
        )
        return html.encode("utf-8")


def make_handler(renderer: Renderer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as two writes; with Nagle's algorithm the second one waits for
        # the client's delayed ACK (40 ms on Linux), which would make the server the bottleneck.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/robots.txt":
                self.reply(200, b"User-agent: *\nDisallow: /admin/\n", "text/plain")
                return
            page = renderer.site.get(self.path)
            if page is None:
                self.reply(404, b"<html><body>404</body></html>", "text/html; charset=utf-8")
                return
            etag = f'"{zlib.crc32(page.path.encode()):08x}-v1"'
            if self.headers.get("If-None-Match") == etag or self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                self.reply(304, b"", None, etag=etag)
                return
            self.reply(200, renderer.render(page), "text/html; charset=utf-8", etag=etag)

        def reply(self, status: int, body: bytes, content_type: str | None, etag: str | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if etag:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    site = build_site(args.pages)
    server = QuietServer(("127.0.0.1", 0), make_handler(Renderer(site)))
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
