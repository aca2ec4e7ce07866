"""Input of the trial analysis: a long table of outcome values, validated.

The long form has one row per participant, outcome and visit: columns ``subject``, ``arm``,
``week`` (0 = baseline) and ``outcome``, ``value``. It comes from a CSV file
(:func:`read_long_csv`) or from any other source as a DataFrame (:func:`validate_long`), which is
how the store layer will feed the analysis.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

LONG_COLUMNS = ("subject", "arm", "week", "outcome", "value")


class TrialDataError(ValueError):
    """The analysis input is malformed; the message names the source, row and field."""


def read_long_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a long outcome CSV (``subject,arm,week,outcome,value``)."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype={"subject": str, "arm": str, "outcome": str})
    except FileNotFoundError as error:
        raise TrialDataError(f"{path}: file not found") from error
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise TrialDataError(f"{path}: not a readable CSV file ({error})") from error
    return validate_long(raw, source=str(path))


def validate_long(frame: pd.DataFrame, source: str = "data") -> pd.DataFrame:
    """Check a long outcome table and return a clean copy with typed columns.

    Parameters
    ----------
    frame : DataFrame
        Columns ``subject, arm, week, outcome, value``; extra columns are ignored.
    source : str
        Name used in error messages (a file path, a table name).

    Returns
    -------
    DataFrame
        ``subject`` and ``arm`` and ``outcome`` as str, ``week`` as int, ``value`` as float
        (NaN for a missing value), sorted by outcome, subject and week.

    Raises
    ------
    TrialDataError
        Missing columns, a non-integer or negative week, a non-numeric value, a subject listed
        in two arms, or the same subject, outcome and week twice. Row numbers count the CSV
        header as line 1.
    """
    missing = [c for c in LONG_COLUMNS if c not in frame.columns]
    if missing:
        raise TrialDataError(
            f"{source}: missing column(s) {', '.join(missing)}; "
            f"expected columns {','.join(LONG_COLUMNS)}"
        )
    data = frame.loc[:, list(LONG_COLUMNS)].copy()
    for column in ("subject", "arm", "outcome"):
        blank = data[column].isna() | (data[column].astype(str).str.strip() == "")
        if blank.any():
            raise TrialDataError(f"{source}: line {_line(blank)}: empty {column!r}")
        data[column] = data[column].astype(str).str.strip()
    week = pd.to_numeric(data["week"], errors="coerce")
    bad_week = week.isna() | (week < 0) | (week != np.floor(week))
    if bad_week.any():
        row = bad_week.idxmax()
        raise TrialDataError(
            f"{source}: line {_line(bad_week)}: week {frame.loc[row, 'week']!r} is not a "
            "whole number >= 0 (0 = baseline)"
        )
    data["week"] = week.astype(int)
    value = pd.to_numeric(data["value"], errors="coerce")
    bad_value = value.isna() & data["value"].notna() & (data["value"].astype(str).str.strip() != "")
    if bad_value.any():
        row = bad_value.idxmax()
        raise TrialDataError(
            f"{source}: line {_line(bad_value)}: value {frame.loc[row, 'value']!r} of outcome "
            f"{data.loc[row, 'outcome']!r} is not a number"
        )
    data["value"] = value.astype(float)
    arms_per_subject = data.groupby("subject")["arm"].nunique()
    if (arms_per_subject > 1).any():
        subject = arms_per_subject[arms_per_subject > 1].index[0]
        arms = sorted(data.loc[data.subject == subject, "arm"].unique())
        raise TrialDataError(f"{source}: subject {subject!r} appears in arms {arms}")
    duplicated = data.duplicated(["subject", "outcome", "week"], keep="first")
    if duplicated.any():
        row = duplicated.idxmax()
        raise TrialDataError(
            f"{source}: line {_line(duplicated)}: subject {data.loc[row, 'subject']!r}, outcome "
            f"{data.loc[row, 'outcome']!r}, week {data.loc[row, 'week']} appears more than once"
        )
    return data.sort_values(["outcome", "subject", "week"]).reset_index(drop=True)


def read_covariates_csv(path: str | Path) -> pd.DataFrame:
    """Read baseline covariates: one row per subject, a ``subject`` column and one per variable.

    Numeric columns are summarised as continuous; text or boolean columns as categorical.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"subject": str})
    except FileNotFoundError as error:
        raise TrialDataError(f"{path}: file not found") from error
    return validate_covariates(frame, source=str(path))


def validate_covariates(frame: pd.DataFrame, source: str = "covariates") -> pd.DataFrame:
    """Check a covariate table (``subject`` plus one column per baseline variable)."""
    if "subject" not in frame.columns:
        raise TrialDataError(f"{source}: missing column 'subject'")
    data = frame.copy()
    data["subject"] = data["subject"].astype(str).str.strip()
    duplicated = data.duplicated("subject")
    if duplicated.any():
        raise TrialDataError(
            f"{source}: line {_line(duplicated)}: subject {data.loc[duplicated.idxmax(), 'subject']!r} "
            "appears more than once"
        )
    if "arm" in data.columns:
        data = data.drop(columns="arm")  # the arm comes from the outcome data only
    return data.set_index("subject")


def _line(mask: pd.Series) -> int:
    """CSV line number of the first flagged row (header = line 1)."""
    return int(np.flatnonzero(mask.to_numpy())[0]) + 2
