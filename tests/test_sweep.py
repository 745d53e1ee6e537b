"""End-to-end tests of ``fairexp -m`` sweeps (fairexp/sweep/, hydra_plugins/fairexp_sweeper/).

Every sweep runs in a subprocess, the way a user runs it, on a tiny budget
(German credit, 1,000 rows, or 2,000 sampled Adult rows, 1-4 trials per
strategy). The outputs are read back and checked against numbers recomputed
here independently: Pareto flags by brute-force dominance, hypervolumes by a
hand-written 2-D staircase sum, trial counts and metrics from the Optuna
database itself, and the W&B content from the offline ``.wandb`` record files.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
import math
import os
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

FAIREXP = str(Path(sys.executable).with_name("fairexp"))
STUDY = "adult_compare"  # experiments/adult_compare.yaml sets search.study_name
ACC, DP = "accuracy", "demographic_parity_difference"
REF = (0.5, 1.0)  # natural hypervolume reference for (accuracy max, DP difference min)

# German credit: 1,000 rows, the cheapest built-in dataset (the recipe's Adult audit columns do not exist there).
GERMAN = ["dataset=german", "dataset.audit=[]", "logger=none"]


# -- helpers -----------------------------------------------------------------


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key in [k for k in env if k.startswith("WANDB_")]:
        del env[key]
    # W&B only ever offline, and its side files kept out of $HOME.
    env.update(
        {
            "WANDB_MODE": "offline",
            "WANDB_SILENT": "true",
            "WANDB_CONFIG_DIR": str(tmp / "_wandb_config"),
            "WANDB_CACHE_DIR": str(tmp / "_wandb_cache"),
            "WANDB_DATA_DIR": str(tmp / "_wandb_data"),
            "WANDB_ARTIFACT_DIR": str(tmp / "_wandb_artifacts"),
            "HYDRA_FULL_ERROR": "0",
        }
    )
    return env


def _cmd(sweep_dir: Path, args: Sequence[str]) -> list[str]:
    return [FAIREXP, "-m", "experiment=adult_compare", *args, f"hydra.sweep.dir={sweep_dir}"]


def sweep(sweep_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run one sweep command; cwd is a scratch folder so nothing lands in the repository."""
    cwd = sweep_dir.parent
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        _cmd(sweep_dir, args), cwd=cwd, env=_env(cwd), capture_output=True, text=True, timeout=timeout
    )


def read_csv(path: Path) -> pd.DataFrame:
    """The sweep's CSVs hold repr() floats: read them back bit-exact."""
    return pd.read_csv(path, float_precision="round_trip")


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def error_lines(stderr: str) -> list[str]:
    """stderr without tqdm redraws and blank lines."""
    lines = [seg for line in stderr.splitlines() for seg in line.split("\r")]
    return [ln for ln in lines if ln.strip() and "it/s]" not in ln and "trial/s" not in ln and "%|" not in ln]


def one_line_error(proc: subprocess.CompletedProcess, key: str) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]
    errors = [ln for ln in error_lines(proc.stderr) if ln.startswith("fairexp: error:")]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert errors[0].startswith(f"fairexp: error: {key}"), errors[0]
    return errors[0]


def load_study(sweep_dir: Path, strategy: str):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.load_study(study_name=f"{STUDY}.{strategy}", storage=f"sqlite:///{sweep_dir / 'optuna.db'}")


def complete(study) -> list:
    return [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]


def brute_force_pareto(acc: np.ndarray, dp: np.ndarray) -> np.ndarray:
    """i is on the front unless some j is at least as good on both and strictly better on one."""
    n = len(acc)
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        if not (np.isfinite(acc[i]) and np.isfinite(dp[i])):
            continue
        dominated = False
        for j in range(n):
            if j == i or not (np.isfinite(acc[j]) and np.isfinite(dp[j])):
                continue
            if acc[j] >= acc[i] and dp[j] <= dp[i] and (acc[j] > acc[i] or dp[j] < dp[i]):
                dominated = True
                break
        out[i] = not dominated
    return out


def staircase_hv(acc: Sequence[float], dp: Sequence[float], ref: tuple[float, float] = REF) -> float:
    """2-D hypervolume (maximise acc, minimise dp) as a sum of rectangles, highest accuracy first."""
    pts = [(a, d) for a, d in zip(acc, dp) if math.isfinite(a) and math.isfinite(d) and a > ref[0] and d < ref[1]]
    pts.sort(key=lambda p: (-p[0], p[1]))
    area, dp_limit = 0.0, ref[1]
    for a, d in pts:
        if d < dp_limit:
            area += (a - ref[0]) * (dp_limit - d)
            dp_limit = d
    return area


# -- 1. happy path -----------------------------------------------------------

HAPPY_N = 3


