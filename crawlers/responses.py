"""Small helpers for turning a Scrapy response into event fields: headers, spooling, sniffing."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from scrapy.http import Response

HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Response flags Scrapy sets when a body ended early (DOWNLOAD_FAIL_ON_DATALOSS is off).
PARTIAL_FLAGS = frozenset({"dataloss", "partial"})


def now_iso() -> str:
    """The current time, ISO 8601 in UTC."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def spool_body(spool_dir: Path, body: bytes, sha256: str) -> str:
    """Write ``body`` to ``spool_dir/<sha256>.bin`` unless it is already there; return the path.

    Written in place: the scan service reads a file only after the event naming it, which is
    sent once the write is done, and each scan has its own folder. (A temporary file renamed
    into place cost about 0.8 ms a page on ext4, 20 times the write itself.)
    """
    path = spool_dir / f"{sha256}.bin"
    if not path.exists():
        spool_dir.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as handle:
                handle.write(body)
        except FileExistsError:
            pass  # the same body, written for another URL of this crawl
    return str(path)


def is_html(content_type: str, body: bytes) -> bool:
    """True for an HTML document (by Content-Type, or by sniffing when there is none)."""
    if content_type:
        return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


def header(response: Response, name: str) -> str | None:
    """A response header as text (None when absent)."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() if value else None


def is_partial(response: Response) -> bool:
    """True when the body ended early (the server closed the connection mid-way)."""
    return bool(PARTIAL_FLAGS & set(response.flags))
