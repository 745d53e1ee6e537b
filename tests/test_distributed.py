"""Several fairexp workers on one PostgreSQL study: exact budgets, nothing lost or run twice, dead workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.postgres import find_bin, postgres_server

optuna = pytest.importorskip("optuna")

if find_bin("initdb") is None and not os.environ.get("CI"):
    pytest.skip("PostgreSQL server binaries are not installed (CI installs them)", allow_module_level=True)

FAIREXP = str(Path(sys.executable).with_name("fairexp"))
STRATEGIES = ("none", "reweighing")


@pytest.fixture(scope="module")
def pg_url():
    with postgres_server() as url:
        yield url


def _worker(url: str, study: str, n_trials: int, sweep_dir: Path, extra: tuple[str, ...] = ()) -> subprocess.Popen:
    cmd = [
        FAIREXP, "-m", "experiment=german_audit", f"search.storage={url}", f"search.study_name={study}",
        f"search.n_trials={n_trials}", f"search.strategies=[{','.join(STRATEGIES)}]", "search.references=[]",
        "search.heartbeat_interval=1", "logger=none", f"hydra.sweep.dir={sweep_dir}", *extra,
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)


def _trials(url: str, study: str, strategy: str) -> list:
    return optuna.load_study(study_name=f"{study}.{strategy}", storage=url).get_trials(deepcopy=False)


def _runs_on_disk(dirs: list[Path], strategy: str) -> list[Path]:
    return sorted(p.parent for d in dirs for p in (d / "trials" / strategy).glob("*/metrics.json"))


def test_three_workers_share_one_study_exactly(pg_url, tmp_path):
    n = 10
    dirs = [tmp_path / f"worker{i}" for i in range(3)]
    procs = [_worker(pg_url, "shared", n, d) for d in dirs]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs[0][-2000:]

    for strategy in STRATEGIES:
        trials = _trials(pg_url, "shared", strategy)
        complete = [t for t in trials if t.state.name == "COMPLETE"]
        run = [t for t in trials if not t.user_attrs.get("surplus")]
        assert len(complete) == n
        assert len(run) == n  # everything else was surplus: asked after the budget was met, never run
        assert sorted({t.number for t in complete}) == sorted(t.number for t in complete)
        # each trial ran exactly once: one run directory per complete trial, across all workers
        on_disk = _runs_on_disk(dirs, strategy)
        assert len(on_disk) == n
        assert sorted(int(p.name) for p in on_disk) == sorted(t.number for t in complete)
        workers_used = {p.parent.parent.parent.name for p in on_disk}
        assert len(workers_used) >= 2, f"one worker did everything: {workers_used}"

    # every worker's frontier covers all trials of the study, whoever ran them
    for d in dirs:
        table = pd.read_csv(d / "trials.csv")
        counts = table[table["state"] == "COMPLETE"].groupby("strategy").size().to_dict()
        assert counts == {s: n for s in STRATEGIES}


def test_a_killed_worker_slot_is_failed_and_run_again(pg_url, tmp_path):
    n = 8
    dirs = [tmp_path / f"worker{i}" for i in range(3)]
    procs = [_worker(pg_url, "killed", n, d) for d in dirs]
    deadline = time.monotonic() + 300
    victim = procs[0]
    while time.monotonic() < deadline:  # kill worker 0 while it is inside a trial
        try:
            running = [t for t in _trials(pg_url, "killed", STRATEGIES[0]) if t.state.name == "RUNNING"]
        except KeyError:
            running = []
        if running and len(list((dirs[0] / "trials").glob("*/*"))) >= 1:
            break
        time.sleep(0.2)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    outputs = [p.communicate(timeout=600)[0] for p in procs[1:]]
    assert [p.returncode for p in procs[1:]] == [0, 0], outputs[0][-2000:]

    for strategy in STRATEGIES:
        trials = _trials(pg_url, "killed", strategy)
        states = pd.Series([t.state.name for t in trials if not t.user_attrs.get("surplus")]).value_counts().to_dict()
        assert states.get("COMPLETE") == n
        assert "RUNNING" not in states  # the dead worker's trial did not stay RUNNING forever
        for t in trials:
            if t.state.name == "FAIL":
                assert not t.user_attrs.get("error")  # failed by its stale heartbeat, not by its own error
    table = pd.read_csv(dirs[1] / "trials.csv")
    assert (table[table["state"] == "COMPLETE"].groupby("strategy").size() == n).all()
    failed = table[table["state"] == "FAIL"]
    assert failed["error"].str.startswith("interrupted").all()
