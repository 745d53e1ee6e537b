"""Choosing the operating point on VALIDATION, reporting it on TEST.

Every selection rule sees a validation-only view of the trials (all ``test.*`` columns
dropped before any rule runs), so nothing reported on test was chosen on test.

The policy's rules are hard limits for every selection rule: only COMPLETE trials whose
validation metrics meet all of them are candidates. Among the candidates:

* ``best_within_limits``: the best validation performance;
* ``knee``: the knee of the candidates' validation frontier (performance vs. the
  disparity, i.e. the first fairness rule's metric, or DP difference without one): both axes are min-max normalised to
  "higher is better", and the knee is the frontier point farthest from the chord joining
  the frontier's two ends, on the side of the ideal point (with fewer than three frontier
  points, or no point beyond the chord, the best performance);
* ``weighted``: the best ``alpha * performance - (1 - alpha) * disparity``, on the raw
  metric values, where disparity is that metric written so that lower is
  better (the metric itself for ``*_difference`` metrics, ``1 - value`` for ratios).

Ties go to the better disparity, then to the strategy name and trial number, so a
selection is reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairexp.report._inputs import InputError, Inputs
from fairexp.report._policy import Policy


@dataclass
class Selection:
    """The selected operating point (or why there is none)."""

    found: bool
    method: str
    reason: str
    strategy: str | None = None
    trial: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    val: dict[str, float] = field(default_factory=dict)
    test: dict[str, float] = field(default_factory=dict)
    run_dir: Path | None = None
    n_complete: int = 0
    n_feasible: int = 0
    meets_limits_on_val: bool = True
    val_violations: list[str] = field(default_factory=list)

    def to_dict(self, base: Path | None = None) -> dict[str, Any]:
        run_dir = None
        if self.run_dir is not None:
            run_dir = str(self.run_dir)
            if base is not None:
                try:
                    run_dir = str(self.run_dir.relative_to(base)) or "."
                except ValueError:
                    pass
        return {
            "found": self.found,
            "method": self.method,
            "reason": self.reason,
            "strategy": self.strategy,
            "trial": self.trial,
            "params": self.params,
            "run_dir": run_dir,
            "n_complete_trials": self.n_complete,
            "n_within_limits_on_val": self.n_feasible,
            "meets_limits_on_val": self.meets_limits_on_val,
            "val_violations": self.val_violations,
            "val": self.val,
            "test": self.test,
        }


def validation_view(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials without any test column: all a selection rule may look at."""
    return trials[[c for c in trials.columns if not str(c).startswith("test.")]]


def _directions() -> dict[str, str]:
    from fairexp.metrics import METRIC_DIRECTIONS

    return dict(METRIC_DIRECTIONS)


def disparity_loss(values: np.ndarray | pd.Series, metric: str) -> np.ndarray:
    """The disparity metric oriented so that lower is better (``1 - value`` for ratios)."""
    v = np.asarray(values, dtype=float)
    return v if _directions()[metric] == "minimize" else 1.0 - v


def _column(frame: pd.DataFrame, metric: str) -> pd.Series:
    col = f"val.{metric}"
    if col not in frame.columns:
        raise InputError(f"trials.csv has no '{col}' column (the policy needs it)", key="trials.csv")
    return pd.to_numeric(frame[col], errors="coerce").astype(float)


def feasible_mask(val_frame: pd.DataFrame, policy: Policy) -> np.ndarray:
    """COMPLETE trials whose validation metrics meet every rule (undefined never does)."""
    ok = (val_frame["state"].astype(str) == "COMPLETE").to_numpy()
    ok &= np.isfinite(_column(val_frame, policy.performance).to_numpy())
    for rule in policy.rules:
        values = _column(val_frame, rule.metric).to_numpy()
        ok &= np.array([rule.holds(v) for v in values], dtype=bool)
    return ok


def _ordered(cands: pd.DataFrame, key: np.ndarray, policy: Policy) -> pd.DataFrame:
    """Candidates best first: ``key`` (higher better), then lower disparity, strategy, trial."""
    return cands.assign(
        _key=-np.asarray(key, dtype=float),
        _disp=disparity_loss(_column(cands, policy.disparity), policy.disparity),
    ).sort_values(["_key", "_disp", "strategy", "trial"], kind="mergesort")


def knee_position(perf: np.ndarray, disp_loss: np.ndarray) -> int:
    """Index (into the inputs) of the knee of the frontier of (perf up, disparity loss down).

    Non-frontier points are never chosen. See the module docstring for the definition.
    """
    from fairexp.pareto import pareto_mask

    perf = np.asarray(perf, dtype=float)
    disp_loss = np.asarray(disp_loss, dtype=float)
    front = np.flatnonzero(pareto_mask(np.column_stack([perf, disp_loss]), ["maximize", "minimize"]))
    best_perf = int(front[np.argmax(perf[front])])
    if len(front) < 3:
        return best_perf
    p, d = perf[front], disp_loss[front]
    span_p, span_d = p.max() - p.min(), d.max() - d.min()
    if span_p <= 0 or span_d <= 0:
        return best_perf
    gp = (p - p.min()) / span_p  # higher better
    gf = (d.max() - d) / span_d  # higher better
    a = np.array([gf[np.argmax(gp)], gp.max()])  # the best-performance end
    b = np.array([gf.max(), gp[np.argmax(gf)]])  # the fairest end
    chord = b - a
    # signed distance to the chord, positive towards the ideal point (1, 1)
    dist = (chord[0] * (gp - a[1]) - chord[1] * (gf - a[0])) / np.hypot(*chord)
    if not np.any(dist > 1e-12):
        return best_perf
    return int(front[int(np.argmax(dist))])


