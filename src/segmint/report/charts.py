"""Inline SVG charts and HTML tables for the report: no scripts, no external resources."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from segmint.report.formatting import format_auto, format_number, text_width

PALETTE: tuple[str, ...] = ("#0f766e", "#6366f1", "#f59e0b", "#e11d48", "#0284c7", "#65a30d")
HEAT_LOW = (240, 249, 247)
HEAT_HIGH = (15, 118, 110)
FONT = 12.0
Formatter = Callable[[Any], str]


def _svg(width: float, height: float, body: list[str], label: str) -> Markup:
    return Markup(
        f'<svg class="chart" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" '
        f'preserveAspectRatio="xMinYMin meet">{"".join(body)}</svg>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{escape(str(text))}</text>'


def _finite(values: Sequence[Any]) -> list[float]:
    out = []
    for value in values:
        number = float(value) if value is not None else float("nan")
        out.append(number if np.isfinite(number) else 0.0)
    return out


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str = "",
    value_format: Formatter = lambda v: format_number(v),
    color: str = PALETTE[0],
    width: float = 560.0,
    axis_title: str = "",
    colors: Sequence[str] | None = None,
) -> Markup:
    """Return a horizontal bar chart as inline SVG, one labelled bar per value (titled x axis)."""
    numbers = _finite(values)
    label_w = min(max((text_width(str(label)) for label in labels), default=40.0) + 12, 220)
    texts = [value_format(v) for v in values]
    value_w = max((text_width(text) for text in texts), default=30.0) + 10
    plot_w = max(width - label_w - value_w, 80.0)
    row_h, top = 24.0, 8.0
    bars_h = top * 2 + row_h * max(len(numbers), 1)
    height = bars_h + (22.0 if axis_title else 0.0)
    peak = max((abs(v) for v in numbers), default=0.0) or 1.0
    body: list[str] = []
    if axis_title:
        body.append(
            f'<line x1="{label_w:.1f}" y1="{bars_h - top + 2:.1f}" x2="{label_w + plot_w:.1f}" '
            f'y2="{bars_h - top + 2:.1f}" class="axis-line"/>'
        )
        body.append(
            _text(label_w + plot_w / 2, height - 4, axis_title, anchor="middle", cls="axis")
        )
    for i, (label, number, text) in enumerate(zip(labels, numbers, texts, strict=True)):
        y = top + i * row_h
        bar_w = max(abs(number) / peak * plot_w, 1.0 if number else 0.0)
        body.append(_text(label_w - 8, y + 16, str(label), anchor="end", cls="label"))
        body.append(
            f'<rect x="{label_w:.1f}" y="{y + 4:.1f}" width="{bar_w:.1f}" height="{row_h - 8:.1f}" '
            f'rx="2" fill="{colors[i] if colors else color}">'
            f"<title>{escape(str(label))}: {escape(text)}</title></rect>"
        )
        body.append(_text(label_w + bar_w + 6, y + 16, text, cls="value"))
    if not numbers:
        body.append(_text(8, top + 16, "–", cls="label"))
    return _svg(width, height, body, title or "bar chart")


def grouped_bar_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    value_format: Formatter = lambda v: format_number(v),
    width: float = 560.0,
) -> Markup:
    """Return horizontal grouped bars (one bar per series within each label) with a legend."""
    names = list(series)
    columns = {name: _finite(series[name]) for name in names}
    label_w = min(max((text_width(str(label)) for label in labels), default=40.0) + 12, 220)
    value_w = 64.0
    plot_w = max(width - label_w - value_w, 80.0)
    bar_h, gap = 12.0, 10.0
    group_h = bar_h * len(names) + gap
    legend_h = 24.0
    height = legend_h + group_h * max(len(labels), 1) + 6
    peak = max((abs(v) for col in columns.values() for v in col), default=0.0) or 1.0
    body: list[str] = []
    x = label_w
    for k, name in enumerate(names):
        color = PALETTE[k % len(PALETTE)]
        body.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" rx="2" fill="{color}"/>')
        body.append(_text(x + 16, 16, name, cls="legend"))
        x += 16 + text_width(name) + 18
    for i, label in enumerate(labels):
        y0 = legend_h + i * group_h
        body.append(
            _text(
                label_w - 8, y0 + bar_h * len(names) / 2 + 4, str(label), anchor="end", cls="label"
            )
        )
        for k, name in enumerate(names):
            number = columns[name][i]
            text = value_format(series[name][i])
            y = y0 + k * bar_h
            bar_w = max(abs(number) / peak * plot_w, 1.0 if number else 0.0)
            color = PALETTE[k % len(PALETTE)]
            body.append(
                f'<rect x="{label_w:.1f}" y="{y + 1:.1f}" width="{bar_w:.1f}" '
                f'height="{bar_h - 2:.1f}" rx="2" fill="{color}">'
                f"<title>{escape(str(label))} · {escape(name)}: {escape(text)}</title></rect>"
            )
            body.append(_text(label_w + bar_w + 5, y + bar_h - 2, text, cls="value small"))
    return _svg(width, height, body, title or "grouped bar chart")


def _heat_colour(share: float) -> str:
    r, g, b = (round(lo + (hi - lo) * share) for lo, hi in zip(HEAT_LOW, HEAT_HIGH, strict=True))
    return f"rgb({r},{g},{b})"


def heatmap(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    values: Sequence[Sequence[float]],
    *,
    cell_text: Sequence[Sequence[str]] | None = None,
    row_title: str = "",
    column_title: str = "",
    title: str = "",
    value_format: Formatter = lambda v: format_number(v),
    cell_size: tuple[float, float] = (124.0, 52.0),
) -> Markup:
    """Return a grid of coloured cells (darker = larger value) with counts and optional names."""
    cell_w, cell_h = cell_size
    matrix = np.array([_finite(row) for row in values], dtype=float).reshape(
        len(row_labels), len(column_labels)
    )
    peak = float(matrix.max()) if matrix.size and matrix.max() > 0 else 1.0
    left, top = 64.0, 28.0
    width = left + cell_w * len(column_labels) + 8
    height = top + cell_h * len(row_labels) + 40
    body: list[str] = []
    body.append(
        _text(left + cell_w * len(column_labels) / 2, 14, column_title, anchor="middle", cls="axis")
    )
    mid_y = top + cell_h * len(row_labels) / 2
    body.append(
        f'<text x="14" y="{mid_y:.1f}" text-anchor="middle" class="axis" '
        f'transform="rotate(-90 14 {mid_y:.1f})">{escape(row_title)}</text>'
    )
    for j, label in enumerate(column_labels):
        body.append(
            _text(
                left + (j + 0.5) * cell_w,
                top + cell_h * len(row_labels) + 18,
                str(label),
                anchor="middle",
                cls="tick",
            )
        )
    for i, label in enumerate(row_labels):
        y = top + i * cell_h
        body.append(_text(left - 10, y + cell_h / 2 + 4, str(label), anchor="end", cls="tick"))
        for j in range(len(column_labels)):
            value = matrix[i, j]
            share = value / peak
            x = left + j * cell_w
            name = cell_text[i][j] if cell_text is not None else ""
            tip = f"{row_labels[i]} × {column_labels[j]}: {value_format(value)}"
            if name:
                tip += f" · {name}"
            body.append(
                f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell_w - 2:.1f}" '
                f'height="{cell_h - 2:.1f}" rx="3" fill="{_heat_colour(share)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            ink = "ink-light" if share > 0.55 else "ink-dark"
            count_y = y + cell_h / 2 + (0 if name else 4)
            body.append(
                _text(
                    x + cell_w / 2,
                    count_y,
                    value_format(value),
                    anchor="middle",
                    cls=f"count {ink}",
                )
            )
            if name:
                body.append(
                    _text(
                        x + cell_w / 2,
                        y + cell_h / 2 + 15,
                        _clip(name, cell_w - 8),
                        anchor="middle",
                        cls=f"name {ink}",
                    )
                )
    return _svg(width, height, body, title or "heatmap")


def _clip(text: str, room: float, font_size: float = 10.0) -> str:
    if text_width(text, font_size) <= room:
        return text
    while text and text_width(text + "…", font_size) > room:
        text = text[:-1]
    return text + "…"


def histogram(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    bins: int = 20,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    value_format: Formatter = lambda v: format_number(v, 0),
    color: str = PALETTE[1],
    width: float = 560.0,
    clip_quantile: float | None = 0.99,
    value_range: tuple[float, float] | None = None,
    bands: Sequence[Band] | None = None,
) -> Markup:
    """Return a histogram of the finite values as inline SVG (the top tail can be clipped).

    With `bands` (name, lower bound, colour; in increasing order) each bar takes the colour of the
    band its middle falls in, a dashed line marks each band's lower bound, and a legend names them.
    """
    data = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    data = data[np.isfinite(data)]
    height, left, bottom, top = 220.0, 56.0, 42.0, 12.0
    if bands:
        top += 22.0
        height += 22.0
    body: list[str] = []
    if data.size == 0:
        body.append(_text(width / 2, height / 2, "–", anchor="middle", cls="label"))
        return _svg(width, height, body, title or "histogram")
    if value_range is not None:
        lower, upper = value_range
    else:
        upper = float(np.quantile(data, clip_quantile)) if clip_quantile else float(data.max())
        lower = float(data.min())
    if upper <= lower:
        upper = lower + 1.0
    counts, edges = np.histogram(np.clip(data, lower, upper), bins=bins, range=(lower, upper))
    plot_w, plot_h = width - left - 12, height - top - bottom
    peak = int(counts.max()) or 1
    bar_w = plot_w / len(counts)
    for k, count in enumerate(counts):
        h = count / peak * plot_h
        x = left + k * bar_w
        tip = f"{value_format(edges[k])} – {value_format(edges[k + 1])}: {format_number(count)}"
        fill = _band_colour(bands, (edges[k] + edges[k + 1]) / 2) if bands else color
        body.append(
            f'<rect x="{x + 0.5:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{fill}"><title>{escape(tip)}</title></rect>'
        )
    axis_y = top + plot_h
    if bands:
        body.extend(_band_marks(bands, lower, upper, left, plot_w, top, axis_y, value_format))
    body.append(
        f'<line x1="{left}" y1="{axis_y:.1f}" x2="{left + plot_w:.1f}" y2="{axis_y:.1f}" class="axis-line"/>'
    )
    for frac, anchor in ((0.0, "start"), (0.5, "middle"), (1.0, "end")):
        value = lower + (upper - lower) * frac
        body.append(
            _text(left + plot_w * frac, axis_y + 16, value_format(value), anchor=anchor, cls="tick")
        )
    body.append(_text(left - 6, top + 10, format_number(peak), anchor="end", cls="tick"))
    body.append(_text(left - 6, axis_y, "0", anchor="end", cls="tick"))
    if x_label:
        body.append(_text(left + plot_w / 2, height - 4, x_label, anchor="middle", cls="axis"))
    if y_label:
        mid = top + plot_h / 2
        body.append(
            f'<text x="12" y="{mid:.1f}" text-anchor="middle" class="axis" '
            f'transform="rotate(-90 12 {mid:.1f})">{escape(y_label)}</text>'
        )
    return _svg(width, height, body, title or "histogram")


Band = tuple[str, float, str]  # name, lower bound, colour


def _band_colour(bands: Sequence[Band], value: float) -> str:
    colour = bands[0][2]
    for _name, bound, band_colour in bands:
        if value >= bound:
            colour = band_colour
    return colour


def _band_marks(
    bands: Sequence[Band],
    lower: float,
    upper: float,
    left: float,
    plot_w: float,
    top: float,
    axis_y: float,
    value_format: Formatter,
) -> list[str]:
    """Return dashed lines at each band's lower bound and a legend of the bands above the plot."""
    out: list[str] = []
    span = (upper - lower) or 1.0
    for _name, bound, _colour in bands:
        if lower < bound < upper:
            x = left + (bound - lower) / span * plot_w
            out.append(
                f'<line x1="{x:.1f}" y1="{top - 4:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}" '
                f'class="threshold"/>'
            )
            out.append(_text(x + 3, top + 8, value_format(bound), cls="tick"))
    x = left
    for name, _bound, colour in bands:
        out.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" rx="2" fill="{colour}"/>')
        out.append(_text(x + 16, 14, name, cls="legend"))
        x += 16 + text_width(name) + 18
    return out


