"""Hidden links to other sites (暗链) in a page's raw HTML.

Reads ``doc.html`` with lxml: an anchor to another registrable domain fires when CSS
(inline styles, simple ``<style>`` rules, presentational attributes) or a
``document.write`` wrapper hides it, or when its text is only zero-width characters.
Menus, tabs and dropdowns that scripts or ``:hover`` rules reveal, in-site links,
analytics counters and government sites do not. One finding per hidden external host.
"""
from __future__ import annotations

import functools
import ipaddress
import itertools
import re
from collections import Counter
from typing import ClassVar, Iterable
from urllib.parse import urljoin, urlsplit

import tldextract
from lxml import etree

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.css import Styles, box_reason, colour, declarations, length_px
from classifier.registry import register

_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled list, offline
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\ufeff\u2060")
_SKIP_HREF = re.compile(r"\s*(?:#|javascript:|mailto:|tel:|sms:|data:|about:)", re.I)
#: Never spam targets, often hidden on purpose: government and education sites,
#: analytics counters (站长统计), share buttons and the big platforms.
_BENIGN = re.compile(
    r"(?:^|\.)(?:gov\.cn|edu\.cn|cnzz\.com|51\.la|umeng\.com|baidu\.com|qq\.com|weibo\.com|weibo\.cn"
    r"|google-analytics\.com|googletagmanager\.com|statcounter\.com|51yes\.com|12377\.cn|cyberpolice\.cn)$"
)
_NOT_SHOWN = frozenset({"template", "noscript", "script", "style", "head"})
_WECHAT_BODY = re.compile(r"(?:^|\s)rich_media_content(?:\s|$)")
#: Class names of things made to open and close; the short ones only at a word start.
_TOGGLE_CLASS = re.compile(
    r"menu|nav|drop|modal|dialog|collapse|accordion|slide|swiper|carousel|tooltip|toggle|erweima|ewm"
    r"|(?<![a-z])(?:sub|tab|pop|qr|share|search|mobile|login|layer|hidden-(?:xs|sm|md|lg)|visible-|d-none)", re.I
)
_TOGGLE_ATTRS = ("aria-expanded", "aria-controls", "aria-labelledby", "data-toggle", "data-bs-toggle", "data-target")
_REFERRING_ATTRS = frozenset({"data-target", "data-bs-target", "aria-controls", "for", "data-tab"})
_JS_NAME = re.compile(r"[\w-]+")  # names in scripts: 'con_'+n, $("#fl"), getElementById("x")
_ID_JOINT = re.compile(r"[_-]|(?<=\D)(?=\d)")  # where an id may be cut: con_one_2, tab2
_MIN_STEM = 4
_CLASS_REACH = 2  # a toggle class on the element or this many ancestors (div.tabbox > div.bd > ul)
_PANEL_TAGS = frozenset({"div", "ul", "ol", "dl", "table", "section"})
_TOGGLE_ROLES = frozenset({"tabpanel", "menu", "menubar", "dialog", "tooltip", "navigation", "listbox"})
_WRITE_OPEN = re.compile(
    r"document\.write(?:ln)?\s*\(\s*['\"]<(?:div|span|p|section)\b[^>]*?"
    r"(display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top)\s*:\s*-\d{3,}px)", re.I
)
_WRITE_CLOSE = re.compile(r"document\.write(?:ln)?\s*\(\s*['\"]\s*</", re.I)
_WS = re.compile(r"\s+")
_TEXT_SHOWN = 40  # characters of anchor text in the evidence
_HREF_SHOWN = 120


