"""Search spaces declared in YAML next to each model and mitigation.

A ``search_space`` node maps a parameter to its range::

    search_space:
      eps: {type: float, low: 0.001, high: 0.2, log: true}
      max_iter: {type: int, low: 20, high: 100}
      constraints: {type: categorical, choices: [demographic_parity, equalized_odds]}

Parameters are named ``<node>.<param>`` (``mitigation.eps``, ``model.C``) in
the study, so a trial's params are exactly the command-line overrides that
reproduce it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from fairexp.errors import ConfigError


def parse_space(space: Mapping[str, Any] | None, node: str) -> dict[str, Any]:
    """Optuna distributions for one config node's ``search_space`` (``{}`` when it has none)."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    out: dict[str, Any] = {}
    for name, spec in (space or {}).items():
        key = f"{node}.search_space.{name}"
        if isinstance(spec, list | tuple):
            spec = {"type": "categorical", "choices": list(spec)}
        if not isinstance(spec, Mapping):
            raise ConfigError("expected a mapping with type/low/high or choices", key=key)
        kind = spec.get("type", "categorical" if "choices" in spec else "float")
        unknown = set(spec) - {"type", "low", "high", "log", "step", "choices"}
        if unknown:
            raise ConfigError(f"unknown field '{sorted(unknown)[0]}'", key=key)
        if kind == "categorical":
            choices = list(spec.get("choices") or [])
            if not choices:
                raise ConfigError("empty choice list", key=key)
            out[f"{node}.{name}"] = CategoricalDistribution(choices)
            continue
        if kind not in ("float", "int"):
            raise ConfigError(f"unknown type '{kind}' (use float, int or categorical)", key=f"{key}.type")
        if spec.get("low") is None or spec.get("high") is None:
            raise ConfigError("needs both low and high", key=key)
        low, high, log, step = spec["low"], spec["high"], bool(spec.get("log", False)), spec.get("step")
        if low > high:
            raise ConfigError(f"low ({low}) is greater than high ({high})", key=key)
        if log and low <= 0:
            raise ConfigError(f"a log range needs low > 0 (got {low})", key=key)
        if kind == "float":
            out[f"{node}.{name}"] = FloatDistribution(float(low), float(high), log=log, step=step)
        else:
            out[f"{node}.{name}"] = IntDistribution(int(low), int(high), log=log, step=int(step or 1))
    return out


def grid_values(distributions: Mapping[str, Any], points: int) -> dict[str, list[Any]]:
    """A finite grid for Optuna's GridSampler: ``points`` values per numeric range (log-spaced if log)."""
    from optuna.distributions import CategoricalDistribution, IntDistribution

    grid: dict[str, list[Any]] = {}
    for name, d in distributions.items():
        if isinstance(d, CategoricalDistribution):
            grid[name] = list(d.choices)
            continue
        space = np.geomspace if d.log else np.linspace
        values = space(d.low, d.high, points)
        if isinstance(d, IntDistribution):
            grid[name] = sorted({int(round(v)) for v in values})
        else:
            grid[name] = [float(v) for v in values]
    return grid


def override_value(value: Any) -> str:
    """A parameter value as Hydra override text (``null``, ``0.0123``, ``equalized_odds``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
