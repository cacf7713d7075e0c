"""What a crawl hands to the scan service: a job in, a stream of events out.

Every event is a dataclass that travels as one JSON line from the crawl process to the
scan service (``to_json`` / ``event_from_json``). Adding a field with a default keeps the
stream compatible.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class ChannelJob:
    """One channel to crawl. ``key`` identifies it in every event (e.g. ``org-id:0``)."""

    key: str
    org_id: str
    kind: str  # website | feed | wechat_article | weibo
    url: str
    obey_robots: bool = True
    extra_hosts: list[str] = field(default_factory=list)
    #: url -> {"etag", "last_modified", "hash", "links": [...], "kind"} from the previous scan,
    #: for incremental fetching (``links`` lets a 304 page's links still be followed; ``kind``
    #: "attachment" lets a document behind a page-like URL be asked for conditionally)
    known: dict[str, dict] = field(default_factory=dict)
    #: check HTTPS certificates (a bad one is a FetchError ``tls``); off: read the site anyway
    #: and say what is wrong with its certificate in ``PageItem.tls_error``
    verify_tls: bool = True


@dataclass
class CrawlJob:
    """Everything the crawl process needs: channels, limits (``config.settings.CrawlSettings``
    as a dict) and the folder where raw bodies are spooled for the scan service."""

    channels: list[ChannelJob]
    crawl: dict[str, Any]
    spool_dir: str

    def to_dict(self) -> dict[str, Any]:
        """The job as plain data for JSON (``from_dict`` reads it back); shallow, unlike
        ``dataclasses.asdict``, which copies every known page's entry and links."""
        return {"channels": [vars(c) for c in self.channels], "crawl": self.crawl, "spool_dir": self.spool_dir}

    @classmethod
    def from_dict(cls, data: dict) -> "CrawlJob":
        return cls(
            channels=[ChannelJob(**c) for c in data["channels"]],
            crawl=data["crawl"],
            spool_dir=data["spool_dir"],
        )


class _Event:
    type: ClassVar[str]

    def to_json(self) -> str:
        # vars(), not dataclasses.asdict: the fields are plain values and lists of strings, and
        # the deep copy asdict makes cost more than the JSON encoding itself.
        return json.dumps({"type": self.type, **vars(self)}, ensure_ascii=False)


@dataclass
class PageItem(_Event):
    """A fetched document (web page, feed item, public-account article, Weibo post or attachment).

    An ``unchanged`` item (a 304, or the same hash as last time) carries no text: it is not
    analysed again. Its ``links`` are empty when they are the ones the job's ``known`` gave (the
    scan service has them stored), else the links seen. An attachment's text is the document's;
    ``html`` is None.
    """

    type: ClassVar[str] = "page"
    channel: str
    url: str
    final_url: str
    status: int
    fetched_at: str  # ISO 8601, UTC
    kind: str = "page"  # page | feed_item | wechat_article | weibo_post | attachment
    content_type: str = ""
    encoding: str = ""
    title: str = ""
    text: str = ""  # full visible text
    main_text: str = ""  # main content (trafilatura)
    html: str | None = None  # decoded markup, for detectors that read structure
    size: int = 0
    content_hash: str = ""  # sha256 of the raw body
    published_at: str | None = None  # ISO date when one was found
    published_source: str | None = None  # where the date came from (meta, visible, url, feed, wechat_ct)
    depth: int = 0
    referer: str | None = None
    raw_path: str | None = None  # spool file with the raw body
    truncated: bool = False
    unchanged: bool = False  # the server or the hash says it is as last time
    etag: str | None = None
    last_modified: str | None = None
    links: list[str] = field(default_factory=list)
    readable: bool = True  # False: an attachment whose text could not be read (see unreadable_reason)
    unreadable_reason: str = ""  # why not, in Chinese (encrypted PDF, scanned PDF, old .doc ...)
    first_page_text: str = ""  # an attachment's first page / first sheet (markings at the top)
    tls_error: str = ""  # the certificate problem of a page read with verify_tls off ("" when none)


@dataclass
class FetchError(_Event):
    """A URL that could not be fetched, and why, in words a platform manager understands."""

    type: ClassVar[str] = "error"
    channel: str
    url: str
    #: dns | connection | tls | timeout | http | redirect | blocked_robots | private_network | too_large | other
    reason: str
    message: str
    status: int | None = None
    referer: str | None = None
    is_home: bool = False


@dataclass
class ChannelDone(_Event):
    """The end of one channel's crawl with its counts."""

    type: ClassVar[str] = "done"
    channel: str
    pages: int = 0
    errors: int = 0
    bytes: int = 0
    #: answers to requests already under way when max_bytes ran out: in ``bytes``, not read
    late_responses: int = 0
    truncated: bool = False
    truncated_reason: str = ""  # why, in Chinese: each reason, joined by "；"
    #: the same as codes: max_pages | max_bytes | crawl_trap | a Scrapy close reason (shutdown ...)
    truncated_by: list[str] = field(default_factory=list)


EVENT_TYPES: dict[str, type] = {cls.type: cls for cls in (PageItem, FetchError, ChannelDone)}


def event_from_json(line: str) -> PageItem | FetchError | ChannelDone:
    """Parse one JSON line of the crawl stream back into its event."""
    data = json.loads(line)
    cls = EVENT_TYPES[data.pop("type")]
    return cls(**data)
