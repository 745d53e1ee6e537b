"""W&B tracking: offline by default, and trouble never costs results or unbounded time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from fairexp import tracking
from fairexp.errors import ConfigError

FAIREXP = str(Path(sys.executable).with_name("fairexp"))


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        WANDB_CONFIG_DIR=str(tmp / "_wandb_config"),
        WANDB_CACHE_DIR=str(tmp / "_wandb_cache"),
        WANDB_DATA_DIR=str(tmp / "_wandb_data"),
        OPENBLAS_NUM_THREADS="1",
    )
    env.update(extra)
    return env


def test_flatten():
    assert tracking.flatten({"val": {"accuracy": 0.8}, "test": {"f1": 0.5}}) == {"val/accuracy": 0.8, "test/f1": 0.5}


def test_make_tracker_config():
    assert not tracking.make_tracker({"name": "none"}).enabled
    t = tracking.make_tracker({"name": "wandb", "mode": "offline", "project": "p", "tags": ["a"]})
    assert (t.mode, t.project, t.tags) == ("offline", "p", ["a"])
    with pytest.raises(ConfigError, match="logger.mode"):
        tracking.make_tracker({"name": "wandb", "mode": "sometimes"})
    with pytest.raises(ConfigError, match="logger.name"):
        tracking.make_tracker({"name": "mlflow"})


def test_default_mode_is_offline_and_respects_wandb_mode(tmp_path):
    cfg = subprocess.run([FAIREXP, "--cfg", "job", "--resolve"], capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path)
    assert "mode: offline" in cfg.stdout
    cfg = subprocess.run(
        [FAIREXP, "--cfg", "job", "--resolve"], capture_output=True, text=True, env=_env(tmp_path, WANDB_MODE="disabled"), cwd=tmp_path
    )
    assert "mode: disabled" in cfg.stdout


def test_online_without_network_still_writes_every_result_in_bounded_time(tmp_path):
    """Online mode against an unreachable server (a closed loopback port): a warning, all local files, < 60 s."""
    env = _env(
        tmp_path,
        WANDB_MODE="online",
        WANDB_API_KEY="0" * 40,
        WANDB_BASE_URL="http://127.0.0.1:9",  # nothing listens there: connection refused, on this machine only
    )
    run_dir = tmp_path / "run"
    t0 = time.monotonic()
    proc = subprocess.run(
        [FAIREXP, "dataset=german", "logger.init_timeout=5", f"hydra.run.dir={run_dir}"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180,
    )
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert elapsed < 60, elapsed
    for name in ("config.yaml", "metrics.json", "groups.csv", "predictions.parquet", "provenance.json"):
        assert (run_dir / name).is_file(), name
    log = (run_dir / "fairexp.log").read_text()
    assert "W&B logging failed" in log and "local outputs are complete" in log


def test_after_one_failure_tracking_is_skipped_for_the_rest_of_the_process(monkeypatch, tmp_path):
    calls = []

    def broken_init(self, **kwargs):
        calls.append(1)
        raise RuntimeError("network is unreachable")

    monkeypatch.setattr(tracking, "_FAILED", None)
    monkeypatch.setattr(tracking.WandbTracker, "_init", broken_init)
    t = tracking.WandbTracker(mode="online")
    args = dict(dir=tmp_path, name="r", config={}, metrics={"val": {"accuracy": 0.5}}, groups=pd.DataFrame({"g": ["a"]}))
    assert t.log_run(**args) is None
    assert t.log_run(**args) is None  # a sweep does not wait out the timeout once per trial
    assert calls == [1]
    assert tracking._FAILED.startswith("RuntimeError")
