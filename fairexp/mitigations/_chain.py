"""A chain of mitigations: pre-processing steps, then one learner, then post-processing.

``Chain(estimator, steps=[Reweighing(), ThresholdOptimizer()])`` trains the
estimator on reweighed data and post-processes its scores. The order is
enforced because anything else is meaningless (a post-processor cannot feed
a pre-processor).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone

from fairexp.errors import ConfigError
from fairexp.mitigations._base import Mitigation, register

_ORDER = {"pre": 0, "none": 1, "in": 1, "post": 2}


@register("chain")
class Chain(Mitigation):
    """Compose strategies: ``pre``* -> (``in`` | plain estimator) -> ``post``?"""

    stage = "chain"

    def __init__(self, estimator: Any = None, steps: list[Mitigation] | None = None) -> None:
        self.estimator = estimator
        self.steps = steps

    def _split_steps(self) -> tuple[list[Mitigation], Mitigation | None, Mitigation | None]:
        steps = list(self.steps or [])
        if not steps:
            raise ConfigError("a chain needs at least one step", key="mitigation.steps")
        ranks = [_ORDER.get(s.stage, -1) for s in steps]
        if -1 in ranks or ranks != sorted(ranks):
            names = " -> ".join(s.name for s in steps)
            raise ConfigError(
                f"steps must go pre-processing -> in-processing -> post-processing, got {names}",
                key="mitigation.steps",
            )
        pre = [s for s in steps if s.stage == "pre"]
        core = [s for s in steps if s.stage in ("in", "none")]
        post = [s for s in steps if s.stage == "post"]
        if len(core) > 1 or len(post) > 1:
            raise ConfigError("at most one in-processing and one post-processing step", key="mitigation.steps")
        return pre, (core[0] if core else None), (post[0] if post else None)

    @property
    def has_scores(self) -> bool:  # type: ignore[override]
        steps = list(self.steps or [])
        return all(s.has_scores for s in steps)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None):
        pre, core, post = self._split_steps()
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        for step in pre:
            sw = step.compute_weights(y, sensitive_features)
            w = sw if w is None else w * sw
        self.weights_ = w
        core_step = clone(core) if core is not None else None
        if core_step is None:
            from fairexp.mitigations._baseline import NoMitigation

            core_step = NoMitigation()
        core_step.set_params(estimator=clone(self.estimator))
        core_step.fit(X, y, sensitive_features=sensitive_features, sample_weight=w)
        self.core_ = core_step
        self.post_ = None
        if post is not None:
            self.post_ = clone(post).set_params(estimator=core_step, prefit=True)
            self.post_.fit(X, y, sensitive_features=sensitive_features)
        self.classes_ = np.array([0, 1])
        return self

    def _last(self) -> Mitigation:
        return self.post_ if self.post_ is not None else self.core_

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self._last().predict_proba(X, sensitive_features=sensitive_features)

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self._last().predict(X, sensitive_features=sensitive_features)
