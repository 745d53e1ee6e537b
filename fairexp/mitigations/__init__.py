"""Mitigation strategies behind one scikit-learn-style interface.

=====================  =====  ===========================================
name                   stage  what it does
=====================  =====  ===========================================
none                   none   the base estimator (the baseline)
reweighing             pre    Kamiran & Calders sample weights
exponentiated_gradient in     fairlearn reduction, randomized classifier
grid_search            in     fairlearn reduction, deterministic
threshold_optimizer    post   fairlearn group-specific thresholds
chain                  any    pre* -> in? -> post?
=====================  =====  ===========================================
"""

from fairexp.mitigations._base import (
    CONSTRAINTS,
    Mitigation,
    available_mitigations,
    mitigation_class,
    register,
)
from fairexp.mitigations._baseline import NoMitigation, Reweighing, reweighing_weights
from fairexp.mitigations._chain import Chain
from fairexp.mitigations._factory import make_mitigation
from fairexp.mitigations._reductions import ExponentiatedGradient, GridSearch, make_moment
from fairexp.mitigations._threshold import ThresholdOptimizer

__all__ = [
    "CONSTRAINTS",
    "Chain",
    "ExponentiatedGradient",
    "GridSearch",
    "Mitigation",
    "NoMitigation",
    "Reweighing",
    "ThresholdOptimizer",
    "available_mitigations",
    "make_mitigation",
    "make_moment",
    "mitigation_class",
    "register",
    "reweighing_weights",
]
