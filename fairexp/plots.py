"""Fairness-accuracy trade-off figures for a sweep.

One static figure (PNG/SVG, for reports and papers) and one interactive HTML page
(for poking at individual trials) drawn from the same prepared data, so both
always agree on which points are completed, Pareto and baseline.

matplotlib and plotly are imported inside the functions: ``fairexp --help`` and
every stage that never plots should not pay for them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import matplotlib.figure
    import pandas as pd

__all__ = ["tradeoff_figure", "tradeoff_html", "write_tradeoff"]

SPLIT_LABELS = {"val": "validation", "test": "test"}
BASELINE_COLOR = "#000000"
# matplotlib's tab10, spelled out so both renderers share colours without an import.
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
FIGSIZE = (8.0, 5.5)  # inches; 1200 x 825 px at the PNG's 150 dpi
PNG_DPI = 150


@dataclass
class _Strategy:
    """What gets drawn for one strategy; rows are completed trials only."""

    name: str
    color: str
    is_baseline: bool
    trials: pd.DataFrame  # completed trials, columns _x/_y (+ _tx/_ty when test is shown)
    pareto: pd.DataFrame  # subset of ``trials`` with is_pareto, sorted by _x


def _axis_label(metric: str, split: str) -> str:
    return f"{metric} ({SPLIT_LABELS[split]})"


def _prepare(
    trials: pd.DataFrame,
    *,
    x_metric: str,
    y_metric: str,
    split: str,
    baseline_strategy: str | None,
    show_test: bool,
) -> tuple[list[_Strategy], bool]:
    """Filter to completed finite trials and split by strategy.

    Returns the strategies and whether the test overlay can be drawn (only when
    plotting validation and the frame has the test columns).
    """
    import numpy as np

    if split not in SPLIT_LABELS:
        raise ValueError(f"split must be one of {sorted(SPLIT_LABELS)}, got {split!r}")
    xcol, ycol = f"{split}.{x_metric}", f"{split}.{y_metric}"
    required = ["strategy", "trial", "state", "is_pareto", xcol, ycol]
    missing = [c for c in required if c not in trials.columns]
    if missing:
        metrics = sorted(c for c in trials.columns if c.startswith(f"{split}."))
        raise ValueError(f"trials frame lacks columns {missing}; available metrics: {metrics}")
    txcol, tycol = f"test.{x_metric}", f"test.{y_metric}"
    overlay = show_test and split != "test" and {txcol, tycol} <= set(trials.columns)

    df = trials.copy()
    df["_x"] = _numeric(df[xcol])
    df["_y"] = _numeric(df[ycol])
    if overlay:
        df["_tx"] = _numeric(df[txcol])
        df["_ty"] = _numeric(df[tycol])
    ok = (df["state"].astype(str) == "COMPLETE") & np.isfinite(df["_x"]) & np.isfinite(df["_y"])
    df = df[ok]

    strategies: list[_Strategy] = []
    names = list(dict.fromkeys(trials["strategy"].astype(str)))
    colors = iter(PALETTE * (len(names) // len(PALETTE) + 1))
    for name in names:
        rows = df[df["strategy"].astype(str) == name]
        is_base = baseline_strategy is not None and name == str(baseline_strategy)
        color = BASELINE_COLOR if is_base else next(colors)
        pareto = rows[rows["is_pareto"].eq(True)].sort_values(["_x", "_y"], kind="stable")
        strategies.append(_Strategy(name, color, is_base, rows, pareto))
    return strategies, overlay


def _numeric(col: pd.Series) -> pd.Series:
    """Metric column as float; unparseable cells become NaN and are then skipped."""
    import pandas as pd

    return pd.to_numeric(col, errors="coerce").astype(float)


def _limit_lines(limit: dict | None, x_metric: str, y_metric: str) -> list[tuple[str, float, str]]:
    """Policy limit as (axis, value, label) tuples; axis is "x" (vertical line) or "y"."""
    if not limit:
        return []
    metric = limit.get("metric")
    if metric not in (x_metric, y_metric):
        raise ValueError(
            f"limit.metric {metric!r} is on neither axis ({x_metric!r}, {y_metric!r})"
        )
    bounds = [(k, limit[k]) for k in ("max", "min") if limit.get(k) is not None]
    if not bounds:
        raise ValueError("limit needs a 'max' or a 'min' value")
    axis = "x" if metric == x_metric else "y"
    sign = {"max": "\u2264", "min": "\u2265"}
    return [(axis, float(v), f"limit: {metric} {sign[k]} {float(v):g}") for k, v in bounds]


def _title(x_metric: str, y_metric: str) -> str:
    return f"Trade-off: {y_metric} vs {x_metric}"


def tradeoff_figure(
    trials: pd.DataFrame,
    *,
    x_metric: str,
    y_metric: str,
    split: str = "val",
    baseline_strategy: str | None = "none",
    show_test: bool = True,
    limit: dict | None = None,
    selected: dict | None = None,
) -> matplotlib.figure.Figure:
    """Static trade-off plot: all trials faint, Pareto points (chosen on validation) joined.

    The test overlay shows how much of each validation frontier survives on held-out
    data. Artists carry ``gid`` tags (``pareto:<strategy>``, ``trials:<strategy>``,
    ``baseline``, ``test:<strategy>``, ``limit``, ``selected``) so callers and tests can
    find them. The figure is not registered with pyplot; it is garbage-collected.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    strategies, overlay = _prepare(
        trials,
        x_metric=x_metric,
        y_metric=y_metric,
        split=split,
        baseline_strategy=baseline_strategy,
        show_test=show_test,
    )
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    FigureCanvasAgg(fig)  # explicit Agg: no GUI backend, no pyplot global state
    ax = fig.add_subplot()
    handles: list[Any] = []

    for s in strategies:
        x, y = s.trials["_x"].to_numpy(), s.trials["_y"].to_numpy()
        if s.is_baseline:
            art = ax.scatter(
                x, y, marker="*", s=160, color=BASELINE_COLOR, zorder=5,
                label=f"baseline ({s.name})", gid="baseline",
            )  # fmt: skip
            if len(x):
                handles.append(art)
        else:
            ax.scatter(x, y, s=18, color=s.color, alpha=0.35, linewidths=0,
                       label="_nolegend_", gid=f"trials:{s.name}")  # fmt: skip
        px, py = s.pareto["_x"].to_numpy(), s.pareto["_y"].to_numpy()
        (line,) = ax.plot(
            px, py, "-o", color=s.color, markersize=4, linewidth=1.6, zorder=4,
            label=f"{s.name} (Pareto)", gid=f"pareto:{s.name}",
        )  # fmt: skip
        if not s.is_baseline or len(px) > 1:
            handles.append(line)

        if overlay and len(px):
            tx, ty = s.pareto["_tx"].to_numpy(), s.pareto["_ty"].to_numpy()
            good = [math.isfinite(a) and math.isfinite(b) for a, b in zip(tx, ty)]
            segs = [[(a, b), (c, d)] for a, b, c, d, g in zip(px, py, tx, ty, good) if g]
            if segs:
                ax.add_collection(
                    LineCollection(segs, colors=s.color, linestyles=":", linewidths=0.8,
                                   alpha=0.8, zorder=3, gid=f"test-link:{s.name}"),
                    autolim=True,
                )  # fmt: skip
                ax.scatter(
                    [p[1][0] for p in segs], [p[1][1] for p in segs], s=36,
                    facecolors="none", edgecolors=s.color, linewidths=1.2, zorder=4,
                    label="_nolegend_", gid=f"test:{s.name}",
                )  # fmt: skip

    if overlay:
        handles.append(
            Line2D([], [], linestyle=":", color="0.4", marker="o", markerfacecolor="none",
                   label="test (same points)")
        )  # fmt: skip

    for axis, value, text in _limit_lines(limit, x_metric, y_metric):
        draw = ax.axvline if axis == "x" else ax.axhline
        handles.append(draw(value, linestyle="--", color="0.3", linewidth=1.2,
                            label=text, gid="limit"))  # fmt: skip

    if selected:
        sx, sy = float(selected["x"]), float(selected["y"])
        label = f"selected ({selected.get('strategy', '?')})"
        ax.scatter([sx], [sy], s=420, facecolors="none", edgecolors="#d62728",
                   linewidths=2.2, zorder=6, gid="selected", label=label)  # fmt: skip
        ax.annotate(
            f"selected: {selected.get('strategy', '?')}", (sx, sy), xytext=(18, -24),
            textcoords="offset points", fontsize=9,
            arrowprops={"arrowstyle": "-", "color": "#d62728"},
        )  # fmt: skip
        handles.append(
            Line2D([], [], linestyle="none", marker="o", markersize=11, markerfacecolor="none",
                   markeredgecolor="#d62728", markeredgewidth=2, label=label)
        )  # fmt: skip

    ax.set_xlabel(_axis_label(x_metric, split))
    ax.set_ylabel(_axis_label(y_metric, split))
    ax.set_title(_title(x_metric, y_metric))
    ax.grid(True, alpha=0.3)
    ax.autoscale_view()
    if handles:
        # Below the axes: keeps the full width for data however long the labels are.
        fig.legend(handles=handles, loc="outside lower center", ncols=min(3, len(handles)),
                   fontsize=8, frameon=False)  # fmt: skip
    return fig


