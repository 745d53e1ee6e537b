"""Intervals, tests and effect sizes against closed forms, scipy and statsmodels on constructed data."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from fairexp.metrics import evaluate
from fairexp.report._stats import (
    BOOTSTRAP_METRICS,
    bootstrap_distribution,
    bootstrap_metrics,
    cohens_h,
    cramers_v,
    group_codes,
    metrics_from_counts,
    selection_rate_test,
    significance_sentence,
    two_proportion_ztest,
    wilson_interval,
)


def _decisions(sizes: dict[str, int], selected: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    labels, y_pred = [], []
    for g, n in sizes.items():
        labels += [g] * n
        y_pred += [1] * selected[g] + [0] * (n - selected[g])
    return np.array(labels), np.array(y_pred)


def test_two_proportion_z_closed_form_and_statsmodels() -> None:
    x1, n1, x2, n2 = 60, 200, 90, 250
    p1, p2, p = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
    z_hand = (p1 - p2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    p_hand = math.erfc(abs(z_hand) / math.sqrt(2))  # = 2 * (1 - Phi(|z|))
    z, pv = two_proportion_ztest(x1, n1, x2, n2)
    assert z == pytest.approx(z_hand, rel=1e-12) and pv == pytest.approx(p_hand, rel=1e-10)
    from statsmodels.stats.proportion import proportions_ztest

    z_sm, p_sm = proportions_ztest([x1, x2], [n1, n2])
    assert z == pytest.approx(z_sm, rel=1e-10) and pv == pytest.approx(p_sm, rel=1e-10)


def test_two_group_test_chi2_z_and_cohens_h() -> None:
    labels, y_pred = _decisions({"a": 300, "b": 500}, {"a": 90, "b": 200})
    t = selection_rate_test(y_pred, labels)
    table = np.array([[90, 210], [200, 300]])
    chi2, p, dof, _ = sps.chi2_contingency(table, correction=False)
    assert t["chi2"] == pytest.approx(chi2, rel=1e-12) and t["p_value"] == pytest.approx(p, rel=1e-12) and t["dof"] == dof == 1
    # no continuity correction: chi2 = z^2 and the two p-values agree
    assert t["z"] ** 2 == pytest.approx(chi2, rel=1e-10) and t["z_p_value"] == pytest.approx(p, rel=1e-8)
    h_hand = 2 * math.asin(math.sqrt(0.4)) - 2 * math.asin(math.sqrt(0.3))  # highest rate minus lowest
    assert t["effect_size_name"] == "Cohen's h" and t["effect_size"] == pytest.approx(h_hand, rel=1e-12)
    assert cohens_h(0.3, 0.4) == pytest.approx(-h_hand)
    assert t["difference"] == pytest.approx(0.1) and t["effect_magnitude"] == "small"
    assert t["selection_rates"] == pytest.approx([0.3, 0.4]) and t["sizes"] == [300, 500]


def test_multi_group_chi2_and_cramers_v() -> None:
    labels, y_pred = _decisions({"a": 120, "b": 200, "c": 80}, {"a": 30, "b": 100, "c": 20})
    t = selection_rate_test(y_pred, labels)
    table = np.array([[30, 90], [100, 100], [20, 60]])
    chi2, p, dof, _ = sps.chi2_contingency(table, correction=False)
    assert t["chi2"] == pytest.approx(chi2) and t["p_value"] == pytest.approx(p) and t["dof"] == dof == 2
    v_hand = math.sqrt(chi2 / (table.sum() * (min(table.shape) - 1)))
    assert t["effect_size_name"] == "Cramér's V" and t["effect_size"] == pytest.approx(v_hand, rel=1e-12)
    assert t["effect_size"] == pytest.approx(sps.contingency.association(table, method="cramer"), rel=1e-10)
    assert cramers_v(chi2, int(table.sum()), table.shape) == pytest.approx(v_hand)
    assert t["z"] is None


def test_degenerate_tests() -> None:
    one = selection_rate_test(np.array([1, 0, 1]), np.array(["a", "a", "a"]))
    assert "one group" in one["note"] and math.isnan(one["p_value"])
    same = selection_rate_test(np.ones(10, dtype=int), np.array(["a"] * 5 + ["b"] * 5))
    assert same["p_value"] == 1.0 and same["effect_size"] == 0.0


def test_wilson_matches_statsmodels() -> None:
    from statsmodels.stats.proportion import proportion_confint

    for x, n in [(0, 10), (3, 17), (50, 100), (99, 100)]:
        assert wilson_interval(x, n, 0.95) == pytest.approx(proportion_confint(x, n, 0.05, method="wilson"), abs=1e-12)


def _accuracy_data(n: int = 2000, p: float = 0.8, seed: int = 1) -> pd.DataFrame:
    """Exactly ``p * n`` correct decisions, two groups."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    correct = np.zeros(n, dtype=bool)
    correct[rng.permutation(n)[: int(p * n)]] = True
    y_pred = np.where(correct, y_true, 1 - y_true)
    return pd.DataFrame({"y_true": y_true, "y_pred": y_pred, "g": np.where(np.arange(n) % 3 == 0, "a", "b")})


