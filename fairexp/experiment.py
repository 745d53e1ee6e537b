"""One experiment, end to end: config -> data -> model + mitigation -> evaluation -> outputs.

Each stage is a function of the previous stage's output only:

* :func:`prepare_data` loads, splits and preprocesses (fit on train only);
* :func:`fit_strategy` builds the base model and mitigation and fits them on train;
* :func:`evaluate_strategy` predicts on validation and test and computes metrics;
* :func:`write_run` writes the run directory atomically, only once all of the above succeeded.

The protocol is honest by construction: nothing is fit or chosen on test.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

EVAL_SPLITS = ("val", "test")


@dataclass(frozen=True)
class PreparedData:
    """Splits of one dataset plus the train-fitted preprocessing, shared by every strategy."""

    dataset: Any  # fairexp.datasets.Dataset
    splits: Mapping[str, Any]  # split name -> fairexp.datasets.DataSplit
    preprocessor: Any
    features: Mapping[str, np.ndarray]  # split name -> transformed, dense X
    seconds: float
    key: str = ""  # identifies (dataset config, seed): what cached fits are keyed on


@dataclass
class ExperimentResult:
    """Everything a run produces, before (and independent of) where it is written."""

    metrics: dict[str, dict[str, float]]
    groups: pd.DataFrame
    predictions: pd.DataFrame
    timings: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)


_DATA_CACHE: OrderedDict[str, PreparedData] = OrderedDict()
_DATA_CACHE_SIZE = 2
_BASE_MODEL_CACHE: OrderedDict[str, Any] = OrderedDict()
_BASE_MODEL_CACHE_SIZE = 4


def _cached(cache: OrderedDict[str, Any], size: int, key: str, make: Callable[[], Any]) -> Any:
    """``cache[key]``, made on a miss; the least recently used entries beyond ``size`` are dropped."""
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = cache[key] = make()
    while len(cache) > size:
        cache.popitem(last=False)
    return value


def _cache_key(dataset_cfg: Mapping[str, Any], seed: int) -> str:
    return json.dumps({"dataset": dataset_cfg, "seed": seed}, sort_keys=True, default=str)


def prepare_data(dataset_cfg: Mapping[str, Any], *, seed: int) -> PreparedData:
    """Load, split and preprocess a dataset; cached per (config, seed) within a process.

    A sweep runs many trials on the same data: loading and fitting the
    preprocessing once per split (not per trial) is what keeps fairexp's own
    cost small next to the model fits. Cached arrays are read-only.
    """
    key = _cache_key(dataset_cfg, seed)
    return _cached(_DATA_CACHE, _DATA_CACHE_SIZE, key, lambda: _prepare(dataset_cfg, seed, key))


def _prepare(dataset_cfg: Mapping[str, Any], seed: int, key: str) -> PreparedData:
    from fairexp.datasets import load_dataset, split_dataset
    from fairexp.models import make_preprocessor

    t0 = time.perf_counter()
    dataset = load_dataset(dataset_cfg, seed=seed)
    splits = split_dataset(dataset, dataset_cfg, seed=seed)
    pre = make_preprocessor(dataset.numeric, dataset.categorical)
    features = {"train": np.asarray(pre.fit_transform(splits["train"].X), dtype=np.float64)}
    for name in EVAL_SPLITS:
        features[name] = np.asarray(pre.transform(splits[name].X), dtype=np.float64)
    for arr in features.values():
        arr.setflags(write=False)
    return PreparedData(dataset, splits, pre, features, time.perf_counter() - t0, key)


def fit_strategy(
    data: PreparedData, model_cfg: Mapping[str, Any], mitigation_cfg: Mapping[str, Any], *, seed: int
) -> Any:
    """Build base model + mitigation from config and fit them on the training split."""
    from fairexp.mitigations import make_mitigation
    from fairexp.models import make_estimator

    estimator = make_estimator(model_cfg, seed=seed)
    strategy = make_mitigation(mitigation_cfg, estimator, seed=seed)
    train = data.splits["train"]
    if strategy.stage == "post" and "prefit" in strategy.get_params():
        # Post-processing only reads the base model's scores: trials that differ only in
        # post-processing parameters share one fitted base model (same data, config and seed).
        strategy.set_params(estimator=fitted_base_model(data, model_cfg, seed=seed), prefit=True)
    strategy.fit(data.features["train"], train.y, sensitive_features=train.sensitive)
    return strategy


def _scored_model_class() -> type:
    from sklearn.base import BaseEstimator, ClassifierMixin
    from sklearn.utils.metaestimators import available_if

    class ScoredModel(ClassifierMixin, BaseEstimator):
        """A fitted base model whose outputs on the cached split matrices are computed once.

        Post-processing trials read the same base scores on train, validation and test
        again and again; scoring (for boosted trees, a pass over every tree) is the
        bulk of a trial once the model is reused. Only read-only arrays (the prepared
        splits) are memoized, and each entry keeps a weak reference to its array so a
        recycled ``id`` can never return another array's scores.
        """

        def __init__(self, model: Any = None) -> None:
            self.model = model

        def __sklearn_is_fitted__(self) -> bool:
            return True

        @property
        def shared_memo(self) -> dict:
            """Results derived from this model's scores that post-processing may reuse."""
            return self.__dict__.setdefault("_shared", {})

        @property
        def classes_(self) -> np.ndarray:
            return self.model.classes_

        def fit(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("a shared base model is never refit; build a new one instead")

        def _call(self, method: str, X: Any) -> np.ndarray:
            if not isinstance(X, np.ndarray) or X.flags.writeable:
                return getattr(self.model, method)(X)
            import weakref

            memo = self.__dict__.setdefault("_memo", {})
            key = (method, id(X))
            hit = memo.get(key)
            if hit is not None and hit[0]() is X:
                return hit[1]
            out = getattr(self.model, method)(X)
            out.setflags(write=False)
            memo[key] = (weakref.ref(X), out)
            return out

        def predict(self, X: Any) -> np.ndarray:
            return self._call("predict", X)

        def predict_proba(self, X: Any) -> np.ndarray:
            return self._call("predict_proba", X)

        @available_if(lambda self: hasattr(self.model, "decision_function"))
        def decision_function(self, X: Any) -> np.ndarray:
            return self._call("decision_function", X)

    return ScoredModel


def fitted_base_model(data: PreparedData, model_cfg: Mapping[str, Any], *, seed: int) -> Any:
    """The base model fit on train, cached per (data, model config, seed) within a process.

    Callers must not refit or mutate it; post-processing only calls its predict methods.
    """
    from fairexp.models import make_estimator

    key = json.dumps({"data": data.key, "model": model_cfg, "seed": seed}, sort_keys=True, default=str)
    train = data.splits["train"]

    def fit() -> Any:
        return _scored_model_class()(make_estimator(model_cfg, seed=seed).fit(data.features["train"], train.y))

    return _cached(_BASE_MODEL_CACHE, _BASE_MODEL_CACHE_SIZE, key, fit)


def evaluate_strategy(data: PreparedData, strategy: Any) -> tuple[dict, pd.DataFrame, pd.DataFrame, float]:
    """Metrics, per-group table, row-level predictions on validation and test, and the seconds spent predicting."""
    from fairexp.metrics import evaluate, group_table

    metrics: dict[str, dict[str, float]] = {}
    tables, preds = [], []
    predict_s = 0.0
    for name in EVAL_SPLITS:
        split = data.splits[name]
        X = data.features[name]
        t0 = time.perf_counter()
        y_pred = np.asarray(strategy.predict(X, sensitive_features=split.sensitive)).astype(int)
        y_score = strategy.score_samples_positive(X, sensitive_features=split.sensitive)
        predict_s += time.perf_counter() - t0
        metrics[name] = evaluate(split.y, y_pred, split.sensitive, y_score)
        table = group_table(split.y, y_pred, split.sensitive).reset_index()
        table.insert(0, "split", name)
        tables.append(table)
        frame = pd.DataFrame({"split": name, "y_true": np.asarray(split.y).astype(int), "y_pred": y_pred})
        if y_score is not None:
            frame["y_score"] = np.asarray(y_score, dtype=float)
        for col in split.sensitive.columns:
            frame[col] = split.sensitive[col].to_numpy()
        audit = getattr(split, "audit", None)
        for col in [] if audit is None else audit.columns:
            frame[col] = audit[col].to_numpy()
        preds.append(frame)
    return metrics, pd.concat(tables, ignore_index=True), pd.concat(preds, ignore_index=True), predict_s


def _blas_threads(n: int | None) -> Any:
    """Cap BLAS threads during fits: the many small dense solves of logistic regression and
    the reductions run several times faster on one thread than with threads fighting over
    cores (measured 4-6x on Adult). Parallelism comes from ``search.n_jobs`` instead.
    OpenMP (histogram gradient boosting) is left alone."""
    import contextlib

    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=int(n), user_api="blas")


