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
