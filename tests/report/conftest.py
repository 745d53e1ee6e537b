"""Small real inputs for the report tests, built once per test session.

* ``german_sweep``: ``experiment=german_audit`` with three strategies x 3 trials (~15 s);
* ``ks_run``: one German run with ``dataset.keep_sensitive=true`` and two sensitive columns
  (the counterfactual check swaps a model input).

Both start at once (independent subprocesses). ``sweep_report`` / ``ks_report`` run the
report in-process once and are shared by the modules that read its outputs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
FAIREXP = BIN / "fairexp"

SWEEP_ARGS = [
    "-m",
    "experiment=german_audit",
    "search.strategies=[none,exponentiated_gradient,threshold_optimizer]",
    "search.n_trials=3",
    "logger=none",
]
KS_ARGS = [
    "dataset=german",
    "dataset.keep_sensitive=true",
    "dataset.sensitive=[sex,age_group]",
    "logger=none",
    "output.print_table=false",
]


def env() -> dict[str, str]:
    return os.environ | {"WANDB_MODE": "offline", "WANDB_SILENT": "true", "PYTHONWARNINGS": "ignore"}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("report_inputs")
    jobs = {
        "sweep": (SWEEP_ARGS + [f"hydra.sweep.dir={root / 'sweep'}"], root / "sweep"),
        "ks_run": (KS_ARGS + [f"hydra.run.dir={root / 'ks_run'}"], root / "ks_run"),
    }
    procs = {
        name: subprocess.Popen([str(FAIREXP), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env())
        for name, (args, _) in jobs.items()
    }
    out = {}
    for name, proc in procs.items():
        log, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name} failed:\n{log[-3000:]}"
        out[name] = jobs[name][1]
    return out


@pytest.fixture(scope="session")
def german_sweep(built: dict[str, Path]) -> Path:
    return built["sweep"]


@pytest.fixture(scope="session")
def ks_run(built: dict[str, Path]) -> Path:
    return built["ks_run"]


@dataclass
class Rendered:
    analysis: Any
    out: Path
    paths: dict[str, Path]


def _render(path: Path, out: Path, policy: Any = None) -> Rendered:
    from fairexp.report import analyse, default_policy, read_inputs, write_report

    analysis = analyse(read_inputs(path), policy or default_policy())
    return Rendered(analysis, out, write_report(analysis, out))


@pytest.fixture(scope="session")
def sweep_report(german_sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return _render(german_sweep, tmp_path_factory.mktemp("sweep_report"))


@pytest.fixture(scope="session")
def ks_report(ks_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    return _render(ks_run, tmp_path_factory.mktemp("ks_report"))