def run_experiment(cfg: Mapping[str, Any], *, on_data_ready: Callable[[], None] | None = None) -> ExperimentResult:
    """Run one dataset x model x mitigation experiment from a resolved config mapping.

    ``on_data_ready`` is called once the data is prepared, before fitting: the CLI
    starts W&B there, so its start-up overlaps the fit rather than competing with
    data loading for the interpreter.
    """
    seed = cfg.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        from fairexp.errors import ConfigError

        raise ConfigError(f"must be a non-negative integer, got {seed!r}", key="seed")
    import datetime

    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat()
    t0 = time.perf_counter()
    data = prepare_data(cfg["dataset"], seed=seed)
    if on_data_ready is not None:
        on_data_ready()
    t1 = time.perf_counter()
    with _blas_threads(cfg.get("blas_threads")):
        strategy = fit_strategy(data, cfg["model"], cfg["mitigation"], seed=seed)
        t2 = time.perf_counter()
        metrics, groups, predictions, predict_s = evaluate_strategy(data, strategy)
    t3 = time.perf_counter()
    timings = {
        "data_s": t1 - t0,  # ~0 when the prepared data came from the in-process cache
        "fit_s": t2 - t1,
        "predict_s": predict_s,
        "evaluate_s": t3 - t2 - predict_s,  # metrics and tables, without prediction
        "total_s": t3 - t0,
    }
    info = {
        "started_at": started_at,
        "dataset": data.dataset.name,
        "source": data.dataset.source,
        "positive_label": data.dataset.positive_label,
        "data_sha256": data.dataset.data_hash,
        "sensitive": list(data.splits["train"].sensitive.columns),
        "audit": [] if data.dataset.audit is None else list(data.dataset.audit.columns),
        "sizes": {name: len(split) for name, split in data.splits.items()},
        "n_features_in": int(data.features["train"].shape[1]),
        "strategy": type(strategy).__name__,
    }
    return ExperimentResult(metrics, groups, predictions, timings, info)


