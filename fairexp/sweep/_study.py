"""Sampler, storage and study: kept apart, as Optuna does.

* :func:`make_sampler` turns ``search.sampler`` into an Optuna sampler (seeded);
* :func:`make_storage` turns ``search.storage`` into an RDB storage with
  heartbeats, so a trial whose worker died is failed and its slot re-run;
* :func:`open_study` creates or resumes one study per strategy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fairexp.errors import ConfigError

SAMPLERS = ("tpe", "nsga2", "random", "grid")

#: user attribute holding the error of a trial that failed on its own (it counts toward the budget)
ERROR_ATTR = "error"
#: user attribute holding a constrained search's constraint values (<= 0 is feasible)
CONSTRAINT_ATTR = "constraint"


def constraint_values(frozen_trial: Any) -> Sequence[float]:
    """Optuna ``constraints_func``: read what the sweeper stored for the trial."""
    return frozen_trial.user_attrs.get(CONSTRAINT_ATTR, [1.0])


def make_sampler(
    name: str,
    *,
    seed: int,
    constrained: bool = False,
    grid: Mapping[str, list[Any]] | None = None,
    n_startup_trials: int = 10,
) -> Any:
    """An Optuna sampler from ``search.sampler``; all multi-objective capable and seeded."""
    import optuna

    constraints: Callable | None = constraint_values if constrained else None
    if name == "tpe":
        sampler = optuna.samplers.TPESampler(
            seed=seed, multivariate=True, constraints_func=constraints, n_startup_trials=n_startup_trials
        )
    elif name == "nsga2":
        sampler = optuna.samplers.NSGAIISampler(
            seed=seed, constraints_func=constraints, population_size=max(4, n_startup_trials)
        )
    elif name == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    elif name == "grid":
        sampler = _AskTellGridSampler(dict(grid or {}), seed=seed)
    else:
        raise ConfigError(f"unknown sampler '{name}' (available: {', '.join(SAMPLERS)})", key="search.sampler")
    return seed_per_trial(sampler, seed)


def _random_states(obj: Any, depth: int = 0) -> list[Any]:
    from optuna.samplers import BaseSampler
    from optuna.samplers._lazy_random_state import LazyRandomState

    found = []
    for value in vars(obj).values():
        if isinstance(value, LazyRandomState):
            found.append(value)
        elif isinstance(value, BaseSampler) and depth < 2:
            found.extend(_random_states(value, depth + 1))
    return found


def seed_per_trial(sampler: Any, seed: int) -> Any:
    """Reseed the sampler's random states before each trial from (seed, trial number).

    A sampler seeded once per process repeats itself: a resumed sweep would ask
    the first run's parameters again, and workers sharing a study would all ask
    the same ones. Trial numbers are unique within a study, so this keeps a
    sweep reproducible and makes every trial's random draws its own.
    """
    cls = type(sampler)

    def before_trial(self: Any, study: Any, trial: Any) -> None:
        trial_seed = (seed * 1_000_003 + trial.number) % 2**32
        for state in _random_states(self):
            state.rng.seed(trial_seed)
        cls.before_trial(self, study, trial)

    sampler.__class__ = type(f"PerTrialSeeded{cls.__name__}", (cls,), {"before_trial": before_trial})
    return sampler


def _grid_sampler_class() -> type:
    import optuna

    class AskTellGridSampler(optuna.samplers.GridSampler):
        """GridSampler without its ``study.stop()`` on exhaustion, which ask/tell forbids.

        The sweeper never asks for more trials than the grid has points.
        """

        def after_trial(self, study: Any, trial: Any, state: Any, values: Any) -> None:
            return None

    return AskTellGridSampler


def _AskTellGridSampler(grid: dict, *, seed: int) -> Any:  # noqa: N802 - reads as a class at the call site
    return _grid_sampler_class()(grid, seed=seed)


def default_storage(sweep_dir: str | Path) -> str:
    return f"sqlite:///{Path(sweep_dir).resolve() / 'optuna.db'}"


def make_storage(url: str, *, heartbeat_interval: int | None = 10, grace_period: int | None = None) -> Any:
    """An RDB storage for ``search.storage`` that fails fast (no hang) when the database is unreachable."""
    import optuna
    import sqlalchemy

    from fairexp.provenance import redact

    engine_kwargs: dict[str, Any] = {}
    if url.startswith("postgresql"):
        engine_kwargs = {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    import time

    for attempt in range(6):
        try:
            return optuna.storages.RDBStorage(
                url,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period,
                failed_trial_callback=None,
            )
        except (sqlalchemy.exc.SQLAlchemyError, ImportError, ValueError) as exc:
            # Workers starting together on an empty database race to create Optuna's
            # tables; the losers see "already exists" and simply open what the winner made.
            if "already exists" in str(exc) and attempt < 5:
                time.sleep(0.5 * (attempt + 1))
                continue
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigError(f"cannot open storage '{redact(url)}': {first}", key="search.storage") from None
    raise AssertionError("unreachable")


def fail_stale_and_orphaned_trials(study: Any, storage: Any, heartbeat_interval: int | None) -> None:
    """Fail the RUNNING trials whose worker is gone, so their budget slots are run again.

    Optuna fails trials whose heartbeat went stale; a worker killed between asking
    for a trial and its first heartbeat leaves a RUNNING trial with no heartbeat at
    all, which Optuna never fails. Such a trial older than the grace period is failed too.
    """
    import datetime

    import optuna
    from optuna.trial import TrialState

    if not heartbeat_interval:
        return
    optuna.storages.fail_stale_trials(study)
    grace = 2 * heartbeat_interval
    now = datetime.datetime.now()
    old = [
        t
        for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        if t.datetime_start is not None and (now - t.datetime_start).total_seconds() > grace
    ]
    if not old:
        return
    from optuna.storages._rdb import models
    from optuna.storages._rdb.storage import _create_scoped_session

    with _create_scoped_session(storage.scoped_session) as session:
        beating = {
            row.trial_id
            for row in session.query(models.TrialHeartbeatModel.trial_id).filter(
                models.TrialHeartbeatModel.trial_id.in_([t._trial_id for t in old])
            )
        }
    for t in old:
        if t._trial_id not in beating:
            try:
                storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
            except Exception:  # finished or failed by another worker meanwhile
                pass


def open_study(storage: Any, name: str, directions: Sequence[str], sampler: Any, metric_names: Sequence[str]) -> Any:
    """Create the study, or resume it when one of that name exists in the storage."""
    import optuna

    study = optuna.create_study(storage=storage, study_name=name, directions=list(directions), sampler=sampler, load_if_exists=True)
    if list(study.directions) != [optuna.study.StudyDirection[d.upper()] for d in directions]:
        raise ConfigError(
            f"study '{name}' exists with other objectives; use a new search.study_name", key="search.study_name"
        )
    if study.metric_names is None:
        study.set_metric_names(list(metric_names))
    return study