@pytest.fixture(scope="module")
def happy(tmp_path_factory) -> Path:
    sweep_dir = tmp_path_factory.mktemp("happy") / "sweep"
    ok(
        sweep(
            sweep_dir,
            "dataset.sample=2000",
            f"search.n_trials={HAPPY_N}",
            "search.strategies=[none,reweighing]",
            "logger=none",
        )
    )
    return sweep_dir


def test_happy_path_files_and_trials(happy: Path) -> None:
    for name in ("trials.csv", "pareto.csv", "summary.json", "tradeoff.png", "tradeoff.svg", "tradeoff.html", "optuna.db"):
        assert (happy / name).is_file() and (happy / name).stat().st_size > 0, name
    assert not (happy / "wandb").exists()  # logger=none
    trials = read_csv(happy / "trials.csv")
    # threshold_optimizer is a reference (conf/search/default.yaml): always appended
    assert trials.groupby("strategy").size().to_dict() == {"none": 3, "reweighing": 3, "threshold_optimizer": 3}
    assert (trials["state"] == "COMPLETE").all()
    assert list(trials.columns[:3]) == ["strategy", "trial", "state"]
    for col in ("params.model.C", "params.mitigation.tol", "params.mitigation.objective", "val.accuracy",
                f"val.{DP}", "test.accuracy", f"test.{DP}", "error", "run_dir", "is_pareto"):  # fmt: skip
        assert col in trials.columns, col
    assert trials["params.model.C"].notna().all()  # the base model's space is searched for every strategy
    assert trials.loc[trials.strategy == "threshold_optimizer", "params.mitigation.tol"].notna().all()
    assert trials.loc[trials.strategy != "threshold_optimizer", "params.mitigation.tol"].isna().all()

    # every row is a real run: its run dir holds metrics.json with exactly the numbers in the table
    for _, row in trials.iterrows():
        run_dir = Path(row["run_dir"])
        assert run_dir == happy / "trials" / row["strategy"] / str(row["trial"])
        metrics = json.loads((run_dir / "metrics.json").read_text())
        for split in ("val", "test"):
            for m in (ACC, DP):
                assert row[f"{split}.{m}"] == pytest.approx(metrics[split][m], abs=1e-12)
        assert metrics["val"]["n"] == 400  # 20 % of dataset.sample=2000, the same rows for every trial
        assert 0.5 < metrics["val"][ACC] < 1 and 0 <= metrics["val"][DP] < 1