def _hover(row: Any, params: list[str], metrics: list[str]) -> str:
    """One trial's hover text: number, set parameters, then every logged metric."""
    lines = [f"<b>{html.escape(str(row['strategy']))}</b> trial {row['trial']}"]
    for col in params:
        v = row[col]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue  # conditional parameter not used by this strategy
        lines.append(f"{html.escape(col.removeprefix('params.'))} = {html.escape(str(v))}")
    for col in metrics:
        try:
            v = float(row[col])
        except (TypeError, ValueError):
            continue
        if math.isfinite(v):
            lines.append(f"{html.escape(col)} = {v:.4g}")
    return "<br>".join(lines)


def tradeoff_html(
    trials: pd.DataFrame,
    *,
    x_metric: str,
    y_metric: str,
    split: str = "val",
    baseline_strategy: str | None = "none",
    show_test: bool = True,
    limit: dict | None = None,
    selected: dict | None = None,
) -> str:
    """Interactive version of :func:`tradeoff_figure` as a standalone HTML page.

    plotly.js is inlined (~4 MB) because review machines are often offline.
    """
    import plotly.graph_objects as go

    strategies, overlay = _prepare(
        trials,
        x_metric=x_metric,
        y_metric=y_metric,
        split=split,
        baseline_strategy=baseline_strategy,
        show_test=show_test,
    )
    params = [c for c in trials.columns if c.startswith("params.")]
    metrics = [c for c in trials.columns if c.startswith(("val.", "test."))]
    fig = go.Figure()
    for s in strategies:
        hover = [_hover(r, params, metrics) for _, r in s.trials.iterrows()]
        marker = (
            {"symbol": "star", "size": 14, "color": BASELINE_COLOR}
            if s.is_baseline
            else {"size": 7, "color": s.color, "opacity": 0.35}
        )
        fig.add_trace(
            go.Scatter(
                x=s.trials["_x"], y=s.trials["_y"], mode="markers", marker=marker,
                name=f"baseline ({s.name})" if s.is_baseline else s.name,
                legendgroup=s.name, text=hover, hovertemplate="%{text}<extra></extra>",
            )
        )  # fmt: skip
        if len(s.pareto):
            fig.add_trace(
                go.Scatter(
                    x=s.pareto["_x"], y=s.pareto["_y"], mode="lines+markers",
                    line={"color": s.color, "width": 2}, marker={"size": 6, "color": s.color},
                    name=f"{s.name} (Pareto)", legendgroup=s.name, hoverinfo="skip",
                )
            )  # fmt: skip
        if overlay and len(s.pareto):
            p = s.pareto[s.pareto["_tx"].notna() & s.pareto["_ty"].notna()]
            lx: list[float | None] = []
            ly: list[float | None] = []
            for vx, vy, tx, ty in zip(p["_x"], p["_y"], p["_tx"], p["_ty"]):
                lx += [vx, tx, None]
                ly += [vy, ty, None]
            fig.add_trace(
                go.Scatter(x=lx, y=ly, mode="lines", line={"color": s.color, "width": 1,
                           "dash": "dot"}, showlegend=False, legendgroup=s.name,
                           hoverinfo="skip")
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(
                    x=p["_tx"], y=p["_ty"], mode="markers",
                    marker={"symbol": "circle-open", "size": 9, "color": s.color},
                    name=f"{s.name} test (same points)", legendgroup=s.name,
                    text=[_hover(r, params, metrics) for _, r in p.iterrows()],
                    hovertemplate="%{text}<extra>test</extra>",
                )
            )  # fmt: skip

    for axis, value, text in _limit_lines(limit, x_metric, y_metric):
        add = fig.add_vline if axis == "x" else fig.add_hline
        add(value, line_dash="dash", line_color="#4d4d4d", annotation_text=text)
    if selected:
        fig.add_trace(
            go.Scatter(
                x=[selected["x"]], y=[selected["y"]], mode="markers",
                marker={"symbol": "circle-open", "size": 26, "color": "#d62728",
                        "line": {"width": 3}},
                name=f"selected ({selected.get('strategy', '?')})",
            )
        )  # fmt: skip

    fig.update_layout(
        title=_title(x_metric, y_metric),
        xaxis_title=_axis_label(x_metric, split),
        yaxis_title=_axis_label(y_metric, split),
        template="plotly_white",
        width=1200,
        height=760,
    )
    return fig.to_html(full_html=True, include_plotlyjs=True)


def write_tradeoff(
    trials: pd.DataFrame,
    out_dir: str | Path,
    *,
    x_metric: str,
    y_metric: str,
    stem: str = "tradeoff",
    **kwargs: Any,
) -> dict[str, Path]:
    """Write ``<stem>.png`` (150 dpi), ``<stem>.svg`` and ``<stem>.html``; return their paths.

    ``kwargs`` go to both :func:`tradeoff_figure` and :func:`tradeoff_html`. SVG text
    is kept as text (not glyph paths) so labels stay searchable and small.
    """
    import matplotlib

    from fairexp.outputs import atomic_write

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {ext: out / f"{stem}.{ext}" for ext in ("png", "svg", "html")}
    fig = tradeoff_figure(trials, x_metric=x_metric, y_metric=y_metric, **kwargs)
    atomic_write(paths["png"], lambda p: fig.savefig(p, format="png", dpi=PNG_DPI))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "fairexp"}):
        atomic_write(paths["svg"], lambda p: fig.savefig(p, format="svg"))
    page = tradeoff_html(trials, x_metric=x_metric, y_metric=y_metric, **kwargs)
    atomic_write(paths["html"], lambda p: p.write_text(page, encoding="utf-8"))
    return paths
