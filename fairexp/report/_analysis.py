"""Everything the report and the gate say, computed once from a sweep or run directory.

:func:`analyse` returns a JSON-safe mapping (written as ``selection.json``) plus the frames
the renderers need. Selection happens on validation only (:mod:`fairexp.report._select`);
the selected run's ``predictions.parquet`` then gives every test number, recomputed with
:func:`fairexp.metrics.evaluate` and bootstrapped (:mod:`fairexp.report._stats`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairexp.report._inputs import Inputs, InputError, Run, read_run
from fairexp.report._policy import Policy
from fairexp.report._select import Selection, baseline_row, per_strategy_best, select

#: Metrics shown in the report's headline table, after the policy's own.
HEADLINE = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "f1",
    "selection_rate",
    "demographic_parity_difference",
    "disparate_impact_ratio",
    "equalized_odds_difference",
    "true_positive_rate_difference",
    "false_positive_rate_difference",
)
#: Selection-rate disparity metrics a policy rule may set the practical limit with.
SELECTION_DISPARITY = ("demographic_parity_difference", "disparate_impact_ratio", "demographic_parity_ratio")


@dataclass
class Analysis:
    data: dict[str, Any]  # JSON-safe: selection.json
    inputs: Inputs
    policy: Policy
    selection: Selection
    run: Run | None = None
    group_tables: list[dict[str, Any]] = field(default_factory=list)  # {"columns", "role", "table": DataFrame}


def _finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _strip(cfg: Any) -> Any:
    """A config node without its search space (what was fit, not what could have been)."""
    if isinstance(cfg, dict):
        return {k: _strip(v) for k, v in cfg.items() if k != "search_space"}
    if isinstance(cfg, list):
        return [_strip(v) for v in cfg]
    return cfg


def _consistency(recorded: dict[str, float], recomputed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Largest gap between the recorded test metrics and those recomputed from predictions.parquet."""
    gaps, mismatched = [], []
    for name, est in recomputed.items():
        a, b = recorded.get(name), est["value"]
        if a is None:
            continue
        if _finite(a) != _finite(b):
            mismatched.append(name)
        elif _finite(a):
            gap = abs(float(a) - float(b))
            gaps.append(gap)
            if gap > 1e-9:
                mismatched.append(name)
    return {"max_abs_difference": max(gaps) if gaps else None, "mismatched": mismatched, "ok": not mismatched}


def _cost_of_fairness(inputs: Inputs, policy: Policy) -> dict[str, Any]:
    """Per strategy: test accuracy lost and disparity removed, baseline vs its best point within limits."""
    trials = inputs.trials
    out: dict[str, Any] = {"baseline": None, "rows": [], "note": ""}
    if trials is None:
        out["note"] = "a single run has no baseline to compare with"
        return out
    base_label = baseline_row(trials, policy)
    if base_label is None:
        out["note"] = "the sweep has no completed 'none' (baseline) trial, so the cost of fairness cannot be measured"
        return out
    disp, perf = policy.disparity, policy.performance

    def point(label: Any) -> dict[str, Any]:
        row = trials.loc[label]
        get = lambda col: float(pd.to_numeric(pd.Series([row.get(col)]), errors="coerce").iloc[0])  # noqa: E731
        return {
            "strategy": str(row["strategy"]),
            "trial": int(row["trial"]),
            "test_accuracy": get("test.accuracy"),
            "test_performance": get(f"test.{perf}"),
            "test_disparity": get(f"test.{disp}"),
            "val_performance": get(f"val.{perf}"),
            "val_disparity": get(f"val.{disp}"),
        }

    base = point(base_label)
    out["baseline"] = base
    for strategy, label in per_strategy_best(trials, policy).items():
        if strategy == "none":
            continue
        row: dict[str, Any] = {"strategy": strategy, "found": label is not None}
        if label is None:
            row["sentence"] = f"{strategy}: no trial met the policy's limits on validation."
            out["rows"].append(row)
            continue
        p = point(label)
        acc_lost = base["test_accuracy"] - p["test_accuracy"]
        errors = acc_lost * 10_000
        row.update(p)
        row.update(
            {
                "accuracy_lost": acc_lost,
                "extra_errors_per_10000": errors,
                "performance_lost": base["test_performance"] - p["test_performance"],
                "disparity_change": p["test_disparity"] - base["test_disparity"],
            }
        )
        if _finite(errors):
            n = abs(round(errors))
            errs = f"about {n:,} more errors" if errors > 0.5 else (f"about {n:,} fewer errors" if errors < -0.5 else "about the same number of errors")
        else:
            errs = "an unknown change in errors (accuracy undefined)"
        a, b = base["test_disparity"], p["test_disparity"]
        if _finite(a) and _finite(b):
            from fairexp.report._select import disparity_loss

            better = disparity_loss(np.array([b]), disp)[0] < disparity_loss(np.array([a]), disp)[0]
            verb = "improves" if better else ("is unchanged" if a == b else "worsens")
            disp_text = f"{disp} {verb} from {a:.3f} to {b:.3f}"
        else:
            disp_text = f"{disp} is undefined on test for one of the two points"
        row["sentence"] = (
            f"{strategy} (trial {p['trial']}): per 10,000 decisions, {errs} than the baseline "
            f"(test accuracy {base['test_accuracy']:.3f} \u2192 {p['test_accuracy']:.3f}); {disp_text}."
        )
        out["rows"].append(row)
    return out


