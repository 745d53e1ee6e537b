"""Pareto frontiers and hypervolume for fairness-accuracy sweeps.

Pure numpy, no optimiser dependency: the same code scores a finished sweep, a
single strategy, or a prefix of trials (to show how fast a strategy converges).

Conventions shared by every function here:

* ``values`` has shape ``(n, k)``: one row per trial, one column per objective.
* ``directions[j]`` says whether objective ``j`` is maximised or minimised.
* A row with any NaN or infinity (a failed or half-logged trial) is never on the
  frontier, never dominates anything and adds no hypervolume.
* Exact duplicates do not dominate each other (dominance needs a strict gain),
  so every copy of a non-dominated point is on the frontier. This keeps
  ``pareto_mask`` a per-trial answer: two trials that tie are both reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

Direction = Literal["maximize", "minimize"]

__all__ = [
    "Direction",
    "hypervolume",
    "hypervolume_curve",
    "normalized_reference",
    "pareto_mask",
]

_DIRECTIONS = ("maximize", "minimize")


def _signs(directions: Sequence[str], k: int | None = None) -> np.ndarray:
    """+1 for minimise, -1 for maximise: multiplying by it turns every objective into a loss."""
    directions = list(directions)
    if not directions:
        raise ValueError("at least one direction is required")
    bad = [d for d in directions if d not in _DIRECTIONS]
    if bad:
        raise ValueError(f"directions must be 'maximize' or 'minimize', got {bad!r}")
    if k is not None and len(directions) != k:
        raise ValueError(f"got {len(directions)} directions for {k} objectives")
    return np.array([1.0 if d == "minimize" else -1.0 for d in directions])


def _as_losses(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Validate ``values`` and return them as a float (n, k) array to be minimised."""
    k = len(list(directions))
    arr = np.asarray(values, dtype=float)
    if arr.size == 0:
        arr = arr.reshape(0, k)
    if arr.ndim != 2:
        raise ValueError(f"values must be 2-D (n_trials, n_objectives), got shape {arr.shape}")
    return arr * _signs(directions, arr.shape[1])


def _reference_loss(reference: Sequence[float], directions: Sequence[str], k: int) -> np.ndarray:
    ref = np.asarray(reference, dtype=float).reshape(-1)
    if ref.shape != (k,):
        raise ValueError(f"reference has {ref.size} values for {k} objectives")
    if not np.all(np.isfinite(ref)):
        raise ValueError(f"reference must be finite, got {list(reference)!r}")
    return ref * _signs(directions, k)


def _dominated(losses: np.ndarray) -> np.ndarray:
    """Rows strictly dominated by another row (losses, all finite). O(n^2 k) time, O(n k) memory."""
    n = losses.shape[0]
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        no_worse = np.all(losses <= losses[i], axis=1)
        better = np.any(losses < losses[i], axis=1)
        out[i] = bool(np.any(no_worse & better))
    return out


def pareto_mask(values: np.ndarray, directions: Sequence[Direction]) -> np.ndarray:
    """Boolean mask of non-dominated rows (``True`` = on the Pareto frontier).

    Non-finite rows are excluded before dominance is checked, so a NaN can never
    knock a real trial off the frontier. All copies of a duplicated frontier
    point are kept.
    """
    losses = _as_losses(values, directions)
    finite = np.all(np.isfinite(losses), axis=1)
    mask = np.zeros(losses.shape[0], dtype=bool)
    idx = np.flatnonzero(finite)
    mask[idx] = ~_dominated(losses[idx])
    return mask


