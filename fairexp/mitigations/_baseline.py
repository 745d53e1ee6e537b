"""The unmitigated baseline and Kamiran & Calders reweighing (pre-processing)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from fairexp.mitigations._base import Mitigation, as_group_series, register


@register("none")
class NoMitigation(Mitigation):
    """The base estimator alone: the reference every strategy's cost is measured against."""

    stage = "none"

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def fit(self, X: Any, y: Any, *, sensitive_features: Any = None, sample_weight: Any = None):
        self.estimator_ = clone(self.estimator)
        if sample_weight is None:
            self.estimator_.fit(X, y)
        else:
            self.estimator_.fit(X, y, sample_weight=np.asarray(sample_weight, dtype=float))
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self.estimator_.predict(X)


def reweighing_weights(y: Any, groups: Any) -> np.ndarray:
    """Kamiran & Calders (2012) weights ``w(a, y) = P(a) P(y) / P(a, y)``.

    After weighting, label and group are independent in the training data: the
    weighted positive rate is the same in every group, and the weights sum to n.
    """
    y = np.asarray(y).astype(int)
    g = pd.Series(np.asarray(groups).astype(str))
    n = len(y)
    frame = pd.DataFrame({"g": g, "y": y})
    joint = frame.groupby(["g", "y"]).size() / n
    p_group = frame.groupby("g").size() / n
    p_label = frame.groupby("y").size() / n
    keys = pd.MultiIndex.from_arrays([frame["g"], frame["y"]])
    p_joint = joint.reindex(keys).to_numpy()
    return (p_group.reindex(frame["g"]).to_numpy() * p_label.reindex(frame["y"]).to_numpy()) / p_joint


@register("reweighing")
class Reweighing(NoMitigation):
    """Train the base estimator on Kamiran & Calders weights (pre-processing).

    Weights are computed on the (intersectional) groups of the training data
    only; prediction needs no sensitive features.
    """

    stage = "pre"

    def compute_weights(self, y: Any, sensitive_features: Any) -> np.ndarray:
        return reweighing_weights(y, as_group_series(sensitive_features))

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None):
        w = self.compute_weights(y, sensitive_features)
        if sample_weight is not None:
            w = w * np.asarray(sample_weight, dtype=float)
        self.weights_ = w
        return super().fit(X, y, sample_weight=w)
