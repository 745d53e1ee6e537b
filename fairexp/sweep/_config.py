"""The ``search`` config node, validated once, with errors that name the key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairexp.errors import ConfigError
from fairexp.sweep._study import SAMPLERS


@dataclass(frozen=True)
class Objective:
    metric: str
    direction: str  # "maximize" | "minimize"


@dataclass(frozen=True)
class Constraint:
    metric: str
    max: float | None = None
    min: float | None = None

    def value(self, metrics: Mapping[str, float]) -> float:
        """<= 0 when satisfied (Optuna's convention); +inf when the metric is undefined."""
        v = metrics.get(self.metric)
        if v is None or v != v:
            return float("inf")
        return float(v - self.max) if self.max is not None else float(self.min - v)


@dataclass(frozen=True)
class SearchSettings:
    strategies: tuple[str, ...]
    objectives: tuple[Objective, ...]
    n_trials: int
    timeout: float | None
    sampler: str
    n_startup_trials: int
    grid_points: int
    constraint: Constraint | None
    reference: tuple[float, ...] | None
    storage: str | None
    study_name: str
    n_jobs: int
    search_model: bool
    heartbeat_interval: int | None
    seed: int
    strategy_overrides: Mapping[str, tuple[str, ...]]

    @property
    def optimized(self) -> tuple[Objective, ...]:
        """What Optuna optimises: both objectives, or only the first one under a constraint."""
        return self.objectives[:1] if self.constraint else self.objectives


def _objective(item: Any, i: int) -> Objective:
    from fairexp.metrics import METRIC_DIRECTIONS

    key = f"search.objectives[{i}]"
    if isinstance(item, str):
        metric, direction = item, None
    elif isinstance(item, Mapping):
        metric, direction = item.get("metric"), item.get("direction")
    else:
        raise ConfigError("expected a metric name or {metric, direction}", key=key)
    if metric not in METRIC_DIRECTIONS:
        raise ConfigError(
            f"unknown metric '{metric}' (available: {', '.join(sorted(METRIC_DIRECTIONS))})", key=key
        )
    direction = direction or METRIC_DIRECTIONS[metric]
    if direction not in ("maximize", "minimize"):
        raise ConfigError(f"direction must be maximize or minimize, got '{direction}'", key=key)
    return Objective(str(metric), str(direction))


def parse_search(search: Mapping[str, Any], *, seed: int, available_strategies: Sequence[str]) -> SearchSettings:
    """Validate ``search`` (after Hydra composed it) into :class:`SearchSettings`."""
    from fairexp.metrics import METRIC_DIRECTIONS

    strategies = list(search.get("strategies") or [])
    for ref in search.get("references") or []:
        if ref not in strategies:
            strategies.append(ref)
    if not strategies:
        raise ConfigError("no strategies to compare", key="search.strategies")
    for s in strategies:
        if s not in available_strategies:
            raise ConfigError(
                f"unknown strategy '{s}' (available: {', '.join(available_strategies)})", key="search.strategies"
            )
    objectives = tuple(_objective(o, i) for i, o in enumerate(search.get("objectives") or []))
    if len(objectives) != 2:
        raise ConfigError("give exactly two objectives: a performance and a fairness metric", key="search.objectives")
    n_trials = search.get("n_trials")
    if not isinstance(n_trials, int) or n_trials < 1:
        raise ConfigError(f"must be a positive integer, got {n_trials!r}", key="search.n_trials")
    sampler = str(search.get("sampler", "tpe"))
    if sampler not in SAMPLERS:
        raise ConfigError(f"unknown sampler '{sampler}' (available: {', '.join(SAMPLERS)})", key="search.sampler")
    constraint = None
    c = search.get("constraint")
    if c:
        if c.get("metric") not in METRIC_DIRECTIONS:
            raise ConfigError(f"unknown metric '{c.get('metric')}'", key="search.constraint.metric")
        if (c.get("max") is None) == (c.get("min") is None):
            raise ConfigError("give exactly one of max or min", key="search.constraint")
        constraint = Constraint(str(c["metric"]), c.get("max"), c.get("min"))
    reference = search.get("reference")
    if reference is not None:
        if len(reference) != 2:
            raise ConfigError("give one reference value per objective", key="search.reference")
        reference = tuple(float(r) for r in reference)
    n_jobs = int(search.get("n_jobs", 1))
    if n_jobs < 1:
        raise ConfigError(f"must be >= 1, got {n_jobs}", key="search.n_jobs")
    timeout = search.get("timeout")
    strategy_overrides = {}
    for name, items in (search.get("strategy_overrides") or {}).items():
        if name not in strategies:
            raise ConfigError(f"'{name}' is not one of the strategies being compared", key="search.strategy_overrides")
        if isinstance(items, str) or not all(isinstance(i, str) and "=" in i or str(i).startswith("~") for i in items):
            raise ConfigError("give a list of Hydra overrides, e.g. ['mitigation.max_iter=20']", key=f"search.strategy_overrides.{name}")
        strategy_overrides[name] = tuple(items)
    return SearchSettings(
        strategies=tuple(strategies),
        objectives=objectives,
        n_trials=n_trials,
        timeout=float(timeout) if timeout else None,
        sampler=sampler,
        n_startup_trials=int(search.get("n_startup_trials", 10)),
        grid_points=int(search.get("grid_points", 5)),
        constraint=constraint,
        reference=reference,
        storage=search.get("storage"),
        study_name=str(search.get("study_name") or "fairexp"),
        n_jobs=n_jobs,
        search_model=bool(search.get("search_model", True)),
        heartbeat_interval=search.get("heartbeat_interval", 10),
        seed=int(search.get("seed") if search.get("seed") is not None else seed),
        strategy_overrides=strategy_overrides,
    )
