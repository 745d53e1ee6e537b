"""Case 6 - search efficiency on adult with exponentiated_gradient (only ``eps`` searched).

Every point is one ``fairexp.experiment.run_experiment`` on the composed config
(``dataset=adult model=logreg mitigation=exponentiated_gradient logger=none``, seed 0), data
prepared once per worker process. Objectives as in ``conf/search/default.yaml``: val accuracy
(max) and val demographic_parity_difference (min); hypervolume with
``fairexp.pareto.hypervolume``, reference (0.5, 1.0).

* reference front: a dense grid of eps values, log-spaced over the search_space range of
  ``conf/mitigation/exponentiated_gradient.yaml`` (full: 200 points on full adult; quick: 60
  points on a 6000-row stratified sample, ``dataset.sample=6000``);
* TPE: 30 trials of the sweeper's default multi-objective sampler, driven with Optuna's
  ask/tell directly (not through the CLI) using fairexp's own ``make_sampler("tpe")`` and
  ``parse_space`` - the same sampler, space and objective the sweeper uses;
* random: 30 trials of ``make_sampler("random")``.
Quick mode: sampler seed 0 (the experiment seed, as the sweeper uses); full mode: seeds 0, 1, 2
(median hypervolume). The grid and the searches run in 2 worker processes: this case measures
quality, not time.
Targets: HV(TPE) >= 0.95 x HV(reference front); HV(TPE) >= HV(random).
"""

from __future__ import annotations

import math
from typing import Any

from bench._common import CaseResult, Check, Context, median, rnd

DIRECTIONS = ["maximize", "minimize"]
REFERENCE = [0.5, 1.0]
_STATE: dict[str, Any] = {}


def _cfg(overrides: list[str]) -> dict[str, Any]:
    from bench._common import compose, quiet

    quiet()
    key = repr(overrides)
    if key not in _STATE:
        _STATE[key] = compose(["dataset=adult", "model=logreg", "mitigation=exponentiated_gradient", "logger=none", *overrides])
    return _STATE[key]


def _objective(cfg: dict[str, Any], eps: float) -> tuple[float, float]:
    import copy

    from fairexp.experiment import run_experiment

    c = copy.deepcopy(cfg)
    c["mitigation"]["eps"] = float(eps)
    val = run_experiment(c).metrics["val"]
    return float(val["accuracy"]), float(val["demographic_parity_difference"])


def grid_points(overrides: list[str], eps: list[float]) -> list[list[float]]:
    cfg = _cfg(overrides)
    return [[e, *_objective(cfg, e)] for e in eps]


def search(overrides: list[str], sampler: str, n_trials: int, seed: int) -> list[list[float]]:
    """Ask/tell loop over fairexp's sampler and search space; returns [eps, accuracy, dp] per trial in order."""
    import optuna

    from fairexp.sweep._space import parse_space
    from fairexp.sweep._study import make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    cfg = _cfg(overrides)
    space = parse_space(cfg["mitigation"]["search_space"], "mitigation")
    study = optuna.create_study(directions=DIRECTIONS, sampler=make_sampler(sampler, seed=seed, n_startup_trials=10))
    out = []
    for _ in range(n_trials):
        trial = study.ask(space)
        acc, dp = _objective(cfg, trial.params["mitigation.eps"])
        study.tell(trial, [acc, dp])
        out.append([trial.params["mitigation.eps"], acc, dp])
    return out


def _hv(points: list[list[float]], reference: list[float] = REFERENCE) -> float:
    import numpy as np

    from fairexp.pareto import hypervolume

    return hypervolume(np.array([[p[1], p[2]] for p in points], dtype=float), DIRECTIONS, reference)


def _first_reaching(points: list[list[float]], level: float) -> int | None:
    import numpy as np

    from fairexp.pareto import hypervolume_curve

    curve = hypervolume_curve(np.array([[p[1], p[2]] for p in points], dtype=float), DIRECTIONS, REFERENCE)
    hit = np.flatnonzero(curve >= level)
    return int(hit[0]) + 1 if hit.size else None


