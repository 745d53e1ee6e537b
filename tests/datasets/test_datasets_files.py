"""Committed data files are intact; the package only reads its own copies."""

from __future__ import annotations

import hashlib
import importlib.resources
from pathlib import Path

import pytest

import fairexp.datasets

DATA = importlib.resources.files("fairexp.datasets") / "data"
PACKAGE_DIR = Path(fairexp.datasets.__file__).parent

# Hardcoded so the check works without /work/shared: the first four are the files as
# distributed (same values as the shared SHA256SUMS); COMPAS is the identifier-free reduction.
EXPECTED = {
    "adult.data.gz": "c7a2b4716a97f930123e0baf879188d701e798172631a654fc703d4b082907f3",
    "adult.test.gz": "8a2c1bffa6e7ce5abfa43881ae5e87c4311ebc2b3cd526c9c40a43f19f06f799",
    "bank.csv.gz": "34ef6709523adb0cfda7ad7ee6add202bcb2e285522f2e32fcc131d849a78025",
    "german.data.gz": "a4cc977b7fc38d60827f2f881d8377954ece4d7ade5d026e827307bb63395df2",
    "compas-scores-two-years.csv.gz": "80f20dc8a34e960a3851f925fabf56d5d3e54597d2a609b3502dc91e00407785",
}
UNCHANGED = {"adult.data.gz": "adult", "adult.test.gz": "adult", "bank.csv.gz": "bank", "german.data.gz": "german"}
SHARED_SUMS = Path("/work/shared/datasets/SHA256SUMS")


def sha256(name: str) -> str:
    return hashlib.sha256((DATA / name).read_bytes()).hexdigest()


def test_sha256sums_file_matches_data() -> None:
    listed = {}
    for line in (DATA / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        listed[name.removeprefix("./")] = digest
    files = {p.name for p in DATA.iterdir() if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files == set(EXPECTED)
    for name, digest in listed.items():
        assert sha256(name) == digest == EXPECTED[name], name


@pytest.mark.skipif(not SHARED_SUMS.is_file(), reason="no shared raw-data folder on this machine")
def test_unchanged_files_match_the_shared_originals() -> None:
    shared = {}
    for line in SHARED_SUMS.read_text().splitlines():
        digest, rel = line.split()
        shared[rel.removeprefix("./")] = digest
    for name, folder in UNCHANGED.items():
        assert shared[f"{folder}/{name}"] == EXPECTED[name], name
    # the COMPAS copy is NOT the original: identifiers were removed
    assert shared["compas/compas-scores-two-years.csv.gz"] != EXPECTED["compas-scores-two-years.csv.gz"]


def test_package_never_reads_shared_folder() -> None:
    for path in PACKAGE_DIR.rglob("*.py"):
        assert "/work/shared" not in path.read_text(), path
