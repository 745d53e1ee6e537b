"""Hydra loads sweepers only from the ``hydra_plugins`` namespace; the implementation is in ``fairexp.sweep``."""

from fairexp.sweep._sweeper import FairexpSweeperImpl


class FairexpSweeper(FairexpSweeperImpl):
    """Optuna (>= 4) multi-objective sweeper with one study per mitigation strategy."""
