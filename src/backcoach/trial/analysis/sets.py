"""Analysis sets: per-protocol (as the paper) and intention-to-treat.

Per-protocol (paper, Statistical analysis [V]): participants who completed the intervention and
follow-up. Without a participant table that says who completed, completion is read from the data:
a participant completed when they have a value at every visit that the data schedule for each
outcome they were measured on (every ``(outcome, week)`` pair present in the data set).

Intention-to-treat: every randomised participant in their allocated arm, analysed on the data
they have (GEE on available visits, ANCOVA on complete pairs). That is valid under data missing
completely at random; the brief's multiple imputation under MAR (§7.1 [E]) is not done here.
"""

from __future__ import annotations

from enum import Enum

import pandas as pd


class AnalysisSet(str, Enum):
    """Which participants an analysis includes."""

    PER_PROTOCOL = "per-protocol"
    INTENTION_TO_TREAT = "itt"


def completers(long: pd.DataFrame) -> set[str]:
    """Subjects with a value at every outcome visit present in ``long`` for their outcomes."""
    observed = long.dropna(subset=["value"])
    schedule = observed.groupby("outcome")["week"].unique().to_dict()
    done: set[str] = set()
    for subject, rows in observed.groupby("subject"):
        complete = all(
            set(schedule[outcome]) <= set(visits["week"])
            for outcome, visits in rows.groupby("outcome")
        )
        if complete:
            done.add(str(subject))
    return done


def select_analysis_set(
    long: pd.DataFrame,
    analysis_set: AnalysisSet | str = AnalysisSet.PER_PROTOCOL,
    completed: set[str] | None = None,
) -> pd.DataFrame:
    """Rows of the long table that belong to an analysis set.

    Parameters
    ----------
    long : DataFrame
        Validated long table (see :func:`backcoach.trial.analysis.data.validate_long`).
    analysis_set : AnalysisSet or str
        ``"per-protocol"`` or ``"itt"``.
    completed : set of str, optional
        Subjects who completed the protocol, when known from the trial records (e.g. the
        store's withdrawal log); otherwise completion is read from the data (:func:`completers`).
    """
    analysis_set = AnalysisSet(analysis_set)
    if analysis_set is AnalysisSet.INTENTION_TO_TREAT:
        return long.copy()
    keep = completers(long) if completed is None else {str(s) for s in completed}
    return long[long["subject"].isin(keep)].reset_index(drop=True)
