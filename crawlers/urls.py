"""URLs as the crawler sees them: one canonical form, which site a URL belongs to, what a link points at.

Canonical form: w3lib's ``canonicalize_url`` (sorted query, percent-encoding normalised,
fragment dropped), plus default ports and session-id parameters removed, so that
``/a.jsp;jsessionid=X?id=12`` and ``/a.jsp?id=12&PHPSESSID=Y`` are the page ``/a.jsp?id=12``.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}

#: Query parameters that only carry a server session, dropped whatever their value.
SESSION_PARAMS = frozenset(
    "jsessionid phpsessid sessionid session_id sessid cfid cftoken zenid oscsid sess_id".split()
)
#: Parameter-name prefixes of session ids (IIS names them ASPSESSIONIDxxxxxxxx).
SESSION_PREFIXES = ("aspsessionid",)
#: Short names that are a session id only when the value looks like one (``sid=3`` is often a
#: column id on Chinese CMSs, ``sid=8f14e45fceea167a5a36dedd4bea2543`` is a session).
MAYBE_SESSION_PARAMS = frozenset({"sid", "s_id"})
_TOKEN = re.compile(r"^[0-9A-Za-z_-]{16,}$")
#: ``;jsessionid=...`` (Java) and similar path parameters.
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.IGNORECASE)

#: Documents whose text the crawler reads (when ``fetch_attachments`` is on).
DOCUMENT_EXTENSIONS = frozenset("pdf doc docx xls xlsx wps et txt".split())
#: Other linked files: recorded as links, never downloaded (archives, media, assets).
OTHER_FILE_EXTENSIONS = frozenset(
    "ppt pptx dps odt ods odp rtf csv zip rar 7z gz tgz bz2 xz "
    "tar jpg jpeg png gif bmp webp svg ico tif tiff psd mp3 wav wma aac flac ogg mp4 m4v avi mov wmv "
    "flv mkv webm swf exe msi apk ipa dmg iso bin css js json xml rss atom woff woff2 ttf eot".split()
)
NOT_PAGES = DOCUMENT_EXTENSIONS | OTHER_FILE_EXTENSIONS


@lru_cache(maxsize=20_000)
def canonical(url: str) -> str:
    """The form of ``url`` used in events and for de-duplication (see the module docstring).

    Cached: a site's navigation links recur on every page, and w3lib's canonicalisation is
    the costliest part of reading a page's links."""
    url = url.strip()
    try:
        url = canonicalize_url(_PATH_SESSION.sub("", url), keep_fragments=False)
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
            netloc = netloc.rsplit(":", 1)[0]
        query = "&".join(
            pair for pair in parts.query.split("&")
            if pair and not is_session_param(*(unquote(p) for p in pair.partition("=")[::2]))
        )
    except ValueError:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def is_session_param(name: str, value: str) -> bool:
    """True for a query parameter that carries a session id."""
    name = name.lower()
    if name in SESSION_PARAMS or name.startswith(SESSION_PREFIXES):
        return True
    return name in MAYBE_SESSION_PARAMS and bool(_TOKEN.match(value))


def extension(url: str) -> str:
    """The lower-case file extension of the URL's last path segment ("" when none)."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


def is_page_link(url: str) -> bool:
    """False for links to documents, archives, media and assets (by file extension)."""
    return extension(url) not in NOT_PAGES


def is_document_link(url: str) -> bool:
    """True for a link to a document whose text the crawler reads (.pdf, .docx, .xlsx ...)."""
    return extension(url) in DOCUMENT_EXTENSIONS


@lru_cache(maxsize=1)
def _tld_extractor() -> tldextract.TLDExtract:
    # Offline: the public-suffix list bundled with tldextract, never a download or a cache write.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``www.example.org.cn`` -> ``example.org.cn``; the host itself when it has no public suffix."""
    return _tld_extractor()(host).top_domain_under_public_suffix or host


class SiteScope:
    """Which URLs belong to a site: same host and port for IP-address sites, the same
    registrable domain (any subdomain, either scheme) otherwise, plus ``extra_hosts``
    (a name also covers its subdomains; an IP may carry a port)."""

    def __init__(self, home_url: str, extra_hosts: list[str] | tuple[str, ...] = ()) -> None:
        self.netlocs: set[str] = set()
        self.domains: set[str] = set()
        self.extra_names: set[str] = set()
        self.add(home_url)
        for extra in extra_hosts:
            extra = extra.strip().lower().rstrip(".")
            if _ip_netloc(f"http://{extra}"):
                self.netlocs.add(_ip_netloc(f"http://{extra}") or extra)
            elif extra:
                self.extra_names.add(extra)

    def add(self, url: str) -> None:
        """Count ``url``'s site as in scope (e.g. where the home page redirected to)."""
        netloc = _ip_netloc(url)
        if netloc:
            self.netlocs.add(netloc)
        elif host := urlsplit(url).hostname:
            self.domains.add(registrable_domain(host))

    def __contains__(self, url: object) -> bool:
        if not isinstance(url, str):
            return False
        netloc = _ip_netloc(url)
        if netloc:
            return netloc in self.netlocs
        host = urlsplit(url).hostname
        if not host:
            return False
        if any(host == name or host.endswith("." + name) for name in self.extra_names):
            return True
        return registrable_domain(host) in self.domains


def _ip_netloc(url: str) -> str | None:
    """``host:port`` (default port filled in) when the URL's host is an IP address."""
    parts = urlsplit(url)
    try:
        ipaddress.ip_address(parts.hostname or "")
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    except ValueError:
        return None
    return f"{parts.hostname}:{port}"


def home_folder(url: str) -> str:
    """The folder of a channel's home page: ``http://x.cn/org/index.html`` -> ``http://x.cn/org/``."""
    parts = urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0] + "/" if "/" in parts.path else "/"
    return urlunsplit((parts.scheme, parts.netloc, folder, "", ""))


def site_root(url: str) -> str:
    """``http://x.cn/a/b.html`` -> ``http://x.cn/``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