def run(ctx: Context) -> CaseResult:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np
    import yaml

    from fairexp._paths import conf_dir

    space = yaml.safe_load((conf_dir() / "mitigation" / "exponentiated_gradient.yaml").read_text())["search_space"]["eps"]
    n_ref = 60 if ctx.quick else 200
    overrides = ["dataset.sample=6000"] if ctx.quick else []
    seeds = [0] if ctx.quick else [0, 1, 2]
    n_trials = 30
    eps = [float(e) for e in np.geomspace(space["low"], space["high"], n_ref)]
    ctx.log(f"case 6: reference grid of {n_ref} eps values + {len(seeds)} x (TPE, random) x {n_trials} trials "
            f"({'adult sample 6000' if ctx.quick else 'full adult'}), 2 worker processes")
    with ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn")) as pool:
        grid_futs = [pool.submit(grid_points, overrides, eps[i::2]) for i in range(2)]
        search_futs = {(s, seed): pool.submit(search, overrides, s, n_trials, seed) for seed in seeds for s in ("tpe", "random")}
        ref_points = sorted([p for f in grid_futs for p in f.result()])
        searched = {k: f.result() for k, f in search_futs.items()}

    hv_ref = _hv(ref_points)
    hv = {s: [_hv(searched[(s, seed)]) for seed in seeds] for s in ("tpe", "random")}
    hv_tpe, hv_rand = median(hv["tpe"]), median(hv["random"])
    ratio_ref = hv_tpe / hv_ref if hv_ref > 0 else float("nan")
    ratio_rand = hv_tpe / hv_rand if hv_rand > 0 else float("nan")
    all_points = ref_points + [p for v in searched.values() for p in v]
    # A tighter, common reference (the worst accuracy and disparity seen by any method) magnifies the
    # differences that the natural reference (0.5, 1.0) leaves in the fourth decimal.
    nadir = [min(p[1] for p in all_points), max(p[2] for p in all_points)]
    nadir_hv = {"reference_front": _hv(ref_points, nadir),
                **{s: median([_hv(searched[(s, seed)], nadir) for seed in seeds]) for s in ("tpe", "random")}}

    res = CaseResult(6, "search_efficiency", "Hypervolume of 30 TPE trials vs a dense eps grid and vs 30 random trials (adult, exponentiated_gradient)")
    res.figures = {
        "data": "adult, dataset.sample=6000 (quick)" if ctx.quick else "adult, full",
        "reference_grid_points": n_ref,
        "eps_range": [space["low"], space["high"]],
        "n_trials": n_trials,
        "sampler_seeds": seeds,
        "driver": "optuna ask/tell in-process with fairexp.sweep._study.make_sampler and fairexp.sweep._space.parse_space",
        "hypervolume": {"reference_front": rnd(hv_ref, 6), "tpe": rnd(hv["tpe"], 6), "random": rnd(hv["random"], 6),
                        "union_of_all_points": rnd(_hv(all_points), 6)},
        "hypervolume_nadir_reference": {"reference_point": rnd(nadir, 6), **rnd(nadir_hv, 6),
                                        "tpe_vs_reference_front": rnd(nadir_hv["tpe"] / nadir_hv["reference_front"]),
                                        "tpe_vs_random": rnd(nadir_hv["tpe"] / nadir_hv["random"])},
        "tpe_trials_to_0.95_of_reference": [_first_reaching(searched[("tpe", s)], 0.95 * hv_ref) for s in seeds],
        "random_trials_to_0.95_of_reference": [_first_reaching(searched[("random", s)], 0.95 * hv_ref) for s in seeds],
        "val_accuracy_range_reference": rnd([min(p[1] for p in ref_points), max(p[1] for p in ref_points)]),
        "val_dp_range_reference": rnd([min(p[2] for p in ref_points), max(p[2] for p in ref_points)]),
    }
    res.checks = [
        Check("hv_tpe_vs_reference_front", rnd(hv_tpe, 6), ">= 0.95 x reference", ratio_ref >= 0.95, ratio=rnd(ratio_ref),
              reference=rnd(hv_ref, 6)),
        Check("hv_tpe_vs_random", rnd(hv_tpe, 6), ">= random", not math.isnan(ratio_rand) and hv_tpe >= hv_rand,
              ratio=rnd(ratio_rand), reference=rnd(hv_rand, 6)),
    ]
    first = res.figures["tpe_trials_to_0.95_of_reference"]
    res.notes.append(
        f"with the natural reference (0.5, 1.0) the hypervolume is saturated on this problem: the whole eps range spans "
        f"val accuracy {res.figures['val_accuracy_range_reference']} and DP difference {res.figures['val_dp_range_reference']}, "
        f"and TPE reaches 0.95 of the reference front after {first} trial(s); TPE vs random differs by "
        f"{hv_tpe - hv_rand:+.6f} ({ratio_rand - 1:+.4%}), within run-to-run noise of the randomized EG predictions. "
        "hypervolume_nadir_reference repeats the comparison against the worst point seen, which magnifies the differences."
    )
    return res
