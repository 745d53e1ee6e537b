"""fairlearn's reductions (in-processing): exponentiated gradient and grid search."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from fairexp.mitigations._base import CONSTRAINTS, Mitigation, as_group_series, check_constraint, register


def make_moment(constraints: str, difference_bound: float | None = None) -> Any:
    """The fairlearn ``Moment`` for a constraint name (``mitigation.constraints``)."""
    from fairlearn import reductions as r

    classes = {
        "demographic_parity": r.DemographicParity,
        "equalized_odds": r.EqualizedOdds,
        "true_positive_rate_parity": r.TruePositiveRateParity,
        "false_positive_rate_parity": r.FalsePositiveRateParity,
        "error_rate_parity": r.ErrorRateParity,
    }
    cls = classes[check_constraint(constraints, CONSTRAINTS, "fairlearn reductions")]
    return cls() if difference_bound is None else cls(difference_bound=difference_bound)


class _Reduction(Mitigation):
    """Shared fit of fairlearn's reductions; subclasses build the fairlearn model."""

    stage = "in"
    accepts_sample_weight = False

    def _make_model(self) -> Any:
        raise NotImplementedError

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None):
        if sample_weight is not None:
            from fairexp.errors import ConfigError

            raise ConfigError(
                f"{self.name} cannot train on sample weights from a pre-processing step "
                "(fairlearn reductions re-weight internally); chain it without reweighing",
                key="mitigation.steps",
            )
        self.model_ = self._make_model()
        self.model_.fit(X, np.asarray(y), sensitive_features=as_group_series(sensitive_features))
        self.classes_ = np.array([0, 1])
        return self


@register("exponentiated_gradient")
class ExponentiatedGradient(_Reduction):
    """Agarwal et al. (2018): a randomized classifier that satisfies the constraint up to ``eps``.

    Predictions are drawn from the learned mixture with ``random_state``, so a
    run is reproducible; ``predict_proba`` is the mixture's P(y=1).
    """

    def __init__(
        self,
        estimator: Any = None,
        constraints: str = "demographic_parity",
        eps: float = 0.01,
        max_iter: int = 50,
        nu: float | None = None,
        eta0: float = 2.0,
        difference_bound: float | None = None,
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.eps = eps
        self.max_iter = max_iter
        self.nu = nu
        self.eta0 = eta0
        self.difference_bound = difference_bound
        self.random_state = random_state

    def _make_model(self) -> Any:
        from fairlearn.reductions import ExponentiatedGradient as _EG

        return _EG(
            clone(self.estimator),
            constraints=make_moment(self.constraints, self.difference_bound),
            eps=self.eps,
            max_iter=self.max_iter,
            nu=self.nu,
            eta0=self.eta0,
        )

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.model_._pmf_predict(X))

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.model_.predict(X, random_state=self.random_state)).astype(int)


@register("grid_search")
class GridSearch(_Reduction):
    """Agarwal et al. (2018) grid search: the best deterministic model over a Lagrange-multiplier grid."""

    def __init__(
        self,
        estimator: Any = None,
        constraints: str = "demographic_parity",
        grid_size: int = 10,
        grid_limit: float = 2.0,
        constraint_weight: float = 0.5,
        selection_rule: str = "tradeoff_optimization",
        difference_bound: float | None = None,
    ) -> None:
        self.estimator = estimator
        self.constraints = constraints
        self.grid_size = grid_size
        self.grid_limit = grid_limit
        self.constraint_weight = constraint_weight
        self.selection_rule = selection_rule
        self.difference_bound = difference_bound

    def _make_model(self) -> Any:
        from fairlearn.reductions import GridSearch as _GS

        return _GS(
            clone(self.estimator),
            constraints=make_moment(self.constraints, self.difference_bound),
            selection_rule=self.selection_rule,
            constraint_weight=self.constraint_weight,
            grid_size=self.grid_size,
            grid_limit=self.grid_limit,
        )

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(X))

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.model_.predict(X)).astype(int)
