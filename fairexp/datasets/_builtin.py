"""Loaders for the four benchmark datasets committed under ``fairexp/datasets/data``.

Each loader applies the standard cleaning documented in ``conf/dataset/<name>.yaml`` and
returns a :class:`~fairexp.datasets._base.RawTable`; feature selection, sensitive
columns, sampling and validation are common to all datasets (``_load.py``).
Sources and licences are in the top-level ``NOTICE`` file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairexp.errors import ConfigError, DataError

from ._base import DATA_DIR, RawTable, check_path_exists, fmt_list, sha256_files
from ._config import check_bool, check_int, check_names

# --------------------------------------------------------------------------- adult

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status",
    "occupation", "relationship", "race", "sex", "capital-gain", "capital-loss",
    "hours-per-week", "native-country", "income",
]  # fmt: skip
ADULT_NUMERIC = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
#: in the frame (so ``dataset.features`` can ask for them) but not used by default
ADULT_NOT_DEFAULT = ["fnlwgt", "education"]


def adult_age_group(age: pd.Series) -> pd.Series:
    """``"<25"``, ``"25-59"`` or ``">=60"``."""
    groups = np.where(age < 25, "<25", np.where(age >= 60, ">=60", "25-59"))
    return pd.Series(groups.astype(object), index=age.index, name="age_group")


def load_adult(extra: dict[str, Any], seed: int) -> RawTable:
    files = [DATA_DIR / "adult.data.gz", DATA_DIR / "adult.test.gz"]
    for f in files:
        check_path_exists(f)
    read = dict(
        header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values=["?"],
        keep_default_na=False, dtype={c: "int64" for c in ADULT_NUMERIC},
    )  # fmt: skip
    train = pd.read_csv(files[0], **read)
    test = pd.read_csv(files[1], skiprows=1, **read)  # first line: "|1x3 Cross validator"
    df = pd.concat([train, test], ignore_index=True)
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].str.strip()
    income = df.pop("income").str.rstrip(".")  # test labels end with a dot
    bad = sorted(set(income) - {">50K", "<=50K"})
    if bad:
        raise DataError(f"unexpected income labels {fmt_list(bad)} in adult data", key="dataset.label")
    y = (income == ">50K").to_numpy().astype(np.int64)
    df["age_group"] = adult_age_group(df["age"])
    default = [c for c in ADULT_COLUMNS if c != "income" and c not in ADULT_NOT_DEFAULT]
    categorical = [c for c in df.columns if c not in ADULT_NUMERIC]
    return RawTable(
        frame=df, y=y, default_features=default, categorical=categorical,
        positive_label="income >50K",
        source="adult.data.gz + adult.test.gz (UCI Adult, doi:10.24432/C5XW20, CC BY 4.0)",
        data_hash=sha256_files(files), label_column="income",
    )  # fmt: skip


# --------------------------------------------------------------------------- german

# (column name, {code: readable value} or None for numeric), in file order; from german.doc
GERMAN_ATTRIBUTES: list[tuple[str, dict[str, str] | None]] = [
    ("checking_status", {
        "A11": "<0 DM", "A12": "0-200 DM", "A13": ">=200 DM or salary assignment",
        "A14": "no checking account"}),
    ("duration_months", None),
    ("credit_history", {
        "A30": "no credits taken or all paid back duly", "A31": "all credits at this bank paid back duly",
        "A32": "existing credits paid back duly till now", "A33": "delay in paying off in the past",
        "A34": "critical account or other credits existing"}),
    ("purpose", {
        "A40": "car (new)", "A41": "car (used)", "A42": "furniture/equipment", "A43": "radio/television",
        "A44": "domestic appliances", "A45": "repairs", "A46": "education", "A47": "vacation",
        "A48": "retraining", "A49": "business", "A410": "others"}),
    ("credit_amount", None),
    ("savings", {
        "A61": "<100 DM", "A62": "100-500 DM", "A63": "500-1000 DM", "A64": ">=1000 DM",
        "A65": "unknown or no savings account"}),
    ("employment_since", {
        "A71": "unemployed", "A72": "<1 year", "A73": "1-4 years", "A74": "4-7 years", "A75": ">=7 years"}),
    ("installment_rate", None),
    ("personal_status", {
        "A91": "male: divorced/separated", "A92": "female: divorced/separated/married",
        "A93": "male: single", "A94": "male: married/widowed", "A95": "female: single"}),
    ("other_debtors", {"A101": "none", "A102": "co-applicant", "A103": "guarantor"}),
    ("residence_since", None),
    ("property", {
        "A121": "real estate", "A122": "building society savings or life insurance",
        "A123": "car or other", "A124": "unknown or no property"}),
    ("age", None),
    ("other_installment_plans", {"A141": "bank", "A142": "stores", "A143": "none"}),
    ("housing", {"A151": "rent", "A152": "own", "A153": "for free"}),
    ("existing_credits", None),
    ("job", {
        "A171": "unemployed or unskilled non-resident", "A172": "unskilled resident",
        "A173": "skilled employee or official", "A174": "management, self-employed or highly qualified"}),
    ("num_dependents", None),
    ("telephone", {"A191": "none", "A192": "yes"}),
    ("foreign_worker", {"A201": "yes", "A202": "no"}),
]  # fmt: skip
GERMAN_FEMALE = {"A92", "A95"}


def load_german(extra: dict[str, Any], seed: int) -> RawTable:
    path = DATA_DIR / "german.data.gz"
    check_path_exists(path)
    names = [name for name, _ in GERMAN_ATTRIBUTES] + ["credit"]
    raw = pd.read_csv(path, sep=" ", header=None, names=names, dtype=str, keep_default_na=False)
    df = pd.DataFrame(index=raw.index)
    for name, codes in GERMAN_ATTRIBUTES:
        if codes is None:
            df[name] = pd.to_numeric(raw[name], errors="raise").astype(np.int64)
        else:
            unknown = sorted(set(raw[name]) - set(codes))
            if unknown:
                raise DataError(f"unknown codes {fmt_list(unknown)} in german column {name}", key="dataset.name")
            df[name] = raw[name].map(codes).astype(object)
    # Attribute 9 mixes sex and marital status: A92/A95 female, A91/A93/A94 male.
    df["sex"] = np.where(raw["personal_status"].isin(GERMAN_FEMALE), "female", "male").astype(object)
    df["age_group"] = np.where(df["age"] > 25, "over_25", "25_or_under").astype(object)
    credit = raw["credit"]
    if not set(credit) <= {"1", "2"}:
        raise DataError(f"unexpected credit labels {fmt_list(sorted(set(credit)))}", key="dataset.label")
    y = (credit == "1").to_numpy().astype(np.int64)  # 1 = good credit
    # personal_status mixes sex and marital status; by default it is replaced by sex (so that
    # excluding sex as a sensitive feature really removes it from X).
    default = [name if name != "personal_status" else "sex" for name, _ in GERMAN_ATTRIBUTES]
    categorical = [c for c in df.columns if df[c].dtype == object]
    return RawTable(
        frame=df, y=y, default_features=default, categorical=categorical,
        positive_label="good credit risk",
        source="german.data.gz (UCI Statlog German Credit, doi:10.24432/C5NC77, CC BY 4.0)",
        data_hash=sha256_files([path]), label_column="credit",
    )  # fmt: skip


# --------------------------------------------------------------------------- compas

COMPAS_FEATURES = [
    "sex", "age", "age_cat", "race", "juv_fel_count", "juv_misd_count", "juv_other_count",
    "priors_count", "c_charge_degree",
]  # fmt: skip
COMPAS_SCORE = ["decile_score", "score_text"]
COMPAS_FILTER = ["days_b_screening_arrest", "is_recid", "two_year_recid"]
COMPAS_NUMERIC = ["age", "juv_fel_count", "juv_misd_count", "juv_other_count", "priors_count", "decile_score"]


def load_compas(extra: dict[str, Any], seed: int) -> RawTable:
    path = DATA_DIR / "compas-scores-two-years.csv.gz"
    check_path_exists(path)
    include_score = check_bool(extra["include_score"], "dataset.include_score")
    race_groups = check_names(extra["race_groups"], "dataset.race_groups", allow_none=True)
    # keep_default_na=False: "N/A" in score_text is a value that the filter removes;
    # only empty fields are missing. usecols picks the first of the duplicated columns
    # (decile_score, priors_count appear twice in ProPublica's file, with equal values).
    df = pd.read_csv(
        path, usecols=COMPAS_FEATURES + COMPAS_SCORE + COMPAS_FILTER + ["c_charge_degree"],
        keep_default_na=False, na_values=[""],
    )  # fmt: skip
    # ProPublica's filter (compas-analysis, Compas Analysis.ipynb): 7,214 -> 6,172 rows.
    keep = (
        df["days_b_screening_arrest"].between(-30, 30)  # NaN -> False, as in R's filter()
        & (df["is_recid"] != -1)
        & (df["c_charge_degree"] != "O")
        & (df["score_text"] != "N/A")
    )
    df = df[keep]
    if race_groups is not None:
        available = sorted(df["race"].unique())
        missing = [r for r in race_groups if r not in available]
        if missing:
            raise ConfigError(
                f"race value(s) {fmt_list(missing)} not in the data; available: {fmt_list(available)}",
                key="dataset.race_groups",
            )
        df = df[df["race"].isin(race_groups)]
    df = df.reset_index(drop=True)
    # Favourable label: NO recidivism within two years.
    y = (1 - df["two_year_recid"].to_numpy()).astype(np.int64)
    frame = df[COMPAS_FEATURES + COMPAS_SCORE].copy()
    default = COMPAS_FEATURES + (COMPAS_SCORE if include_score else [])
    categorical = [c for c in frame.columns if c not in COMPAS_NUMERIC]
    return RawTable(
        frame=frame, y=y, default_features=default, categorical=categorical,
        positive_label="no recidivism within two years (two_year_recid == 0)",
        source="compas-scores-two-years.csv.gz (ProPublica compas-analysis, identifiers removed)",
        data_hash=sha256_files([path]), label_column="two_year_recid",
    )  # fmt: skip


# --------------------------------------------------------------------------- bank

BANK_NOT_DEFAULT = ["duration"]  # known only after the call; leaks the outcome (UCI's note)


def load_bank(extra: dict[str, Any], seed: int) -> RawTable:
    path = DATA_DIR / "bank.csv.gz"
    check_path_exists(path)
    threshold = check_int(extra["age_threshold"], "dataset.age_threshold", minimum=1)
    df = pd.read_csv(path, sep=",", keep_default_na=False, na_values=[""])
    label = df.pop("y")
    if not set(label) <= {"yes", "no"}:
        raise DataError(f"unexpected labels {fmt_list(sorted(set(label)))}", key="dataset.label")
    y = (label == "yes").to_numpy().astype(np.int64)
    df["age_group"] = np.where(df["age"] >= threshold, f">={threshold}", f"<{threshold}").astype(object)
    default = [c for c in df.columns if c not in BANK_NOT_DEFAULT and c != "age_group"]
    categorical = [c for c in df.columns if df[c].dtype == object]
    return RawTable(
        frame=df, y=y, default_features=default, categorical=categorical,
        positive_label="subscribed a term deposit (y == yes)",
        source="bank.csv.gz (UCI Bank Marketing 10% sample, doi:10.24432/C5K306, CC BY 4.0)",
        data_hash=sha256_files([path]), label_column="y",
    )  # fmt: skip
