"""Hand-written reference for case 1: the same exponentiated-gradient fit as

    fairexp dataset=adult model=logreg mitigation=exponentiated_gradient

written directly against fairlearn and scikit-learn, without Hydra, fairexp's
strategy classes, its metrics suite, run directory or tracking.

The data come from fairexp's own loader, splitter and preprocessor
(``load_dataset``/``split_dataset``/``make_preprocessor``, with the dataset config
read from ``conf/dataset/adult.yaml``): the split and the features are then
identical by construction, the data-preparation cost is the same on both sides,
and what the comparison measures is the framework around the fit (start-up,
config composition, evaluation, outputs, tracking). Re-implementing the Adult
cleaning would only test whether two copies of the same pandas code run at the
same speed, and any drift would make the fits differ.

Same model and limits as fairexp: LogisticRegression(max_iter=1000) (C=1, lbfgs,
random_state=seed), ExponentiatedGradient(DemographicParity(), eps=0.01,
max_iter=50), BLAS capped at one thread (threadpoolctl, as fairexp's
``blas_threads: 1``) for the fit and the predictions, randomized predictions
drawn with random_state=seed on validation and test. Prints one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from fairlearn.metrics import demographic_parity_difference  # noqa: E402
from fairlearn.reductions import DemographicParity, ExponentiatedGradient  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from fairexp._paths import conf_dir  # noqa: E402
from fairexp.datasets import load_dataset, split_dataset  # noqa: E402
from fairexp.models import make_preprocessor  # noqa: E402

SEED = 0


def main() -> None:
    import warnings

    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    dataset_cfg = yaml.safe_load((conf_dir() / "dataset" / "adult.yaml").read_text())
    dataset = load_dataset(dataset_cfg, seed=SEED)
    splits = split_dataset(dataset, dataset_cfg, seed=SEED)
    pre = make_preprocessor(dataset.numeric, dataset.categorical)
    X = {"train": np.asarray(pre.fit_transform(splits["train"].X), dtype=np.float64)}
    for name in ("val", "test"):
        X[name] = np.asarray(pre.transform(splits[name].X), dtype=np.float64)
    group = {name: s.sensitive.iloc[:, 0].astype(str).to_numpy() for name, s in splits.items()}
    t1 = time.perf_counter()

    with threadpool_limits(limits=1, user_api="blas"):
        eg = ExponentiatedGradient(
            LogisticRegression(max_iter=1000, random_state=SEED),
            constraints=DemographicParity(),
            eps=0.01,
            max_iter=50,
        )
        eg.fit(X["train"], np.asarray(splits["train"].y), sensitive_features=group["train"])
        t2 = time.perf_counter()
        pred = {name: np.asarray(eg.predict(X[name], random_state=SEED)).astype(int) for name in ("val", "test")}
        t3 = time.perf_counter()

    out = {"data_s": t1 - t0, "fit_s": t2 - t1, "predict_s": t3 - t2}
    for name in ("val", "test"):
        y = np.asarray(splits[name].y).astype(int)
        out[f"{name}_accuracy"] = float(accuracy_score(y, pred[name]))
        out[f"{name}_dp_difference"] = float(demographic_parity_difference(y, pred[name], sensitive_features=group[name]))
    out["imports_s"] = t0 - T_START
    out["total_s"] = time.perf_counter() - t0
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
