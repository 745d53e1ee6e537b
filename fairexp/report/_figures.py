"""The report's figures, as PNG bytes (embedded in the HTML, written beside the Markdown).

The trade-off figure is :func:`fairexp.plots.tradeoff_figure` with the policy's limit and the
selected point; the group figure shows each group's selection rate with a Wilson interval,
small groups greyed and hatched, and the four-fifths line (0.8 x the highest reliable rate).
"""

from __future__ import annotations

import io
from typing import Any

PNG_DPI = 110


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, facecolor="white")
    return buf.getvalue()


def tradeoff_png(trials: Any, policy: Any, selection: Any) -> bytes:
    from fairexp.plots import tradeoff_figure

    rule = policy.disparity_rule
    limit = rule.as_limit() if rule is not None else None
    selected = None
    if selection.found and selection.strategy is not None:
        x = selection.val.get(policy.disparity, float("nan"))
        y = selection.val.get(policy.performance, float("nan"))
        if x == x and y == y:
            selected = {"strategy": f"{selection.strategy} #{selection.trial}", "x": x, "y": y}
    baseline = "none" if "none" in set(trials["strategy"].astype(str)) else None
    fig = tradeoff_figure(
        trials,
        x_metric=policy.disparity,
        y_metric=policy.performance,
        baseline_strategy=baseline,
        limit=limit,
        selected=selected,
    )
    return _png(fig)


def groups_png(panels: list[dict[str, Any]], confidence: float) -> bytes:
    """One panel per column: ``{"column", "table"}`` with the table of :func:`group_frame`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from fairexp.report._stats import wilson_interval

    k = len(panels)
    widths = [max(2.0, 0.9 * len(p["table"]) + 1.2) for p in panels]
    fig = Figure(figsize=(min(16.0, sum(widths) + 0.5), 3.9), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, k, squeeze=False, width_ratios=widths)[0]
    for ax, panel in zip(axes, panels):
        t = panel["table"]
        x = list(range(len(t)))
        rates = t["selection_rate"].to_numpy(dtype=float)
        sel = (t["tp"] + t["fp"]).to_numpy()
        n = t["count"].to_numpy()
        ci = [wilson_interval(int(s), int(c), confidence) for s, c in zip(sel, n)]
        err = [[r - lo for r, (lo, _) in zip(rates, ci)], [hi - r for r, (_, hi) in zip(rates, ci)]]
        colors = ["#c7c7c7" if s else "#1f77b4" for s in t["small"]]
        bars = ax.bar(x, rates, color=colors, edgecolor="#555555", linewidth=0.6, yerr=err, capsize=3,
                      error_kw={"elinewidth": 0.9, "ecolor": "#333333"})  # fmt: skip
        for bar, small in zip(bars, t["small"]):
            if small:
                bar.set_hatch("//")
        reliable = t.loc[~t["small"], "selection_rate"]
        if len(reliable) and reliable.max() > 0:
            ax.axhline(0.8 * reliable.max(), color="#d62728", linestyle="--", linewidth=1.0, label="4/5 of highest")
            ax.legend(fontsize=7, loc="upper right", frameon=False)
        labels = [f"{g}\nn={c}" for g, c in zip(t["group"], n)]
        ax.set_xticks(x, labels, fontsize=7, rotation=30 if len(t) > 3 else 0, ha="right" if len(t) > 3 else "center")
        ax.set_title(panel["column"], fontsize=9)
        ax.set_ylim(0, min(1.0, max(0.1, float((rates + err[1]).max()) * 1.25 if len(rates) else 1.0)))
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(f"selection rate (test), {confidence:.0%} Wilson CI", fontsize=8)
    return _png(fig)
