"""Rebuild the selected model from its run directory; check reproducibility; flip the group.

Runs are reproducible bit for bit given the seed, so the selected model is refit from
``config.yaml`` (:func:`fairexp.experiment.prepare_data` + :func:`fit_strategy`) and its
test decisions are compared with ``predictions.parquet``: equal decisions are the
reproducibility check.

The counterfactual check then changes each test row's sensitive value (a binary attribute:
the other value; more values: each alternative in turn), keeping every other input, and
counts the decisions that change. It applies where the group reaches the decision:

* ``dataset.keep_sensitive: true``: the sensitive column is a model input (swapped in the
  raw ``X``, transformed with the run's train-fitted preprocessor, and in the
  ``sensitive_features`` the strategy is given);
* a post-processing strategy (threshold optimizer, or a chain ending in one) applies
  group-specific thresholds at decision time: only ``sensitive_features`` is swapped.

Otherwise the check does not apply, and the report says that proxies may still carry the
sensitive attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PROXY_NOTE = (
    "The sensitive attribute is not a model input here, so flipping it cannot change a decision and the "
    "counterfactual check does not apply. Other inputs may still act as proxies for it (e.g. correlated "
    "features), which is what the per-group disparities above measure."
)


def _post_processing(mitigation_cfg: Mapping[str, Any]) -> bool:
    from fairexp.mitigations import mitigation_class

    name = str(mitigation_cfg.get("name"))
    if name == "chain":
        steps = [s if isinstance(s, str) else s.get("name") for s in mitigation_cfg.get("steps") or []]
        return any(mitigation_class(str(s)).stage == "post" for s in steps)
    return mitigation_class(name).stage == "post"


def applicability(config: Mapping[str, Any]) -> tuple[bool, str]:
    """(applies, how): ``how`` is ``model_input``, ``decision_time`` or ``not_applicable``."""
    keep = bool((config.get("dataset") or {}).get("keep_sensitive", False))
    if keep:
        return True, "model_input"
    try:
        if _post_processing(config.get("mitigation") or {}):
            return True, "decision_time"
    except Exception:  # noqa: BLE001 - an unknown strategy name: treat as not using the group
        pass
    return False, "not_applicable"


def rebuild(config: Mapping[str, Any]) -> tuple[Any, Any]:
    """(prepared data, fitted strategy) from a run's resolved config."""
    from fairexp.experiment import fit_strategy, prepare_data

    seed = int(config.get("seed", 0))
    data = prepare_data(config["dataset"], seed=seed)
    strategy = fit_strategy(data, config["model"], config["mitigation"], seed=seed)
    return data, strategy


def counterfactual_check(config: Mapping[str, Any], recorded_test: Any) -> dict[str, Any]:
    """Reproducibility + counterfactual summary for the run described by ``config``.

    ``recorded_test`` is the test part of ``predictions.parquet`` (row order = the split's).
    """
    import warnings

    applies, how = applicability(config)
    out: dict[str, Any] = {"applies": applies, "how": how, "note": "", "reproducibility": None, "columns": []}
    if not applies:
        out["note"] = PROXY_NOTE
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data, strategy = rebuild(config)
        split = data.splits["test"]
        X_raw, sens = split.X, split.sensitive
        original = np.asarray(strategy.predict(data.features["test"], sensitive_features=sens)).astype(int)
        recorded = recorded_test["y_pred"].to_numpy().astype(int)
        same = len(recorded) == len(original) and bool(np.array_equal(original, recorded))
        out["reproducibility"] = {
            "rebuilt_equals_recorded": same,
            "n_rows": int(len(original)),
            "n_differ": int((original != recorded).sum()) if len(recorded) == len(original) else None,
        }
        for col in sens.columns:
            out["columns"].append(_flip_column(data, strategy, col, how, X_raw, sens, original))
    total = sum(c["n_changed"] for c in out["columns"])
    if how == "model_input":
        out["note"] = (
            "The sensitive attribute is a model input (dataset.keep_sensitive: true): each test row was re-scored "
            "with its sensitive value swapped, all other inputs unchanged."
        )
    else:
        out["note"] = (
            "The sensitive attribute is not a model input, but this post-processing strategy applies group-specific "
            "thresholds at decision time: each test row was re-decided under the other group's thresholds."
        )
    out["any_changed"] = bool(total)
    return out


def _flip_column(data: Any, strategy: Any, col: str, how: str, X_raw: Any, sens: Any, original: np.ndarray) -> dict[str, Any]:
    import pandas as pd

    sens_values = sens[col].astype(str)
    values = sorted(sens_values.unique().tolist())
    in_x = how == "model_input" and col in X_raw.columns
    # the raw X value that goes with each sensitive label (they differ only in dtype)
    x_of: dict[str, Any] = {}
    if in_x:
        for xv, sv in zip(X_raw[col].tolist(), sens_values.tolist()):
            x_of.setdefault(sv, xv)
    changed_any = np.zeros(len(original), dtype=bool)
    pairs = []
    for target in values:
        X_cf = X_raw.copy()
        sens_cf = sens.copy()
        sens_cf[col] = pd.Series([target] * len(sens_cf), dtype=sens[col].dtype, index=sens_cf.index)
        if in_x:
            X_cf[col] = pd.Series([x_of[target]] * len(X_cf), dtype=X_raw[col].dtype, index=X_cf.index)
            features = np.asarray(data.preprocessor.transform(X_cf), dtype=np.float64)
        else:
            features = data.features["test"]
        pred = np.asarray(strategy.predict(features, sensitive_features=sens_cf)).astype(int)
        moved = (sens_values != target).to_numpy()
        flips = (pred != original) & moved
        changed_any |= flips
        for source in values:
            if source == target:
                continue
            rows = (sens_values == source).to_numpy()
            n = int(rows.sum())
            pairs.append(
                {
                    "from": source,
                    "to": target,
                    "n": n,
                    "n_changed": int(flips[rows].sum()),
                    "share_changed": float(flips[rows].mean()) if n else float("nan"),
                    "to_positive": int(((pred == 1) & (original == 0) & rows).sum()),
                    "to_negative": int(((pred == 0) & (original == 1) & rows).sum()),
                }
            )
    return {
        "column": col,
        "values": values,
        "n": int(len(original)),
        "n_changed": int(changed_any.sum()),
        "share_changed": float(changed_any.mean()) if len(original) else float("nan"),
        "pairs": sorted(pairs, key=lambda p: (p["from"], p["to"])),
    }
