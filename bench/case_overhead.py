"""Case 1 - framework overhead: one experiment through fairexp vs. a hand-written fairlearn script.

Three whole-process commands, repeated and interleaved (each repeat rotates the order):

* ``script``        ``python bench/reference_eg.py`` (same split, preprocessing, fit, BLAS limit);
* ``fairexp_none``  ``fairexp dataset=adult model=logreg mitigation=exponentiated_gradient logger=none``;
* ``fairexp``       the same with the default logger (W&B, offline) - the command a user runs.

Targets: wall(fairexp) <= 1.10 x wall(script); time outside fit/predict <= 5% of the run
(``(total_s - fit_s - predict_s) / total_s`` from metrics.json).
"""

from __future__ import annotations

import sys
from typing import Any

from bench._common import BENCH, CaseResult, Check, Context, bench_env, fairexp_cmd, median, read_json, require_ok, rnd, run_timed

OVERRIDES = ["dataset=adult", "model=logreg", "mitigation=exponentiated_gradient"]


def _commands(ctx: Context, variant: str) -> tuple[list[str], Any]:
    if variant == "script":
        return [sys.executable, str(BENCH / "reference_eg.py")], None
    run_dir = ctx.new_dir(variant)
    extra = ["logger=none"] if variant == "fairexp_none" else []
    return [*fairexp_cmd(), *OVERRIDES, *extra, f"hydra.run.dir={run_dir}"], run_dir


