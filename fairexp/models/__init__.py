"""Base models: the dataset's preprocessing plus a scikit-learn classifier.

``make_model`` gives the full pipeline a user can export; the experiment
runner uses ``make_preprocessor`` and ``make_estimator`` separately so that
preprocessing is fit once on train and shared by every mitigation (and every
trial of a sweep), which is both honest (train only) and cheap.
"""

from fairexp.models._build import (
    MODELS,
    available_models,
    make_estimator,
    make_model,
    make_preprocessor,
)

__all__ = ["MODELS", "available_models", "make_estimator", "make_model", "make_preprocessor"]
