import pandas as pd
import pytest

from fairexp.errors import ConfigError



def test_audit_columns_are_carried_to_every_split_but_not_mitigated_on():
    from fairexp.datasets import load_dataset, split_dataset

    cfg = {"name": "adult", "sensitive": ["sex"], "audit": ["race", "age_group"], "sample": 3000}
    ds = load_dataset(cfg, seed=0)
    assert list(ds.sensitive.columns) == ["sex"]
    assert list(ds.audit.columns) == ["race", "age_group"]
    assert "age_group" not in ds.X.columns  # derived audit column is not a feature
    splits = split_dataset(ds, cfg, seed=0)
    total = pd.concat([s.audit for s in splits.values()])
    assert total["race"].value_counts().sort_index().equals(ds.audit["race"].value_counts().sort_index())
    for s in splits.values():
        assert len(s.audit) == len(s)


def test_unknown_audit_column_names_the_key():
    from fairexp.datasets import load_dataset

    with pytest.raises(ConfigError, match="dataset.audit"):
        load_dataset({"name": "german", "audit": ["nope"]}, seed=0)
