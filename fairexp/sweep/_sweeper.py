"""fairexp's Hydra sweeper: one Optuna study per strategy, equal budgets, trials through Hydra's launcher.

Why our own sweeper: the published Hydra Optuna sweeper pins optuna < 3. This
one drives optuna >= 4 with ask/tell, so that

* each strategy gets its own study with the same number of trials (no strategy
  is starved by a shared sampler);
* trials run through whatever Hydra launcher is configured (basic, joblib,
  submitit...), in batches of ``search.n_jobs``;
* several workers can share one study in one database: the budget is counted
  in the database, a trial asked after the budget is met is marked surplus and
  never run, and heartbeats fail the trials of dead workers so their slots are
  re-run;
* re-running the same command on the same storage resumes the studies.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from hydra.core.utils import JobStatus
from hydra.plugins.sweeper import Sweeper

from fairexp.errors import ConfigError, FairexpError

log = logging.getLogger(__name__)

def _counts_toward_budget(t: Any) -> bool:
    """Complete, in flight, or failed by its own error; not a dead worker's trial nor a surplus one."""
    from fairexp.sweep._results import SURPLUS_ATTR
    from fairexp.sweep._study import ERROR_ATTR

    if t.user_attrs.get(SURPLUS_ATTR):
        return False
    if t.state.name in ("COMPLETE", "RUNNING", "WAITING"):
        return True
    return t.state.name == "FAIL" and bool(t.user_attrs.get(ERROR_ATTR))


@contextlib.contextmanager
def _heartbeats(storage: Any, trials: Sequence[Any]) -> Iterator[None]:
    """Record heartbeats for a batch of running trials so other workers can tell they are alive."""
    from optuna.storages._heartbeat import get_heartbeat_thread

    threads = [get_heartbeat_thread(t._trial_id, storage) for t in trials]
    for th in threads:
        th.start()
    try:
        yield
    finally:
        for th in threads:
            th.join()


