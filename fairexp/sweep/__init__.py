"""Multi-objective sweeps: Optuna studies per strategy, driven through Hydra's launcher.

Hydra finds the sweeper through the thin ``hydra_plugins.fairexp_sweeper``
shim (Hydra only loads plugins from that namespace) and imports every plugin
at start-up, so this namespace is lazy: nothing heavy loads until used.
"""

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Constraint": "_config",
    "Objective": "_config",
    "SearchSettings": "_config",
    "parse_search": "_config",
    "best_within": "_results",
    "frontier_summary": "_results",
    "mark_pareto": "_results",
    "trials_frame": "_results",
    "grid_values": "_space",
    "parse_space": "_space",
    "make_sampler": "_study",
    "make_storage": "_study",
    "open_study": "_study",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"fairexp.sweep.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'fairexp.sweep' has no attribute {name!r}")
