"""Change from baseline: the quantity every Table 2 model works on."""

from __future__ import annotations

import numpy as np
import pandas as pd


def change_scores(long: pd.DataFrame) -> pd.DataFrame:
    """One row per subject, outcome and follow-up week with its baseline and change.

    Returns columns ``subject, arm, outcome, week, baseline, value, change``. Rows whose
    follow-up value or baseline is missing are dropped (the models need complete rows).
    """
    observed = long.dropna(subset=["value"])
    baseline = observed[observed["week"] == 0][["subject", "outcome", "value"]].rename(
        columns={"value": "baseline"}
    )
    follow = observed[observed["week"] > 0]
    merged = follow.merge(baseline, on=["subject", "outcome"], how="inner")
    merged["change"] = merged["value"] - merged["baseline"]
    columns = ["subject", "arm", "outcome", "week", "baseline", "value", "change"]
    return merged[columns].sort_values(["outcome", "subject", "week"]).reset_index(drop=True)


def describe_changes(changes: pd.DataFrame, outcome: str, week: int, arms: list[str]) -> dict:
    """n, mean and SD (n - 1 denominator) of the change per arm at one visit."""
    rows = changes[(changes["outcome"] == outcome) & (changes["week"] == week)]
    summary = {}
    for arm in arms:
        values = rows.loc[rows["arm"] == arm, "change"].to_numpy(float)
        summary[arm] = {
            "n": int(len(values)),
            "mean_change": float(np.mean(values)) if len(values) else None,
            "sd_change": float(np.std(values, ddof=1)) if len(values) > 1 else None,
        }
    return summary
