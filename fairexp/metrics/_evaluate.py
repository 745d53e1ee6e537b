"""Metrics from per-group confusion counts.

Every group rate is computed from exact confusion counts (one vectorised
groupby), so the same code is fast on millions of rows and makes undefined
rates explicit: a rate whose denominator is zero is NaN, and every aggregate
built on it is NaN too. The tests check each number against fairlearn's
``MetricFrame`` and metric functions called independently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

FOUR_FIFTHS = 0.8

PERFORMANCE_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "f1",
    "precision",
    "recall",
    "selection_rate",
)
FAIRNESS_METRICS = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "true_positive_rate_difference",
    "false_positive_rate_difference",
    "equal_opportunity_difference",
    "zero_one_loss_difference",
    "disparate_impact_ratio",
    "four_fifths_rule_passed",
)

#: Which way is better, for every metric a sweep may optimise.
METRIC_DIRECTIONS: Mapping[str, Literal["maximize", "minimize"]] = {
    **{m: "maximize" for m in PERFORMANCE_METRICS if m != "selection_rate"},
    "selection_rate": "maximize",
    "demographic_parity_difference": "minimize",
    "demographic_parity_ratio": "maximize",
    "equalized_odds_difference": "minimize",
    "equalized_odds_ratio": "maximize",
    "true_positive_rate_difference": "minimize",
    "false_positive_rate_difference": "minimize",
    "equal_opportunity_difference": "minimize",
    "zero_one_loss_difference": "minimize",
    "disparate_impact_ratio": "maximize",
    "four_fifths_rule_passed": "maximize",
}

GROUP_SEPARATOR = " & "


def group_labels(sensitive: pd.DataFrame | pd.Series) -> pd.Series:
    """One label per row naming its (intersectional) group, e.g. ``sex=Female & race=Black``.

    Mitigations take a single sensitive column; several columns become their
    intersection, which is what fairness over several features must mean.
    """
    if isinstance(sensitive, pd.Series):
        return sensitive.astype(str).rename(sensitive.name or "group")
    if sensitive.shape[1] == 1:
        col = sensitive.columns[0]
        return sensitive[col].astype(str).rename(col)
    parts = [f"{c}=" + sensitive[c].astype(str) for c in sensitive.columns]
    label = parts[0]
    for p in parts[1:]:
        label = label + GROUP_SEPARATOR + p
    return label.rename(GROUP_SEPARATOR.join(map(str, sensitive.columns)))


def safe_divide(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    """``num / den`` elementwise, NaN where ``den`` is 0: an undefined rate stays undefined."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _confusion_by_group(
    y_true: np.ndarray, y_pred: np.ndarray, sensitive: pd.DataFrame
) -> pd.DataFrame:
    cols = list(sensitive.columns)
    frame = sensitive.astype(str).reset_index(drop=True).copy()
    yt = np.asarray(y_true).astype(bool)
    yp = np.asarray(y_pred).astype(bool)
    frame["tp"] = yt & yp
    frame["fp"] = ~yt & yp
    frame["fn"] = yt & ~yp
    frame["tn"] = ~yt & ~yp
    counts = frame.groupby(cols, sort=True, observed=True)[["tp", "fp", "fn", "tn"]].sum()
    return counts.astype(np.int64)


def group_table(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sensitive: pd.DataFrame,
) -> pd.DataFrame:
    """Per-group metrics with group sizes, indexed like ``MetricFrame.by_group``.

    Columns: ``count``, ``share``, ``base_rate`` (share of true positives),
    ``selection_rate``, ``accuracy``, ``true_positive_rate``,
    ``false_positive_rate``, ``false_negative_rate``, ``precision`` and the raw
    confusion counts ``tp, fp, fn, tn``.
    """
    c = _confusion_by_group(y_true, y_pred, sensitive)
    tp, fp, fn, tn = (c[k].to_numpy() for k in ("tp", "fp", "fn", "tn"))
    n = tp + fp + fn + tn
    table = pd.DataFrame(index=c.index)
    table["count"] = n
    table["share"] = n / n.sum()
    table["base_rate"] = safe_divide(tp + fn, n)
    table["selection_rate"] = safe_divide(tp + fp, n)
    table["accuracy"] = safe_divide(tp + tn, n)
    table["true_positive_rate"] = safe_divide(tp, tp + fn)
    table["false_positive_rate"] = safe_divide(fp, fp + tn)
    table["false_negative_rate"] = safe_divide(fn, tp + fn)
    table["precision"] = safe_divide(tp, tp + fp)
    for k in ("tp", "fp", "fn", "tn"):
        table[k] = c[k].to_numpy()
    return table


