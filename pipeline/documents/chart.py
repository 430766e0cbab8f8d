"""The bulletins' bar charts: the month's totals (排名通报), the quarter's completion rates (季度通报).

Decisions:

- PNG at 300 dpi, 156 mm wide (the type area of a GB/T 9704 page): python-docx cannot embed
  SVG and EMF is not available, and 300 dpi prints sharp. The PNG carries its dpi, so
  its natural size in Word is 156 mm.
- Horizontal bars, highest at the top (the table's order): the long short names of the
  专项小组 (经济生态改革专项小组) stay readable without rotating them.
- Grey bars with black edges and black value labels ("88.50"): prints in black and white.
- The value axis starts at a round number below the lowest total (70 for 79.85), so that
  differences of a few points are visible; every bar carries its exact value.
- Text in the documents' body face: the file fontconfig maps 仿宋_GB2312 to
  (pipeline.fonts.fontmap.resolve), then Noto Sans CJK SC as the per-glyph fallback
  (matplotlib ≥ 3.6 falls back along the family list), then DejaVu Sans.
- Reproducible: no date or software version in the PNG, so the same data gives the same bytes.
"""

from __future__ import annotations

import functools
import math
import os
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from ..rules.ranking import RankedRow, fmt

WIDTH_MM = 156
DPI = 300
BODY_FONT = "仿宋_GB2312"
FALLBACK_FONT = "Noto Sans CJK SC"
BAR_GREY = "#8c8c8c"


def _font_manager():
    os.environ.setdefault("MPLBACKEND", "Agg")  # no display needed: figures are drawn with Figure(), not pyplot
    from matplotlib import font_manager

    return font_manager


@functools.lru_cache(maxsize=1)
def chart_fonts() -> tuple[tuple[str, str], ...]:
    """The (family, file) pairs the chart uses, in fallback order; registered with matplotlib.

    First the face of 仿宋_GB2312 (as LibreOffice prints the documents), then Noto Sans CJK SC.
    Empty when neither can be found (the chart then prints with matplotlib's default and
    CJK characters would be boxes: `make-notices doctor` reports the missing fonts).
    """
    from ..fonts import fontmap

    font_manager = _font_manager()
    found: list[tuple[str, str]] = []
    for name in (BODY_FONT, FALLBACK_FONT):
        got = fontmap.resolve(name)
        file = got[2] if got else ""
        if not file or not Path(file).is_file():
            continue
        try:
            font_manager.fontManager.addfont(file)  # every face of a .ttc
        except (OSError, RuntimeError, ValueError):
            continue
        known = {e.name for e in font_manager.fontManager.ttflist if str(e.fname) == file}
        # fontconfig's family (Noto Sans CJK SC, not the first face of the .ttc, …CJK JP)
        family = got[0] if got[0] in known else font_manager.FontProperties(fname=file).get_name()
        if family not in [f for f, _ in found]:
            found.append((family, file))
    return tuple(found)


def font_file_for(families: Sequence[str]) -> str:
    """The file matplotlib uses for the first family of a list that it has (for tests and doctor)."""
    font_manager = _font_manager()
    return str(font_manager.findfont(font_manager.FontProperties(family=list(families)), fallback_to_default=False))


def _axis_start(lowest: Decimal) -> float:
    """A round number below the lowest total: 79.85 → 70, 62 → 50; 0 for low scores."""
    start = math.floor((float(lowest) - 5) / 10) * 10
    return float(max(start, 0))


def bar_chart(ranking_rows: Sequence[RankedRow], path: Path, title: str) -> Path:
    """Write a PNG bar chart of the rows' totals (sorted, highest first) to path; return path."""
    rows = sorted(ranking_rows, key=lambda r: (-r.total, r.rank, r.unit.order, r.unit.name))
    if not rows:
        raise ValueError("bar_chart needs at least one row")
    start = _axis_start(min(r.total for r in rows))
    top = float(max(r.total for r in rows))
    return _bars([(r.unit.short, float(r.total), fmt(r.total)) for r in rows], path, title,
                 (start, top + (top - start) * 0.12 + 1))


def rate_chart(rates: Sequence[tuple[str, Decimal, str]], path: Path, title: str) -> Path:
    """Write a PNG bar chart of completion rates ((label, percent, text), in the given order) on a 0–100 % axis."""
    if not rates:
        raise ValueError("rate_chart needs at least one rate")
    path = _bars([(label, float(value), text) for label, value, text in rates], path, title, (0.0, 112.0),
                 ticks=[0, 20, 40, 60, 80, 100], tick_suffix="%")
    return path


def _bars(items: Sequence[tuple[str, float, str]], path: Path, title: str, xlim: tuple[float, float],
          ticks: Sequence[float] | None = None, tick_suffix: str = "") -> Path:
    """Horizontal grey bars, the first item at the top, each with its value text; written as PNG."""
    _font_manager()
    from matplotlib.figure import Figure

    families = [f for f, _ in chart_fonts()] + ["DejaVu Sans"]
    n = len(items)
    height_mm = 22 + 9 * n
    fig = Figure(figsize=(WIDTH_MM / 25.4, height_mm / 25.4), dpi=DPI)
    ax = fig.add_subplot()
    positions = list(range(n))[::-1]  # first item at the top
    ax.barh(positions, [v for _, v, _ in items], height=0.62, color=BAR_GREY, edgecolor="black", linewidth=0.6, zorder=2)
    start, end = xlim
    ax.set_xlim(start, end)
    ax.set_yticks(positions, [label for label, _, _ in items], fontfamily=families, fontsize=10.5)
    ax.set_ylim(-0.6, n - 0.4)
    span = end - start
    for pos, (_, value, text) in zip(positions, items):
        ax.text(value + span * 0.01, pos, text, va="center", ha="left", fontfamily=families, fontsize=9.5, color="black")
    ax.set_title(title, fontfamily=families, fontsize=12, pad=8)
    if ticks is not None:
        ax.set_xticks(list(ticks), [f"{t:g}{tick_suffix}" for t in ticks])
    ax.tick_params(axis="x", labelsize=9)
    for label in ax.get_xticklabels():
        label.set_fontfamily(families)
    ax.grid(axis="x", color="#bbbbbb", linewidth=0.5, linestyle="--", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI, metadata={"Software": None})
    return path
