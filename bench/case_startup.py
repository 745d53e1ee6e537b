"""Case 4 - start-up: ``--help`` of the console scripts, and what they import.

Whole-process wall time of ``fairexp --help``, ``fairexp-report --help`` and ``fairexp-gate --help``
(the venv's console scripts), repeated and interleaved after one untimed warm-up each.
Target: median <= 1.0 s. A script that is not installed is reported as "not installed".

Imports: each entry point (from the installed distribution's metadata) is called with ``--help``
in a fresh interpreter that reports, at exit, which of wandb, aif360, plotly and matplotlib
were imported (target: none). The same is checked for a real run that needs none of them:
``fairexp dataset=german logger=none`` (no tracking, no plots).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench._common import CaseResult, Check, Context, bench_env, console_script, median, rnd, run_timed

COMMANDS = ["fairexp", "fairexp-report", "fairexp-gate"]
HEAVY = ["wandb", "aif360", "plotly", "matplotlib"]
INFO = ["pandas", "sklearn", "numpy", "hydra", "omegaconf", "optuna", "fairlearn", "scipy"]

PROBE = """
import atexit, importlib, json, sys
names = json.loads(sys.argv[1]); out = sys.argv[2]; target = sys.argv[3]
def report():
    with open(out, "w") as f:
        json.dump(sorted({m.split(".")[0] for m in sys.modules} & set(names)), f)
atexit.register(report)
mod, _, func = target.partition(":")
sys.argv = [sys.argv[4], *sys.argv[5:]]
fn = importlib.import_module(mod)
for part in func.split("."):
    fn = getattr(fn, part)
try:
    fn()
except SystemExit:
    pass
"""


def _entry_point(name: str) -> str | None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="console_scripts"):
        if ep.name == name:
            return ep.value
    return None


def _imports(ctx: Context, target: str, argv: list[str]) -> list[str]:
    out = ctx.new_dir("imports").with_suffix(".json")
    proc = run_timed([sys.executable, "-c", PROBE, json.dumps(HEAVY + INFO), str(out), target, *argv],
                     cwd=ctx.workdir, env=bench_env(), timeout=600)
    if not out.exists():
        raise RuntimeError(f"import probe for {target} failed (exit {proc.rc}): {proc.stderr[-500:]}")
    return json.loads(out.read_text())


def run(ctx: Context) -> CaseResult:
    repeats = 7 if ctx.quick else 15
    present = {c: console_script(c) for c in COMMANDS}
    installed = [c for c in COMMANDS if present[c] is not None]
    times: dict[str, list[float]] = {c: [] for c in installed}
    env = bench_env()
    for c in installed:  # warm-up: page cache, .pyc files
        run_timed([str(present[c]), "--help"], cwd=ctx.workdir, env=env, timeout=120)
    for r in range(repeats):
        order = installed[r % len(installed):] + installed[: r % len(installed)] if installed else []
        for c in order:
            proc = run_timed([str(present[c]), "--help"], cwd=ctx.workdir, env=env, timeout=120)
            if proc.rc != 0:
                raise RuntimeError(f"{c} --help exited {proc.rc}: {proc.stderr[-500:]}")
            times[c].append(proc.wall_s)
    ctx.log("case 4: " + ", ".join(f"{c} {median(times[c]):.3f} s" for c in installed))

    res = CaseResult(4, "startup", "Start-up of fairexp, fairexp-report, fairexp-gate --help; no heavy imports until needed")
    imported: dict[str, Any] = {}
    for c in COMMANDS:
        if present[c] is None:
            res.checks.append(Check(f"{c}_help_median", "not installed", "<= 1.0 s", None,
                                    note="console script not in the venv (pip install -e . adds it once declared)"))
            continue
        m = median(times[c])
        res.checks.append(Check(f"{c}_help_median", rnd(m), "<= 1.0 s", m <= 1.0, unit="s", ratio=rnd(m / 1.0), reference=1.0))
        target = _entry_point(c)
        if target is None:
            imported[c] = "entry point not found in the installed metadata"
            continue
        mods = _imports(ctx, target, [c, "--help"])
        imported[c] = mods
        heavy = [m for m in mods if m in HEAVY]
        res.checks.append(Check(f"{c}_help_heavy_imports", heavy, "none of " + ", ".join(HEAVY), not heavy))
    # a real run that needs no tracking and no plots
    fx = _entry_point("fairexp")
    if fx is not None:
        run_dir = ctx.new_dir("startup-run")
        mods = _imports(ctx, fx, ["fairexp", "dataset=german", "logger=none", f"hydra.run.dir={run_dir}"])
        imported["fairexp dataset=german logger=none"] = mods
        heavy = [m for m in mods if m in HEAVY]
        res.checks.append(Check("run_logger_none_heavy_imports", heavy, "none of " + ", ".join(HEAVY), not heavy))
    res.figures = {"repeats": repeats, "wall_s": rnd(times), "median_s": rnd({c: median(times[c]) for c in installed}),
                   "modules_imported": imported, "not_installed": [c for c in COMMANDS if present[c] is None]}
    return res
