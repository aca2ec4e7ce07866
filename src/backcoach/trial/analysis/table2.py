"""Table 2: change from baseline by arm and the baseline-adjusted arm difference.

Which model an outcome gets depends on how many follow-up weeks it has in the data:
two or more -> one GEE over those weeks; one -> ANCOVA (see :mod:`.models`).

``week_groups`` splits the weeks of multi-visit outcomes into separate models. The default
(``None``) fits one GEE per outcome over all its follow-up weeks (issue 7). The paper's own
description (clinical brief §7.3, Models A and B) is ``[[2, 4], [8]]``: one GEE over weeks 2 and 4,
and a separate single-visit model at week 8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from backcoach.trial.analysis.changes import describe_changes
from backcoach.trial.analysis.models import ArmDifference, fit_ancova, fit_gee
from backcoach.trial.outcomes import order_outcomes, outcome_label

PAPER_WEEK_GROUPS: tuple[tuple[int, ...], ...] = ((2, 4), (8,))


@dataclass(frozen=True)
class Table2Row:
    """One outcome at one follow-up week."""

    outcome: str
    week: int
    arms: dict[str, dict]
    difference: ArmDifference

    def to_dict(self) -> dict:
        d = self.difference
        return {
            "outcome": self.outcome,
            "week": self.week,
            "arms": self.arms,
            "adjusted_difference": d.estimate,
            "ci_low": d.ci_low,
            "ci_high": d.ci_high,
            "p": d.p,
            "method": d.method,
        }

    @property
    def label(self) -> str:
        return outcome_label(self.outcome)


def _split_weeks(weeks: list[int], week_groups: Sequence[Sequence[int]] | None) -> list[list[int]]:
    if len(weeks) < 2 or not week_groups:
        return [weeks]
    groups = [[w for w in weeks if w in set(group)] for group in week_groups]
    groups = [g for g in groups if g]
    rest = [w for w in weeks if not any(w in g for g in groups)]
    return groups + ([rest] if rest else [])


def change_table(
    changes: pd.DataFrame,
    arms: list[str],
    reference: str,
    week_groups: Sequence[Sequence[int]] | None = None,
    se: str = "robust",
) -> list[Table2Row]:
    """Table 2 rows, outcomes in the paper's order, weeks ascending.

    Parameters
    ----------
    changes : DataFrame
        Output of :func:`~backcoach.trial.analysis.changes.change_scores`.
    arms : list of str
        Both arms; ``reference`` must be one of them.
    reference : str
        The arm the difference is taken against (other minus reference).
    week_groups : sequence of sequences of int, optional
        How to split multi-visit outcomes into models (see module docstring).
    se : {"robust", "bias-reduced"}
        Standard errors of the GEE contrasts (ANCOVA always uses its t-based CI).
    """
    rows: list[Table2Row] = []
    for outcome in order_outcomes(changes["outcome"].unique()):
        data = changes[changes["outcome"] == outcome]
        weeks = sorted(int(w) for w in data["week"].unique())
        differences: list[ArmDifference] = []
        if len(weeks) == 1:
            differences.append(fit_ancova(data, reference, outcome))
        else:
            for group in _split_weeks(weeks, week_groups):
                differences.extend(fit_gee(data[data["week"].isin(group)], reference, outcome, se))
        for difference in sorted(differences, key=lambda d: d.week):
            summary = describe_changes(changes, outcome, difference.week, arms)
            rows.append(Table2Row(outcome, difference.week, summary, difference))
    return rows
