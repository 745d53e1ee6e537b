"""Case 5 - scale: the synthetic dataset (20 numeric + 2 categorical features) at 100k, 1M and 5M rows.

Each size is one ``fairexp dataset=synthetic dataset.n_samples=N model=logreg
mitigation=threshold_optimizer logger=none`` process; wall time, run time (``total_s`` in
metrics.json: data + fit + predict + evaluate) and peak RSS of that process (``os.wait4``).
Targets: total_s(1M) / total_s(100k) <= 1.2 x 10 (no worse than 1.2 x linear); peak RSS at
1M <= 3 GB; 5M completes (full mode; quick mode skips it: ~2.5 min). exponentiated_gradient at
1M rows must complete; its time is reported. Full mode also runs 1M without writing
predictions.parquet (output.save_predictions=false) to show what writing them costs.
"""

from __future__ import annotations

from typing import Any

from bench._common import CaseResult, Check, Context, bench_env, fairexp_cmd, read_json, rnd, run_timed, tail


def _run(ctx: Context, n: int, mitigation: str, *extra: str) -> dict[str, Any]:
    run_dir = ctx.new_dir(f"scale-{mitigation}-{n}")
    cmd = [*fairexp_cmd(), "dataset=synthetic", f"dataset.n_samples={n}", "model=logreg", f"mitigation={mitigation}",
           "logger=none", "output.print_table=false", *extra, f"hydra.run.dir={run_dir}"]
    proc = run_timed(cmd, cwd=ctx.workdir, env=bench_env(), timeout=3600)
    out: dict[str, Any] = {"n": n, "mitigation": mitigation, "extra": list(extra), "rc": proc.rc,
                           "wall_s": proc.wall_s, "maxrss_mb": proc.maxrss_mb, "cpu_s": proc.user_s + proc.sys_s}
    if proc.rc == 0:
        m = read_json(run_dir / "metrics.json")
        out.update(timings=m["timings"], val_accuracy=m["val"]["accuracy"],
                   val_dp=m["val"]["demographic_parity_difference"])
    else:
        out["error"] = tail(proc.stderr, 5)
    ctx.log(f"case 5: {mitigation} n={n:,} {' '.join(extra)} rc={proc.rc} wall {proc.wall_s:.1f} s, "
            f"peak RSS {proc.maxrss_mb:.0f} MB")
    return out


def run(ctx: Context) -> CaseResult:
    sizes = [100_000, 1_000_000] + ([] if ctx.quick else [5_000_000])
    runs = {n: _run(ctx, n, "threshold_optimizer") for n in sizes}
    eg = _run(ctx, 1_000_000, "exponentiated_gradient")
    nopred = None if ctx.quick else _run(ctx, 1_000_000, "threshold_optimizer", "output.save_predictions=false")

    small, big = runs[100_000], runs[1_000_000]
    ok = small["rc"] == 0 and big["rc"] == 0
    growth = big["timings"]["total_s"] / small["timings"]["total_s"] / 10 if ok else float("nan")
    growth_wall = big["wall_s"] / small["wall_s"] / 10 if ok else float("nan")
    rss_gb = big["maxrss_mb"] / 1024

    res = CaseResult(5, "scale", "Synthetic data, 100k / 1M / 5M rows x 20 features: logreg + threshold_optimizer time and peak memory")
    res.figures = {"runs": rnd(list(runs.values())), "exponentiated_gradient_1M": rnd(eg),
                   "no_predictions_1M": rnd(nopred), "growth_wall_vs_linear": rnd(growth_wall)}
    res.checks = [
        Check("time_growth_100k_to_1M", rnd(big["timings"]["total_s"] if ok else None), "<= 1.2 x linear",
              ok and growth <= 1.2, ratio=rnd(growth), reference=rnd(small["timings"]["total_s"] if ok else None), unit="s",
              note="ratio = (total_s(1M) / total_s(100k)) / 10"),
        Check("peak_rss_1M", rnd(rss_gb), "<= 3 GB", big["rc"] == 0 and rss_gb <= 3.0, unit="GB"),
    ]
    if 5_000_000 in runs:
        r5 = runs[5_000_000]
        res.checks.append(Check("5M_completes", r5["rc"] == 0, "completes (24 GiB machine)", r5["rc"] == 0,
                                note=f"wall {r5['wall_s']:.1f} s, peak RSS {r5['maxrss_mb'] / 1024:.2f} GB"))
    else:
        res.checks.append(Check("5M_completes", "not run in quick mode", "completes (24 GiB machine)", None,
                                note="full mode only (about 2.5 min); see the README for the last full-mode figure"))
    res.checks.append(Check("exponentiated_gradient_1M_completes", eg["rc"] == 0, "completes; time reported", eg["rc"] == 0,
                            note=f"wall {eg['wall_s']:.1f} s, total_s {eg.get('timings', {}).get('total_s', float('nan')):.1f} s, "
                                 f"peak RSS {eg['maxrss_mb'] / 1024:.2f} GB"))
    return res
