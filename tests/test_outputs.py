"""Atomic output writing: no partial files, shareable permissions, undefined numbers stay undefined."""

import json
import os
import stat

import numpy as np
import pandas as pd
import pytest

from fairexp.outputs import atomic_write, json_safe, write_csv, write_json


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "metrics.json"
    write_json(target, {"a": 1})

    def half(path):
        path.write_text('{"a": ')
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, half)
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no temp file left behind


def test_outputs_follow_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_csv(tmp_path / "t.csv", pd.DataFrame({"x": [1]}), index=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_nan_is_written_as_null():
    assert json_safe({"a": float("nan"), "b": np.float64(0.5), "c": [np.inf, 1]}) == {"a": None, "b": 0.5, "c": [None, 1]}