class _Page:
    """One parsed page: its styles and scripts, and whether an anchor in it is hidden."""

    def __init__(self, tree: etree._Element, anchors: list) -> None:
        self.styles = Styles(tree, anchors)
        self.written = _written_wrappers(tree)
        scripts = [s.text or "" for s in tree.iter("script")] + [
            v for el in tree.iter() if isinstance(el.tag, str)
            for k, v in el.attrib.items() if k.startswith("on") or k in _REFERRING_ATTRS or v.startswith("#")]
        self.js_names = set(_JS_NAME.findall(" ".join(scripts)))

    def toggled(self, el: etree._Element) -> bool:
        """True if a visitor or a script can reveal ``el``: a menu, tab, dropdown or popup."""
        parent = el.getparent()
        if el in self.styles.revealed or any(el.get(a) is not None for a in _TOGGLE_ATTRS):
            return True
        near = [el, *itertools.islice(el.iterancestors(), _CLASS_REACH)]
        if el.get("role") in _TOGGLE_ROLES or any(_TOGGLE_CLASS.search(e.get("class") or "") for e in near):
            return True
        if any(up.tag == "nav" or up.get("role") in _TOGGLE_ROLES for up in el.iterancestors()):
            return True
        if parent is not None and (parent.tag == "li" or any(k.startswith("on") for k in parent.attrib)):
            return True
        if self._scripted(el.get("id") or ""):
            return True
        return parent is not None and el.tag in _PANEL_TAGS and any(  # tabs: a visible twin panel
            sib is not el and sib.tag == el.tag and (
                (sib.get("class") and sib.get("class") == el.get("class")
                 and "none" not in (sib.get("style") or "").replace(" ", ""))
                or declarations(sib.get("style") or "").get("display", "none") != "none")
            for sib in parent)

    def _scripted(self, ident: str) -> bool:
        """True if a script or a toggle attribute names the id, or its stem (con_one_2: 'con_' + n)."""
        if not ident:
            return False
        stems = [ident[:m.end()] for m in _ID_JOINT.finditer(ident)]
        return any(s in self.js_names for s in [ident, *(s for s in stems if len(s) >= _MIN_STEM)])

    def hidden(self, a: etree._Element) -> tuple[str, str] | None:
        """(technique, how) if ``a`` is hidden from visitors, else None."""
        text = a.text_content()
        has_img = a.find(".//img") is not None
        if text.strip() and not has_img and all(c in _ZERO_WIDTH or c.isspace() for c in text):
            return "zero_width_text", "链接文字只有零宽字符"
        inherited: dict[str, tuple] = {}
        for el in (a, *a.iterancestors()):
            if el in self.written:
                return "display_none", self.written[el]
            d = self.styles.of(el)
            reason = box_reason(el, d)
            if reason and not self.toggled(el):
                return reason
            wechat = el.get("id") == "js_content" or _WECHAT_BODY.search(el.get("class") or "")
            if "visibility" in d and not wechat:
                inherited.setdefault("visibility", (d["visibility"], el))
            inline = "color" in declarations(el.get("style") or "") or el.tag == "font"
            for prop in ("font-size", "color"):
                if prop in d:
                    inherited.setdefault(prop, (d[prop], el, inline))
            background = d.get("background-color") or d.get("background")
            if background:
                inherited.setdefault("background", (background, el))
        return self._inherited(inherited, has_img)

    def _inherited(self, inh: dict[str, tuple], has_img: bool) -> tuple[str, str] | None:
        vis = inh.get("visibility")
        if vis and vis[0] in ("hidden", "collapse") and not self.toggled(vis[1]):
            return "visibility_hidden", f"visibility:{vis[0]}"
        size = inh.get("font-size")
        if size and not has_img and length_px(size[0]) == 0 and not self.toggled(size[1]):
            return "font_size_zero", f"font-size:{size[0]}"
        fg, background = inh.get("color"), inh.get("background")
        if fg and background and not has_img and "url(" not in background[0] and "gradient" not in background[0]:
            same = colour(fg[0]) is not None and colour(fg[0]) == colour(background[0])
            if same and (fg[1] is background[1] or fg[2]) and not self.toggled(background[1]):
                return "color_match", f"color:{fg[0]} = background:{colour(background[0])}"
        return None


def _written_wrappers(tree: etree._Element) -> dict:
    """Elements between ``document.write('<div style="display:none">')`` and its ``'</div>'``."""
    hidden: dict = {}
    for script in tree.iter("script"):
        m = _WRITE_OPEN.search(script.text or "")
        if not m or _WRITE_CLOSE.search(script.text or ""):
            continue
        for sib in script.itersiblings():
            if sib.tag == "script" and _WRITE_CLOSE.search(sib.text or ""):
                break
            if isinstance(sib.tag, str):
                hidden[sib] = f"document.write 包裹 {m.group(1)}"
                hidden.update((d, hidden[sib]) for d in sib.iterdescendants())
    return hidden


