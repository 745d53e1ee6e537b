"""Multi-objective sweeps: Optuna studies per strategy, driven through Hydra's launcher.

Hydra finds the sweeper through the thin ``hydra_plugins.fairexp_sweeper``
shim (Hydra only loads plugins from that namespace); the logic lives here.
"""

from fairexp.sweep._config import Constraint, Objective, SearchSettings, parse_search
from fairexp.sweep._results import best_within, frontier_summary, mark_pareto, trials_frame
from fairexp.sweep._space import grid_values, parse_space
from fairexp.sweep._study import make_sampler, make_storage, open_study

__all__ = [
    "Constraint",
    "Objective",
    "SearchSettings",
    "best_within",
    "frontier_summary",
    "grid_values",
    "make_sampler",
    "make_storage",
    "mark_pareto",
    "open_study",
    "parse_search",
    "parse_space",
    "trials_frame",
]
