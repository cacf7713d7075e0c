"""Site chrome: appeals that sit in a page's navigation, header, footer or a repeated menu.

A "我要捐赠" button in the site's navigation is on every page; it is one problem of the site, not
one per page. :func:`chrome_links` tells which appeal spans of a document are such buttons, from
the element that holds them (found with :func:`classifier.locate.find_element`), and gives each a
key that does not depend on the page: the button's words and the address it leads to.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urldefrag, urljoin

from lxml import etree

from classifier.base import Document
from classifier.fundraising.appeals import AppealSpan
from classifier.locate import find_element
from classifier.textnorm import normalise

_CHROME_TAGS = {"nav": "nav", "header": "header", "footer": "footer"}
_CHROME_ROLES = {"navigation": "nav", "menubar": "nav", "menu": "nav", "banner": "header", "contentinfo": "footer"}
#: Whole id and class names of navigation, header and footer blocks (nav, main-menu, site-header,
#: topbar, footer_links, daohang); news-top or headline are not.
_CHROME_NAME = re.compile(
    r"(?P<nav>(?:nav|menu)[\w-]*|[\w-]*[_-](?:nav|menu)|topnav|mainmenu|daohang|dh)"
    r"|(?P<header>header[\w-]*|[\w-]*[_-]header|head|top|topbar)"
    r"|(?P<footer>footer[\w-]*|[\w-]*[_-]footer|foot|bottom|copyright)", re.I)
_MENU_ITEMS = 3  # a list of at least this many short links is a menu
_MENU_LABEL = 12  # characters of a menu item's words at most
_MENU_REACH = 3  # the list is at most this many levels above the button


@dataclass(frozen=True)
class ChromeLink:
    """An appeal span that is a site-wide button: where it sits, its words, its target."""

    span: AppealSpan
    where: str  # nav | header | footer | menu
    label: str
    href: str

    @property
    def key(self) -> str:
        """The same on every page of the site: ``chrome:`` + normalised words + target address."""
        return f"chrome:{normalise(self.label).text.strip()}:{self.href}"


def _named(el: etree._Element) -> str | None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _CHROME_TAGS:
        return _CHROME_TAGS[tag]
    role = (el.get("role") or "").strip().lower()
    if role in _CHROME_ROLES:
        return _CHROME_ROLES[role]
    for name in f"{el.get('id') or ''} {el.get('class') or ''}".split():
        m = _CHROME_NAME.fullmatch(name)
        if m:
            return m.lastgroup
    return None


def _is_menu(lst: etree._Element) -> bool:
    """A ul/ol of at least _MENU_ITEMS items that are each one short link."""
    items = [li for li in lst if li.tag == "li"]
    links = [li for li in items if li.find(".//a") is not None
             and len(li.text_content().strip()) <= _MENU_LABEL]
    return len(items) >= _MENU_ITEMS and len(links) == len(items)


def chrome_place(el: etree._Element) -> str | None:
    """Where ``el`` sits if that is site chrome (nav, header, footer; else a menu), or None."""
    chain = []
    for up in [el, *el.iterancestors()]:
        if up.tag in ("body", "html", "main", "article"):
            break
        chain.append(up)
    named = next((n for n in map(_named, chain) if n), None)
    if named:
        return named
    near = chain[:_MENU_REACH + 1]
    return "menu" if any(up.tag in ("ul", "ol") and _is_menu(up) for up in near) else None


def _link_of(el: etree._Element) -> etree._Element | None:
    """The link the element is or is in, or the only link inside it."""
    for up in [el, *el.iterancestors()]:
        if up.tag == "a" and up.get("href"):
            return up
    inner = [a for a in el.iter("a") if a.get("href")]
    return inner[0] if len(inner) == 1 else None


def chrome_links(doc: Document, spans: Sequence[AppealSpan]) -> list[ChromeLink]:
    """The spans of ``doc`` that sit in its navigation, header, footer or a repeated menu (HTML only)."""
    tree = doc.tree
    if tree is None:
        return []
    found = []
    for span in spans:
        needle = (doc.text or "")[span.start:span.end].strip()
        el = find_element(tree, needle) if needle else None
        where = chrome_place(el) if el is not None else None
        if where is None:
            continue
        link = _link_of(el)
        label = " ".join((link.text_content() if link is not None else needle).split()) or needle
        href = urldefrag(urljoin(doc.url, link.get("href").strip()))[0] if link is not None else ""
        found.append(ChromeLink(span, where, label, href))
    return found