@functools.lru_cache(maxsize=4096)
def _site(host: str, port: int | None, scheme: str) -> str:
    """The registrable domain of ``host``; host:port for IP addresses."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return f"{host}:{port or (443 if scheme == 'https' else 80)}"
    except ValueError:
        return _TLD(host).top_domain_under_public_suffix or host


def _page_url(tree: etree._Element, url: str) -> str:
    """The page's own address: the document URL, else its <base>, canonical link or og:url."""
    if url:
        return url
    for path, attr in (("//base[@href]", "href"), ("//link[@rel='canonical']", "href"),
                       ("//meta[@property='og:url']", "content")):
        found = tree.xpath(path)
        if found and found[0].get(attr, "").startswith("http"):
            return found[0].get(attr)
    return ""


def _external_anchors(tree: etree._Element, url: str) -> list[tuple[etree._Element, str, str]]:
    """(anchor, href, host) for http(s) anchors to other sites, shown places only."""
    page_url = _page_url(tree, url)
    base = tree.find(".//base[@href]")
    base_url = urljoin(page_url, base.get("href")) if base is not None else page_url
    found = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or _SKIP_HREF.match(href) or any(x.tag in _NOT_SHOWN for x in a.iterancestors()):
            continue
        try:
            parts = urlsplit(urljoin(base_url, href))
            host, port = parts.hostname, parts.port
        except ValueError:
            continue
        if parts.scheme in ("http", "https") and host:
            found.append((a, href, host, _site(host, port, parts.scheme), port))
    if page_url:
        own = urlsplit(page_url)
        own_site = _site(own.hostname or "", own.port, own.scheme) if own.hostname else None
    else:  # no address: the site most of the page's links go to, if there is a clear one
        counts = Counter(f[3] for f in found).most_common(1)
        own_site = counts[0][0] if counts and counts[0][1] * 2 > len(found) >= 3 else None
    return [(a, href, f"{host}:{port}" if port and ":" in site else host)
            for a, href, host, site, port in found if site != own_site and not _BENIGN.search(host)]


def _evidence(a: etree._Element, href: str, how: str) -> tuple[str, str]:
    """The evidence line and the anchor's own text (where it is looked for in ``doc.text``)."""
    text = _WS.sub(" ", a.text_content()).strip()
    if not text:
        img = a.find(".//img")
        text = (img.get("alt") or img.get("title") or "") if img is not None else ""
    shown = text if len(text) <= _TEXT_SHOWN else text[:_TEXT_SHOWN] + "…"
    link = href if len(href) <= _HREF_SHOWN else href[:_HREF_SHOWN] + "…"
    return f'【<a href="{link}">{shown}</a>】 隐藏方式：{how}', text


@register
class HiddenLinkDetector:
    """Links to other sites hidden by CSS (display:none, off-screen, zero size, …) or zero-width text."""

    name = "hidden_link"
    kind: ClassVar[str] = "hidden_link"

    def detect(self, doc: Document, ctx: OrgContext) -> Iterable[Detection]:
        tree = doc.tree
        anchors = _external_anchors(tree, doc.url) if tree is not None else []
        if not anchors:
            return []
        page = _Page(tree, [a for a, _, _ in anchors])
        by_host: dict[str, list] = {}
        for a, href, host in anchors:
            reason = page.hidden(a)
            if reason:
                by_host.setdefault(host, []).append((a, href, reason))
        return [self._detection(doc.text or "", host, hits) for host, hits in by_host.items()]

    def _detection(self, text: str, host: str, hits: list) -> Detection:
        a, href, (technique, how) = hits[0]
        evidence, anchor_text = _evidence(a, href, how)
        at = text.find(anchor_text) if anchor_text and technique != "zero_width_text" else -1
        start, end = (at, at + len(anchor_text)) if at >= 0 else (0, 0)
        return Detection(
            category=self.kind, rule=technique, severity=Severity.HIGH, evidence=evidence,
            start=start, end=end, key=host,
            detail={"technique": technique, "href": href, "host": host, "count": len(hits)},
        )
