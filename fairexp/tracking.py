"""Experiment tracking: Weights & Biases (offline by default) or nothing.

Tracking must never cost a result: any W&B failure (no network in online
mode, a bad entity, a full disk) becomes a warning and the local outputs are
still written. ``wandb`` is imported only when a run is actually logged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from fairexp.errors import ConfigError

log = logging.getLogger(__name__)

_MODES = ("offline", "online", "disabled", "shared")

#: Set after the first W&B failure in this process: a sweep must not wait out the same
#: network timeout once per trial.
_FAILED: str | None = None


def flatten(metrics: Mapping[str, Mapping[str, Any]], sep: str = "/") -> dict[str, Any]:
    """``{"val": {"accuracy": .8}}`` -> ``{"val/accuracy": .8}``."""
    return {f"{split}{sep}{name}": v for split, values in metrics.items() for name, v in values.items()}


class NullTracker:
    """``logger=none``: log nothing."""

    enabled = False

    def start(self, **kwargs: Any) -> None:
        return None

    def abort(self) -> None:
        return None

    def log_run(self, **kwargs: Any) -> None:
        return None


class WandbTracker:
    """One W&B run per call to :meth:`log_run`.

    ``mode`` defaults (in ``conf/logger/wandb.yaml``) to the user's
    ``WANDB_MODE`` or ``offline``; offline runs land in ``<dir>/wandb/offline-run-*``
    and can be uploaded later with ``wandb sync``.
    """

    enabled = True

    def __init__(
        self,
        project: str = "fairexp",
        entity: str | None = None,
        mode: str = "offline",
        group: str | None = None,
        tags: list[str] | None = None,
        init_timeout: float = 30.0,
    ) -> None:
        if mode not in _MODES:
            raise ConfigError(f"unknown W&B mode '{mode}' (use one of {', '.join(_MODES)})", key="logger.mode")
        self.project = project
        self.entity = entity
        self.mode = mode
        self.group = group
        self.tags = list(tags or [])
        self.init_timeout = init_timeout
        self._starting: Any = None  # (thread, result holder) of a run begun by start()

    def _init(self, *, dir: Path, name: str | None, job_type: str | None, config: Mapping[str, Any], group: str | None):
        import wandb

        os.environ.setdefault("WANDB_SILENT", "true")
        settings = wandb.Settings(init_timeout=self.init_timeout, silent=True, console="off")
        return wandb.init(
            project=self.project,
            entity=self.entity,
            mode=self.mode,
            dir=str(dir),
            group=group or self.group,
            job_type=job_type,
            name=name,
            tags=self.tags,
            config=dict(config),
            settings=settings,
            reinit="create_new",
        )

    def start(self, *, dir: str | Path, name: str | None, config: Mapping[str, Any], job_type: str | None = None, group: str | None = None) -> None:
        """Begin the W&B run in a background thread, so that importing wandb and starting
        its service (about a second) overlaps the experiment instead of adding to it."""
        import threading

        if _FAILED is not None:
            return
        holder: dict[str, Any] = {}

        def begin() -> None:
            try:
                Path(dir).mkdir(parents=True, exist_ok=True)
                holder["run"] = self._init(dir=Path(dir), name=name, job_type=job_type, config=config, group=group)
            except Exception as exc:  # reported when the run is used
                holder["error"] = exc

        thread = threading.Thread(target=begin, name="wandb-start", daemon=True)
        thread.start()
        self._starting = (thread, holder)

    def _started_run(self) -> Any:
        """The run begun by :meth:`start`, or None if none was begun."""
        if self._starting is None:
            return None
        thread, holder = self._starting
        self._starting = None
        thread.join(self.init_timeout + 30)
        if thread.is_alive():
            raise TimeoutError(f"W&B did not start within {self.init_timeout + 30:.0f} s")
        if "error" in holder:
            raise holder["error"]
        return holder["run"]

    def abort(self) -> None:
        """Close a run begun by :meth:`start` when the experiment failed."""
        try:
            run = self._started_run()
            if run is not None:
                run.finish(exit_code=1)
        except Exception:
            pass

    def log_run(
        self,
        *,
        dir: str | Path,
        name: str | None,
        config: Mapping[str, Any],
        metrics: Mapping[str, Mapping[str, Any]],
        groups: pd.DataFrame | None = None,
        job_type: str | None = None,
        group: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> str | None:
        """Log one experiment; returns the W&B run directory, or None if logging failed."""
        global _FAILED
        if _FAILED is not None:
            log.warning("W&B logging skipped (it failed earlier in this process: %s)", _FAILED)
            return None
        try:
            import wandb

            run = self._started_run()
            if run is None:
                Path(dir).mkdir(parents=True, exist_ok=True)
                run = self._init(dir=Path(dir), name=name, job_type=job_type, config=config, group=group)
            try:
                run.summary.update({k: v for k, v in flatten(metrics).items() if v == v})
                if groups is not None:
                    table = groups.copy()
                    for col in table.columns:
                        if table[col].dtype == object:
                            table[col] = table[col].astype(str)
                    run.log({"groups": wandb.Table(dataframe=table)})
                if extra:
                    run.log(dict(extra))
                run_dir = getattr(run, "dir", None)
            finally:
                run.finish()
            return str(Path(run_dir).parent) if run_dir else None
        except Exception as exc:  # tracking must never lose the local results
            _FAILED = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            log.warning("W&B logging failed (%s); local outputs are complete", _FAILED)
            return None


def make_tracker(cfg: Mapping[str, Any] | None) -> NullTracker | WandbTracker:
    """The tracker a ``logger`` config node asks for."""
    if not cfg or cfg.get("name") in (None, "none"):
        return NullTracker()
    if cfg.get("name") != "wandb":
        raise ConfigError(f"unknown logger '{cfg.get('name')}' (available: wandb, none)", key="logger.name")
    return WandbTracker(
        project=cfg.get("project") or "fairexp",
        entity=cfg.get("entity"),
        mode=cfg.get("mode") or "offline",
        group=cfg.get("group"),
        tags=list(cfg.get("tags") or []),
        init_timeout=float(cfg.get("init_timeout", 30.0)),
    )
