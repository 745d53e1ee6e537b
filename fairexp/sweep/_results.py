"""From finished studies to the sweep's outputs: trials table, frontiers, hypervolumes, plots.

The Pareto set is computed on validation metrics only; each frontier point
carries its test metrics alongside, so what is reported on test was never
chosen on test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairexp.sweep._config import Objective, SearchSettings
from fairexp.sweep._study import ERROR_ATTR

SURPLUS_ATTR = "surplus"
METRICS_ATTR = "metrics"
RUN_DIR_ATTR = "run_dir"


def trials_frame(studies: Mapping[str, Any]) -> pd.DataFrame:
    """One row per trial of every strategy: state, params, every val/test metric, error."""
    rows = []
    for strategy, study in studies.items():
        for t in study.get_trials(deepcopy=False):
            if t.user_attrs.get(SURPLUS_ATTR):
                continue  # asked by a worker after the budget was met: never run
            row: dict[str, Any] = {
                "strategy": strategy,
                "trial": t.number,
                "state": t.state.name,
                "duration_s": t.duration.total_seconds() if t.duration else np.nan,
            }
            row.update({f"params.{k}": v for k, v in t.params.items()})
            for split, values in (t.user_attrs.get(METRICS_ATTR) or {}).items():
                row.update({f"{split}.{k}": (np.nan if v is None else v) for k, v in values.items()})
            row["error"] = t.user_attrs.get(ERROR_ATTR, "")
            if t.state.name == "FAIL" and not row["error"]:
                row["error"] = "interrupted (worker stopped before the trial finished)"
            row["run_dir"] = t.user_attrs.get(RUN_DIR_ATTR, "")
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=["strategy", "trial", "state", "is_pareto"])
    front = ["strategy", "trial", "state", "duration_s"]
    params = sorted(c for c in frame.columns if c.startswith("params."))
    val = sorted(c for c in frame.columns if c.startswith("val."))
    test = sorted(c for c in frame.columns if c.startswith("test."))
    rest = [c for c in frame.columns if c not in {*front, *params, *val, *test}]
    return frame[front + params + val + test + rest].sort_values(["strategy", "trial"], ignore_index=True)


def _objective_matrix(frame: pd.DataFrame, objectives: Sequence[Objective], split: str = "val") -> np.ndarray:
    cols = [f"{split}.{o.metric}" for o in objectives]
    if frame.empty or any(c not in frame.columns for c in cols):
        return np.empty((len(frame), len(objectives)))
    values = frame[cols].to_numpy(dtype=float)
    values[(frame["state"] != "COMPLETE").to_numpy()] = np.nan
    return values


def mark_pareto(frame: pd.DataFrame, objectives: Sequence[Objective]) -> pd.DataFrame:
    """Add ``is_pareto``: non-dominated on validation within its strategy."""
    from fairexp.pareto import pareto_mask

    frame = frame.copy()
    frame["is_pareto"] = False
    directions = [o.direction for o in objectives]
    for _, idx in frame.groupby("strategy").groups.items():
        part = frame.loc[idx]
        frame.loc[idx, "is_pareto"] = pareto_mask(_objective_matrix(part, objectives), directions)
    frame["is_pareto"] = frame["is_pareto"].astype(bool)
    return frame


def reference_point(settings: SearchSettings) -> list[float]:
    from fairexp.errors import ConfigError
    from fairexp.pareto import normalized_reference

    if settings.reference is not None:
        return list(settings.reference)
    try:
        return list(normalized_reference([o.metric for o in settings.objectives], [o.direction for o in settings.objectives]))
    except ValueError as exc:
        raise ConfigError(f"no natural bound for these objectives ({exc}); set it", key="search.reference") from None


def frontier_summary(frame: pd.DataFrame, settings: SearchSettings) -> dict[str, Any]:
    """Per strategy: trial counts by state, hypervolume of the validation frontier and its curve over trials."""
    from fairexp.pareto import hypervolume, hypervolume_curve

    objectives = settings.objectives
    directions = [o.direction for o in objectives]
    ref = reference_point(settings)
    out: dict[str, Any] = {
        "objectives": [{"metric": o.metric, "direction": o.direction} for o in objectives],
        "reference": ref,
        "strategies": {},
    }
    for strategy, part in frame.groupby("strategy", sort=False):
        part = part.sort_values("trial")
        values = _objective_matrix(part, objectives)
        states = part["state"].value_counts().to_dict()
        curve = hypervolume_curve(values, directions, ref) if len(part) else np.array([])
        out["strategies"][strategy] = {
            "n_trials": int(len(part)),
            "states": {k: int(v) for k, v in states.items()},
            "hypervolume": float(hypervolume(values, directions, ref)) if len(part) else 0.0,
            "hypervolume_curve": [float(v) for v in curve],
            "n_pareto": int(part["is_pareto"].sum()),
        }
    return out


def best_within(frame: pd.DataFrame, perf: Objective, fair: Objective, limit: float | None) -> pd.DataFrame:
    """Per strategy, the trial with the best validation performance whose validation disparity is within ``limit``.

    This is the operating point a reviewer would pick; its test metrics are reported as they are.
    """
    done = frame[frame["state"] == "COMPLETE"]
    rows = []
    for strategy, part in done.groupby("strategy", sort=False):
        ok = part
        if limit is not None:
            fair_val = part[f"val.{fair.metric}"]
            ok = part[fair_val <= limit] if fair.direction == "minimize" else part[fair_val >= limit]
        if ok.empty:
            continue
        col = f"val.{perf.metric}"
        pick = ok.loc[ok[col].idxmax()] if perf.direction == "maximize" else ok.loc[ok[col].idxmin()]
        rows.append(pick)
    return pd.DataFrame(rows).reset_index(drop=True)


def write_outputs(sweep_dir: Path, frame: pd.DataFrame, summary: Mapping[str, Any], settings: SearchSettings) -> dict[str, Path]:
    """``trials.csv``, ``pareto.csv``, ``summary.json`` and the trade-off plots, each written atomically."""
    from fairexp.outputs import write_csv, write_json

    perf, fair = settings.objectives
    paths = {
        "trials": write_csv(sweep_dir / "trials.csv", frame, index=False),
        "pareto": write_csv(sweep_dir / "pareto.csv", frame[frame["is_pareto"]], index=False),
        "summary": write_json(sweep_dir / "summary.json", summary),
    }
    done = frame[frame["state"] == "COMPLETE"]
    if not done.empty:
        from fairexp.plots import write_tradeoff

        baseline = "none" if "none" in set(done["strategy"]) else None
        paths.update(
            write_tradeoff(frame, sweep_dir, x_metric=fair.metric, y_metric=perf.metric, baseline_strategy=baseline)
        )
    return paths


def log_sweep(tracker: Any, sweep_dir: Path, frame: pd.DataFrame, summary: Mapping[str, Any], settings: SearchSettings, config: Mapping[str, Any]) -> str | None:
    """One W&B summary run per sweep: Pareto table, frontier chart, trade-off image, hypervolumes."""
    if not getattr(tracker, "enabled", False):
        return None
    import wandb

    perf, fair = settings.objectives
    table_frame = frame.drop(columns=["run_dir"], errors="ignore").copy()
    for col in table_frame.columns:
        if table_frame[col].dtype == object:
            table_frame[col] = table_frame[col].astype(str)
    pareto_table = wandb.Table(dataframe=table_frame[table_frame["is_pareto"]].reset_index(drop=True))
    extra: dict[str, Any] = {
        "trials": wandb.Table(dataframe=table_frame.reset_index(drop=True)),
        "pareto": pareto_table,
        "frontier": wandb.plot.scatter(
            pareto_table, f"val.{fair.metric}", f"val.{perf.metric}", title="Validation Pareto frontiers"
        ),
    }
    png = sweep_dir / "tradeoff.png"
    if png.exists():
        extra["tradeoff"] = wandb.Image(str(png))
    curves = {s: v["hypervolume_curve"] for s, v in summary["strategies"].items() if v["hypervolume_curve"]}
    if curves:
        extra["hypervolume_curve"] = wandb.plot.line_series(
            xs=[list(range(len(c))) for c in curves.values()],
            ys=list(curves.values()),
            keys=list(curves),
            title="Hypervolume over trials",
            xname="trial",
        )
    metrics = {"hypervolume": {s: v["hypervolume"] for s, v in summary["strategies"].items()}}
    return tracker.log_run(
        dir=sweep_dir,
        name=f"{settings.study_name}-summary",
        config=config,
        metrics=metrics,
        job_type="summary",
        group=settings.study_name,
        extra=extra,
    )
