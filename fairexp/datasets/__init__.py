"""Datasets for fairexp experiments: loading, cleaning and seeded stratified splits.

>>> from fairexp.datasets import load_dataset, split_dataset
>>> ds = load_dataset({"name": "adult", "sensitive": ["sex"]}, seed=0)
>>> parts = split_dataset(ds, {"split": {"val_size": 0.2, "test_size": 0.2}}, seed=0)
>>> sorted(parts)
['test', 'train', 'val']

Built-in: ``adult``, ``german``, ``compas``, ``bank`` (files committed under
``fairexp/datasets/data``; sources and licences in the top-level ``NOTICE``), ``csv``
(your own CSV/Parquet file) and ``synthetic`` (biased data with a known disparity).
The cleaning rules and every config key are documented in ``conf/dataset/<name>.yaml``.
User mistakes raise :class:`fairexp.errors.ConfigError` / :class:`fairexp.errors.DataError`
naming the config key at fault.
"""

from ._base import Dataset, DataSplit
from ._load import available_datasets, load_dataset
from ._split import split_dataset
from ._synthetic import expected_dp_difference

__all__ = [
    "DataSplit",
    "Dataset",
    "available_datasets",
    "expected_dp_difference",
    "load_dataset",
    "split_dataset",
]