class FairexpSweeperImpl(Sweeper):
    """Hydra ``Sweeper``; all settings come from the composed ``search`` node (see ``conf/search/``)."""

    def __init__(self, **_: Any) -> None:
        self.config: Any = None
        self.hydra_context: Any = None
        self.launcher: Any = None
        self.job_idx = 0

    def setup(self, *, hydra_context: Any, task_function: Any, config: Any) -> None:
        from hydra.core.plugins import Plugins

        self.config = config
        self.hydra_context = hydra_context
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: list[str]) -> Any:
        from fairexp.cli import fail

        try:
            return self._sweep(arguments)
        except FairexpError as exc:
            fail(str(exc))

    # -- the sweep --------------------------------------------------------

    def _sweep(self, arguments: list[str]) -> dict[str, Any]:
        import warnings

        import optuna
        from omegaconf import OmegaConf

        from fairexp._paths import group_options
        from fairexp.sweep._config import parse_search
        from fairexp.sweep._results import frontier_summary, log_sweep, mark_pareto, trials_frame, write_outputs
        from fairexp.sweep._study import default_storage, make_storage
        from fairexp.tracking import make_tracker

        # ask/tell with heartbeats is what optuna's distributed workers need; its warnings are noise here
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage is supposed to be used")
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        cfg = self.config
        if "search" not in cfg or cfg.search is None:
            raise ConfigError("this sweeper needs a search config (e.g. experiment=adult_compare)", key="search")
        self._reject_sweep_lists(arguments)
        settings = parse_search(
            OmegaConf.to_container(cfg.search, resolve=True),
            seed=int(cfg.get("seed", 0)),
            available_strategies=group_options("mitigation"),
        )
        sweep_dir = Path(str(cfg.hydra.sweep.dir)).resolve()
        sweep_dir.mkdir(parents=True, exist_ok=True)
        from fairexp.provenance import redact

        OmegaConf.save(OmegaConf.create(redact(OmegaConf.to_container(cfg, resolve=False))), sweep_dir / "multirun.yaml")
        storage = make_storage(
            settings.storage or default_storage(sweep_dir), heartbeat_interval=settings.heartbeat_interval
        )
        logger_cfg = OmegaConf.to_container(cfg.logger, resolve=True) if "logger" in cfg else None
        tracker = make_tracker(logger_cfg)  # validates logger.* before any trial runs

        studies = {}
        for strategy in settings.strategies:
            studies[strategy] = self._run_strategy(strategy, arguments, settings, storage)

        frame = mark_pareto(trials_frame(studies), settings.objectives)
        summary = frontier_summary(frame, settings)
        summary.update(
            {"study_name": settings.study_name, "storage": _redacted(settings.storage or default_storage(sweep_dir))}
        )
        write_outputs(sweep_dir, frame, summary, settings)
        log_sweep(tracker, sweep_dir, frame, summary, settings, redact(OmegaConf.to_container(cfg, resolve=False)))
        print(_summary_lines(frame, summary, settings))
        print(f"sweep directory: {sweep_dir}")
        return summary

    def _reject_sweep_lists(self, arguments: Sequence[str]) -> None:
        from hydra.core.override_parser.overrides_parser import OverridesParser

        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        for override in parser.parse_overrides(list(arguments)):
            if override.is_sweep_override():
                raise ConfigError(
                    "a search recipe runs one comparison per command; run one command per value "
                    "(or list strategies in search.strategies)",
                    key=override.get_key_element().lstrip("+~"),
                )

    def _strategy_space(self, strategy: str, arguments: Sequence[str], settings: Any) -> tuple[dict, Any]:
        from omegaconf import OmegaConf

        from fairexp.sweep._space import parse_space

        from hydra.errors import HydraException
        from omegaconf.errors import OmegaConfBaseException

        extra = settings.strategy_overrides.get(strategy, ())
        try:
            composed = self.hydra_context.config_loader.load_sweep_config(
                self.config, [*arguments, f"mitigation={strategy}", *extra]
            )
        except (HydraException, OmegaConfBaseException) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            key = f"search.strategy_overrides.{strategy}" if extra else "mitigation"
            raise ConfigError(f"cannot compose {strategy}'s config: {first}", key=key) from None
        mitigation = OmegaConf.to_container(composed.mitigation, resolve=True)
        space = parse_space(mitigation.get("search_space"), "mitigation")
        if settings.search_model:
            model = OmegaConf.to_container(composed.model, resolve=True)
            space |= parse_space(model.get("search_space"), "model")
        return space, composed

    def _run_strategy(self, strategy: str, arguments: Sequence[str], settings: Any, storage: Any) -> Any:
        import math

        from tqdm.auto import tqdm

        from fairexp.sweep._space import grid_values
        from fairexp.sweep._study import fail_stale_and_orphaned_trials, make_sampler, open_study

        space, _ = self._strategy_space(strategy, arguments, settings)
        grid = grid_values(space, settings.grid_points) if settings.sampler == "grid" else None
        target = settings.n_trials if space else 1  # nothing to search: one trial is the whole strategy
        if grid is not None:
            target = min(target, math.prod(len(v) for v in grid.values()) if grid else 1)
        sampler = make_sampler(
            settings.sampler,
            seed=settings.seed,
            constrained=settings.constraint is not None,
            grid=grid,
            n_startup_trials=settings.n_startup_trials,
        )
        study = open_study(
            storage,
            f"{settings.study_name}.{strategy}",
            [o.direction for o in settings.optimized],
            sampler,
            [o.metric for o in settings.optimized],
        )
        deadline = time.monotonic() + settings.timeout if settings.timeout else None
        bar = tqdm(total=target, desc=f"{strategy:<24}", unit="trial", leave=True)
        try:
            while True:
                fail_stale_and_orphaned_trials(study, storage, settings.heartbeat_interval)
                trials = study.get_trials(deepcopy=False)
                spent = sum(_counts_toward_budget(t) for t in trials)
                finished = sum(_counts_toward_budget(t) and t.state.name not in ("RUNNING", "WAITING") for t in trials)
                bar.n = min(finished, target)
                bar.set_postfix_str(_best_so_far(trials, settings), refresh=True)
                timed_out = deadline is not None and time.monotonic() > deadline
                if timed_out or (spent >= target and finished >= spent):
                    break
                if spent >= target:  # only other workers' trials are left: wait for them
                    time.sleep(min(5.0, float(settings.heartbeat_interval or 5)))
                    continue
                batch = []
                for _ in range(min(settings.n_jobs, target - spent)):
                    trial = study.ask(space)
                    if settings.heartbeat_interval:
                        storage.record_heartbeat(trial._trial_id)  # alive from the first moment
                    if self._is_surplus(study, trial, target):
                        break
                    batch.append(trial)
                if batch:
                    self._launch(study, strategy, batch, arguments, settings, storage)
        finally:
            bar.close()
        return study

    @staticmethod
    def _is_surplus(study: Any, trial: Any, target: int) -> bool:
        """Another worker may have asked first: a trial beyond the budget is marked and never run."""
        from optuna.trial import TrialState

        from fairexp.sweep._results import SURPLUS_ATTR

        earlier = [t for t in study.get_trials(deepcopy=False) if t.number < trial.number]
        if sum(_counts_toward_budget(t) for t in earlier) < target:
            return False
        trial.set_user_attr(SURPLUS_ATTR, True)
        study.tell(trial, state=TrialState.PRUNED)
        return True

    def _launch(self, study: Any, strategy: str, batch: list[Any], arguments: Sequence[str], settings: Any, storage: Any) -> None:
        from fairexp.sweep._space import override_value

        jobs = []
        for trial in batch:
            params = [f"{name}={override_value(value)}" for name, value in trial.params.items()]
            jobs.append(
                [
                    *arguments,
                    f"mitigation={strategy}",
                    *settings.strategy_overrides.get(strategy, ()),
                    *params,
                    f"seed={settings.seed}",
                    f"hydra.sweep.subdir=trials/{strategy}/{trial.number}",
                    f"++logger.group={settings.study_name}",
                    "output.print_table=false",
                ]
            )
        with _heartbeats(storage, batch):
            returns = self.launcher.launch(jobs, initial_job_idx=self.job_idx)
        self.job_idx += len(jobs)
        for trial, ret in zip(batch, returns, strict=True):
            self._record(study, trial, ret, settings)

    @staticmethod
    def _record(study: Any, trial: Any, ret: Any, settings: Any) -> None:
        from optuna.trial import TrialState

        from fairexp.outputs import json_safe
        from fairexp.sweep._results import METRICS_ATTR, RUN_DIR_ATTR
        from fairexp.sweep._study import CONSTRAINT_ATTR, ERROR_ATTR

        hydra_cfg = getattr(ret, "hydra_cfg", None)
        if hydra_cfg is not None:
            trial.set_user_attr(RUN_DIR_ATTR, str(hydra_cfg.hydra.runtime.output_dir))
        if ret.status != JobStatus.COMPLETED:
            exc = ret._return_value
            message = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
            trial.set_user_attr(ERROR_ATTR, message)
            study.tell(trial, state=TrialState.FAIL)
            log.warning("trial %s failed: %s", trial.number, message)
            if isinstance(exc, ConfigError):
                raise exc  # a config mistake fails every trial alike: stop and say so
            return
        metrics = ret.return_value
        trial.set_user_attr(METRICS_ATTR, json_safe(metrics))
        val = metrics["val"]
        if settings.constraint is not None:
            trial.set_user_attr(CONSTRAINT_ATTR, [settings.constraint.value(val)])
        values = [val.get(o.metric) for o in settings.optimized]
        undefined = [o.metric for o, v in zip(settings.optimized, values, strict=True) if v is None or v != v]
        if undefined:
            trial.set_user_attr(ERROR_ATTR, f"objective undefined on validation: {', '.join(undefined)}")
            study.tell(trial, state=TrialState.FAIL)
            return
        study.tell(trial, values)


