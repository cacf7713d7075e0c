"""The 12-week trend chart as inline SVG (matplotlib, Agg, Noto Sans CJK SC), byte-for-byte reproducible."""
from __future__ import annotations

import functools
import io
import logging
import re

from orgwatch.reports.labels import CATEGORY_COLOURS, category_label

log = logging.getLogger(__name__)
CJK_FONT = "Noto Sans CJK SC"
_SVG_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


@functools.cache
def cjk_fonts() -> list[str]:
    """Font families for the chart: Noto Sans CJK SC when installed, then matplotlib's default."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK_FONT not in names:
        log.warning("font %s is not installed: Chinese text in the chart may not render "
                    "(Debian: apt-get install fonts-noto-cjk)", CJK_FONT)
        return ["DejaVu Sans"]
    return [CJK_FONT, "DejaVu Sans"]


def _rc() -> dict:
    return {
        "font.family": "sans-serif",
        "font.sans-serif": cjk_fonts(),
        "axes.unicode_minus": False,
        "svg.hashsalt": "orgwatch-weekly",
        "svg.fonttype": "path",
        "font.size": 10,
    }


def trend_svg(weeks: list[str], new: dict[str, list[int]], resolved: dict[str, list[int]]) -> str:
    """Stacked bars per week: new findings by category above the axis, resolved ones below.

    ``new`` and ``resolved`` map category -> one count per week in ``weeks`` order.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    with rc_context(_rc()):
        fig = Figure(figsize=(6.4, 3.9), dpi=100)
        ax = fig.add_subplot()
        xs = list(range(len(weeks)))
        categories = sorted(set(new) | set(resolved), key=list(CATEGORY_COLOURS).index)
        _stack(ax, xs, [(c, new.get(c, [0] * len(xs))) for c in categories], sign=1)
        _stack(ax, xs, [(c, resolved.get(c, [0] * len(xs))) for c in categories], sign=-1)
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xticks(xs, weeks)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{abs(int(v))}")
        ax.text(0.0, 1.03, "横线以上 ↑ 新发现　　横线以下 ↓ 已消除", transform=ax.transAxes, ha="left", va="bottom",
                color="#333333")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if not categories:
            ax.set_ylim(-1, 1)
            ax.text(0.5, 0.5, "这 12 周没有新发现或已消除的问题", transform=ax.transAxes, ha="center", color="#666666")
        handles = [Patch(color=CATEGORY_COLOURS[c], label=category_label(c)) for c in categories]
        if handles:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=9,
                      ncol=min(6, len(handles)), handlelength=1.2, columnspacing=1.0)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "orgwatch"})
    return _inline(buf.getvalue())


def _stack(ax, xs: list[int], series: list[tuple[str, list[int]]], sign: int) -> None:
    bottom = [0] * len(xs)
    for category, counts in series:
        values = [sign * n for n in counts]
        if any(values):
            ax.bar(xs, values, bottom=bottom, color=CATEGORY_COLOURS[category], width=0.7, linewidth=0)
            bottom = [b + v for b, v in zip(bottom, values)]


def _inline(svg: str) -> str:
    """The SVG element alone, scaling with its container (no XML prologue, no fixed size)."""
    svg = _SVG_HEAD.sub("", svg, count=1)
    return _SIZE.sub(r'<svg\1 class="chart" role="img" aria-label="近 12 周新发现与已消除的问题"', svg, count=1)
