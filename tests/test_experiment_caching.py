"""Caches across trials: the shared base model and its memoized scores are safe."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from fairexp.experiment import _scored_model_class


class CountingModel(LogisticRegression):
    calls = 0

    def predict_proba(self, X):
        type(self).calls += 1
        return super().predict_proba(X)


@pytest.fixture
def scored():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    CountingModel.calls = 0
    return _scored_model_class()(CountingModel().fit(X, y)), X


def test_read_only_arrays_are_scored_once(scored):
    model, X = scored
    X = X.copy()
    X.setflags(write=False)
    first = model.predict_proba(X)
    second = model.predict_proba(X)
    assert second is first and CountingModel.calls == 1
    np.testing.assert_array_equal(first, model.model.predict_proba(X))


def test_writable_arrays_are_never_memoized(scored):
    model, X = scored
    model.predict_proba(X)
    X[0, 0] += 5.0  # a writable array may change between calls
    after = model.predict_proba(X)
    assert CountingModel.calls == 2  # scored again, not served from a memo
    np.testing.assert_array_equal(after, model.model.predict_proba(X))


def test_a_recycled_id_never_returns_another_arrays_scores(scored):
    model, X = scored
    a = X.copy()
    a.setflags(write=False)
    model.predict_proba(a)
    key = ("predict_proba", id(a))
    del a  # the memo's weak reference is now dead
    b = X[::-1].copy()
    b.setflags(write=False)
    model._memo[("predict_proba", id(b))] = model._memo.pop(key)  # simulate id reuse
    np.testing.assert_array_equal(model.predict_proba(b), model.model.predict_proba(b))


def test_a_shared_base_model_refuses_to_be_refit(scored):
    model, X = scored
    with pytest.raises(RuntimeError, match="never refit"):
        model.fit(X, np.zeros(len(X)))
    assert not hasattr(model, "decision_function") or callable(model.decision_function)


def test_threshold_trials_on_a_shared_base_reuse_curves_and_match_a_fresh_fit():
    import pandas as pd
    import fairlearn.postprocessing._threshold_optimizer as fl_to

    from fairexp.mitigations import ThresholdOptimizer

    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 3))
    a = pd.DataFrame({"g": rng.choice(["p", "q"], 600)})
    y = ((X[:, 0] + (a["g"] == "p") * 0.8 + rng.normal(size=600)) > 0.5).astype(int)
    X.setflags(write=False)
    shared = _scored_model_class()(LogisticRegression().fit(X, y))
    original = fl_to._tradeoff_curve
    calls = []
    fl_to._tradeoff_curve = lambda *args, **kw: calls.append(1) or original(*args, **kw)
    try:
        for tol in (0.01, 0.05, 0.2):
            mine = ThresholdOptimizer(shared, prefit=True, tol=tol, random_state=0).fit(X, y, sensitive_features=a)
            fresh = ThresholdOptimizer(LogisticRegression(), tol=tol, random_state=0).fit(X, y, sensitive_features=a)
            np.testing.assert_array_equal(mine.predict(X, sensitive_features=a), fresh.predict(X, sensitive_features=a))
        wrapped = fl_to._tradeoff_curve
    finally:
        fl_to._tradeoff_curve = original
    assert wrapped is not original  # our counting wrapper is back in place: the memo restored what it found
    # 2 groups: the shared model computes its 2 curves once; each fresh fit computes 2 of its own
    assert len(calls) == 2 + 3 * 2
