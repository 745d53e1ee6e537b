"""fairexp: fairness-mitigation experiments with an honest protocol.

The top-level package stays import-light (no pandas, sklearn, wandb) so that
``fairexp --help`` starts fast; the stages live in sub-packages:
``fairexp.datasets`` -> ``fairexp.models`` / ``fairexp.mitigations`` ->
``fairexp.metrics`` -> ``fairexp.tracking``.
"""

__version__ = "0.1.0"