def choose(trials: pd.DataFrame, policy: Policy) -> tuple[Any, int, int]:
    """The index label of the selected trial (or None), the number of complete and feasible trials.

    Only a validation-only view of ``trials`` is used.
    """
    view = validation_view(trials)
    complete = int((view["state"].astype(str) == "COMPLETE").sum())
    cands = view[feasible_mask(view, policy)]
    if cands.empty:
        return None, complete, 0
    perf = _column(cands, policy.performance).to_numpy()
    if policy.selection == "best_within_limits":
        key = perf
    elif policy.selection == "weighted":
        disp = disparity_loss(_column(cands, policy.disparity), policy.disparity)
        key = policy.alpha * perf - (1.0 - policy.alpha) * disp
        key = np.where(np.isfinite(key), key, -np.inf)
    elif policy.selection == "knee":
        disp = disparity_loss(_column(cands, policy.disparity), policy.disparity)
        key = np.zeros(len(cands))
        key[knee_position(perf, disp)] = 1.0
    else:  # guarded by the policy parser
        raise ValueError(policy.selection)
    return _ordered(cands, key, policy).index[0], complete, len(cands)


def _metrics_of(row: pd.Series, split: str) -> dict[str, float]:
    out = {}
    for col, v in row.items():
        if str(col).startswith(f"{split}."):
            try:
                out[str(col)[len(split) + 1 :]] = float(v)
            except (TypeError, ValueError):
                out[str(col)[len(split) + 1 :]] = float("nan")
    return out


def _params_of(row: pd.Series) -> dict[str, Any]:
    out = {}
    for col, v in row.items():
        if str(col).startswith("params.") and not (isinstance(v, float) and math.isnan(v)):
            out[str(col)[len("params.") :]] = v.item() if hasattr(v, "item") else v
    return out


def _violations(metrics: dict[str, float], policy: Policy) -> list[str]:
    out = []
    for rule in policy.rules:
        v = metrics.get(rule.metric, float("nan"))
        if not rule.holds(v):
            shown = "undefined" if not math.isfinite(v) else f"{v:.4g}"
            out.append(f"{rule.metric} = {shown} (limit: {rule.describe()})")
    return out


def select(inputs: Inputs, policy: Policy) -> Selection:
    """The operating point of a sweep (chosen on validation) or the single run itself."""
    method = policy.selection
    if inputs.kind == "run":
        run = inputs.run
        assert run is not None
        violations = _violations(run.metrics["val"], policy)
        return Selection(
            found=True,
            method="single run",
            reason="a single run directory: the selection is that run",
            strategy=run.strategy,
            trial=None,
            params={},
            val=run.metrics["val"],
            test=run.metrics["test"],
            run_dir=run.path,
            n_complete=1,
            n_feasible=0 if violations else 1,
            meets_limits_on_val=not violations,
            val_violations=violations,
        )
    trials = inputs.trials
    label, complete, feasible = choose(trials, policy)
    if label is None:
        if complete == 0:
            reason = "no trial completed, so there is nothing to select"
        else:
            limits = "; ".join(r.describe() for r in policy.rules) or "(none)"
            reason = f"no trial meets the policy's limits on validation ({limits}); {complete} complete trials checked"
        return Selection(found=False, method=method, reason=reason, n_complete=complete, n_feasible=0, meets_limits_on_val=False)
    row = trials.loc[label]
    strategy, trial = str(row["strategy"]), int(row["trial"])
    describe = {
        "best_within_limits": f"the best validation {policy.performance} among the {feasible} trials within the limits",
        "knee": f"the knee of the validation frontier of the {feasible} trials within the limits",
        "weighted": f"the best alpha*{policy.performance} - (1-alpha)*{policy.disparity} (alpha = {policy.alpha:g}) "
        f"on validation among the {feasible} trials within the limits",
    }[method]
    return Selection(
        found=True,
        method=method,
        reason=describe,
        strategy=strategy,
        trial=trial,
        params=_params_of(row),
        val=_metrics_of(row, "val"),
        test=_metrics_of(row, "test"),
        run_dir=inputs.run_dir(strategy, trial),
        n_complete=complete,
        n_feasible=feasible,
    )


def baseline_row(trials: pd.DataFrame, policy: Policy, strategy: str = "none") -> Any:
    """The baseline's best-validation-performance complete trial (index label), or None."""
    view = validation_view(trials)
    part = view[(view["strategy"].astype(str) == strategy) & (view["state"].astype(str) == "COMPLETE")]
    perf = _column(part, policy.performance)
    part = part[np.isfinite(perf.to_numpy())]
    if part.empty:
        return None
    return _ordered(part, _column(part, policy.performance).to_numpy(), policy).index[0]


def per_strategy_best(trials: pd.DataFrame, policy: Policy) -> dict[str, Any]:
    """Per strategy, the index label of its best-within-limits trial on validation (None if none)."""
    from dataclasses import replace

    best_policy = replace(policy, selection="best_within_limits")
    out: dict[str, Any] = {}
    for strategy in dict.fromkeys(trials["strategy"].astype(str)):
        part = trials[trials["strategy"].astype(str) == strategy]
        out[strategy] = choose(part, best_policy)[0]
    return out
