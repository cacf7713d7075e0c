"""Table-driven tests of the CSS reader the hidden-link detector uses (classifier.css)."""
from __future__ import annotations

import lxml.html
import pytest

from classifier.css import Styles, box_reason, colour, css_rules, declarations, length_px

LENGTHS = [("-9999px", -9999.0), ("0", 0.0), ("2em", 32.0), ("1.5rem", 24.0), ("12pt", 16.0), ("50%", 0.0),
           (" -10px ", -10.0), ("auto", None), ("", None), (None, None)]
COLOURS = [("#FFF".lower(), "#ffffff"), ("#1a2b3c", "#1a2b3c"), ("white", "#ffffff"), ("rgb(255, 0, 0)", "#ff0000"),
           ("rgba(0,0,0,0)", None), ("rgba(0,0,0,0.5)", "#000000"), ("transparent", None), ("inherit", None),
           ("url(a.png) #000 no-repeat", "#000000"), (None, None)]


@pytest.mark.parametrize(("value", "px"), LENGTHS)
def test_length_px(value, px) -> None:
    assert length_px(value) == px


@pytest.mark.parametrize(("value", "hex_"), COLOURS)
def test_colour(value, hex_) -> None:
    assert colour(value) == hex_


def test_declarations_keep_only_what_can_hide_lower_cased() -> None:
    style = "DISPLAY: None !important; margin-top:-999PX; border:1px solid red; color:#FFF; bogus"
    assert declarations(style) == {"display": "none", "margin-top": "-999px", "color": "#fff"}


def test_css_rules_reads_top_level_and_screen_media_only() -> None:
    css = ("/* x{display:none} */ .a,.b{display:none;border:0} .c{border:0} "
           "@media print{.p{display:none}} @media only screen{.s{visibility:hidden}} @font-face{font-family:x}")
    assert css_rules(css) == [(".a,.b", {"display": "none"}), (".s", {"visibility": "hidden"})]


#: (id, markup of the element with id="x", technique or None)
BOXES = [
    ("display-none", '<div id="x" style="display:none">a</div>', "display_none"),
    ("hidden-attribute", '<div id="x" hidden>a</div>', "display_none"),
    ("offscreen-absolute", '<div id="x" style="position:absolute;left:-3000px">a</div>', "offscreen"),
    ("offscreen-not-positioned", '<div id="x" style="left:-3000px">a</div>', None),
    ("text-indent", '<p id="x" style="text-indent:-9999px">a</p>', "offscreen"),
    ("zero-height-clipped", '<div id="x" style="height:0;overflow:hidden">a</div>', "zero_size"),
    ("zero-height-visible", '<div id="x" style="height:0">a</div>', None),
    ("tiny-marquee", '<marquee id="x" width="1" height="1">a</marquee>', "marquee"),
    ("normal-marquee", '<marquee id="x" width="300">a</marquee>', None),
    ("plain", '<div id="x" style="color:red">a</div>', None),
]


def styled(css: str, body: str, *ids: str) -> tuple[Styles, list]:
    """The styles of a page with ``css`` in a <style> element, for the elements with these ids."""
    tree = lxml.html.document_fromstring(f"<html><head><style>{css}</style></head><body>{body}</body></html>")
    elements = [tree.get_element_by_id(i) for i in ids]
    return Styles(tree, elements), elements


@pytest.mark.parametrize(("markup", "technique"), [c[1:] for c in BOXES], ids=[c[0] for c in BOXES])
def test_box_reason(markup: str, technique: str | None) -> None:
    styles, (el,) = styled("", markup, "x")
    reason = box_reason(el, styles.of(el))
    assert (reason[0] if reason else None) == technique


def test_styles_cascade_by_specificity_then_inline() -> None:
    styles, (x, y) = styled(".box{display:none} #x.box{display:block} div{color:red}",
                            '<div id="x" class="box" style="color:#000;background:#000">a</div>'
                            '<div id="y" class="box">b</div>', "x", "y")
    assert styles.of(x)["display"] == "block" and styles.of(x)["color"] == "#000"
    assert styles.of(y)["display"] == "none" and box_reason(y, styles.of(y))[0] == "display_none"


def test_styles_know_what_hover_and_active_classes_reveal() -> None:
    styles, (menu, tip) = styled(".nav ul{display:none} .nav li:hover ul{display:block} .tip{display:none}",
                                 '<div class="nav"><ul><li>a<ul id="m"><li>b</li></ul></li></ul></div>'
                                 '<div class="tip" id="t">b</div>', "m", "t")
    assert menu in styles.revealed and tip not in styles.revealed
