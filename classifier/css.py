"""Just enough CSS to tell whether an element is hidden: declarations, ``<style>`` rules, the cascade.

Pure (an lxml tree in, declarations out). Reads inline styles, top-level and ``@media screen/all``
rules of ``<style>`` elements, and the presentational attributes that still colour or size things
(``<font color>``, ``bgcolor``, ``<marquee width>``). Only the properties that can hide content are kept.
"""
from __future__ import annotations

import functools
import re
from collections import defaultdict

from cssselect import SelectorError, parse as parse_selector
from lxml import etree
from lxml.cssselect import CSSSelector

_PROPS = frozenset(
    "display visibility position left top right text-indent margin-left margin-top width height "
    "max-width max-height overflow overflow-x overflow-y font-size color background background-color".split()
)
OFFSETS = ("left", "top", "right", "text-indent", "margin-left", "margin-top")
OFFSCREEN_PX = 500
TINY_PX = 1
_HUGE_SCROLL = 500
_LENGTH = re.compile(r"(-?\d*\.?\d+)(px|pt|em|rem|%)?")
_UNIT_PX = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.0, None: 1.0}
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_BRACE = re.compile(r"[{}]")
_MEDIA_ALL = re.compile(r"@media\s+(?:only\s+)?(?:screen|all)", re.I)
_PSEUDO_ELEMENT = re.compile(r"::|:(?:before|after|first-line|first-letter|placeholder|selection)\b", re.I)
#: What a visitor does to reveal an element: hover or focus it, or a script adds a class.
TOGGLE = re.compile(
    r":(?:hover|focus-within|focus|active|target|checked)\b"
    r"|\.(?:active|open|opened|show|shown|on|current|cur|in|hover|selected|expanded|visible)(?![\w-])", re.I
)
_SIMPLE = re.compile(r"[#.]-?[_a-zA-Z][\w-]*")
_NEGATION = re.compile(r"\[[^\]]*\]|:not\([^)]*\)")  # what a key pre-filter must not require
_COMBINATOR = re.compile(r"\s*[>+~]\s*|\s+")
_QUALIFIED = re.compile(r"[.#\[]")
_NAMED_COLOURS = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "blue": "#0000ff",
                  "green": "#008000", "yellow": "#ffff00", "gray": "#808080", "grey": "#808080",
                  "silver": "#c0c0c0"}
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")


def length_px(value: str | None) -> float | None:
    """A CSS length in pixels (1em = 16px, % counts as 0), or None when there is no number."""
    m = _LENGTH.match(value.strip()) if value else None
    return float(m.group(1)) * _UNIT_PX[m.group(2)] if m else None


def colour(value: str | None) -> str | None:
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


def declarations(style: str) -> dict[str, str]:
    """The declarations of a style attribute or rule body that can hide content, lower-cased."""
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
        elif prelude and (decls := declarations(body)):
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
    base = TOGGLE.sub("", selector).strip()
    if not base or base[-1] in ">+~":
        return None
    if TOGGLE.search(last) and not _QUALIFIED.search(TOGGLE.sub("", last)):
        return None
    return base


def _reveals(decls: dict[str, str]) -> bool:
    if decls.get("display", "none") != "none" or decls.get("visibility") == "visible":
        return True
    sizes = (length_px(decls.get(p)) for p in ("width", "height", "max-height"))
    offsets = (length_px(decls.get(p)) for p in OFFSETS)
    return any(v is not None and v > TINY_PX for v in sizes) or any(
        v is not None and v > -OFFSCREEN_PX for v in offsets)


def _suspicious(decls: dict[str, str]) -> bool:
    """True if these declarations alone may hide something (the first, cheap pass)."""
    if decls.get("display") == "none" or decls.get("visibility") in ("hidden", "collapse"):
        return True
    small = (length_px(decls.get(p)) for p in ("width", "height", "max-height", "font-size"))
    offsets = (length_px(decls.get(p)) for p in OFFSETS)
    if any(v is not None and v <= TINY_PX for v in small) or any(
            v is not None and v <= -OFFSCREEN_PX for v in offsets):
        return True
    fg = colour(decls.get("color"))
    return fg is not None and fg == colour(decls.get("background-color") or decls.get("background"))