def write_run(run_dir: str | Path, result: ExperimentResult, resolved_config: str, *, save_predictions: bool = True) -> None:
    """Write the run directory. ``metrics.json`` goes last: its presence marks a complete run."""
    from fairexp.outputs import write_csv, write_json, write_parquet, write_text
    from fairexp.provenance import provenance

    run_dir = Path(run_dir)
    write_text(run_dir / "config.yaml", resolved_config)
    write_json(run_dir / "provenance.json", provenance(result.info.get("data_sha256")) | {"run": result.info})
    write_csv(run_dir / "groups.csv", result.groups, index=False)
    if save_predictions:
        write_parquet(run_dir / "predictions.parquet", result.predictions)
    write_json(run_dir / "metrics.json", {**result.metrics, "timings": result.timings})


SUMMARY_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "roc_auc",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "disparate_impact_ratio",
)


def summary_table(metrics: Mapping[str, Mapping[str, float]], names: tuple[str, ...] = SUMMARY_METRICS) -> str:
    """The short table printed at the end of a run."""
    width = max(len(n) for n in names)
    lines = [f"{'metric':<{width}}  {'val':>8}  {'test':>8}"]
    for n in names:
        cells = []
        for split in EVAL_SPLITS:
            v = metrics.get(split, {}).get(n, float("nan"))
            cells.append(f"{v:>8.4f}" if v == v else f"{'n/a':>8}")
        lines.append(f"{n:<{width}}  " + "  ".join(cells))
    return "\n".join(lines)