def _practical_limits(policy: Policy, metrics_ci: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The policy's limits on selection-rate disparity, with the observed test values."""
    out = []
    for rule in policy.rules:
        if rule.metric not in SELECTION_DISPARITY:
            continue
        observed = metrics_ci.get(rule.metric, {}).get("value", float("nan"))
        for kind, value in (("max", rule.max), ("min", rule.min)):
            if value is not None:
                out.append({"metric": rule.metric, "kind": kind, "value": value, "observed": observed})
    return out


def analyse(inputs: Inputs, policy: Policy, *, counterfactual: bool = True, full: bool = True) -> Analysis:
    """Select, then evaluate the selected run on test. ``full=False`` skips what only the report needs."""
    from fairexp import __version__
    from fairexp.report._gate import check_rules
    from fairexp.report._groups import confusion_matrices, group_frame, intersectional_tables
    from fairexp.report._stats import bootstrap_metrics, selection_rate_test, significance_sentence

    sel = select(inputs, policy)
    base = inputs.path
    data: dict[str, Any] = {
        "fairexp_version": __version__,
        "generated": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "input": {"path": str(inputs.path), "kind": inputs.kind},
        "policy": policy.to_dict(),
        "policy_is_default": policy.is_default,
        "selection": sel.to_dict(base if inputs.kind == "sweep" else None),
    }
    if inputs.kind == "sweep":
        counts = inputs.trials.groupby(["strategy", "state"]).size().unstack(fill_value=0)
        data["trials"] = {s: {k: int(v) for k, v in r.items()} for s, r in counts.iterrows()}
    analysis = Analysis(data, inputs, policy, sel)
    if full:
        data["cost_of_fairness"] = _cost_of_fairness(inputs, policy)
    if not sel.found:
        data["rules"] = []
        return analysis

    run = inputs.run if inputs.kind == "run" else read_run(sel.run_dir)
    analysis.run = run
    sensitive, audit = run.sensitive, run.audit
    if not sensitive:
        raise InputError("predictions.parquet has none of the run's sensitive columns", key=str(run.path))
    test = run.split("test")
    metrics_ci = bootstrap_metrics(
        test, sensitive, n_bootstrap=policy.n_bootstrap, confidence=policy.confidence, seed=policy.seed
    )
    data["test_metrics"] = metrics_ci
    data["consistency"] = _consistency(sel.test, metrics_ci)
    data["rules"] = check_rules(policy, metrics_ci)
    info = run.info
    dcfg = run.config.get("dataset", {})
    data["dataset"] = {
        "name": info.get("dataset", dcfg.get("name")),
        "source": info.get("source"),
        "positive_label": info.get("positive_label"),
        "data_sha256": info.get("data_sha256"),
        "sizes": info.get("sizes"),
        "n_features_in": info.get("n_features_in"),
        "sensitive": sensitive,
        "audit": audit,
        "keep_sensitive": bool(dcfg.get("keep_sensitive", False)),
        "sample": dcfg.get("sample"),
        "split": dcfg.get("split"),
        "seed": run.config.get("seed"),
    }
    data["model"] = {
        "model": _strip(run.config.get("model")),
        "mitigation": _strip(run.config.get("mitigation")),
        "estimator_class": info.get("strategy"),
        "provenance": {k: run.provenance.get(k) for k in ("git_commit", "packages", "python") if k in run.provenance},
    }
    main = group_frame(test, sensitive, policy.min_group_size)
    data["small_groups"] = [
        {"columns": t["columns"], "group": r["group"], "count": int(r["count"])}
        for t in (intersectional_tables(test, sensitive, audit, policy.min_group_size) if full else [{"columns": sensitive, "table": main}])
        for _, r in t["table"].iterrows()
        if r["small"]
    ]
    dir_ci = metrics_ci.get("disparate_impact_ratio", {})
    from fairexp.metrics import FOUR_FIFTHS

    data["four_fifths"] = {
        "ratio": dir_ci.get("value"),
        "ci": [dir_ci.get("lower"), dir_ci.get("upper")],
        "threshold": FOUR_FIFTHS,
        "passed": bool(_finite(dir_ci.get("value")) and dir_ci["value"] >= FOUR_FIFTHS),
        "groups": sensitive,
    }
    if not full:
        return analysis

    from fairexp.metrics import group_labels

    labels = group_labels(test[sensitive].astype(str))
    sig = selection_rate_test(test["y_pred"].to_numpy(), labels.to_numpy())
    sig["alpha"] = 1.0 - policy.confidence
    sig["sentence"] = significance_sentence(sig, alpha=sig["alpha"], limit=_practical_limits(policy, metrics_ci))
    data["significance"] = sig
    tables = intersectional_tables(test, sensitive, audit, policy.min_group_size)
    analysis.group_tables = tables
    data["groups"] = [
        {"columns": t["columns"], "role": t["role"], "rows": t["table"].to_dict(orient="records")} for t in tables
    ]
    data["confusion"] = confusion_matrices(test, sensitive, policy.min_group_size)
    if counterfactual:
        from fairexp.report._counterfactual import counterfactual_check

        data["counterfactual"] = counterfactual_check(run.config, test)
    else:
        data["counterfactual"] = {"applies": None, "how": "skipped", "note": "skipped (--no-counterfactual)", "columns": []}
    return analysis
