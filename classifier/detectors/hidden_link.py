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
from collections import Counter, defaultdict
from typing import ClassVar, Iterable
from urllib.parse import urljoin, urlsplit

import tldextract
from cssselect import SelectorError, parse as parse_selector
from lxml import etree
from lxml.cssselect import CSSSelector

from classifier.base import Detection, Document, OrgContext, Severity
from classifier.locate import parse
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
_PROPS = frozenset(
    "display visibility position left top right text-indent margin-left margin-top width height "
    "max-width max-height overflow overflow-x overflow-y font-size color background background-color".split()
)
_OFFSETS = ("left", "top", "right", "text-indent", "margin-left", "margin-top")
_OFFSCREEN_PX = 500
_TINY_PX = 1
_HUGE_SCROLL = 500
_LENGTH = re.compile(r"(-?\d*\.?\d+)(px|pt|em|rem|%)?")
_UNIT_PX = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.0, None: 1.0}
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BRACE = re.compile(r"[{}]")
_MEDIA_ALL = re.compile(r"@media\s+(?:only\s+)?(?:screen|all)", re.I)
_PSEUDO_ELEMENT = re.compile(r"::|:(?:before|after|first-line|first-letter|placeholder|selection)\b", re.I)
#: What a visitor does to reveal an element: hover or focus it, or a script adds a class.
_TOGGLE = re.compile(
    r":(?:hover|focus-within|focus|active|target|checked)\b"
    r"|\.(?:active|open|opened|show|shown|on|current|cur|in|hover|selected|expanded|visible)(?![\w-])", re.I
)
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
_SIMPLE = re.compile(r"[#.]-?[_a-zA-Z][\w-]*")
_NEGATION = re.compile(r"\[[^\]]*\]|:not\([^)]*\)")  # what a key pre-filter must not require
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
_QUALIFIED = re.compile(r"[.#\[]")
_WRITE_OPEN = re.compile(
    r"document\.write(?:ln)?\s*\(\s*['\"]<(?:div|span|p|section)\b[^>]*?"
    r"(display\s*:\s*none|visibility\s*:\s*hidden|(?:left|top)\s*:\s*-\d{3,}px)", re.I
)
_WRITE_CLOSE = re.compile(r"document\.write(?:ln)?\s*\(\s*['\"]\s*</", re.I)
_NAMED_COLOURS = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "blue": "#0000ff",
                  "green": "#008000", "yellow": "#ffff00", "gray": "#808080", "grey": "#808080",
                  "silver": "#c0c0c0"}
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")
_WS = re.compile(r"\s+")
_TEXT_SHOWN = 40  # characters of anchor text in the evidence
_HREF_SHOWN = 120


def _length_px(value: str | None) -> float | None:
    m = _LENGTH.match(value.strip()) if value else None
    return float(m.group(1)) * _UNIT_PX[m.group(2)] if m else None


def _colour(value: str | None) -> str | None:
    """A CSS colour as #rrggbb, or None (transparent, inherit, unknown)."""
    if not value:
        return None
    for token in value.split():
        if token in _NAMED_COLOURS:
            return _NAMED_COLOURS[token]
        m = _HEX.match(token)
        if m:
            h = m.group(1)
            return "#" + (h if len(h) == 6 else "".join(c * 2 for c in h))
    m = _RGB.search(value)
    if m and (m.group(4) is None or float(m.group(4)) > 0):
        return "#" + "".join(f"{min(255, int(m.group(k))):02x}" for k in (1, 2, 3))
    return None


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for part in style.split(";"):
        prop, sep, value = part.partition(":")
        prop = prop.strip().lower()
        if sep and prop in _PROPS:
            out[prop] = value.replace("!important", "").strip().lower()
    return out