def _spread(values: pd.Series) -> tuple[float, float]:
    """(max - min, min / max) across groups; NaN if any group's value is undefined."""
    v = values.to_numpy(dtype=float)
    if v.size == 0 or np.isnan(v).any():
        return float("nan"), float("nan")
    hi, lo = v.max(), v.min()
    return float(hi - lo), float(safe_divide(lo, hi))


def _roc_auc(y_true: np.ndarray, y_score: np.ndarray | None) -> float:
    if y_score is None or len(np.unique(y_true)) < 2:
        return float("nan")
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y_true, y_score))


def evaluate(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    sensitive: pd.DataFrame,
    y_score: np.ndarray | None = None,
) -> dict[str, float]:
    """All performance and fairness metrics of one split, as a flat name -> number mapping.

    ``sensitive`` may hold several columns: groups are then their intersection
    (fairlearn's semantics for a multi-column ``sensitive_features``).
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    groups = group_table(y_true, y_pred, sensitive)
    tp, fp, fn, tn = (int(groups[k].sum()) for k in ("tp", "fp", "fn", "tn"))
    n = tp + fp + fn + tn
    tpr = float(safe_divide(tp, tp + fn))
    tnr = float(safe_divide(tn, tn + fp))
    precision = float(safe_divide(tp, tp + fp))
    out: dict[str, float] = {
        "n": float(n),
        "accuracy": float(safe_divide(tp + tn, n)),
        "balanced_accuracy": float(np.mean([tpr, tnr])),
        "roc_auc": _roc_auc(y_true, y_score),
        # sklearn's convention: F1 is 0 when there are no true or predicted positives.
        "f1": float(safe_divide(2 * tp, 2 * tp + fp + fn)) if (2 * tp + fp + fn) else 0.0,
        "precision": precision,
        "recall": tpr,
        "selection_rate": float(safe_divide(tp + fp, n)),
    }
    dp_diff, dp_ratio = _spread(groups["selection_rate"])
    tpr_diff, tpr_ratio = _spread(groups["true_positive_rate"])
    fpr_diff, fpr_ratio = _spread(groups["false_positive_rate"])
    err_diff, _ = _spread(1.0 - groups["accuracy"])
    out.update(
        {
            "demographic_parity_difference": dp_diff,
            "demographic_parity_ratio": dp_ratio,
            "equalized_odds_difference": max(tpr_diff, fpr_diff)
            if not np.isnan([tpr_diff, fpr_diff]).any()
            else float("nan"),
            "equalized_odds_ratio": min(tpr_ratio, fpr_ratio)
            if not np.isnan([tpr_ratio, fpr_ratio]).any()
            else float("nan"),
            "true_positive_rate_difference": tpr_diff,
            "false_positive_rate_difference": fpr_diff,
            "equal_opportunity_difference": tpr_diff,
            "zero_one_loss_difference": err_diff,
            # Lowest group selection rate over the highest: the EEOC four-fifths rule.
            "disparate_impact_ratio": dp_ratio,
            "four_fifths_rule_passed": float("nan")
            if np.isnan(dp_ratio)
            else float(dp_ratio >= FOUR_FIFTHS),
            "n_groups": float(len(groups)),
            "min_group_size": float(groups["count"].min()) if len(groups) else float("nan"),
        }
    )
    return out