def _best_so_far(trials: Sequence[Any], settings: Any) -> str:
    perf, fair = settings.objectives
    done = [t for t in trials if t.state.name == "COMPLETE" and t.user_attrs.get("metrics")]
    if not done:
        return "no completed trial yet"
    pick = max if perf.direction == "maximize" else min
    best = pick(done, key=lambda t: t.user_attrs["metrics"]["val"].get(perf.metric) or 0.0)
    v = best.user_attrs["metrics"]["val"]
    return f"best val {perf.metric}={v.get(perf.metric, float('nan')):.4f} ({fair.metric}={v.get(fair.metric) or float('nan'):.4f})"


def _redacted(url: str) -> str:
    from fairexp.provenance import redact

    return redact(url)


def _summary_lines(frame: Any, summary: dict[str, Any], settings: Any) -> str:
    from fairexp.sweep._results import best_within

    perf, fair = settings.objectives
    limit = settings.constraint.max if settings.constraint and settings.constraint.max is not None else None
    picks = best_within(frame, perf, fair, limit) if len(frame) else None
    picks = picks.set_index("strategy") if picks is not None and not picks.empty else None
    head = f"{'strategy':<32} {'done':>5} {'fail':>5} {'HV(val)':>8}  {'val ' + perf.metric:>14} {'test ' + perf.metric:>14} {'test ' + fair.metric[:24]:>30}"
    lines = [head]
    for s, info in summary["strategies"].items():
        states = info["states"]
        row = f"{s:<32} {states.get('COMPLETE', 0):>5} {states.get('FAIL', 0):>5} {info['hypervolume']:>8.4f}"
        if picks is not None and s in picks.index:
            p = picks.loc[s]
            row += f"  {p[f'val.{perf.metric}']:>14.4f} {p[f'test.{perf.metric}']:>14.4f} {p[f'test.{fair.metric}']:>30.4f}"
        lines.append(row)
    note = f" with val {fair.metric} <= {limit}" if limit is not None else ""
    lines.append(f"(each strategy's point: best validation {perf.metric}{note}; reported on test)")
    return "\n".join(lines)