def _inline_suspicious(el: etree._Element) -> bool:
    """True if the element's own markup may hide (or colour) its content: worth the full cascade."""
    decls = declarations(el.get("style") or "")
    return (el.get("hidden") is not None or el.tag == "marquee" or el.get("bgcolor") is not None
            or (el.tag == "font" and el.get("color") is not None) or "color" in decls or _suspicious(decls))


def _keys_ok(selector: str, keys: set[str]) -> bool:
    """Cheap pre-filter: every #id and .class the selector requires occurs among ``keys``."""
    part = _NEGATION.sub("", selector)
    if "+" in part or "~" in part:
        part = _COMBINATOR.split(part.strip())[-1]
    return all(k in keys for k in _SIMPLE.findall(part))


class Styles:
    """The declarations that apply to the elements of interest, and which ones are revealable.

    Two passes: rules that may hide (and ``:hover``/``.active`` rules that reveal) over the
    ancestors of every element of interest; then, only for elements under something suspicious,
    every other rule (colours, font sizes, overflow) to complete the cascade.
    """

    def __init__(self, tree: etree._Element, elements: list) -> None:
        self.matched: dict = defaultdict(list)
        self.revealed: set = set()
        self._cache: dict = {}
        chains = [[a, *a.iterancestors()] for a in elements]
        rules = [(order, sel.strip(), decls) for order, (prelude, decls) in enumerate(
            r for style in tree.iter("style") for r in css_rules(style.text or ""))
            for sel in prelude.split(",") if not _PSEUDO_ELEMENT.search(sel)]
        first = {k for k, r in enumerate(rules) if TOGGLE.search(r[1]) or _suspicious(r[2])}
        self._apply(tree, [rules[k] for k in sorted(first)], {el for chain in chains for el in chain})
        deep = {el for chain in chains if any(e in self.matched or _inline_suspicious(e) for e in chain)
                for el in chain}
        if deep:
            self._apply(tree, [r for k, r in enumerate(rules) if k not in first], deep)

    def _apply(self, tree: etree._Element, rules: list, wanted: set) -> None:
        keys = {f"#{el.get('id')}" for el in wanted if el.get("id")} | {
            f".{c}" for el in wanted for c in (el.get("class") or "").split()}
        for order, selector, decls in rules:
            toggle = bool(TOGGLE.search(selector))
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
            out.update(declarations(el.get("style") or ""))
            self._cache[el] = out
        return self._cache[el]


def box_reason(el: etree._Element, d: dict[str, str]) -> tuple[str, str] | None:
    """(technique, how) by which this element's own box hides its content, given its declarations ``d``."""
    if d.get("display") == "none" or el.get("hidden") is not None:
        return "display_none", "display:none"
    for prop in OFFSETS:
        px = length_px(d.get(prop))
        positioned = prop in ("text-indent", "margin-left", "margin-top") or d.get("position") in (
            "absolute", "fixed", "relative")
        if px is not None and px <= -OFFSCREEN_PX and positioned:
            return "offscreen", f"{prop}:{d[prop]}"
    clipped = "hidden" in (d.get("overflow", ""), d.get("overflow-x", ""), d.get("overflow-y", ""))
    for prop in ("width", "height", "max-height"):
        px = length_px(d.get(prop))
        if clipped and px is not None and px <= TINY_PX:
            return "zero_size", f"{prop}:{d[prop]}; overflow:hidden"
    if el.tag == "marquee":
        tiny = [a for a in ("width", "height") if (px := length_px(d.get(a))) is not None and px <= TINY_PX]
        if tiny or (length_px(el.get("scrollamount")) or 0) >= _HUGE_SCROLL:
            return "marquee", f"<marquee {tiny[0] if tiny else 'scrollamount'}>"
    return None
