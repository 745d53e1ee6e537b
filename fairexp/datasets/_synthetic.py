"""Synthetic biased data with a KNOWN disparity (``dataset.name: synthetic``).

Generating process (all draws from ``numpy.random.default_rng(seed)``, vectorised, float32
features; ``seed: null`` uses the seed passed to ``load_dataset``). With ``n = n_samples``,
``d = n_features``, ``k = n_categorical``, ``r = group_ratio`` and ``b = bias``:

1. ``group``: ``"minority"`` with probability ``r``, else ``"majority"`` (independent rows).
   Let ``g = +1`` for majority and ``-1`` for minority.
2. ``group2`` (only when ``intersectional: true``): ``"a"`` or ``"b"`` with probability 1/2
   each, independent of ``group``. Let ``h = +1`` for ``"a"``, ``-1`` for ``"b"`` (``h = 0``
   when ``intersectional`` is false).
3. Label: ``y ~ Bernoulli(0.5 + (b/4)*g + (b/8)*h)``. Hence, exactly in expectation,

   * ``P(y=1 | majority) = 0.5 + b/4`` and ``P(y=1 | minority) = 0.5 - b/4``:
     **demographic parity difference of y between the groups = b/2**
     (``b = 0`` -> no disparity, ``b = 1`` -> 0.75 vs 0.25);
   * with ``intersectional``: ``P(y=1 | a) - P(y=1 | b) = b/4`` and the four cells have
     rates ``0.5 +/- b/4 +/- b/8``.

4. Numeric features ``x0 .. x{d-1}``: standard normal noise, plus

   * informative features ``x0 .. x{m-1}`` with ``m = ceil(d/2)``: ``+ 0.5 * (2y - 1)``
     (so a model can learn y);
   * proxy features, the last ``p = max(1, d // 4)`` ones ``x{d-p} .. x{d-1}``:
     ``- b * 1[minority]`` (the group leaks into X even when ``group`` itself is not a
     feature; with ``b = 0`` the features do not depend on the group). For ``d = 1`` the
     single feature is both informative and proxy.
   * the rest is pure noise.

5. Categorical features ``cat0 .. cat{k-1}``: ``z ~ N(0, 1) + 0.5 * (2y - 1)`` cut at
   -0.5 and 0.5 into ``"low"``, ``"mid"``, ``"high"`` (they depend on y only).

Memory: about ``4*n*d`` bytes for X plus ``8*n`` per categorical/sensitive column; 1M rows
x 20 features takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np
import pandas as pd

from ._base import RawTable
from ._config import check_bool, check_float, check_int

#: Bump when the generating process changes (it is part of ``data_hash``).
GENERATOR_VERSION = 1
CATEGORY_LEVELS = np.array(["low", "mid", "high"], dtype=object)
GROUP_LEVELS = np.array(["majority", "minority"], dtype=object)
GROUP2_LEVELS = np.array(["a", "b"], dtype=object)


def expected_dp_difference(bias: float) -> float:
    """``P(y=1 | majority) - P(y=1 | minority)`` implied by ``bias`` (= ``bias / 2``)."""
    return bias / 2


def load_synthetic(extra: dict[str, Any], seed: int) -> RawTable:
    n = check_int(extra["n_samples"], "dataset.n_samples", minimum=10)
    d = check_int(extra["n_features"], "dataset.n_features", minimum=1)
    k = check_int(extra["n_categorical"], "dataset.n_categorical", minimum=0)
    ratio = check_float(extra["group_ratio"], "dataset.group_ratio", low=0, high=1, low_open=True, high_open=True)
    bias = check_float(extra["bias"], "dataset.bias", low=0, high=1)
    intersectional = check_bool(extra["intersectional"], "dataset.intersectional")
    own_seed = check_int(extra["seed"], "dataset.seed", minimum=0, allow_none=True)
    seed = seed if own_seed is None else own_seed
    assert n is not None and d is not None and k is not None

    rng = np.random.default_rng(seed)
    minority = rng.random(n, dtype=np.float32) < np.float32(ratio)
    g = np.where(minority, np.float32(-1), np.float32(1))
    p = np.float32(0.5) + np.float32(bias / 4) * g
    if intersectional:
        is_b = rng.random(n, dtype=np.float32) < np.float32(0.5)
        p += np.float32(bias / 8) * np.where(is_b, np.float32(-1), np.float32(1))
    del g
    y = (rng.random(n, dtype=np.float32) < p).astype(np.int64)
    del p
    signed = (2 * y - 1).astype(np.float32)

    X = rng.standard_normal((n, d), dtype=np.float32)
    m = math.ceil(d / 2)
    n_proxy = max(1, d // 4)
    X[:, :m] += np.float32(0.5) * signed[:, None]
    if bias:
        X[:, d - n_proxy :] -= np.float32(bias) * minority[:, None].astype(np.float32)

    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)], copy=False)
    for j in range(k):
        z = rng.standard_normal(n, dtype=np.float32) + np.float32(0.5) * signed
        codes = (z > np.float32(-0.5)).astype(np.int8) + (z > np.float32(0.5)).astype(np.int8)
        frame[f"cat{j}"] = CATEGORY_LEVELS[codes]
    frame["group"] = GROUP_LEVELS[minority.astype(np.int8)]
    if intersectional:
        frame["group2"] = GROUP2_LEVELS[is_b.astype(np.int8)]

    params = {
        "generator": f"fairexp.datasets.synthetic/v{GENERATOR_VERSION}",
        "n_samples": n, "n_features": d, "n_categorical": k, "group_ratio": ratio,
        "bias": bias, "intersectional": intersectional, "seed": seed,
    }  # fmt: skip
    features = [c for c in frame.columns if c not in ("group", "group2")]
    return RawTable(
        frame=frame,
        y=y,
        default_features=features,
        categorical=[f"cat{j}" for j in range(k)] + ["group", "group2"][: 1 + intersectional],
        positive_label="y = 1 (synthetic favourable outcome)",
        source="synthetic(" + ", ".join(f"{key}={val}" for key, val in params.items() if key != "generator") + ")",
        data_hash=hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest(),
    )
