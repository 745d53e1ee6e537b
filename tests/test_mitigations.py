"""Mitigations: invariants, equality with fairlearn/aif360 called directly, config errors."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from fairexp.errors import ConfigError
from fairexp.metrics import evaluate
from fairexp.mitigations import (
    Chain,
    ExponentiatedGradient,
    Reweighing,
    ThresholdOptimizer,
    make_mitigation,
    reweighing_weights,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    n = 2000
    a = pd.DataFrame({"g": rng.choice(["maj", "min"], n, p=[0.7, 0.3])})
    X = rng.normal(size=(n, 4))
    X[:, 0] += (a["g"] == "maj").to_numpy() * 1.0
    y = (X[:, 0] + rng.normal(size=n) > 0.6).astype(int)
    return X, y, a


def test_reweighing_invariants(data):
    _, y, a = data
    w = reweighing_weights(y, a["g"])
    assert w.sum() == pytest.approx(len(y))
    overall = y.mean()
    for g in ("maj", "min"):
        mask = (a["g"] == g).to_numpy()
        assert np.average(y[mask], weights=w[mask]) == pytest.approx(overall)
    # closed form for one cell: P(a) P(y) / P(a, y)
    m = (a["g"] == "min").to_numpy() & (y == 1)
    expected = (a["g"] == "min").mean() * y.mean() / m.mean()
    assert w[m][0] == pytest.approx(expected)


def test_reweighing_matches_aif360(data):
    aif = pytest.importorskip("aif360.algorithms.preprocessing")
    from aif360.datasets import BinaryLabelDataset

    _, y, a = data
    df = pd.DataFrame({"g": (a["g"] == "maj").astype(float), "y": y.astype(float)})
    ds = BinaryLabelDataset(df=df, label_names=["y"], protected_attribute_names=["g"])
    rw = aif.Reweighing(unprivileged_groups=[{"g": 0.0}], privileged_groups=[{"g": 1.0}])
    out = rw.fit_transform(ds)
    np.testing.assert_allclose(reweighing_weights(y, a["g"]), out.instance_weights, rtol=1e-10)


def test_reweighing_fits_with_weights(data):
    X, y, a = data
    m = Reweighing(LogisticRegression()).fit(X, y, sensitive_features=a)
    ref = LogisticRegression().fit(X, y, sample_weight=reweighing_weights(y, a["g"]))
    np.testing.assert_allclose(m.predict_proba(X), ref.predict_proba(X))


def test_exponentiated_gradient_equals_fairlearn(data):
    from fairlearn.reductions import DemographicParity
    from fairlearn.reductions import ExponentiatedGradient as FLEG

    X, y, a = data
    ours = ExponentiatedGradient(LogisticRegression(), eps=0.02, random_state=5).fit(X, y, sensitive_features=a)
    ref = FLEG(LogisticRegression(), DemographicParity(), eps=0.02).fit(X, y, sensitive_features=a["g"])
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X, random_state=5))
    np.testing.assert_allclose(ours.predict_proba(X), ref._pmf_predict(X))
    base = evaluate(y, LogisticRegression().fit(X, y).predict(X), a)
    mitigated = evaluate(y, ours.predict(X), a)
    assert mitigated["demographic_parity_difference"] < 0.5 * base["demographic_parity_difference"]


def test_threshold_optimizer_equals_fairlearn_and_reuses_prefit(data):
    from fairlearn.postprocessing import ThresholdOptimizer as FLTO

    X, y, a = data
    base = LogisticRegression().fit(X, y)
    ours = ThresholdOptimizer(base, constraints="equalized_odds", prefit=True, random_state=1)
    ours.fit(X, y, sensitive_features=a)
    assert ours.estimator_ is base  # no refit of a prefit model
    ref = FLTO(estimator=base, constraints="equalized_odds", prefit=True, predict_method="auto")
    ref.fit(X, y, sensitive_features=a["g"])
    np.testing.assert_array_equal(
        ours.predict(X, sensitive_features=a), ref.predict(X, sensitive_features=a["g"], random_state=1)
    )


def test_chain_reweighing_then_threshold(data):
    X, y, a = data
    chain = Chain(LogisticRegression(), steps=[Reweighing(), ThresholdOptimizer(random_state=0)])
    chain.fit(X, y, sensitive_features=a)
    # the post step saw the reweighed model, fitted on exactly the reweighing weights
    np.testing.assert_allclose(chain.weights_, reweighing_weights(y, a["g"]))
    ref_core = LogisticRegression().fit(X, y, sample_weight=chain.weights_)
    np.testing.assert_allclose(chain.core_.predict_proba(X), ref_core.predict_proba(X))
    m = evaluate(y, chain.predict(X, sensitive_features=a), a)
    assert m["demographic_parity_difference"] < 0.05


def test_chain_order_and_weights_are_checked(data):
    X, y, a = data
    with pytest.raises(ConfigError, match="mitigation.steps"):
        Chain(LogisticRegression(), steps=[ThresholdOptimizer(), Reweighing()]).fit(X, y, sensitive_features=a)
    with pytest.raises(ConfigError, match="mitigation.steps"):
        Chain(LogisticRegression(), steps=[Reweighing(), ExponentiatedGradient()]).fit(X, y, sensitive_features=a)


@pytest.mark.parametrize(
    "cfg, key",
    [
        ({"name": "fancy"}, "mitigation.name"),
        ({"name": "exponentiated_gradient", "epsilon": 0.1}, "mitigation.epsilon"),
        ({"name": "chain", "steps": [{"name": "reweighing", "bogus": 1}]}, r"mitigation.steps\[0\].bogus"),
    ],
)
def test_factory_errors_name_the_key(cfg, key):
    with pytest.raises(ConfigError, match=key):
        make_mitigation(cfg, LogisticRegression())


def test_unsupported_constraint_names_the_key(data):
    X, y, a = data
    m = make_mitigation({"name": "threshold_optimizer", "constraints": "error_rate_parity"}, LogisticRegression())
    with pytest.raises(ConfigError, match="mitigation.constraints"):
        m.fit(X, y, sensitive_features=a)


@pytest.mark.parametrize(
    "constraint",
    ["demographic_parity", "equalized_odds", "true_positive_rate_parity", "false_positive_rate_parity", "error_rate_parity"],
)
def test_every_constraint_reaches_grid_search(data, constraint):
    X, y, a = data
    m = make_mitigation({"name": "grid_search", "constraints": constraint, "grid_size": 5}, LogisticRegression())
    m.fit(X, y, sensitive_features=a)
    expected = {
        "demographic_parity": "DemographicParity",
        "equalized_odds": "EqualizedOdds",
        "true_positive_rate_parity": "TruePositiveRateParity",
        "false_positive_rate_parity": "FalsePositiveRateParity",
        "error_rate_parity": "ErrorRateParity",
    }[constraint]
    assert type(m.model_.constraints).__name__ == expected
    assert set(np.unique(m.predict(X))) <= {0, 1}


def test_seed_reaches_randomized_strategies():
    m = make_mitigation({"name": "exponentiated_gradient"}, LogisticRegression(), seed=11)
    assert m.random_state == 11
    chain = make_mitigation({"name": "chain", "constraints": "equalized_odds", "steps": ["reweighing", "threshold_optimizer"]}, LogisticRegression(), seed=4)
    assert chain.steps[1].constraints == "equalized_odds" and chain.steps[1].random_state == 4
