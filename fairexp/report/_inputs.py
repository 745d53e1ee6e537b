"""Reading a sweep directory or a single run directory (the report's and the gate's input).

A trial's run directory is always located as ``<sweep>/trials/<strategy>/<trial>``: the
absolute ``run_dir`` column of ``trials.csv`` goes stale as soon as a sweep is moved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fairexp.errors import FairexpError

RUN_FILES = ("config.yaml", "metrics.json", "predictions.parquet", "provenance.json")


class InputError(FairexpError):
    """A directory that is neither a complete sweep nor a complete run (exit code 2)."""


@dataclass
class Run:
    """One run directory, read: config, metrics, predictions and provenance."""

    path: Path
    config: dict[str, Any]
    metrics: dict[str, dict[str, float]]
    predictions: Any  # pandas.DataFrame
    provenance: dict[str, Any]

    @property
    def info(self) -> dict[str, Any]:
        return self.provenance.get("run", {})

    @property
    def sensitive(self) -> list[str]:
        cols = self.info.get("sensitive") or list(self.config.get("dataset", {}).get("sensitive") or [])
        return [c for c in cols if c in self.predictions.columns]

    @property
    def audit(self) -> list[str]:
        cols = self.info.get("audit") or list(self.config.get("dataset", {}).get("audit") or [])
        return [c for c in cols if c in self.predictions.columns and c not in self.sensitive]

    @property
    def strategy(self) -> str:
        return str(self.config.get("mitigation", {}).get("name", "?"))

    def split(self, name: str) -> Any:
        part = self.predictions[self.predictions["split"] == name].reset_index(drop=True)
        if part.empty:
            raise InputError(f"predictions.parquet has no '{name}' rows", key=str(self.path))
        return part


@dataclass
class Inputs:
    """What the report reads: a sweep (``trials`` set) or one run (``trials`` None)."""

    path: Path
    kind: str  # "sweep" or "run"
    trials: Any = None  # pandas.DataFrame for a sweep
    summary: dict[str, Any] = field(default_factory=dict)
    run: Run | None = None  # the single run, for kind == "run"

    def run_dir(self, strategy: str, trial: int) -> Path:
        if self.kind == "run":
            return self.path
        return self.path / "trials" / str(strategy) / str(int(trial))


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path.name}: {exc}", key=str(path)) from None


def read_run(path: str | Path) -> Run:
    """Read one run directory; :class:`InputError` names the first missing file."""
    import pandas as pd
    import yaml

    path = Path(path)
    if not path.is_dir():
        raise InputError("not a directory", key=str(path))
    missing = [f for f in RUN_FILES if not (path / f).is_file()]
    if missing:
        hint = " (runs need output.save_predictions=true)" if missing == ["predictions.parquet"] else ""
        raise InputError(f"not a complete run directory: missing {', '.join(missing)}{hint}", key=str(path))
    try:
        config = yaml.safe_load((path / "config.yaml").read_text(encoding="utf-8")) or {}
        predictions = pd.read_parquet(path / "predictions.parquet")
    except Exception as exc:  # noqa: BLE001 - any unreadable file is bad input
        raise InputError(f"cannot read run files: {exc}", key=str(path)) from None
    metrics = _json(path / "metrics.json")
    metrics = {
        split: {k: (float("nan") if v is None else float(v)) for k, v in (metrics.get(split) or {}).items()}
        for split in ("val", "test")
    }
    need = {"split", "y_true", "y_pred"}
    if not need <= set(predictions.columns):
        raise InputError(f"predictions.parquet lacks columns {sorted(need - set(predictions.columns))}", key=str(path))
    return Run(path, config, metrics, predictions, _json(path / "provenance.json"))


def read_inputs(path: str | Path) -> Inputs:
    """A sweep directory (has ``trials.csv``) or a run directory (has ``metrics.json``)."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputError("no such directory", key=str(path))
    if not path.is_dir():
        raise InputError("not a directory (give a sweep or run directory)", key=str(path))
    if (path / "trials.csv").is_file():
        try:
            trials = pd.read_csv(path / "trials.csv")
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"cannot read trials.csv: {exc}", key=str(path)) from None
        need = {"strategy", "trial", "state"}
        if not need <= set(trials.columns):
            raise InputError(f"trials.csv lacks columns {sorted(need - set(trials.columns))}", key=str(path))
        if "is_pareto" not in trials.columns:
            trials["is_pareto"] = False
        trials["is_pareto"] = trials["is_pareto"].astype(str).str.lower().eq("true")
        summary = _json(path / "summary.json") if (path / "summary.json").is_file() else {}
        return Inputs(path, "sweep", trials=trials, summary=summary)
    if (path / "metrics.json").is_file():
        return Inputs(path, "run", run=read_run(path))
    raise InputError("neither a sweep directory (no trials.csv) nor a run directory (no metrics.json)", key=str(path))
