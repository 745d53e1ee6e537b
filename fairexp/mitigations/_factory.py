"""Build a mitigation from its config node, with one-line errors naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fairexp.errors import ConfigError
from fairexp.mitigations._base import Mitigation, mitigation_class

#: keys of a ``mitigation`` config node that are not constructor parameters
_RESERVED = {"name", "search_space", "steps"}


def _params(cls: type[Mitigation], cfg: Mapping[str, Any], key: str) -> dict[str, Any]:
    valid = set(cls._get_param_names()) - {"estimator", "steps", "prefit"}
    params = {k: v for k, v in cfg.items() if k not in _RESERVED}
    if "constraints" not in valid:
        # ``mitigation.constraints`` is a comparison-wide setting (a recipe sets it for every
        # strategy); a strategy without a fairness constraint has nothing to apply it to.
        params.pop("constraints", None)
    for k in sorted(set(params) - valid):
        raise ConfigError(
            f"unknown parameter '{k}' for {cls.name} (valid: {', '.join(sorted(valid)) or 'none'})",
            key=f"{key}.{k}",
        )
    return params


def make_mitigation(cfg: Mapping[str, Any], estimator: Any, *, seed: int = 0) -> Mitigation:
    """An unfitted strategy wrapping ``estimator``, from the ``mitigation`` config node.

    ``random_state`` defaults to the experiment seed so randomized strategies
    (exponentiated gradient, threshold optimizer) are reproducible. For a
    ``chain``, a top-level ``constraints`` is handed to every step that has one
    unless the step sets its own.
    """
    name = str(cfg.get("name"))
    cls = mitigation_class(name)
    if name == "chain":
        steps_cfg = cfg.get("steps") or []
        shared = {k: v for k, v in cfg.items() if k not in _RESERVED}
        steps = []
        for i, step in enumerate(steps_cfg):
            step = {"name": step} if isinstance(step, str) else dict(step)
            if step.get("name") == "chain":
                raise ConfigError("chains cannot nest", key=f"mitigation.steps[{i}]")
            step_cls = mitigation_class(str(step.get("name")))
            accepted = set(step_cls._get_param_names())
            merged = {k: v for k, v in shared.items() if k in accepted} | step
            steps.append(_build(step_cls, merged, None, seed, f"mitigation.steps[{i}]"))
        return cls(estimator=estimator, steps=steps)
    return _build(cls, cfg, estimator, seed, "mitigation")


def _build(cls: type[Mitigation], cfg: Mapping[str, Any], estimator: Any, seed: int, key: str) -> Mitigation:
    params = _params(cls, cfg, key)
    if "random_state" in cls._get_param_names() and params.get("random_state") is None:
        params["random_state"] = seed
    return cls(estimator=estimator, **params)
