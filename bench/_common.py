"""Shared helpers: timed subprocesses with peak memory, medians, checks, in-process config composition."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"


@dataclass
class Context:
    """What every case gets: the mode, a scratch folder, and a logger."""

    quick: bool
    workdir: Path
    verbose: bool = True
    _counter: int = 0

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "full"

    def log(self, msg: str) -> None:
        if self.verbose:
            print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)

    def new_dir(self, prefix: str) -> Path:
        self._counter += 1
        return self.workdir / f"{prefix}-{self._counter:03d}"


@dataclass
class Check:
    """One target: a measured value, its reference, the ratio, the target and pass/fail.

    ``passed`` is None when the check is informative only or was not run in this mode.
    """

    name: str
    value: Any
    target: str | None
    passed: bool | None
    ratio: float | None = None
    reference: Any = None
    unit: str | None = None
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v is not None or k in ("passed", "target")}
        out["pass"] = out.pop("passed")
        return out


@dataclass
class CaseResult:
    id: int
    name: str
    title: str
    figures: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        verdicts = [c.passed for c in self.checks if c.target is not None and c.passed is not None]
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title,
            "pass": (all(verdicts) if verdicts else None),
            "checks": [c.as_dict() for c in self.checks],
            "figures": self.figures,
            "notes": self.notes,
        }


def median(values: Sequence[float]) -> float:
    vals = [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(statistics.median(vals)) if vals else float("nan")


def rnd(x: Any, nd: int = 4) -> Any:
    if isinstance(x, float):
        return round(x, nd) if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: rnd(v, nd) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [rnd(v, nd) for v in x]
    return x


def console_script(name: str) -> Path | None:
    """The console script next to the running interpreter (the venv's bin/), if installed."""
    path = Path(sys.executable).parent / name
    return path if path.is_file() and os.access(path, os.X_OK) else None


def fairexp_cmd() -> list[str]:
    script = console_script("fairexp")
    return [str(script)] if script else [sys.executable, "-m", "fairexp"]


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    # repo root first, so ``python -m bench._child`` and the reference script import this checkout
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


@dataclass
class Proc:
    rc: int
    wall_s: float
    maxrss_mb: float
    user_s: float
    sys_s: float
    stdout: str
    stderr: str


def run_timed(cmd: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
              timeout: float | None = None) -> Proc:
    """Run a command; wall time, and peak RSS / CPU time of that child (``os.wait4``), output captured in files."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(list(cmd), cwd=cwd, env=dict(env) if env is not None else None, stdout=out, stderr=err)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Proc(
            rc=p.returncode,
            wall_s=wall,
            maxrss_mb=ru.ru_maxrss / 1024.0,  # Linux: KiB
            user_s=ru.ru_utime,
            sys_s=ru.ru_stime,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def tail(text: str, n: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


def require_ok(proc: Proc, what: str) -> None:
    if proc.rc != 0:
        raise RuntimeError(f"{what} failed (exit {proc.rc}):\n{tail(proc.stderr or proc.stdout)}")


def read_json(path: Path) -> Any:
    return json.loads(Path(path).read_text())


def run_child(ctx: Context, module: str, func: str, args: Mapping[str, Any], *, timeout: float | None = None) -> Any:
    """Run ``bench.<module>.<func>(**args)`` in a fresh interpreter; returns its JSON result."""
    out = ctx.new_dir(f"child-{func}").with_suffix(".json")
    cmd = [sys.executable, "-m", "bench._child", module, func, json.dumps(dict(args)), str(out)]
    proc = run_timed(cmd, cwd=REPO, env=bench_env(), timeout=timeout)
    require_ok(proc, f"bench.{module}.{func}")
    return read_json(out)


# -- in-process helpers (used inside child processes) -------------------------


def compose(overrides: Sequence[str]) -> dict[str, Any]:
    """The resolved config fairexp would run for these overrides (Hydra compose API, no run dir)."""
    from hydra import compose as _compose
    from hydra import initialize_config_dir
    from omegaconf import OmegaConf

    from fairexp._paths import conf_dir

    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3", job_name="fairexp"):
        cfg = _compose("config", overrides=list(overrides))
    return OmegaConf.to_container(cfg, resolve=True)


def quiet() -> None:
    import warnings

    warnings.filterwarnings("ignore")
