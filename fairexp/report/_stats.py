"""Uncertainty and significance for the selected model's test decisions.

* :func:`bootstrap_metrics`: percentile bootstrap over test rows (seeded). Each resample
  draws ``n`` row indices with replacement; every confusion-based metric is then a function
  of per-group confusion counts, computed for all resamples at once (the same formulas as
  :func:`fairexp.metrics.evaluate`, which gives the point estimates; the tests check that the
  fast path reproduces ``evaluate`` on resampled rows). ROC AUC uses the same resamples
  (a weighted Mann-Whitney statistic over the distinct score levels).
* :func:`selection_rate_test`: is the difference in selection rates across groups
  statistically significant (chi-squared test of independence, no continuity correction,
  so that for two groups chi2 = z^2 of the pooled two-proportion z-test), and how large is
  it (Cohen's h for two groups, Cramér's V otherwise)?
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from fairexp.metrics import FAIRNESS_METRICS, FOUR_FIFTHS, PERFORMANCE_METRICS, safe_divide

#: Metrics the bootstrap gives intervals for (``roc_auc`` only where scores exist).
BOOTSTRAP_METRICS = PERFORMANCE_METRICS + FAIRNESS_METRICS


def _spread(rates: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per resample (rows): max - min and min / max over the groups present; NaN if any is undefined."""
    r = np.where(present, rates, np.nan)
    undefined = np.any(present & np.isnan(rates), axis=1) | (present.sum(axis=1) == 0)
    with np.errstate(all="ignore"):
        hi = np.nanmax(np.where(present, r, -np.inf), axis=1)
        lo = np.nanmin(np.where(present, r, np.inf), axis=1)
    diff = np.where(undefined, np.nan, hi - lo)
    ratio = np.where(undefined, np.nan, safe_divide(lo, hi))
    return diff, ratio


def metrics_from_counts(counts: np.ndarray) -> dict[str, np.ndarray]:
    """Vectorised :func:`fairexp.metrics.evaluate` (no ROC AUC) from counts of shape (B, G, 4).

    The last axis is (tp, fp, fn, tn). A group with no rows in a resample is absent from
    that resample (as it would be from ``evaluate`` on the resampled rows).
    """
    counts = np.asarray(counts, dtype=float)
    tp, fp, fn, tn = (counts[..., i] for i in range(4))
    n_g = tp + fp + fn + tn
    present = n_g > 0
    TP, FP, FN, TN = tp.sum(1), fp.sum(1), fn.sum(1), tn.sum(1)
    N = TP + FP + FN + TN
    tpr, tnr = safe_divide(TP, TP + FN), safe_divide(TN, TN + FP)
    out = {
        "accuracy": safe_divide(TP + TN, N),
        "balanced_accuracy": (tpr + tnr) / 2.0,
        "f1": np.where(2 * TP + FP + FN > 0, safe_divide(2 * TP, 2 * TP + FP + FN), 0.0),
        "precision": safe_divide(TP, TP + FP),
        "recall": tpr,
        "selection_rate": safe_divide(TP + FP, N),
    }
    dp_d, dp_r = _spread(safe_divide(tp + fp, n_g), present)
    tpr_d, tpr_r = _spread(safe_divide(tp, tp + fn), present)
    fpr_d, fpr_r = _spread(safe_divide(fp, fp + tn), present)
    err_d, _ = _spread(1.0 - safe_divide(tp + tn, n_g), present)
    out.update(
        {
            "demographic_parity_difference": dp_d,
            "demographic_parity_ratio": dp_r,
            "equalized_odds_difference": np.maximum(tpr_d, fpr_d),  # NaN propagates
            "equalized_odds_ratio": np.minimum(tpr_r, fpr_r),
            "true_positive_rate_difference": tpr_d,
            "false_positive_rate_difference": fpr_d,
            "equal_opportunity_difference": tpr_d,
            "zero_one_loss_difference": err_d,
            "disparate_impact_ratio": dp_r,
            "four_fifths_rule_passed": np.where(np.isnan(dp_r), np.nan, (dp_r >= FOUR_FIFTHS).astype(float)),
        }
    )
    return out


