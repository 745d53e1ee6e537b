"""fairexp's benchmark suite: ``python -m bench [--quick] [--cases 1,3] [--out bench/results.json]``.

Every target is a ratio or a bound measured within one run (the machines are shared and noisy):
repeats are interleaved and medians reported. Results are written atomically after each case.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench._common import REPO, Context

CASES = {
    1: "case_overhead",
    2: "case_reuse",
    3: "case_parallel",
    4: "case_startup",
    5: "case_scale",
    6: "case_search",
}


def _machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        info["affinity_cpus"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        info["memory_gib"] = round(pages * size / 2**30, 1)
    except (ValueError, OSError):
        pass
    return info


def _code_version() -> dict[str, Any]:
    """The checkout measured: commit and whether tracked files differ from it (read-only git calls)."""
    import subprocess

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _write(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1, default=str) + "\n")
    os.replace(tmp, path)


def _table(cases: list[dict[str, Any]]) -> str:
    lines = [f"{'case':<22} {'check':<42} {'value':>12} {'ratio':>8}  {'target':<34} result"]
    for c in cases:
        for ch in c.get("checks", []):
            verdict = "PASS" if ch["pass"] is True else "FAIL" if ch["pass"] is False else ("info" if ch["target"] is None else "n/a")
            value = ch.get("value")
            value = f"{value:.4g}" if isinstance(value, float) else str(value)
            ratio = ch.get("ratio")
            lines.append(f"{c['name']:<22} {ch['name']:<42} {value[:12]:>12} {'' if ratio is None else f'{ratio:.3f}':>8}  "
                         f"{(ch['target'] or '')[:34]:<34} {verdict}")
        if c.get("error"):
            lines.append(f"{c['name']:<22} ERROR: {c['error'].splitlines()[-1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the quick mode (a few minutes on 2 cores)")
    p.add_argument("--cases", default=",".join(map(str, CASES)), help="comma-separated case numbers (default: all)")
    p.add_argument("--out", default=str(REPO / "bench" / "results.json"), help="results file (default: bench/results.json)")
    p.add_argument("--keep", action="store_true", help="keep the scratch folder with every run directory")
    args = p.parse_args(argv)
    try:
        selected = [int(x) for x in args.cases.split(",") if x.strip()]
    except ValueError:
        p.error(f"--cases: expected numbers like 1,3 (got {args.cases!r})")
    unknown = [c for c in selected if c not in CASES]
    if unknown:
        p.error(f"--cases: unknown case {unknown[0]} (available: {', '.join(map(str, CASES))})")

    out = Path(args.out).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="fairexp-bench-"))
    ctx = Context(quick=args.quick, workdir=workdir)
    payload: dict[str, Any] = {
        "suite": "fairexp bench",
        "mode": ctx.mode,
        "command": " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": _machine(),
        "code": _code_version(),
        "load_average_start": _load(),
        "cases": [],
    }
    t_all = time.perf_counter()
    ctx.log(f"mode {ctx.mode}, cases {selected}, scratch {workdir}")
    try:
        for cid in selected:
            t0 = time.perf_counter()
            entry: dict[str, Any]
            try:
                result = importlib.import_module(f"bench.{CASES[cid]}").run(ctx).as_dict()
                entry = result
            except Exception as exc:  # one broken case must not lose the others' results
                entry = {"id": cid, "name": CASES[cid].removeprefix("case_"), "pass": False, "checks": [],
                         "error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"}
            entry["seconds"] = round(time.perf_counter() - t0, 1)
            entry["load_average_after"] = _load()
            payload["cases"].append(entry)
            payload["wall_s"] = round(time.perf_counter() - t_all, 1)
            _write(out, payload)
            ctx.log(f"case {cid} done in {entry['seconds']:.0f} s: {'PASS' if entry['pass'] else 'FAIL' if entry['pass'] is False else 'n/a'}")
    finally:
        if args.keep:
            ctx.log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    verdicts = [c["pass"] for c in payload["cases"]]
    payload["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    payload["wall_s"] = round(time.perf_counter() - t_all, 1)
    payload["load_average_end"] = _load()
    payload["code_end"] = _code_version()  # differs from "code" if the checkout changed during the run
    payload["all_targets_met"] = all(v is not False for v in verdicts)
    _write(out, payload)
    print(_table(payload["cases"]))
    print(f"wall {payload['wall_s']:.0f} s; results: {out}")
    return 0 if payload["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