def run(ctx: Context) -> CaseResult:
    import json

    repeats = 3 if ctx.quick else 5
    variants = ["script", "fairexp_none", "fairexp"]
    env = bench_env(WANDB_MODE="offline")  # the default when WANDB_MODE is unset; pinned so a user's env cannot change it
    rows: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for r in range(repeats):
        order = variants[r % 3:] + variants[: r % 3]
        for v in order:
            cmd, run_dir = _commands(ctx, v)
            proc = run_timed(cmd, cwd=ctx.workdir, env=env, timeout=1800)
            require_ok(proc, v)
            if v == "script":
                t = json.loads(proc.stdout.strip().splitlines()[-1])
                row = {"wall_s": proc.wall_s, **{k: t[k] for k in ("data_s", "fit_s", "predict_s", "total_s")},
                       "val_accuracy": t["val_accuracy"], "test_accuracy": t["test_accuracy"],
                       "val_dp": t["val_dp_difference"]}
            else:
                m = read_json(run_dir / "metrics.json")
                row = {"wall_s": proc.wall_s, **m["timings"], "val_accuracy": m["val"]["accuracy"],
                       "test_accuracy": m["test"]["accuracy"], "val_dp": m["val"]["demographic_parity_difference"]}
            row["maxrss_mb"] = proc.maxrss_mb
            rows[v].append(row)
            ctx.log(f"case 1 repeat {r + 1}/{repeats} {v:<13} wall {proc.wall_s:6.2f} s  fit {row['fit_s']:6.2f} s")

    med = {v: {k: median([row[k] for row in rows[v]]) for k in rows[v][0]} for v in variants}
    for v in variants:
        for row in rows[v]:
            row["outside_fit_predict_wall"] = (row["wall_s"] - row["fit_s"] - row["predict_s"]) / row["wall_s"]
            row["outside_fit_predict_total"] = (row["total_s"] - row["fit_s"] - row["predict_s"]) / row["total_s"]
            # a trial inside a sweep: data already prepared (cached per process), so only evaluation is added
            ev = row.get("evaluate_s")
            row["outside_in_sweep_trial"] = None if ev is None else ev / (row["fit_s"] + row["predict_s"] + ev)
    ratio_none = median([a["wall_s"] / b["wall_s"] for a, b in zip(rows["fairexp_none"], rows["script"])])
    ratio_wandb = median([a["wall_s"] / b["wall_s"] for a, b in zip(rows["fairexp"], rows["script"])])
    ratio_none_med = med["fairexp_none"]["wall_s"] / med["script"]["wall_s"]
    ratio_wandb_med = med["fairexp"]["wall_s"] / med["script"]["wall_s"]
    share_total = median([row["outside_fit_predict_total"] for row in rows["fairexp"]])
    share_wall = median([row["outside_fit_predict_wall"] for row in rows["fairexp"]])
    share_wall_script = median([row["outside_fit_predict_wall"] for row in rows["script"]])
    share_total_script = median([row["outside_fit_predict_total"] for row in rows["script"]])
    share_trial = median([row["outside_in_sweep_trial"] for row in rows["fairexp"]])
    same = all(
        row["val_accuracy"] == rows["script"][0]["val_accuracy"] and row["test_accuracy"] == rows["script"][0]["test_accuracy"]
        for v in variants for row in rows[v]
    )

    res = CaseResult(1, "framework_overhead", "One experiment (adult, logreg, exponentiated_gradient, DP) through fairexp vs. a hand-written fairlearn script")
    res.figures = {
        "repeats": repeats,
        "median": rnd(med),
        "ratio_wall_per_repeat": {
            "fairexp_none": rnd([a["wall_s"] / b["wall_s"] for a, b in zip(rows["fairexp_none"], rows["script"])]),
            "fairexp": rnd([a["wall_s"] / b["wall_s"] for a, b in zip(rows["fairexp"], rows["script"])]),
        },
        "ratio_of_medians": {"fairexp_none": rnd(ratio_none_med), "fairexp": rnd(ratio_wandb_med)},
        "extra_wall_s": {
            "fairexp_none": rnd(med["fairexp_none"]["wall_s"] - med["script"]["wall_s"]),
            "fairexp": rnd(med["fairexp"]["wall_s"] - med["script"]["wall_s"]),
            "wandb_offline_vs_none": rnd(med["fairexp"]["wall_s"] - med["fairexp_none"]["wall_s"]),
        },
        "outside_fit_predict": {
            "fairexp_total_s_based": rnd(share_total),
            "fairexp_wall_based": rnd(share_wall),
            "script_total_s_based": rnd(share_total_script),
            "script_wall_based": rnd(share_wall_script),
            "fairexp_in_sweep_trial": rnd(share_trial),
        },
        "runs": rnd(rows),
    }
    res.checks = [
        Check("wall_fairexp_default_vs_script", rnd(med["fairexp"]["wall_s"]), "<= 1.10 x script", ratio_wandb <= 1.10,
              ratio=rnd(ratio_wandb), reference=rnd(med["script"]["wall_s"]), unit="s",
              note="default command (W&B offline); ratio = median of per-repeat ratios"),
        Check("wall_fairexp_logger_none_vs_script", rnd(med["fairexp_none"]["wall_s"]), "<= 1.10 x script", ratio_none <= 1.10,
              ratio=rnd(ratio_none), reference=rnd(med["script"]["wall_s"]), unit="s"),
        Check("outside_fit_predict_share", rnd(share_total), "<= 0.05 of total_s", share_total <= 0.05,
              note="(total_s - fit_s - predict_s) / total_s of the default command, from metrics.json"),
        Check("outside_fit_predict_share_wall", rnd(share_wall), None, None, reference=rnd(share_wall_script),
              note="(wall - fit_s - predict_s) / wall; reference = the script's own share (interpreter, imports, data)"),
        Check("outside_fit_predict_share_in_sweep_trial", rnd(share_trial), None, None,
              note="evaluate_s / (fit_s + predict_s + evaluate_s): a trial after the first in a sweep, data cached"),
        Check("same_predictions_as_script", same, "identical val/test accuracy", same),
    ]
    f, n, sc = med["fairexp"], med["fairexp_none"], med["script"]
    res.notes.append(
        f"W&B offline adds {f['wall_s'] - n['wall_s']:.2f} s of wall time (import wandb, wandb-core service start, init) "
        f"on top of logger=none ({n['wall_s'] - sc['wall_s']:+.2f} s vs the script: Hydra composes the config twice - "
        "cli.check_composition, then hydra.main - plus metrics, run-directory files and provenance)."
    )
    res.notes.append(
        f"data_s ({f['data_s']:.2f} s) includes the first import of pandas/scikit-learn/fairlearn modules inside "
        f"prepare_data; the script imports them before its clock starts and spends {sc['data_s']:.2f} s on the same "
        f"loading and preprocessing, i.e. {share_total_script:.1%} of its own run - a single cold run of this size "
        "cannot get under 5% outside fit/predict. A sweep trial after the first (data cached) spends "
        f"{share_trial:.1%} outside fit/predict."
    )
    return res