def _front(losses: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Unique, lexsorted non-dominated rows strictly better than ``ref``.

    Canonicalising the set makes the hypervolume of any superset with the same
    frontier bit-for-bit identical, whatever the row order.
    """
    keep = np.all(np.isfinite(losses), axis=1) & np.all(losses < ref, axis=1)
    pts = losses[keep]
    if pts.shape[0] == 0:
        return pts
    pts = np.unique(pts, axis=0)
    return pts[~_dominated(pts)]


def _hv_2d(pts: np.ndarray, ref: np.ndarray) -> float:
    """Sort-and-sweep: each point adds the slab between it and the best y seen so far."""
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    area = 0.0
    best_y = ref[1]
    for x, y in pts[order]:
        if y < best_y:
            area += (ref[0] - x) * (best_y - y)
            best_y = y
    return float(area)


def _hv(pts: np.ndarray, ref: np.ndarray) -> float:
    """Exact hypervolume of loss points that are all strictly better than ``ref``.

    For k > 2 this is HSO-style slicing: sweep the last objective, and between
    consecutive cut levels multiply the slab thickness by the (k-1)-dimensional
    hypervolume of the points already passed. Exponential in k, fine for the
    handful of objectives and hundreds of trials a sweep produces.
    """
    n, k = pts.shape
    if n == 0:
        return 0.0
    if k == 1:
        return float(ref[0] - pts[:, 0].min())
    if k == 2:
        return _hv_2d(pts, ref)
    order = np.argsort(pts[:, -1], kind="stable")
    pts = pts[order]
    levels = np.append(pts[:, -1], ref[-1])
    volume = 0.0
    for i in range(n):
        depth = levels[i + 1] - levels[i]
        if depth <= 0:
            continue
        head = pts[: i + 1, :-1]
        head = np.unique(head, axis=0)
        head = head[~_dominated(head)]
        volume += depth * _hv(head, ref[:-1])
    return float(volume)


def hypervolume(
    values: np.ndarray, directions: Sequence[Direction], reference: Sequence[float]
) -> float:
    """Volume dominated by ``values`` and bounded by ``reference``.

    ``reference`` is the worst acceptable point (e.g. accuracy 0.5, disparity 1.0);
    points not strictly better than it in every objective add nothing. Empty or
    all-invalid input gives 0.0.
    """
    losses = _as_losses(values, directions)
    ref = _reference_loss(reference, directions, losses.shape[1])
    return _hv(_front(losses, ref), ref)


def hypervolume_curve(
    values: np.ndarray, directions: Sequence[Direction], reference: Sequence[float]
) -> np.ndarray:
    """Hypervolume of the first ``i + 1`` rows, for every ``i`` (trial order).

    Shows how quickly a sweep approaches its final frontier. Only the running
    frontier is kept, so a step costs a hypervolume of the current front; the
    last value is exactly ``hypervolume(values, ...)``.
    """
    losses = _as_losses(values, directions)
    ref = _reference_loss(reference, directions, losses.shape[1])
    n = losses.shape[0]
    curve = np.zeros(n, dtype=float)
    front = np.empty((0, losses.shape[1]))
    current = 0.0
    for i, row in enumerate(losses):
        useful = bool(np.all(np.isfinite(row)) and np.all(row < ref))
        # A point weakly dominated by the front (including a duplicate) cannot add volume.
        if useful and not np.any(np.all(front <= row, axis=1)):
            front = _front(np.vstack([front, row]), ref)
            # max() guards against a last-ulp dip when the front is re-summed.
            current = max(current, _hv(front, ref))
        curve[i] = current
    return curve


# Bounds for the default reference point. Chance-level performance for
# ranking/accuracy-type scores, zero for rates that can legitimately be zero,
# and the worst possible gap (1.0) for disparities measured on [0, 1].
_MAX_HALF = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "roc_auc_score"})
_MAX_ZERO = frozenset(
    {
        "f1",
        "f1_score",
        "precision",
        "precision_score",
        "recall",
        "recall_score",
        "selection_rate",
        "true_positive_rate",
        "true_negative_rate",
        "average_precision",
    }
)
_MIN_ONE = frozenset(
    {
        "error_rate",
        "zero_one_loss",
        "false_positive_rate",
        "false_negative_rate",
        "brier_score",
        "brier_score_loss",
    }
)


def _metric_bound(name: str, direction: str) -> float | None:
    if direction == "maximize":
        if name in _MAX_HALF:
            return 0.5
        if name in _MAX_ZERO or name.endswith("_ratio"):
            return 0.0
    elif direction == "minimize":
        if name in _MIN_ONE or name.endswith("_difference"):
            return 1.0
    return None


def normalized_reference(
    metric_names: Sequence[str], directions: Sequence[Direction]
) -> list[float]:
    """Default hypervolume reference for metrics with a known [0, 1] range.

    A ``val.``/``test.`` prefix is ignored. Raises ``ValueError`` for a metric
    (or a metric/direction pair) with no natural worst value, so the caller can
    ask for ``search.reference`` explicitly instead of guessing.
    """
    names = list(metric_names)
    _signs(directions, len(names))
    reference: list[float] = []
    for raw, direction in zip(names, directions):
        name = raw.split(".", 1)[1] if raw.startswith(("val.", "test.")) else raw
        bound = _metric_bound(name, direction)
        if bound is None:
            raise ValueError(
                f"cannot derive a default reference for {direction} {raw!r}; "
                "set search.reference explicitly"
            )
        reference.append(bound)
    return reference
