"""The generated parts of the fixture site: crawl traps, a redirect loop, a slow page, a gzip bomb,
attachments of every kind, and a Weibo-style timeline. :func:`reply` answers a request for one
of them, or returns None for the file-based routes of :mod:`tests.crawlers.fixture_site`."""
from __future__ import annotations

import functools
import gzip
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote

from tests.crawlers.docfactory import encrypt_pdf, make_docx, make_ole, make_pdf, make_xlsx

#: Seconds the slow page takes to answer.
SLOW_SECONDS = 4.0
#: Decompressed size of the gzip bomb.
BOMB_BYTES = 50_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ID_NUMBER = "110101199003077777"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: bool = False  # answer If-None-Match with 304


def html(title: str, body: str, status: int = 200) -> Reply:
    page = f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    return Reply(status, page.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def _month(value: str) -> tuple[int, int]:
    year, month = value.split("-")
    return int(year), int(month)


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def calendar_page(path: str, query: dict[str, list[str]]) -> Reply:
    """An endless calendar: every month links the previous and the next, by query or by path."""
    if path == "/cal/month":
        year, month = _month(query.get("m", ["2026-11"])[0])
        link = "/cal/month?m={:04d}-{:02d}"
    else:
        parts = [p for p in path.split("/") if p]
        year, month = int(parts[1]), int(parts[2])
        link = "/cal/{:04d}/{:02d}/"
    prev, nxt = _shift(year, month, -1), _shift(year, month, 1)
    return html(f"活动日历 {year}年{month}月",
                f"<h1>{year}年{month}月活动</h1><a href='{link.format(*prev)}'>上个月</a> <a href='{link.format(*nxt)}'>下个月</a>")


def trap_page(path: str, query: str) -> Reply | None:
    if path.startswith("/cal/"):
        return calendar_page(path, parse_qs(query))
    if path.startswith("/loop/"):  # relative links that grow the path forever
        return html("循环目录", "<a href='a/b/'>下一级</a>")
    if path == "/grow":  # every page links itself with one more parameter
        count = len(query.split("&")) if query else 0
        return html("筛选", f"<a href='/grow?{query}&p{count}=1'>更多筛选</a>")
    return None


@functools.cache
def bomb() -> bytes:
    return gzip.compress(b"\0" * BOMB_BYTES, compresslevel=9)


def error_page(path: str) -> Reply | None:
    if path == "/redirect/a":
        return Reply(302, b"", {"Location": "/redirect/b"})
    if path == "/redirect/b":
        return Reply(302, b"", {"Location": "/redirect/a"})
    if path == "/slow.html":
        return Reply(200, "<html><body>终于到了</body></html>".encode(), {"Content-Type": "text/html; charset=utf-8"}, delay=SLOW_SECONDS)
    if path == "/bomb.html":
        return Reply(200, bomb(), {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
    return None


@functools.cache
def documents() -> dict[str, tuple[bytes, str, dict[str, str]]]:
    """path -> (body, Content-Type, extra headers) of the attachments under /docs/."""
    report = make_pdf([["青禾公益服务中心2026年度工作报告", "一、基本情况"], ["二、财务收支：捐赠收入一百万元"]], title="2026年度工作报告")
    members = make_xlsx({"公示": [["姓名", "金额"], ["张三", 300]],
                         "原始名单": [["姓名", "身份证号"], ["李四", ID_NUMBER]]}, hidden=("原始名单",))
    notice = make_docx(title="关于年检的通知", header="内部资料", footer="青禾公益服务中心办公室",
                       first_page=["机密★1年", "关于开展年度检查的通知"], later=["请各部门按时提交材料。"],
                       table=[["部门", "联系人"], ["办公室", "王五"]])
    disposition = "attachment; filename*=UTF-8''" + quote("报名名单.xlsx")
    return {
        "/docs/report.pdf": (report, "application/pdf", {}),
        "/docs/scan.pdf": (make_pdf([[], []]), "application/pdf", {}),
        "/docs/locked.pdf": (encrypt_pdf(report, "secret"), "application/pdf", {}),
        "/docs/print-only.pdf": (encrypt_pdf(report, ""), "application/pdf", {}),
        "/docs/members.xlsx": (members, XLSX, {}),
        "/docs/notice.docx": (notice, DOCX, {}),
        "/docs/old.doc": (make_ole(), "application/msword", {}),
        "/docs/old.wps": (make_ole(), "application/octet-stream", {}),
        "/docs/old.et": (make_ole(), "application/octet-stream", {}),
        "/docs/table.xls": ("<html><body><table><tr><td>姓名</td><td>电话</td></tr><tr><td>赵六</td><td>13800138000</td></tr></table></body></html>".encode("gbk"), "application/vnd.ms-excel", {}),
        "/docs/notes.txt": ("活动须知\n请携带身份证原件。".encode("gbk"), "text/plain", {}),
        "/docs/download.jsp": (members, "application/octet-stream", {"Content-Disposition": disposition}),
        "/docs/huge.pdf": (make_pdf([["很大的文件"]]) + b"%" + b"0" * 300_000, "application/pdf", {}),
        "/docs/%E5%90%8D%E5%8D%95.txt": ("名单：张三、李四".encode("utf-8"), "text/plain; charset=utf-8", {}),
    }


DOCS_INDEX = """<h1>信息公开</h1><ul>
<li><a href="report.pdf">年度报告</a></li><li><a href="scan.pdf">扫描件</a></li>
<li><a href="locked.pdf">加密文件</a></li><li><a href="print-only.pdf">禁止打印的文件</a></li>
<li><a href="members.xlsx">名单</a></li><li><a href="notice.docx">通知</a></li>
<li><a href="old.doc">旧版文档</a></li><li><a href="old.wps">WPS 文档</a></li><li><a href="old.et">WPS 表格</a></li>
<li><a href="table.xls">网页表格</a></li><li><a href="notes.txt">须知</a></li>
<li><a href="download.jsp?id=7">下载报名表</a></li><li><a href="huge.pdf">大文件</a></li>
<li><a href="missing.pdf">已删除的文件</a></li><li><a href="名单.txt">中文文件名</a></li>
<li><a href="photo.jpg">照片</a></li><li><a href="archive.zip">压缩包</a></li>
</ul>"""


def document_page(path: str) -> Reply | None:
    if path == "/docs/index.html":
        reply = html("信息公开", DOCS_INDEX)
        reply.etag = True
        return reply
    found = documents().get(path)
    if found is None:
        return None
    body, content_type, extra = found
    return Reply(200, body, {"Content-Type": content_type, **extra}, etag=True)


def weibo_page(path: str) -> Reply | None:
    post = {"id": "5001", "created_at": "Sat Nov 28 10:00:00 +0800 2026",
            "text": "明天上午在社区广场举办义诊活动，欢迎居民参加 <a href='/n/社区'>#社区#</a><br>咨询电话：010-12345678"}
    repost = {"id": "5002", "created_at": "Fri Nov 20 08:30:00 +0800 2026", "text": "转发微博",
              "retweeted_status": {"id": "9", "text": "全市社会组织年检工作启动", "user": {"screen_name": "民政局"}}}
    grouped = {"id": "5003", "created_at": "11-02", "text": "感谢志愿者们一年来的付出"}
    if path == "/weibo/timeline.json":
        data = {"ok": 1, "data": {"cards": [{"card_type": 9, "mblog": post}, {"card_type": 9, "mblog": repost},
                                             {"card_type": 11, "card_group": [{"card_type": 9, "mblog": grouped}]},
                                             {"card_type": 9, "mblog": post}]}}
    elif path == "/weibo/top-level.json":
        data = {"cards": [{"mblog": grouped}]}
    elif path == "/weibo/login.json":
        data = {"ok": 0, "msg": "请先登录"}
    else:
        return None
    return Reply(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), {"Content-Type": "application/json; charset=utf-8"})


def reply(path: str, query: str) -> Reply | None:
    """The generated answer for ``path`` (and its query string), or None."""
    for make in (lambda: trap_page(path, query), lambda: error_page(path), lambda: document_page(path),
                 lambda: weibo_page(path)):
        found = make()
        if found is not None:
            return found
    return None
