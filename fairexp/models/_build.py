"""Model construction from config, with one-line errors for unknown names and keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fairexp.errors import ConfigError

#: model name -> (estimator import path, parameters fairexp sets itself)
MODELS: dict[str, str] = {
    "logreg": "sklearn.linear_model:LogisticRegression",
    "hist_gradient_boosting": "sklearn.ensemble:HistGradientBoostingClassifier",
    "random_forest": "sklearn.ensemble:RandomForestClassifier",
}

#: Config keys that describe the model entry rather than estimator parameters.
_RESERVED = {"name", "search_space"}


def available_models() -> list[str]:
    return sorted(MODELS)


def _estimator_class(name: str) -> type:
    if name not in MODELS:
        raise ConfigError(
            f"unknown model '{name}' (available: {', '.join(available_models())})",
            key="model.name",
        )
    import importlib

    module, cls = MODELS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def make_estimator(cfg: Mapping[str, Any], *, seed: int = 0) -> Any:
    """An unfitted classifier from the ``model`` config node.

    Every key except ``name``/``search_space`` is an estimator parameter, so any
    hyperparameter of the sklearn class can be set from the command line.
    ``random_state`` defaults to the experiment seed where the class has one.
    """
    cls = _estimator_class(str(cfg.get("name")))
    params = {k: v for k, v in cfg.items() if k not in _RESERVED}
    valid = set(cls._get_param_names())
    unknown = sorted(set(params) - valid)
    if unknown:
        raise ConfigError(
            f"unknown parameter '{unknown[0]}' for {cls.__name__} "
            f"(valid: {', '.join(sorted(valid))})",
            key=f"model.{unknown[0]}",
        )
    if "random_state" in valid and params.get("random_state") is None:
        params["random_state"] = seed
    try:
        est = cls(**params)
        est._validate_params()
    except (TypeError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"invalid parameter value: {first}", key="model") from None
    return est


def make_preprocessor(numeric: Sequence[str], categorical: Sequence[str]) -> Any:
    """Impute + scale numeric columns, impute + one-hot categorical ones (dense output).

    Dense because fairlearn's reductions reject sparse input; unknown categories
    at predict time are ignored rather than failing a validation split.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    transformers = []
    if numeric:
        transformers.append(
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), list(numeric))
        )
    if categorical:
        transformers.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False, dtype="float32"),
                ),
                list(categorical),
            )
        )
    return ColumnTransformer(transformers, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=False)


def make_model(
    cfg: Mapping[str, Any], numeric: Sequence[str], categorical: Sequence[str], *, seed: int = 0
) -> Any:
    """The exportable pipeline: preprocessing followed by the classifier."""
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [("preprocess", make_preprocessor(numeric, categorical)), ("classifier", make_estimator(cfg, seed=seed))]
    )