def table_html(
    frame: pd.DataFrame,
    *,
    headers: Mapping[str, str] | None = None,
    formats: Mapping[str, Formatter] | None = None,
    max_rows: int | None = None,
    caption: str = "",
    nowrap: Iterable[str] = (),
) -> Markup:
    """Return `frame` as an escaped HTML table; numbers right-aligned with thousands separators.

    Cells of `nowrap` columns (ids, short labels) never wrap.
    """
    headers = headers or {}
    formats = formats or {}
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = {col for col in frame.columns if pd.api.types.is_numeric_dtype(frame[col])}
    unwrapped = set(nowrap)
    parts = ['<div class="table-wrap"><table>']
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for col in frame.columns:
        klass = ' class="num"' if col in numeric else ""
        parts.append(f"<th{klass}>{escape(str(headers.get(col, col)))}</th>")
    parts.append("</tr></thead><tbody>")
    for row in shown.itertuples(index=False, name=None):
        parts.append("<tr>")
        for col, value in zip(frame.columns, row, strict=True):
            fmt = formats.get(col, format_auto)
            names = " ".join(
                n for n, on in (("num", col in numeric), ("nowrap", col in unwrapped)) if on
            )
            klass = f' class="{names}"' if names else ""
            parts.append(f"<td{klass}>{escape(fmt(value))}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return Markup("".join(parts))
