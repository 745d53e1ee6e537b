"""Shared fixtures for the fairexp.datasets tests (builtin datasets are loaded once per session)."""

from __future__ import annotations

import pytest

from fairexp.datasets import Dataset, load_dataset


@pytest.fixture(scope="session")
def adult() -> Dataset:
    return load_dataset({"name": "adult", "sensitive": ["sex", "race"]}, seed=0)


@pytest.fixture(scope="session")
def german() -> Dataset:
    return load_dataset({"name": "german", "sensitive": ["sex"]}, seed=0)


@pytest.fixture(scope="session")
def compas() -> Dataset:
    return load_dataset({"name": "compas", "sensitive": ["race"]}, seed=0)


@pytest.fixture(scope="session")
def bank() -> Dataset:
    return load_dataset({"name": "bank", "sensitive": ["age_group"]}, seed=0)
