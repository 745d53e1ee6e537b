"""``fairexp-report`` and ``fairexp-gate`` as installed console scripts: --help is fast and import-light; exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import env

BIN = Path(sys.executable).parent
SCRIPTS = ("fairexp-report", "fairexp-gate")
HEAVY = ("wandb", "aif360", "plotly", "matplotlib", "pandas", "sklearn", "scipy", "fairlearn", "optuna", "hydra", "numpy")


def _run(args: list[str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env())


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_is_fast(script: str) -> None:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        proc = _run([str(BIN / script), "--help"])
        best = min(best, time.perf_counter() - t0)
        assert proc.returncode == 0 and f"usage: {script}" in proc.stdout and "--policy" in proc.stdout
    assert best < 1.0, f"{script} --help took {best:.2f} s"


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_is_import_light(script: str) -> None:
    """-X importtime lists every module imported; none of the heavy ones may appear."""
    proc = _run([sys.executable, "-X", "importtime", str(BIN / script), "--help"])
    assert proc.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "fairexp.report._cli" in imported
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert not heavy, f"--help imported {heavy[:10]}"


def test_help_in_process_sys_modules() -> None:
    code = (
        "import sys\n"
        "from fairexp.report._cli import report_main, gate_main\n"
        "for f in (report_main, gate_main):\n"
        "    try: f(['--help'])\n"
        "    except SystemExit: pass\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {HEAVY!r}]\n"
        "print('HEAVY', bad)\n"
    )
    proc = _run([sys.executable, "-c", code])
    assert proc.returncode == 0 and "HEAVY []" in proc.stdout, proc.stdout[-500:] + proc.stderr[-500:]


LAX = "rules:\n  - {metric: demographic_parity_difference, max: 1.0}\n"
STRICT = "rules:\n  - {metric: demographic_parity_difference, max: -0.5}\n"
UNKNOWN_METRIC = "rules:\n  - {metric: parity, max: 0.1}\n"
UNKNOWN_KEY = "performance: accuracy\nlimits: []\n"


@pytest.fixture(scope="module")
def console(german_sweep: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every console-script run of this module, started concurrently."""
    tmp = tmp_path_factory.mktemp("console")
    policies = {}
    for name, text in {"lax": LAX, "strict": STRICT, "unknown_metric": UNKNOWN_METRIC, "unknown_key": UNKNOWN_KEY}.items():
        policies[name] = tmp / f"{name}.yaml"
        policies[name].write_text(text)
    gate, report = str(BIN / "fairexp-gate"), str(BIN / "fairexp-report")
    jobs = {
        "report": [report, str(german_sweep), "--out", str(tmp / "report"), "--no-counterfactual"],
        "gate_lax": [gate, str(german_sweep), "--policy", str(policies["lax"]), "--out", str(tmp / "gate_lax")],
        "gate_strict": [gate, str(german_sweep), "--policy", str(policies["strict"]), "--out", str(tmp / "gate_strict")],
        "gate_unknown_metric": [gate, str(german_sweep), "--policy", str(policies["unknown_metric"])],
        "gate_missing_dir": [gate, str(tmp / "nowhere"), "--policy", str(policies["lax"])],
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(_run, args) for name, args in jobs.items()}
        return {name: (f.result(), tmp) for name, f in futures.items()}


def test_report_console_script(console) -> None:
    proc, tmp = console["report"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "selected:" in proc.stdout and "default policy" in proc.stdout
    assert {"report.html", "report.md", "model_card.md", "selection.json"} <= {p.name for p in (tmp / "report").iterdir()}


def test_gate_exit_0_on_lax_policy(console) -> None:
    proc, tmp = console["gate_lax"]
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("PASSED") and json.loads((tmp / "gate_lax" / "gate.json").read_text())["passed"]


def test_gate_exit_1_on_strict_policy(console) -> None:
    proc, tmp = console["gate_strict"]
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "no trial meets the policy's limits on validation" in proc.stdout
    assert (tmp / "gate_strict" / "gate.md").read_text().startswith("# Fairness gate: FAILED")


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("gate_unknown_metric", "fairexp-gate: error: rules[0].metric: unknown metric 'parity'"),
        ("gate_missing_dir", "fairexp-gate: error: "),
    ],
)
def test_exit_2_with_one_line(console, case: str, needle: str) -> None:
    proc, _ = console[case]
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith(needle) and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_report_main_bad_inputs_exit_2(german_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from fairexp.report._cli import report_main

    bad = tmp_path / "bad.yaml"
    bad.write_text(UNKNOWN_KEY)
    assert report_main([str(german_sweep), "--policy", str(bad), "--out", str(tmp_path / "r")]) == 2
    assert capsys.readouterr().err.strip() == (
        "fairexp-report: error: limits: unknown policy key (allowed: performance, selection, alpha, rules, "
        "min_group_size, confidence, n_bootstrap, seed)"
    )
    assert not (tmp_path / "r").exists()
    assert report_main([str(tmp_path / "nowhere")]) == 2
    assert "no such directory" in capsys.readouterr().err