def css_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector list, relevant declarations) of top-level rules and of @media screen/all."""
    css, rules, pos = _COMMENT.sub(" ", css), [], 0
    while (opening := css.find("{", pos)) >= 0:
        prelude = re.split(r"[;}]", css[pos:opening])[-1].strip()
        depth, close = 0, len(css)
        for m in _BRACE.finditer(css, opening):
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                close = m.start()
                break
        body = css[opening + 1:close]
        if prelude.startswith("@"):
            if _MEDIA_ALL.fullmatch(prelude):
                rules += css_rules(body)
        elif prelude and (decls := _declarations(body)):
            rules.append((prelude, decls))
        pos = close + 1
    return rules


@functools.lru_cache(maxsize=4096)
def _compiled(selector: str) -> tuple[CSSSelector, tuple] | None:
    try:
        return CSSSelector(selector, translator="html"), parse_selector(selector)[0].specificity()
    except (SelectorError, ValueError, IndexError):
        return None


def _untoggled(selector: str) -> str | None:
    """``.nav li:hover ul`` → ``.nav li ul``: the elements a hover, focus or class reveals.

    None when the toggled element would be every element of a tag (``div.show``).
    """
    last = _COMBINATOR.split(selector.strip())[-1]
    base = _TOGGLE.sub("", selector).strip()
    if not base or base[-1] in ">+~":
        return None
    if _TOGGLE.search(last) and not _QUALIFIED.search(_TOGGLE.sub("", last)):
        return None
    return base


def _reveals(decls: dict[str, str]) -> bool:
    if decls.get("display", "none") != "none" or decls.get("visibility") == "visible":
        return True
    sizes = (_length_px(decls.get(p)) for p in ("width", "height", "max-height"))
    offsets = (_length_px(decls.get(p)) for p in _OFFSETS)
    return any(v is not None and v > _TINY_PX for v in sizes) or any(
        v is not None and v > -_OFFSCREEN_PX for v in offsets)


def _suspicious(decls: dict[str, str]) -> bool:
    """True if these declarations alone may hide something (the first, cheap pass)."""
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    small = (_length_px(decls.get(p)) for p in ("width", "height", "max-height", "font-size"))
    offsets = (_length_px(decls.get(p)) for p in _OFFSETS)
    if any(v is not None and v <= _TINY_PX for v in small) or any(
            v is not None and v <= -_OFFSCREEN_PX for v in offsets):
        return True
    colour = _colour(decls.get("color"))
    return colour is not None and colour == _colour(decls.get("background-color") or decls.get("background"))


def _inline_suspicious(el: etree._Element) -> bool:
    """True if the element's own markup may hide (or colour) its content: worth the full cascade."""
    decls = _declarations(el.get("style") or "")
    return (el.get("hidden") is not None or el.tag == "marquee" or el.get("bgcolor") is not None
            or (el.tag == "font" and el.get("color") is not None) or "color" in decls or _suspicious(decls))


def _keys_ok(selector: str, keys: set[str]) -> bool:
    """Cheap pre-filter: every #id and .class the selector requires occurs among ``keys``."""
    part = _NEGATION.sub("", selector)
    if "+" in part or "~" in part:
        part = _COMBINATOR.split(part.strip())[-1]
    return all(k in keys for k in _SIMPLE.findall(part))


