"""Where the Hydra config lives: ``fairexp/_conf`` in a wheel, ``conf/`` in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent

CONFIG_GROUPS = ("dataset", "model", "mitigation", "logger", "search", "experiment")


def conf_dir() -> Path:
    for candidate in (_PKG / "_conf", _PKG.parent / "conf"):
        if (candidate / "config.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"fairexp's config folder is missing (looked in {_PKG / '_conf'} and {_PKG.parent / 'conf'})")


def group_options(group: str) -> list[str]:
    """The options of a config group, e.g. ``dataset`` -> ``['adult', 'bank', ...]``."""
    folder = conf_dir() / group
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