def test_happy_path_pareto_flags_match_brute_force(happy: Path) -> None:
    trials = read_csv(happy / "trials.csv")
    for strategy, part in trials.groupby("strategy"):
        expect = brute_force_pareto(part[f"val.{ACC}"].to_numpy(float), part[f"val.{DP}"].to_numpy(float))
        assert part["is_pareto"].to_numpy(bool).tolist() == expect.tolist(), strategy
        assert expect.any()
    pareto = read_csv(happy / "pareto.csv")
    flagged = trials[trials["is_pareto"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(pareto, flagged, check_dtype=False)
    # Pareto points come with their test metrics (chosen on validation, reported on test)
    for col in (f"test.{ACC}", f"test.{DP}"):
        assert pareto[col].notna().all() and ((pareto[col] >= 0) & (pareto[col] <= 1)).all()


def test_happy_path_hypervolume_matches_two_independent_computations(happy: Path) -> None:
    from fairexp.pareto import hypervolume, hypervolume_curve

    trials = read_csv(happy / "trials.csv")
    summary = json.loads((happy / "summary.json").read_text())
    assert summary["objectives"] == [{"metric": ACC, "direction": "maximize"}, {"metric": DP, "direction": "minimize"}]
    assert summary["reference"] == list(REF)
    assert summary["study_name"] == STUDY
    assert summary["storage"] == f"sqlite:///{happy / 'optuna.db'}"
    assert set(summary["strategies"]) == {"none", "reweighing", "threshold_optimizer"}
    for strategy, part in trials.groupby("strategy"):
        part = part.sort_values("trial")
        info = summary["strategies"][strategy]
        assert info["states"] == {"COMPLETE": HAPPY_N} and info["n_trials"] == HAPPY_N
        assert info["n_pareto"] == int(part["is_pareto"].sum())
        values = part[[f"val.{ACC}", f"val.{DP}"]].to_numpy(float)
        hv_pkg = hypervolume(values, ["maximize", "minimize"], REF)
        hv_hand = staircase_hv(values[:, 0], values[:, 1])
        assert 0.1 < hv_hand < 0.5  # 0.5 is the whole box: accuracy in (0.5, 1], DP in [0, 1)
        assert info["hypervolume"] == pytest.approx(hv_pkg, abs=1e-12)
        assert info["hypervolume"] == pytest.approx(hv_hand, abs=1e-12)
        # the curve: running hypervolume of the trial prefixes, ending at the final value
        curve = info["hypervolume_curve"]
        assert len(curve) == HAPPY_N
        assert curve == pytest.approx([staircase_hv(values[: i + 1, 0], values[: i + 1, 1]) for i in range(HAPPY_N)], abs=1e-12)
        assert curve == pytest.approx(hypervolume_curve(values, ["maximize", "minimize"], REF).tolist(), abs=1e-12)
        assert all(b >= a for a, b in zip(curve, curve[1:]))


def test_happy_path_optuna_db_readable_like_a_dashboard(happy: Path) -> None:
    trials = read_csv(happy / "trials.csv")
    for strategy in ("none", "reweighing", "threshold_optimizer"):
        study = load_study(happy, strategy)
        done = complete(study)
        assert len(done) == len(study.trials) == HAPPY_N
        assert [t.number for t in done] == [0, 1, 2]
        assert study.metric_names == [ACC, DP]
        assert [d.name for d in study.directions] == ["MAXIMIZE", "MINIMIZE"]
        part = trials[trials.strategy == strategy].set_index("trial")
        for t in done:
            assert t.values == pytest.approx([part.loc[t.number, f"val.{ACC}"], part.loc[t.number, f"val.{DP}"]], abs=1e-12)
            assert t.user_attrs["metrics"]["test"][ACC] == pytest.approx(part.loc[t.number, f"test.{ACC}"], abs=1e-12)
            assert t.params["model.C"] == pytest.approx(part.loc[t.number, "params.model.C"], rel=1e-12)


# -- 2. resume ---------------------------------------------------------------


RESUME_STRATEGIES = ("none", "threshold_optimizer")  # none + the reference threshold_optimizer


@pytest.fixture(scope="module")
def resumed(tmp_path_factory) -> dict[str, Any]:
    """The same sweep three times: 2 trials, then a budget of 4, then 4 again."""
    sweep_dir = tmp_path_factory.mktemp("resume") / "sweep"
    base = [*GERMAN, "search.strategies=[none]"]
    snapshots = []
    for n in (2, 4, 4):
        start = time.monotonic()
        ok(sweep(sweep_dir, *base, f"search.n_trials={n}"))
        snapshots.append(
            {
                "elapsed": time.monotonic() - start,
                "trials_csv": (sweep_dir / "trials.csv").read_text(),
                "summary": json.loads((sweep_dir / "summary.json").read_text()),
                "run_dirs": sorted(p.name for p in (sweep_dir / "trials" / "none").iterdir()),
                "studies": {
                    s: [(t.number, t.state.name, t.params, t.values) for t in load_study(sweep_dir, s).trials]
                    for s in RESUME_STRATEGIES
                },
            }
        )
    return {"dir": sweep_dir, "args": base, "runs": snapshots}


def test_resume_continues_numbering_and_is_idempotent(resumed: dict[str, Any]) -> None:
    first, second, third = resumed["runs"]
    for s in RESUME_STRATEGIES:
        assert [(n, st) for n, st, _, _ in first["studies"][s]] == [(0, "COMPLETE"), (1, "COMPLETE")], s
        assert [(n, st) for n, st, _, _ in second["studies"][s]] == [(i, "COMPLETE") for i in range(4)], s
        # trials 0 and 1 are the same ones (params, values), not re-run
        assert second["studies"][s][:2] == first["studies"][s]
    trials = pd.read_csv(io.StringIO(second["trials_csv"]), float_precision="round_trip")
    assert trials.groupby("strategy").size().to_dict() == {"none": 4, "threshold_optimizer": 4}
    assert second["run_dirs"] == ["0", "1", "2", "3"]
    summary = second["summary"]
    assert summary["strategies"]["none"]["states"] == {"COMPLETE": 4}
    assert len(summary["strategies"]["none"]["hypervolume_curve"]) == 4

    # the same budget again: nothing runs, the outputs come out identical
    assert third["studies"] == second["studies"]
    assert third["run_dirs"] == second["run_dirs"]
    assert third["trials_csv"] == second["trials_csv"]
    assert third["elapsed"] < 30


def test_resume_does_not_repeat_the_first_trials(resumed: dict[str, Any]) -> None:
    """The trials added by a resumed run must explore new points, not replay the first run's ones.

    BUG (found while writing these tests): the sampler is re-created with the same seed on
    every run (``make_sampler(seed=settings.seed)`` in ``_run_strategy``), so the random
    start-up phase replays its sequence: trials 2, 3 get exactly the params of trials 0, 1
    and half of the resumed budget is wasted on duplicates.
    """
    _, second, _ = resumed["runs"]
    for s in RESUME_STRATEGIES:
        params = [p for _, _, p, _ in second["studies"][s]]
        assert params[2] not in params[:2] and params[3] not in params[:2], (s, params)


def _db_states(db: Path, study_name: str) -> list[tuple[str, bool]]:
    """(state, has a heartbeat) per trial, straight from the SQLite file, read-only."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    try:
        rows = con.execute(
            "SELECT t.state, h.trial_id IS NOT NULL FROM trials t JOIN studies s ON s.study_id = t.study_id "
            "LEFT JOIN trial_heartbeats h ON h.trial_id = t.trial_id WHERE s.study_name = ? ORDER BY t.number",
            (study_name,),
        ).fetchall()
    finally:
        con.close()
    return [(r[0], bool(r[1])) for r in rows]


def test_resume_after_sigkill(tmp_path: Path) -> None:
    """Kill the sweep mid-trial; the re-run fails the stale trial, keeps the finished ones, fills the budget."""
    n = 4
    sweep_dir = tmp_path / "sweep"
    args = [*GERMAN, "search.strategies=[none]", "search.references=[]", f"search.n_trials={n}", "search.heartbeat_interval=1"]
    log = tmp_path / "first_run.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            _cmd(sweep_dir, args), cwd=tmp_path, env=_env(tmp_path), start_new_session=True, stdout=sink, stderr=sink
        )
    states: list[tuple[str, bool]] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the sweep ended before it could be killed:\n{log.read_text()[-2000:]}"
            # a finished trial's run dir has metrics.json; only then look into the database
            if any(sweep_dir.glob("trials/none/*/metrics.json")):
                try:
                    states = _db_states(sweep_dir / "optuna.db", f"{STUDY}.none")
                except Exception:  # database busy: try again
                    states = []
                # best moment: one trial done and the next one running (its heartbeat recorded;
                # before that, see test_resume_after_worker_died_before_its_first_heartbeat)
                if ("COMPLETE", True) in states and ("RUNNING", True) in states:
                    break
            time.sleep(0.05)
        else:
            pytest.fail(f"no completed trial within 90 s (states {states})")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    killed_at = time.monotonic()
    assert proc.returncode == -signal.SIGKILL

    before = {t.number: t for t in load_study(sweep_dir, "none").get_trials(deepcopy=True)}
    done_before = {k: t for k, t in before.items() if t.state.name == "COMPLETE"}
    running_before = [k for k, t in before.items() if t.state.name == "RUNNING"]
    assert 1 <= len(done_before) < n
    assert len(running_before) <= 1
    assert not (sweep_dir / "trials.csv").exists()  # killed before the outputs

    time.sleep(max(0.0, 2.5 - (time.monotonic() - killed_at)))  # > 2 x heartbeat: the RUNNING trial is stale
    ok(sweep(sweep_dir, *args))

    study = load_study(sweep_dir, "none")
    after = {t.number: t for t in study.get_trials(deepcopy=True)}
    numbers = [t.number for t in study.trials]
    assert numbers == sorted(set(numbers)) == list(range(len(numbers)))  # no duplicated/restarted numbers
    assert sum(t.state.name == "COMPLETE" for t in after.values()) == n
    for k, t in done_before.items():  # finished before the kill: untouched
        assert after[k].state.name == "COMPLETE"
        assert after[k].user_attrs["metrics"] == t.user_attrs["metrics"]
        assert after[k].params == t.params and after[k].values == t.values
    for k in running_before:  # interrupted: failed, its slot re-run under a new number
        assert after[k].state.name == "FAIL"
    assert len(after) == n + len(running_before)

    trials = read_csv(sweep_dir / "trials.csv").fillna({"error": ""})
    assert not trials.duplicated(["strategy", "trial"]).any()
    assert trials["trial"].tolist() == list(range(len(after)))
    assert (trials["state"] == "COMPLETE").sum() == n
    for k in running_before:
        row = trials[trials.trial == k].iloc[0]
        assert row["state"] == "FAIL" and row["error"].startswith("interrupted"), row.to_dict()
        assert not row["is_pareto"]
    assert (trials.loc[trials.state == "COMPLETE", "error"] == "").all()
    summary = json.loads((sweep_dir / "summary.json").read_text())
    expect_states = {"COMPLETE": n} | ({"FAIL": len(running_before)} if running_before else {})
    assert summary["strategies"]["none"]["states"] == expect_states


def test_resume_after_worker_died_before_its_first_heartbeat(resumed: dict[str, Any]) -> None:
    """A worker killed between ``study.ask()`` and its first heartbeat leaves a RUNNING trial with no heartbeat.

    test_resume_after_sigkill can hit this window by chance; here it is made deterministic
    by asking a trial from the test process (in the resumed sweep above: 4 trials done).
    The re-run must fail that orphan and fill the budget of 5. ``search.timeout`` only
    bounds the test when the orphan is never failed.

    BUG (found while writing these tests): ``optuna.storages.fail_stale_trials`` only
    looks at trials that have a heartbeat row, and ``_counts_toward_budget`` counts a
    RUNNING trial as spent, so the re-run launches n_trials - 1 trials and then waits for
    the orphan forever (the "other workers' trials" ``time.sleep`` loop in ``_run_strategy``).
    """
    sweep_dir = resumed["dir"]
    orphan = load_study(sweep_dir, "none").ask()  # RUNNING, never heartbeated, nobody will finish it
    assert orphan.number == 4
    time.sleep(2.5)  # older than 2 x heartbeat_interval
    start = time.monotonic()
    ok(sweep(sweep_dir, *resumed["args"], "search.n_trials=5", "search.heartbeat_interval=1", "search.timeout=10"))
    elapsed = time.monotonic() - start
    states = {t.number: t.state.name for t in load_study(sweep_dir, "none").trials}
    assert states[orphan.number] == "FAIL", (states, f"{elapsed:.1f} s")
    assert sum(st == "COMPLETE" for st in states.values()) == 5, states
    assert [t.state.name for t in load_study(sweep_dir, "threshold_optimizer").trials] == ["COMPLETE"] * 5
    trials = read_csv(sweep_dir / "trials.csv").fillna({"error": ""})
    row = trials[(trials.strategy == "none") & (trials.trial == orphan.number)]
    assert row["error"].item().startswith("interrupted")


# -- 3. failing trials -------------------------------------------------------


def test_trial_with_undefined_objective_fails_and_sweep_completes(tmp_path: Path) -> None:
    """C=1e-5 makes logistic regression predict no positive on Adult (base rate 0.24): precision is 0/0.

    The base model is not searched, so ``none`` runs once and fails; threshold_optimizer
    (the reference) still selects positives and completes its trials.
    """
    sweep_dir = tmp_path / "sweep"
    proc = ok(
        sweep(
            sweep_dir,
            "dataset.sample=2000",
            "logger=none",
            "search.strategies=[none]",
            "search.n_trials=2",
            "search.search_model=false",
            "model.C=1e-05",
            "search.objectives=[precision,demographic_parity_difference]",
        )
    )
    assert "Traceback" not in proc.stderr
    trials = read_csv(sweep_dir / "trials.csv").fillna({"error": ""})
    none = trials[trials.strategy == "none"]
    assert none["state"].tolist() == ["FAIL"]
    assert none["error"].item() == "objective undefined on validation: precision"
    assert none["val.selection_rate"].item() == 0.0  # the metrics were still recorded...
    assert math.isnan(none["val.precision"].item())  # ...and precision is undefined
    assert not none["is_pareto"].item()
    other = trials[trials.strategy == "threshold_optimizer"]
    assert other["state"].tolist() == ["COMPLETE", "COMPLETE"]
    assert (other["val.precision"] > 0).all() and (other["error"] == "").all()

    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert summary["reference"] == [0.0, 1.0]  # natural bound for precision
    assert summary["strategies"]["none"] | {"hypervolume_curve": None} == {
        "n_trials": 1, "states": {"FAIL": 1}, "hypervolume": 0.0, "hypervolume_curve": None, "n_pareto": 0,
    }  # fmt: skip
    assert summary["strategies"]["threshold_optimizer"]["states"] == {"COMPLETE": 2}
    for name in ("pareto.csv", "tradeoff.png", "tradeoff.svg", "tradeoff.html"):
        assert (sweep_dir / name).is_file()
    # the failure is in the study too, with its reason
    failed = load_study(sweep_dir, "none").trials
    assert [t.state.name for t in failed] == ["FAIL"]
    assert failed[0].user_attrs["error"] == "objective undefined on validation: precision"


def test_config_error_inside_a_trial_stops_the_sweep(tmp_path: Path) -> None:
    """An unknown mitigation parameter, given to one strategy through search.strategy_overrides.

    ``none`` runs first and is unaffected; exponentiated_gradient's first trial raises a
    ConfigError, which stops the sweep with one line (every trial would fail alike).
    """
    sweep_dir = tmp_path / "sweep"
    proc = sweep(
        sweep_dir,
        *GERMAN,
        "search.strategies=[none,exponentiated_gradient]",
        "search.references=[]",
        "search.search_model=false",  # none: a single trial
        "search.n_trials=3",
        '+search.strategy_overrides.exponentiated_gradient=["mitigation.max_iter=5","+mitigation.epsilon=1"]',
    )
    assert proc.returncode == 2
    line = one_line_error(proc, "mitigation.epsilon:")
    assert "unknown parameter 'epsilon' for exponentiated_gradient" in line and "eps" in line
    # stopped at exponentiated_gradient's first trial, recorded as failed with the same message
    trials = load_study(sweep_dir, "exponentiated_gradient").trials
    assert [t.state.name for t in trials] == ["FAIL"]
    assert "unknown parameter 'epsilon'" in trials[0].user_attrs["error"]
    assert not (sweep_dir / "trials.csv").exists()
    # the override reached only its strategy
    assert [t.state.name for t in load_study(sweep_dir, "none").trials] == ["COMPLETE"]
    none_cfg = yaml.safe_load((sweep_dir / "trials/none/0/config.yaml").read_text())
    assert none_cfg["mitigation"] == {"name": "none", "search_space": {}}


# -- 4. bad search configs ---------------------------------------------------

BAD_CONFIGS = {
    "sampler": (["search.sampler=foo"], "search.sampler", "unknown sampler 'foo'"),
    "strategy": (["search.strategies=[none,bogus]"], "search.strategies", "unknown strategy 'bogus'"),
    "objective": (["search.objectives=[accuracy,nope]"], "search.objectives[1]", "unknown metric 'nope'"),
    "low_gt_high": (
        ["mitigation=exponentiated_gradient", "mitigation.search_space.eps.low=0.5", "mitigation.search_space.eps.high=0.1",
         "search.strategies=[exponentiated_gradient]"],  # fmt: skip
        "mitigation.search_space.eps",
        "low (0.5) is greater than high (0.1)",
    ),
    "empty_choices": (
        ["mitigation=threshold_optimizer", "mitigation.search_space.objective.choices=[]", "search.strategies=[threshold_optimizer]"],
        "mitigation.search_space.objective",
        "empty choice list",
    ),
    "n_trials": (["search.n_trials=0"], "search.n_trials", "positive integer"),
    "storage": (["search.storage=postgresql://u:s3cr3tpw@127.0.0.1:1/db"], "search.storage", "cannot open storage"),
    # search.strategy_overrides: a strategy that is not compared, written as in README.md / conf/search/default.yaml
    "overrides_readme_form": (
        ['search.strategy_overrides={bogus:["mitigation.max_iter=5"]}'],
        "search.strategy_overrides",
        "'bogus' is not one of the strategies being compared",
    ),
    # ... and as a ++ dict: a dict value with commas is not a sweep list
    "overrides_dict": (
        ['++search.strategy_overrides={bogus:["mitigation.max_iter=5","mitigation.eps=0.1"]}'],
        "search.strategy_overrides",
        "'bogus' is not one of the strategies being compared",
    ),
    # an override Hydra cannot apply to that strategy's config (max_iter exists: '+' cannot add it)
    "override_not_applicable": (
        ["search.strategies=[exponentiated_gradient]", '+search.strategy_overrides.exponentiated_gradient=["+mitigation.max_iter=5"]'],
        "search.strategy_overrides.exponentiated_gradient",
        "max_iter",
    ),
}


def _timed_sweep(sweep_dir: Path, args: Sequence[str]) -> tuple[subprocess.CompletedProcess, float, Path]:
    start = time.monotonic()
    proc = sweep(sweep_dir, *GERMAN, "search.n_trials=2", *args, timeout=90)
    return proc, time.monotonic() - start, sweep_dir


@pytest.fixture(scope="module")
def _bad_config_futures(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """Every bad-config command, started at once in the background (each fails during start-up)."""
    from concurrent.futures import ThreadPoolExecutor

    root = tmp_path_factory.mktemp("bad")
    with ThreadPoolExecutor(max_workers=len(BAD_CONFIGS)) as pool:
        yield {name: pool.submit(_timed_sweep, root / name / "sweep", args) for name, (args, _, _) in BAD_CONFIGS.items()}


@pytest.fixture(scope="module", autouse=True)
def _start_bad_configs_early(request) -> None:
    """They need no machine time to speak of: let them run beside the first (long) sweeps."""
    if any("bad_config_runs" in getattr(item, "fixturenames", ()) for item in request.session.items):
        request.getfixturevalue("_bad_config_futures")


@pytest.fixture(scope="module")
def bad_config_runs(_bad_config_futures) -> dict[str, tuple[subprocess.CompletedProcess, float, Path]]:
    return {name: future.result(timeout=120) for name, future in _bad_config_futures.items()}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_bad_search_config_one_line_error(bad_config_runs, name: str) -> None:
    proc, elapsed, sweep_dir = bad_config_runs[name]
    _, key, message = BAD_CONFIGS[name]
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = one_line_error(proc, key + ":")
    assert message in line, line
    # nothing was run
    assert not (sweep_dir / "trials").exists() and not (sweep_dir / "trials.csv").exists()
    if name == "storage":
        assert "s3cr3tpw" not in proc.stderr + proc.stdout
        assert "postgresql://u:***@127.0.0.1:1/db" in line
        # fails fast: no connect retries, about as quick as the configs that fail without any I/O
        # (all these commands run at once and share the machine: < 30 s alone, measured ~3 s)
        others = max(t for n, (_, t, _) in bad_config_runs.items() if n != "storage")
        assert elapsed < others + 10 and elapsed < 60, (elapsed, others)


def test_unreachable_postgres_reports_the_connection_not_a_missing_driver(bad_config_runs) -> None:
    """With the ``postgres`` extra installed, a plain postgresql:// URL must reach the server (and be refused).

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; with only psycopg2 installed (the extra
    used to install psycopg2-binary) the message was "Failed to import DB access module".
    """
    pytest.importorskip("psycopg")
    proc, _, _ = bad_config_runs["storage"]
    line = one_line_error(proc, "search.storage:")
    assert "Failed to import DB access module" not in line
    assert "refused" in line.lower() or "could not connect" in line.lower(), line


def test_storage_password_is_not_written_to_disk(bad_config_runs) -> None:
    """summary.json and errors redact the storage password; files in the sweep dir must too.

    BUG (found while writing these tests): the sweeper saves the composed config verbatim
    to ``<sweep>/multirun.yaml`` (and every trial's config.yaml / W&B config gets it too).
    """
    _, _, sweep_dir = bad_config_runs["storage"]
    leaked = [p for p in sweep_dir.rglob("*") if p.is_file() and b"s3cr3tpw" in p.read_bytes()]
    assert leaked == []


# -- 5. W&B, read back from the offline run files ------------------------------


def wandb_records(path: Path) -> Iterator[Any]:
    """Records of a ``run-*.wandb`` file: W&B's LevelDB-style log of ``wandb_internal_pb2.Record``.

    wandb >= 0.19 writes it from Go (wandb-core) and no longer ships the Python
    ``datastore`` reader, so this is the format spelled out: a 7-byte file header
    (":W&B", magic, version), then 32 KiB blocks of chunks, each with a 7-byte header
    (crc32, length, type: 1 full, 2 first, 3 middle, 4 last).
    """
    from wandb.proto import wandb_internal_pb2 as pb

    data = path.read_bytes()
    ident, _magic, _version = struct.unpack("<4sHB", data[:7])
    assert ident == b":W&B"
    block, pos, buf = 32768, 7, b""
    while pos + 7 <= len(data):
        left = block - pos % block
        if left < 7:  # block trailer padding
            pos += left
            continue
        _crc, length, kind = struct.unpack("<IHB", data[pos : pos + 7])
        if length == 0 and kind == 0:
            break
        chunk = data[pos + 7 : pos + 7 + length]
        pos += 7 + length
        buf = chunk if kind in (1, 2) else buf + chunk
        if kind in (1, 4):
            record = pb.Record()
            record.ParseFromString(buf)
            yield record


def _item_value(item: Any) -> Any:
    if item.value_json:
        return json.loads(item.value_json)
    kind = item.WhichOneof("value") if "value" in [o.name for o in item.DESCRIPTOR.oneofs] else None
    return getattr(item, kind) if kind else None


def read_wandb_run(run_dir: Path) -> dict[str, Any]:
    (wandb_file,) = run_dir.glob("run-*.wandb")
    out: dict[str, Any] = {"run": None, "history": {}, "summary": {}, "config": {}}
    for r in wandb_records(wandb_file):
        kind = r.WhichOneof("record_type")
        if kind == "run":
            out["run"] = r.run
        elif kind == "history":
            for item in r.history.item:
                out["history"][item.key or "/".join(item.nested_key)] = _item_value(item)
        elif kind == "summary":
            for item in r.summary.update:
                out["summary"][item.key or "/".join(item.nested_key)] = _item_value(item)
        elif kind == "config":
            for item in r.config.update:
                out["config"][item.key or "/".join(item.nested_key)] = json.loads(item.value_json)
    return out


def _table(run_dir: Path, rel: str) -> pd.DataFrame:
    blob = json.loads((run_dir / "files" / rel).read_text())
    return pd.DataFrame(blob["data"], columns=blob["columns"])


def test_wandb_offline_runs_hold_the_sweep(tmp_path: Path) -> None:
    sweep_dir = tmp_path / "sweep"
    ok(sweep(sweep_dir, "dataset=german", "dataset.audit=[]", "logger=wandb", "search.strategies=[none]", "search.n_trials=2", timeout=150))
    trials = read_csv(sweep_dir / "trials.csv")
    pareto = read_csv(sweep_dir / "pareto.csv")
    summary = json.loads((sweep_dir / "summary.json").read_text())
    assert trials.groupby("strategy").size().to_dict() == {"none": 2, "threshold_optimizer": 2}

    # one summary run in the sweep dir
    (summary_dir,) = (sweep_dir / "wandb").glob("offline-run-*")
    run = read_wandb_run(summary_dir)
    assert run["run"].job_type == "summary"
    assert run["run"].run_group == STUDY
    assert run["run"].display_name == f"{STUDY}-summary"
    assert run["run"].project == "fairexp"
    for strategy, info in summary["strategies"].items():
        assert run["summary"][f"hypervolume/{strategy}"] == pytest.approx(info["hypervolume"], abs=1e-12)
    hist = run["history"]

    # the pareto table: columns and rows equal pareto.csv
    assert hist["pareto/_type"] == "table-file" and hist["pareto/nrows"] == len(pareto)
    table = _table(summary_dir, hist["pareto/path"])
    for col in ("strategy", "trial", "val.accuracy", f"val.{DP}", "test.accuracy", f"test.{DP}", "is_pareto", "params.model.C"):
        assert col in table.columns, col
    assert "run_dir" not in table.columns
    assert table["is_pareto"].astype(bool).all()
    assert table["strategy"].tolist() == pareto["strategy"].tolist()
    assert table["trial"].tolist() == pareto["trial"].tolist()
    for col in ("val.accuracy", f"val.{DP}", "test.accuracy", f"test.{DP}", "params.model.C"):
        np.testing.assert_allclose(table[col].to_numpy(float), pareto[col].to_numpy(float), rtol=0, atol=1e-12)

    # the trials table: every trial
    assert hist["trials/nrows"] == len(trials)
    all_rows = _table(summary_dir, hist["trials/path"])
    assert all_rows["state"].tolist() == trials["state"].tolist()
    np.testing.assert_allclose(all_rows["val.accuracy"].to_numpy(float), trials["val.accuracy"].to_numpy(float), atol=1e-12)

    # the frontier scatter is drawn from the pareto table; the image and hypervolume curves are there
    assert hist["frontier_table/path"] == hist["pareto/path"]
    frontier = run["config"]["_wandb/visualize/frontier"]["panel_config"]
    assert frontier["panelDefId"] == "wandb/scatter/v0"
    assert frontier["fieldSettings"] == {"x": f"val.{DP}", "y": "val.accuracy"}
    assert run["config"]["_wandb/visualize/hypervolume_curve"]["panel_config"]["panelDefId"] == "wandb/lineseries/v0"
    assert hist["tradeoff/_type"] == "image-file"
    assert (summary_dir / "files" / hist["tradeoff/path"]).is_file()
    curve = _table(summary_dir, hist["hypervolume_curve_table/path"])
    for strategy, info in summary["strategies"].items():
        np.testing.assert_allclose(
            curve.loc[curve["lineKey"] == strategy, "lineVal"].to_numpy(float), info["hypervolume_curve"], atol=1e-12
        )

    # one offline run per trial, in the trial's own dir: job_type = strategy, group = study name
    for row in trials.itertuples(index=False):
        (trial_run,) = (Path(row.run_dir) / "wandb").glob("offline-run-*")
        rec = read_wandb_run(trial_run)
        assert rec["run"].job_type == row.strategy
        assert rec["run"].run_group == STUDY
        metrics = json.loads((Path(row.run_dir) / "metrics.json").read_text())
        assert rec["summary"]["val/accuracy"] == pytest.approx(metrics["val"]["accuracy"], abs=1e-12)
        assert rec["summary"][f"test/{DP}"] == pytest.approx(metrics["test"][DP], abs=1e-12)
    assert len(list(sweep_dir.glob("trials/*/*/wandb/offline-run-*"))) == len(trials)


# -- 6. grid sampler + n_jobs --------------------------------------------------


def test_grid_sampler_with_parallel_batches(tmp_path: Path) -> None:
    """3 grid points of model.C (log range 0.001..100) and a budget of 5: exactly the 3 grid values run.

    (Optuna's own GridSampler calls study.stop() when the grid is exhausted, which raises
    outside study.optimize(): the sweep used to die on its last trial.)
    """
    sweep_dir = tmp_path / "sweep"
    ok(
        sweep(
            sweep_dir,
            *GERMAN,
            "search.sampler=grid",
            "search.grid_points=3",
            "search.strategies=[none]",
            "search.references=[]",
            "search.n_trials=5",
            "search.n_jobs=2",  # conf/config.yaml: the joblib launcher runs a batch in parallel processes
        )
    )
    trials = read_csv(sweep_dir / "trials.csv")
    assert len(trials) == 3 and (trials["state"] == "COMPLETE").all()
    assert sorted(trials["params.model.C"]) == pytest.approx([0.001, math.sqrt(0.1), 100.0], rel=1e-9)
    study = load_study(sweep_dir, "none")
    assert len(study.trials) == 3  # no surplus or duplicate trial
    # trials 0 and 1 ran side by side in two processes, trial 2 after both: a run records when
    # it started (provenance.json) and ends with metrics.json
    started = {
        n: datetime.fromisoformat(json.loads((sweep_dir / f"trials/none/{n}/provenance.json").read_text())["run"]["started_at"]).timestamp()
        for n in range(3)
    }
    ended = {n: (sweep_dir / f"trials/none/{n}/metrics.json").stat().st_mtime for n in range(3)}
    assert started[1] < ended[0] and started[0] < ended[1], (started, ended)
    assert started[2] >= max(ended[0], ended[1]), (started, ended)
    for _, row in trials.iterrows():  # each trial really ran with its grid value
        cfg = yaml.safe_load((Path(row["run_dir"]) / "config.yaml").read_text())
        assert cfg["model"]["C"] == row["params.model.C"]
