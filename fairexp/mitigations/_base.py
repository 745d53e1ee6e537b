"""The one interface every mitigation strategy implements.

A mitigation is a scikit-learn classifier that wraps a base ``estimator`` and
is fit with the sensitive features::

    m.fit(X, y, sensitive_features=A)
    m.predict(X, sensitive_features=A)      # post-processing needs A at predict time
    m.predict_proba(X, sensitive_features=A)  # only where ``has_scores``

``stage`` says where it acts: ``pre`` (sample weights or transformed data),
``in`` (training under a constraint), ``post`` (decisions of a fitted model),
or ``none``. :class:`~fairexp.mitigations.Chain` composes them, so a new
strategy is one class registered here plus one YAML file in
``conf/mitigation/``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from fairexp.errors import ConfigError

#: Constraint names accepted in ``mitigation.constraints``.
CONSTRAINTS = (
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "error_rate_parity",
)

_REGISTRY: dict[str, type[Mitigation]] = {}


def register(name: str):
    """Class decorator: make a strategy available as ``mitigation=<name>``."""

    def deco(cls: type[Mitigation]) -> type[Mitigation]:
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def available_mitigations() -> list[str]:
    return sorted(_REGISTRY)


def mitigation_class(name: str) -> type[Mitigation]:
    if name not in _REGISTRY:
        raise ConfigError(
            f"unknown mitigation '{name}' (available: {', '.join(available_mitigations())})",
            key="mitigation.name",
        )
    return _REGISTRY[name]


def as_group_series(sensitive_features: Any) -> pd.Series:
    """Sensitive features as one string label per row (the intersection of several columns)."""
    from fairexp.metrics import group_labels

    if sensitive_features is None:
        raise ValueError("sensitive_features is required")
    if isinstance(sensitive_features, pd.DataFrame | pd.Series):
        return group_labels(sensitive_features).reset_index(drop=True)
    arr = np.asarray(sensitive_features)
    if arr.ndim == 2:
        return group_labels(pd.DataFrame(arr))
    return pd.Series(arr.astype(str), name="group")


def check_constraint(name: str, supported: tuple[str, ...], strategy: str) -> str:
    if name not in supported:
        raise ConfigError(
            f"constraint '{name}' is not supported by {strategy} (supported: {', '.join(supported)})",
            key="mitigation.constraints",
        )
    return name


class Mitigation(ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``fit`` and ``_predict_proba``/``predict``."""

    name: ClassVar[str] = "abstract"
    stage: ClassVar[str] = "none"
    #: whether ``predict_proba`` gives a real score (ROC AUC is reported only then)
    has_scores: ClassVar[bool] = True
    #: whether ``fit`` honours ``sample_weight`` (pre-processing output)
    accepts_sample_weight: ClassVar[bool] = True

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} gives no scores")

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return (self.predict_proba(X, sensitive_features=sensitive_features)[:, 1] >= 0.5).astype(int)

    def score_samples_positive(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray | None:
        """P(y=1) per row, or None where the strategy has no scores."""
        if not self.has_scores:
            return None
        return self.predict_proba(X, sensitive_features=sensitive_features)[:, 1]