class _Styles:
    """The declarations that apply to the elements of interest, and which ones are revealable.

    Two passes: rules that may hide (and ``:hover``/``.active`` rules that reveal) over the
    ancestors of every external anchor; then, only for anchors under something suspicious,
    every other rule (colours, font sizes, overflow) to complete the cascade.
    """

    def __init__(self, tree: etree._Element, anchors: list) -> None:
        self.matched: dict = defaultdict(list)
        self.revealed: set = set()
        self._cache: dict = {}
        chains = [[a, *a.iterancestors()] for a in anchors]
        rules = [(order, sel.strip(), decls) for order, (prelude, decls) in enumerate(
            r for style in tree.iter("style") for r in css_rules(style.text or ""))
            for sel in prelude.split(",") if not _PSEUDO_ELEMENT.search(sel)]
        first = {k for k, r in enumerate(rules) if _TOGGLE.search(r[1]) or _suspicious(r[2])}
        self._apply(tree, [rules[k] for k in sorted(first)], {el for chain in chains for el in chain})
        deep = {el for chain in chains if any(e in self.matched or _inline_suspicious(e) for e in chain)
                for el in chain}
        if deep:
            self._apply(tree, [r for k, r in enumerate(rules) if k not in first], deep)

    def _apply(self, tree: etree._Element, rules: list, wanted: set) -> None:
        keys = {f"#{el.get('id')}" for el in wanted if el.get("id")} | {
            f".{c}" for el in wanted for c in (el.get("class") or "").split()}
        for order, selector, decls in rules:
            toggle = bool(_TOGGLE.search(selector))
            base = _untoggled(selector) if toggle else selector
            compiled = _compiled(base) if base and _keys_ok(base, keys) else None
            if compiled is None or (toggle and not _reveals(decls)):
                continue
            for el in compiled[0](tree):
                if el not in wanted:
                    continue
                if toggle:
                    self.revealed.add(el)
                else:
                    self.matched[el].append((compiled[1], order, decls))

    def of(self, el: etree._Element) -> dict[str, str]:
        """The element's declarations: attributes, then rules by specificity, then inline style."""
        if el not in self._cache:
            out: dict[str, str] = {}
            if el.tag in ("font", "basefont") and el.get("color"):
                out["color"] = el.get("color").lower()
            if el.get("bgcolor"):
                out["background-color"] = el.get("bgcolor").lower()
            for attr in ("width", "height") if el.tag == "marquee" else ():
                if el.get(attr):
                    out[attr] = el.get(attr)
            for _, _, decls in sorted(self.matched.get(el, []), key=lambda r: r[:2]):
                out.update(decls)
            out.update(_declarations(el.get("style") or ""))
            self._cache[el] = out
        return self._cache[el]


def _box_reason(el: etree._Element, d: dict[str, str]) -> tuple[str, str] | None:
    """The technique by which this element's own box hides its content, if any."""
    if d.get("display") == "none" or el.get("hidden") is not None:
        return "display_none", "display:none"
    for prop in _OFFSETS:
        px = _length_px(d.get(prop))
        positioned = prop in ("text-indent", "margin-left", "margin-top") or d.get("position") in (
            "absolute", "fixed", "relative")
        if px is not None and px <= -_OFFSCREEN_PX and positioned:
            return "offscreen", f"{prop}:{d[prop]}"
    clipped = "hidden" in (d.get("overflow", ""), d.get("overflow-x", ""), d.get("overflow-y", ""))
    for prop in ("width", "height", "max-height"):
        px = _length_px(d.get(prop))
        if clipped and px is not None and px <= _TINY_PX:
            return "zero_size", f"{prop}:{d[prop]}; overflow:hidden"
    if el.tag == "marquee":
        tiny = [a for a in ("width", "height") if (px := _length_px(d.get(a))) is not None and px <= _TINY_PX]
        if tiny or (_length_px(el.get("scrollamount")) or 0) >= _HUGE_SCROLL:
            return "marquee", f"<marquee {tiny[0] if tiny else 'scrollamount'}>"
    return None


class _Page:
    """One parsed page: its styles and scripts, and whether an anchor in it is hidden."""

    def __init__(self, tree: etree._Element, anchors: list) -> None:
        self.styles = _Styles(tree, anchors)
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
                or _declarations(sib.get("style") or "").get("display", "none") != "none")
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
            reason = _box_reason(el, d)
            if reason and not self.toggled(el):
                return reason
            wechat = el.get("id") == "js_content" or _WECHAT_BODY.search(el.get("class") or "")
            if "visibility" in d and not wechat:
                inherited.setdefault("visibility", (d["visibility"], el))
            inline = "color" in _declarations(el.get("style") or "") or el.tag == "font"
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
        if size and not has_img and _length_px(size[0]) == 0 and not self.toggled(size[1]):
            return "font_size_zero", f"font-size:{size[0]}"
        colour, background = inh.get("color"), inh.get("background")
        if colour and background and not has_img and "url(" not in background[0] and "gradient" not in background[0]:
            same = _colour(colour[0]) is not None and _colour(colour[0]) == _colour(background[0])
            if same and (colour[1] is background[1] or colour[2]) and not self.toggled(background[1]):
                return "color_match", f"color:{colour[0]} = background:{_colour(background[0])}"
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
        tree = parse(doc.html) if doc.html else None
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
