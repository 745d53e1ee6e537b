"""fairlearn's ThresholdOptimizer (post-processing): group-specific randomized thresholds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from sklearn.base import clone

from fairexp.mitigations._base import Mitigation, as_group_series, check_constraint, register

_TO_CONSTRAINTS = (
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
)


@contextlib.contextmanager
def _shared_tradeoff_curves(base: Any, X: Any) -> Iterator[None]:
    """Reuse each group's ROC-style trade-off curve across fits on one shared base model.

    fairlearn computes, per group, the curve of (constraint metric, objective) over
    every threshold of the base scores: a Python loop over the distinct scores, most
    of a post-processing fit. It depends only on the scores, labels and groups, not on
    ``tol`` or the choice among points, so for a shared base model on the same
    read-only training matrix (the sweep's cached split) it is computed once.
    """
    memo = getattr(base, "shared_memo", None)
    if memo is None or not isinstance(X, np.ndarray) or X.flags.writeable:
        yield
        return
    import weakref

    import fairlearn.postprocessing._threshold_optimizer as fl_to

    original = fl_to._tradeoff_curve
    ref = weakref.ref(X)

    def cached(data: Any, sensitive_feature_value: Any, **kwargs: Any):
        options = tuple(sorted((k, getattr(v, "__name__", v)) for k, v in kwargs.items()))
        key = ("tradeoff_curve", id(X), str(sensitive_feature_value), options)
        hit = memo.get(key)
        if hit is not None and hit[0]() is X:
            return hit[1].copy()
        curve = original(data, sensitive_feature_value, **kwargs)
        memo[key] = (ref, curve.copy())
        return curve

    fl_to._tradeoff_curve = cached
    try:
        yield
    finally:
        fl_to._tradeoff_curve = original


@register("threshold_optimizer")
class ThresholdOptimizer(Mitigation):
    """Hardt et al. (2016): pick per-group thresholds on a fitted model's scores.

    With ``prefit=True`` the ``estimator`` is already fitted and only the
    thresholds are learned, which lets a sweep (or a chain) reuse one base
    model across many post-processing settings.
    """

    stage = "post"

    def __init__(
        self,
        estimator: Any = None,
        constraints: str = "demographic_parity",
        objective: str = "accuracy_score",
        grid_size: int = 1000,
        flip: bool = False,
        tol: float | None = None,
        predict_method: str = "auto",
        prefit: bool = False,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.objective = objective
        self.grid_size = grid_size
        self.flip = flip
        self.tol = tol
        self.predict_method = predict_method
        self.prefit = prefit
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None):
        from fairlearn.postprocessing import ThresholdOptimizer as _TO

        check_constraint(self.constraints, _TO_CONSTRAINTS, "threshold_optimizer")
        if self.prefit:
            base = self.estimator
        else:
            base = clone(self.estimator)
            if sample_weight is None:
                base.fit(X, y)
            else:
                base.fit(X, y, sample_weight=np.asarray(sample_weight, dtype=float))
        self.estimator_ = base
        self.model_ = _TO(
            estimator=base,
            constraints=self.constraints,
            objective=self.objective,
            grid_size=self.grid_size,
            flip=self.flip,
            prefit=True,
            predict_method=self.predict_method,
            tol=self.tol,
        )
        with _shared_tradeoff_curves(base, X):
            self.model_.fit(X, np.asarray(y), sensitive_features=as_group_series(sensitive_features))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.model_._pmf_predict(X, sensitive_features=as_group_series(sensitive_features)))

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        groups = as_group_series(sensitive_features)
        return np.asarray(self.model_.predict(X, sensitive_features=groups, random_state=self.random_state)).astype(int)