def test_bootstrap_accuracy_ci_covers_truth_matches_normal_and_is_seeded() -> None:
    n, p = 2000, 0.8
    frame = _accuracy_data(n, p)
    res = bootstrap_metrics(frame, ["g"], n_bootstrap=2000, confidence=0.95, seed=7)
    acc = res["accuracy"]
    assert acc["value"] == pytest.approx(p)
    assert acc["lower"] < p < acc["upper"]
    half = 1.959964 * math.sqrt(p * (1 - p) / n)  # normal approximation: 0.0175
    assert acc["lower"] == pytest.approx(p - half, abs=0.25 * half)
    assert acc["upper"] == pytest.approx(p + half, abs=0.25 * half)
    again = bootstrap_metrics(frame, ["g"], n_bootstrap=2000, confidence=0.95, seed=7)
    assert json.dumps(again, sort_keys=True) == json.dumps(res, sort_keys=True)  # deterministic given the seed
    other = bootstrap_metrics(frame, ["g"], n_bootstrap=2000, confidence=0.95, seed=8)
    assert other["accuracy"]["lower"] != acc["lower"] or other["accuracy"]["upper"] != acc["upper"]


def test_no_resamples_gives_points_without_intervals() -> None:
    res = bootstrap_metrics(_accuracy_data(), ["g"], n_bootstrap=0, confidence=0.95, seed=0)
    assert res["accuracy"]["value"] == pytest.approx(0.8) and math.isnan(res["accuracy"]["lower"])


def test_fast_path_equals_evaluate_on_resampled_rows() -> None:
    """The vectorised metrics equal fairexp.metrics.evaluate on the very rows each resample drew."""
    rng = np.random.default_rng(0)
    n = 150
    frame = pd.DataFrame(
        {
            "y_true": rng.integers(0, 2, n),
            "y_pred": rng.integers(0, 2, n),
            "y_score": np.round(rng.random(n), 2),  # ties in the scores
            # group "c" has 3 rows: it is often absent from a resample, and its rates often undefined
            "g": np.array(["a"] * 90 + ["b"] * 57 + ["c"] * 3),
        }
    )
    codes, labels = group_codes(frame, ["g"])
    assert labels == ["a", "b", "c"]
    y_true, y_pred = frame["y_true"].to_numpy(), frame["y_pred"].to_numpy()
    kind = np.where(y_true == 1, np.where(y_pred == 1, 0, 2), np.where(y_pred == 1, 1, 3))
    from sklearn.metrics import roc_auc_score

    for _ in range(40):
        idx = rng.integers(0, n, n)
        counts = np.zeros((1, 3, 4))
        np.add.at(counts, (0, codes[idx], kind[idx]), 1)
        fast = {k: float(v[0]) for k, v in metrics_from_counts(counts).items()}
        part = frame.iloc[idx].reset_index(drop=True)
        slow = evaluate(part["y_true"], part["y_pred"], part[["g"]], part["y_score"].to_numpy())
        for name in BOOTSTRAP_METRICS:
            if name == "roc_auc":
                continue
            a, b = fast[name], slow[name]
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-12), name
        # the weighted Mann-Whitney AUC of the fast path equals sklearn's
        levels, level = np.unique(frame["y_score"], return_inverse=True)
        lc = np.zeros((1, len(levels), 2))
        np.add.at(lc, (0, level[idx], y_true[idx]), 1)
        from fairexp.report._stats import _weighted_auc

        assert _weighted_auc(lc[..., 1], lc[..., 0])[0] == pytest.approx(roc_auc_score(part["y_true"], part["y_score"]), abs=1e-12)


def test_distribution_uses_the_same_resamples_and_is_fast() -> None:
    rng = np.random.default_rng(3)
    n = 20_000
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    score = rng.random(n)
    groups = rng.integers(0, 4, n)
    t0 = time.perf_counter()
    dist = bootstrap_distribution(y_true, y_pred, groups, score, n_bootstrap=1000, seed=0)
    elapsed = time.perf_counter() - t0
    assert set(BOOTSTRAP_METRICS) <= set(dist) and all(len(v) == 1000 for v in dist.values())
    assert elapsed < 10.0, f"1000 resamples of 20,000 rows took {elapsed:.1f} s"


SIG = {"difference": 0.12, "groups": ["a", "b"], "selection_rates": [0.3, 0.42], "n": 5000,
       "p_value": 1e-6, "effect_size_name": "Cohen's h", "effect_size": 0.25, "effect_magnitude": "small"}  # fmt: skip


@pytest.mark.parametrize(
    ("p", "observed", "expect"),
    [
        (1e-6, 0.12, ["is statistically significant (p < 0.001", "exceeds the policy's practical limit of 0.05"]),
        (1e-6, 0.03, ["is statistically significant", "is within the policy's practical limit", "but"]),
        (0.4, 0.12, ["not statistically distinguishable from zero with n = 5,000", "but", "exceeds"]),
        (0.4, 0.03, ["not statistically distinguishable", "is within", "no evidence"]),
    ],
)
def test_sentence_separates_statistical_from_practical(p: float, observed: float, expect: list[str]) -> None:
    sig = SIG | {"p_value": p}
    limit = {"metric": "demographic_parity_difference", "kind": "max", "value": 0.05, "observed": observed}
    text = significance_sentence(sig, alpha=0.05, limit=limit)
    for piece in expect:
        assert piece in text, text
    assert "no practical limit" in significance_sentence(sig, alpha=0.05, limit=None)
