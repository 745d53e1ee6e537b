"""conf/dataset/*.yaml: every key spelt out (so Hydra can override it) and loadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from fairexp.datasets import available_datasets, load_dataset, split_dataset
from fairexp.datasets._config import COMMON_DEFAULTS, EXTRA_DEFAULTS, SPLIT_DEFAULTS

CONF = Path(__file__).resolve().parents[2] / "conf"
SMALL = {"adult": 500, "german": 200, "compas": 500, "bank": 500, "csv": None, "synthetic": None}


def yaml_node(name: str) -> dict:
    node = OmegaConf.to_container(OmegaConf.load(CONF / "dataset" / f"{name}.yaml"), resolve=True)
    assert isinstance(node, dict)
    return node


def test_one_yaml_per_dataset() -> None:
    assert sorted(p.stem for p in (CONF / "dataset").glob("*.yaml")) == sorted(available_datasets())


@pytest.mark.parametrize("name", available_datasets())
def test_yaml_has_every_key(name: str) -> None:
    node = yaml_node(name)
    assert node["name"] == name
    assert set(node) == set(COMMON_DEFAULTS) | set(EXTRA_DEFAULTS[name])
    assert set(node["split"]) == set(SPLIT_DEFAULTS)
    text = (CONF / "dataset" / f"{name}.yaml").read_text()
    assert text.startswith("#")  # the documented cleaning rules


@pytest.mark.parametrize("name", [n for n in available_datasets() if n != "csv"])
def test_yaml_loads(name: str) -> None:
    node = yaml_node(name)
    if SMALL[name]:
        node["sample"] = SMALL[name]
    ds = load_dataset(node, seed=0)
    parts = split_dataset(ds, node, seed=0)
    assert sum(len(p) for p in parts.values()) == len(ds)


def test_csv_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a,g,label\n" + "".join(f"{i},{'xy'[i % 2]},{i % 3 == 0}\n" for i in range(50)))
    node = {**yaml_node("csv"), "path": str(path), "label": "label", "sensitive": ["g"]}
    ds = load_dataset(node, seed=0)
    assert int(ds.y.sum()) == 17 and ds.positive_label == "label == True"


def test_hydra_overrides() -> None:
    hydra = pytest.importorskip("hydra")
    with hydra.initialize_config_dir(config_dir=str(CONF), version_base=None):
        cfg = hydra.compose(
            overrides=[
                "+dataset=compas",
                "dataset.sensitive=[race,sex]",
                "dataset.sample=1000",
                "dataset.include_score=true",
                "dataset.race_groups=[African-American,Caucasian]",
                "dataset.drop=[age_cat]",
                "dataset.split.test_size=0.3",
                "dataset.split.stratify=false",
            ]
        )
    node = OmegaConf.to_container(cfg.dataset, resolve=True)
    ds = load_dataset(node, seed=0)
    assert len(ds) == 1000 and list(ds.sensitive.columns) == ["race", "sex"]
    assert "decile_score" in ds.X.columns and "age_cat" not in ds.X.columns
    assert len(split_dataset(ds, node, seed=0)["test"]) == 300