def _weighted_auc(level_pos: np.ndarray, level_neg: np.ndarray) -> np.ndarray:
    """ROC AUC per resample from (B, L) positive/negative counts at ascending score levels."""
    below = np.cumsum(level_neg, axis=1) - level_neg  # negatives strictly below each level
    num = (level_pos * (below + 0.5 * level_neg)).sum(axis=1)
    return safe_divide(num, level_pos.sum(axis=1) * level_neg.sum(axis=1))


def group_codes(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Integer group code per row and the group labels (``fairexp.metrics.group_labels`` order)."""
    from fairexp.metrics import group_labels

    labels = group_labels(frame[list(columns)].astype(str).reset_index(drop=True))
    codes, uniques = pd.factorize(labels, sort=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def bootstrap_distribution(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    groups: np.ndarray,
    y_score: np.ndarray | None = None,
    *,
    n_bootstrap: int = 1000,
    seed: int = 0,
    chunk: int = 100,
) -> dict[str, np.ndarray]:
    """Each metric's value on ``n_bootstrap`` row resamples (arrays of length ``n_bootstrap``)."""
    y_true = np.asarray(y_true).astype(np.int64)
    y_pred = np.asarray(y_pred).astype(np.int64)
    groups = np.asarray(groups).astype(np.int64)
    n, n_groups = len(y_true), int(groups.max()) + 1 if len(groups) else 0
    # cell per row: group * 4 + (tp, fp, fn, tn)
    kind = np.where(y_true == 1, np.where(y_pred == 1, 0, 2), np.where(y_pred == 1, 1, 3))
    cell = groups * 4 + kind
    K = n_groups * 4
    use_auc = y_score is not None and np.all(np.isfinite(np.asarray(y_score, dtype=float)))
    if use_auc:
        levels, level = np.unique(np.asarray(y_score, dtype=float), return_inverse=True)
        L = len(levels)
        score_cell = level * 2 + y_true  # (level, label)
    rng = np.random.default_rng(seed)
    parts: dict[str, list[np.ndarray]] = {}
    done = 0
    while done < n_bootstrap:
        b = min(chunk, n_bootstrap - done)
        idx = rng.integers(0, n, size=(b, n))
        offsets = (np.arange(b) * K)[:, None]
        counts = np.bincount((cell[idx] + offsets).ravel(), minlength=b * K).reshape(b, n_groups, 4)
        for k, v in metrics_from_counts(counts).items():
            parts.setdefault(k, []).append(v)
        if use_auc:
            off = (np.arange(b) * 2 * L)[:, None]
            lc = np.bincount((score_cell[idx] + off).ravel(), minlength=b * 2 * L).reshape(b, L, 2)
            parts.setdefault("roc_auc", []).append(_weighted_auc(lc[..., 1], lc[..., 0]))
        done += b
    return {k: np.concatenate(v) for k, v in parts.items()}


def percentile_interval(values: np.ndarray, confidence: float) -> tuple[float, float, int]:
    """(lower, upper, number of resamples where the metric was defined)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), 0
    tail = (1.0 - confidence) / 2.0 * 100.0
    lo, hi = np.percentile(v, [tail, 100.0 - tail])
    return float(lo), float(hi), int(v.size)


def bootstrap_metrics(
    frame: pd.DataFrame,
    sensitive: Sequence[str],
    *,
    n_bootstrap: int,
    confidence: float,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """Point estimate (:func:`fairexp.metrics.evaluate`) and percentile CI of every metric on ``frame``.

    ``frame`` holds one split of ``predictions.parquet``. Returns ``metric -> {value, lower,
    upper, n_defined}`` (``lower``/``upper`` NaN without resamples or when always undefined).
    """
    from fairexp.metrics import evaluate

    y_true = frame["y_true"].to_numpy()
    y_pred = frame["y_pred"].to_numpy()
    y_score = frame["y_score"].to_numpy(dtype=float) if "y_score" in frame.columns else None
    if y_score is not None and not np.all(np.isfinite(y_score)):
        y_score = None
    sens = frame[list(sensitive)].reset_index(drop=True)
    point = evaluate(y_true, y_pred, sens, y_score)
    dist: dict[str, np.ndarray] = {}
    if n_bootstrap > 0 and len(frame):
        codes, _ = group_codes(frame, sensitive)
        dist = bootstrap_distribution(y_true, y_pred, codes, y_score, n_bootstrap=n_bootstrap, seed=seed)
    out: dict[str, dict[str, Any]] = {}
    for name, value in point.items():
        lo, hi, defined = percentile_interval(dist[name], confidence) if name in dist else (float("nan"), float("nan"), 0)
        out[name] = {"value": float(value), "lower": lo, "upper": hi, "n_defined": defined}
    return out


# --------------------------------------------------------------------------- significance


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h between two proportions: 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))."""
    return 2.0 * math.asin(math.sqrt(p1)) - 2.0 * math.asin(math.sqrt(p2))


def cramers_v(chi2: float, n: int, shape: tuple[int, int]) -> float:
    """Cramér's V = sqrt(chi2 / (n * (min(r, c) - 1)))."""
    k = min(shape) - 1
    if n <= 0 or k <= 0:
        return float("nan")
    return math.sqrt(chi2 / (n * k))


def two_proportion_ztest(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Pooled two-sided two-proportion z-test: (z, p-value)."""
    from scipy.stats import norm

    p1, p2, pooled = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
    if se == 0:
        return float("nan"), float("nan")
    z = (p1 - p2) / se
    return z, float(2.0 * norm.sf(abs(z)))


def _magnitude(value: float, cuts: tuple[float, float, float]) -> str:
    v = abs(value)
    if not math.isfinite(v):
        return "undefined"
    if v < cuts[0]:
        return "negligible"
    if v < cuts[1]:
        return "small"
    if v < cuts[2]:
        return "medium"
    return "large"


def selection_rate_test(y_pred: np.ndarray, labels: Sequence[str] | np.ndarray) -> dict[str, Any]:
    """Chi-squared test of independence of decision and group, with effect size.

    Two groups: also the pooled two-proportion z-test and Cohen's h (highest rate minus
    lowest, Cohen's 0.2/0.5/0.8 thresholds). More groups: Cramér's V (0.1/0.3/0.5).
    """
    from scipy.stats import chi2_contingency

    frame = pd.DataFrame({"g": np.asarray(labels).astype(str), "s": np.asarray(y_pred).astype(int)})
    by = frame.groupby("g", sort=True)["s"].agg(["sum", "count"])
    selected = by["sum"].to_numpy(dtype=np.int64)
    sizes = by["count"].to_numpy(dtype=np.int64)
    table = np.column_stack([selected, sizes - selected])
    rates = selected / sizes
    n = int(sizes.sum())
    out: dict[str, Any] = {
        "groups": [str(g) for g in by.index],
        "sizes": sizes.tolist(),
        "selected": selected.tolist(),
        "selection_rates": rates.tolist(),
        "difference": float(rates.max() - rates.min()) if len(rates) else float("nan"),
        "n": n,
        "test": "chi-squared test of independence (no continuity correction)",
        "chi2": float("nan"),
        "dof": 0,
        "p_value": float("nan"),
        "min_expected": float("nan"),
        "effect_size_name": "Cohen's h" if len(rates) == 2 else "Cramér's V",
        "effect_size": float("nan"),
        "effect_magnitude": "undefined",
        "z": None,
        "z_p_value": None,
        "note": "",
    }
    if len(rates) < 2:
        out["note"] = "only one group in the test split: no comparison possible"
        return out
    if table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        out["note"] = "every test row received the same decision: selection rates are equal and the test is undefined"
        out["p_value"], out["chi2"], out["effect_size"], out["effect_magnitude"] = 1.0, 0.0, 0.0, "negligible"
        return out
    chi2, p, dof, expected = chi2_contingency(table, correction=False)
    out.update(chi2=float(chi2), p_value=float(p), dof=int(dof), min_expected=float(expected.min()))
    if expected.min() < 5:
        out["note"] = "some expected counts are below 5: the chi-squared approximation is rough"
    if len(rates) == 2:
        hi, lo = int(np.argmax(rates)), int(np.argmin(rates))
        z, zp = two_proportion_ztest(int(selected[hi]), int(sizes[hi]), int(selected[lo]), int(sizes[lo]))
        h = cohens_h(float(rates[hi]), float(rates[lo]))
        out.update(z=z, z_p_value=zp, effect_size=h, effect_magnitude=_magnitude(h, (0.2, 0.5, 0.8)))
    else:
        v = cramers_v(float(chi2), n, table.shape)
        out.update(effect_size=v, effect_magnitude=_magnitude(v, (0.1, 0.3, 0.5)))
    return out


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (used for per-group rates in the figures)."""
    from scipy.stats import norm

    if n <= 0:
        return float("nan"), float("nan")
    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = successes / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def format_p(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "p undefined"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def significance_sentence(test: dict[str, Any], *, alpha: float, limit: dict[str, Any] | list[dict[str, Any]] | None) -> str:
    """Plain language: statistical significance (p vs alpha) apart from practical significance (the policy limits).

    ``limit`` is ``{"metric", "value", "kind": "max"|"min", "observed"}`` for a policy rule on
    selection-rate disparity (or a list of them: the gap is practically acceptable only if all
    hold), or None when the policy sets none.
    """
    diff = test["difference"]
    groups = ", ".join(f"{g} {r:.2f}" for g, r in zip(test["groups"], test["selection_rates"]))
    p = test["p_value"]
    es = f"{test['effect_size_name']} = {abs(test['effect_size']):.2f}, {test['effect_magnitude']} effect"
    if not math.isfinite(diff) or len(test["groups"]) < 2:
        return "There is only one group in the test data, so selection rates cannot be compared."
    head = f"The difference in selection rates ({diff:.3f}; {groups})"
    significant = p is not None and math.isfinite(p) and p < alpha
    if significant:
        stat = f"is statistically significant ({format_p(p)}, {es})"
    else:
        stat = f"is not statistically distinguishable from zero with n = {test['n']:,} ({format_p(p)}, {es})"
    limits = [limit] if isinstance(limit, dict) else list(limit or [])
    if not limits:
        practical = "the policy sets no practical limit on selection-rate disparity to compare it with"
        return f"{head} {stat}; {practical}."
    clauses, within = [], True
    for lim in limits:
        observed, value, metric = lim["observed"], lim["value"], lim["metric"]
        if lim["kind"] == "max":
            ok = math.isfinite(observed) and observed <= value
            rel = "is within" if ok else "exceeds"
            clauses.append(f"the observed {metric} ({observed:.3f}) {rel} the policy's practical limit of {value:g}")
        else:
            ok = math.isfinite(observed) and observed >= value
            rel = "meets" if ok else "falls below"
            clauses.append(f"the observed {metric} ({observed:.3f}) {rel} the policy's practical minimum of {value:g}")
        within &= ok
    practical = " and ".join(clauses) if len(clauses) < 3 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    if significant and not within:
        tail = "a real difference that matters in practice."
    elif significant and within:
        tail = "a real difference, but small enough to be acceptable under the policy."
    elif not significant and not within:
        tail = "the data cannot rule out that it is chance, yet the observed gap is larger than the policy accepts; more data would settle it."
    else:
        tail = "no evidence of a disparity that matters."
    joiner = "and" if significant == (not within) else "but"
    return f"{head} {stat}, {joiner} {practical}: {tail}"
