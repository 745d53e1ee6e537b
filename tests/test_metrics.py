"""Every metric against fairlearn / scikit-learn called independently."""

import numpy as np
import pandas as pd
import pytest
from fairlearn import metrics as flm
from sklearn import metrics as skm

from fairexp.metrics import evaluate, group_labels, group_table


@pytest.fixture(params=[1, 2], ids=["one_feature", "intersectional"])
def sample(request):
    rng = np.random.default_rng(7)
    n = 4000
    sens = pd.DataFrame({"sex": rng.choice(["F", "M"], n, p=[0.35, 0.65])})
    if request.param == 2:
        sens["race"] = rng.choice(["A", "B", "C"], n, p=[0.6, 0.3, 0.1])
    bump = (sens["sex"] == "M").to_numpy() * 0.15
    y_true = (rng.random(n) < 0.3 + bump).astype(int)
    score = np.clip(0.5 * y_true + rng.normal(0.25 + bump, 0.25, n), 0, 1)
    y_pred = (score > 0.5).astype(int)
    return y_true, y_pred, score, sens


def test_performance_metrics_match_sklearn(sample):
    y, p, s, a = sample
    m = evaluate(y, p, a, s)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, p))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, p))
    assert m["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s))
    assert m["f1"] == pytest.approx(skm.f1_score(y, p))
    assert m["precision"] == pytest.approx(skm.precision_score(y, p))
    assert m["recall"] == pytest.approx(skm.recall_score(y, p))
    assert m["selection_rate"] == pytest.approx(p.mean())
    assert m["n"] == len(y)


def test_fairness_metrics_match_fairlearn(sample):
    y, p, s, a = sample
    m = evaluate(y, p, a, s)
    kw = dict(sensitive_features=a)
    assert m["demographic_parity_difference"] == pytest.approx(flm.demographic_parity_difference(y, p, **kw))
    assert m["demographic_parity_ratio"] == pytest.approx(flm.demographic_parity_ratio(y, p, **kw))
    assert m["equalized_odds_difference"] == pytest.approx(flm.equalized_odds_difference(y, p, **kw))
    assert m["equalized_odds_ratio"] == pytest.approx(flm.equalized_odds_ratio(y, p, **kw))
    assert m["true_positive_rate_difference"] == pytest.approx(flm.true_positive_rate_difference(y, p, **kw))
    assert m["false_positive_rate_difference"] == pytest.approx(flm.false_positive_rate_difference(y, p, **kw))
    assert m["equal_opportunity_difference"] == pytest.approx(flm.equal_opportunity_difference(y, p, **kw))
    assert m["zero_one_loss_difference"] == pytest.approx(flm.zero_one_loss_difference(y, p, **kw))
    assert m["disparate_impact_ratio"] == pytest.approx(flm.demographic_parity_ratio(y, p, **kw))
    assert m["four_fifths_rule_passed"] == float(m["disparate_impact_ratio"] >= 0.8)
    assert m["n_groups"] == a.drop_duplicates().shape[0]


def test_group_table_matches_metricframe(sample):
    y, p, _, a = sample
    table = group_table(y, p, a)
    mf = flm.MetricFrame(
        metrics={
            "count": flm.count,
            "selection_rate": flm.selection_rate,
            "accuracy": skm.accuracy_score,
            "true_positive_rate": flm.true_positive_rate,
            "false_positive_rate": flm.false_positive_rate,
        },
        y_true=y,
        y_pred=p,
        sensitive_features=a,
    )
    expected = mf.by_group
    for col in expected.columns:
        np.testing.assert_allclose(table[col].to_numpy(), expected[col].to_numpy(dtype=float))
    assert table["count"].sum() == len(y)
    assert table["share"].sum() == pytest.approx(1.0)


def test_undefined_rates_are_nan_not_zero():
    # group "b" has no positive labels: its TPR is undefined, so TPR and EO differences are too.
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0])
    p = np.array([1, 0, 0, 0, 1, 0, 0, 0])
    a = pd.DataFrame({"g": ["a", "a", "a", "a", "b", "b", "b", "b"]})
    m = evaluate(y, p, a)
    assert np.isnan(m["true_positive_rate_difference"])
    assert np.isnan(m["equalized_odds_difference"])
    assert np.isnan(m["roc_auc"])  # no scores given
    # selection rates are defined: a = 1/4, b = 1/4
    assert m["demographic_parity_difference"] == pytest.approx(0.0)
    assert m["false_positive_rate_difference"] == pytest.approx(abs(0 / 2 - 1 / 4))
    table = group_table(y, p, a)
    assert np.isnan(table.loc["b", "true_positive_rate"])


def test_no_selection_makes_ratio_undefined():
    y = np.array([1, 0, 1, 0])
    p = np.zeros(4, dtype=int)
    a = pd.DataFrame({"g": ["a", "a", "b", "b"]})
    m = evaluate(y, p, a)
    assert m["demographic_parity_difference"] == 0.0
    assert np.isnan(m["demographic_parity_ratio"])
    assert np.isnan(m["four_fifths_rule_passed"])


def test_group_labels_intersection():
    a = pd.DataFrame({"sex": ["F", "M"], "race": ["A", "B"]})
    assert list(group_labels(a)) == ["sex=F & race=A", "sex=M & race=B"]
    assert list(group_labels(a[["sex"]])) == ["F", "M"]
