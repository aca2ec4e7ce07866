"""One call from a long table to both tables of the paper."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from backcoach.trial.analysis.changes import change_scores
from backcoach.trial.analysis.data import TrialDataError, validate_covariates, validate_long
from backcoach.trial.analysis.imputation import imputed_change_table
from backcoach.trial.analysis.sets import AnalysisSet, select_analysis_set
from backcoach.trial.analysis.table1 import Table1Row, baseline_table
from backcoach.trial.analysis.table2 import Table2Row, change_table


@dataclass(frozen=True)
class TrialAnalysis:
    """Result of :func:`analyze`: Table 1, Table 2 and what they were computed on."""

    reference: str
    arms: list[str]  # reference first
    analysis_set: AnalysisSet
    n_by_arm: dict[str, int]
    table1: list[Table1Row]
    table2: list[Table2Row]
    changes: pd.DataFrame
    baseline: pd.DataFrame

    def to_dict(self) -> dict:
        """The JSON document of ``backcoach trial analyze --json``."""
        return {
            "table1": [row.to_dict() for row in self.table1],
            "table2": [row.to_dict() for row in self.table2],
        }


def analyze(
    long: pd.DataFrame,
    reference: str,
    covariates: pd.DataFrame | None = None,
    analysis_set: AnalysisSet | str = AnalysisSet.PER_PROTOCOL,
    completed: set[str] | None = None,
    week_groups: Sequence[Sequence[int]] | None = None,
    se: str = "robust",
    imputations: int = 0,
    seed: int = 0,
) -> TrialAnalysis:
    """Analyse a two-arm trial from a long outcome table.

    Parameters
    ----------
    long : DataFrame
        Columns ``subject, arm, week, outcome, value`` (week 0 = baseline); validated here.
    reference : str
        The reference arm (the paper's: video); differences are other arm minus reference.
    covariates : DataFrame, optional
        Baseline characteristics for Table 1: a ``subject`` column (or index) and one column per
        variable (see :func:`~backcoach.trial.analysis.data.validate_covariates`).
    analysis_set : {"per-protocol", "itt"}
        Participants to include (see :mod:`~backcoach.trial.analysis.sets`).
    completed : set of str, optional
        Subjects known to have completed the protocol (otherwise read from the data).
    week_groups : sequence of sequences of int, optional
        Split of multi-visit outcomes into separate GEEs (see :mod:`.table2`).
    se : {"robust", "bias-reduced"}
        GEE standard errors: the robust sandwich (the paper's) or Mancl-DeRouen.
    imputations : int
        ITT only: number of multiple imputations (0 = analyse the available data); see
        :mod:`~backcoach.trial.analysis.imputation`.
    seed : int
        Seed of the imputations.
    """
    long = validate_long(long)
    if covariates is not None and "subject" in covariates.columns:
        covariates = validate_covariates(covariates)
    arms = sorted(long["arm"].unique())
    if reference not in arms:
        raise TrialDataError(f"reference arm {reference!r} is not in the data; arms are {arms}")
    if len(arms) != 2:
        raise TrialDataError(f"the analysis compares two arms; the data have {len(arms)}: {arms}")
    arms = [reference] + [a for a in arms if a != reference]
    analysis_set = AnalysisSet(analysis_set)
    data = select_analysis_set(long, analysis_set, completed)
    if data.empty:
        raise TrialDataError(f"no participant is in the {analysis_set.value} set")
    if imputations and analysis_set is not AnalysisSet.INTENTION_TO_TREAT:
        raise TrialDataError("multiple imputation applies to the itt set; per-protocol completers have no gaps")
    changes = change_scores(data)
    if imputations:
        table2 = imputed_change_table(data, arms, reference, imputations, seed, week_groups, se)
    else:
        table2 = change_table(changes, arms, reference, week_groups, se)
    counts = data.drop_duplicates("subject")["arm"].value_counts()
    return TrialAnalysis(
        reference=reference,
        arms=arms,
        analysis_set=analysis_set,
        n_by_arm={arm: int(counts.get(arm, 0)) for arm in arms},
        table1=baseline_table(data, arms, covariates),
        table2=table2,
        changes=changes,
        baseline=data[data["week"] == 0],
    )
