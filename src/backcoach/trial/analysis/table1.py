"""Table 1: baseline characteristics by arm, with the paper's choice of summary and test.

Rules (paper, Statistical analysis [V]; clinical brief §7.2):

* continuous, Shapiro-Wilk p > 0.05 in every arm -> mean (SD), two-sample t-test
  (Welch's version when Levene's test finds unequal variances, p <= 0.05 [E]);
* continuous otherwise -> median (IQR), Wilcoxon rank-sum (exact without ties when both arms
  have fewer than 50 values, as R's ``wilcox.test``; normal approximation with continuity
  correction otherwise);
* categorical -> n (%), Fisher's exact test.

An arm with fewer than 3 values cannot be tested for normality and is summarised as median (IQR).
IQR uses the default (type 7) quantiles of R and numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from scipy import stats

from backcoach.trial.outcomes import covariate_label, order_outcomes, outcome_label

NORMALITY_ALPHA = 0.05  # Shapiro-Wilk threshold, paper [V]
EQUAL_VARIANCE_ALPHA = 0.05  # Levene threshold for Welch's t-test [E]
EXACT_WILCOXON_MAX_N = 50  # R wilcox.test's exact-test limit


@dataclass(frozen=True)
class Table1Row:
    """One line of Table 1. Categorical variables give one row per level."""

    variable: str
    label: str
    statistic: str  # "mean (SD)", "median (IQR)" or "n (%)"
    arms: dict[str, dict[str, float]]
    formatted: dict[str, str]
    p: float | None
    test: str | None
    level: str | None = None

    def to_dict(self) -> dict:
        return {
            "variable": self.variable,
            "label": self.label,
            "level": self.level,
            "statistic": self.statistic,
            "arms": self.arms,
            "formatted": self.formatted,
            "p": self.p,
            "test": self.test,
        }


def is_normal(values_by_arm: dict[str, np.ndarray]) -> bool:
    """True when Shapiro-Wilk does not reject normality (p > 0.05) in every arm."""
    for values in values_by_arm.values():
        if len(values) < 3 or np.ptp(values) == 0:
            return False
        if stats.shapiro(values).pvalue <= NORMALITY_ALPHA:
            return False
    return True


def summarise_continuous(variable: str, values_by_arm: dict[str, np.ndarray], label: str) -> Table1Row:
    """Mean (SD) and t-test, or median (IQR) and Wilcoxon rank-sum, by Shapiro-Wilk."""
    arms = list(values_by_arm)
    a, b = (values_by_arm[arm] for arm in arms[:2])
    if is_normal(values_by_arm):
        equal_var = stats.levene(a, b).pvalue > EQUAL_VARIANCE_ALPHA
        p = float(stats.ttest_ind(a, b, equal_var=equal_var).pvalue)
        test = "t-test" if equal_var else "Welch t-test"
        numbers = {
            arm: {"n": len(v), "mean": float(np.mean(v)), "sd": float(np.std(v, ddof=1))}
            for arm, v in values_by_arm.items()
        }
        formatted = {arm: f"{n['mean']:.1f} ({n['sd']:.1f})" for arm, n in numbers.items()}
        return Table1Row(variable, label, "mean (SD)", numbers, formatted, p, test)
    p = wilcoxon_rank_sum(a, b) if len(a) and len(b) else None
    numbers = {}
    for arm, v in values_by_arm.items():
        q1, median, q3 = np.percentile(v, [25, 50, 75]) if len(v) else (np.nan,) * 3
        numbers[arm] = {"n": len(v), "median": float(median), "q1": float(q1), "q3": float(q3)}
    formatted = {
        arm: f"{n['median']:.1f} ({n['q1']:.1f}-{n['q3']:.1f})" for arm, n in numbers.items()
    }
    return Table1Row(variable, label, "median (IQR)", numbers, formatted, p, "Wilcoxon rank-sum")


def wilcoxon_rank_sum(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided rank-sum P value computed the way R's ``wilcox.test`` does by default."""
    ties = len(np.unique(np.concatenate([a, b]))) < len(a) + len(b)
    exact = not ties and len(a) < EXACT_WILCOXON_MAX_N and len(b) < EXACT_WILCOXON_MAX_N
    method = "exact" if exact else "asymptotic"
    return float(stats.mannwhitneyu(a, b, alternative="two-sided", method=method).pvalue)


def summarise_categorical(variable: str, values_by_arm: dict[str, pd.Series], label: str) -> list[Table1Row]:
    """n (%) per level and arm, with one Fisher's exact P value on the first row."""
    levels = sorted({str(v) for values in values_by_arm.values() for v in values})
    counts = np.array(
        [[int((values.astype(str) == level).sum()) for level in levels] for values in values_by_arm.values()]
    )
    p = float(stats.fisher_exact(counts).pvalue) if counts.shape[1] > 1 else None
    rows = []
    for j, level in enumerate(levels):
        numbers = {}
        formatted = {}
        for i, arm in enumerate(values_by_arm):
            total = int(counts[i].sum())
            pct = 100.0 * counts[i, j] / total if total else float("nan")
            numbers[arm] = {"n": int(counts[i, j]), "total": total, "percent": pct}
            formatted[arm] = f"{counts[i, j]} ({_round_half_up(pct)}%)"
        first = j == 0
        rows.append(
            Table1Row(
                variable, label, "n (%)", numbers, formatted,
                p if first else None, "Fisher's exact" if first and p is not None else None,
                level=level,
            )
        )
    return rows


def _round_half_up(value: float) -> str:
    """Whole-number percent rounded half up, as the paper prints 12.5% as 13%."""
    if np.isnan(value):
        return "NA"
    return str(int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def baseline_table(
    long: pd.DataFrame,
    arms: list[str],
    covariates: pd.DataFrame | None = None,
) -> list[Table1Row]:
    """Build Table 1 from the baseline (week 0) outcome rows and optional covariates.

    Parameters
    ----------
    long : DataFrame
        Validated long table of the analysis set.
    arms : list of str
        Arms in column order (the reference arm first, as the paper lists video first).
    covariates : DataFrame, optional
        Indexed by subject, one column per variable; numeric columns are continuous, other
        columns (text, boolean) categorical. Only subjects present in ``long`` are used.

    Returns
    -------
    list of Table1Row
        Covariates first (in column order), then each outcome at baseline.
    """
    arm_of = long.drop_duplicates("subject").set_index("subject")["arm"]
    rows: list[Table1Row] = []
    if covariates is not None:
        subjects = covariates.index.intersection(arm_of.index)
        for column in covariates.columns:
            series = covariates.loc[subjects, column].dropna()
            by_arm = {arm: series[(arm_of[series.index] == arm).to_numpy()] for arm in arms}
            label = covariate_label(str(column))
            if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
                rows.append(
                    summarise_continuous(
                        str(column), {a: v.to_numpy(float) for a, v in by_arm.items()}, label
                    )
                )
            else:
                rows.extend(summarise_categorical(str(column), by_arm, label))
    baseline = long[(long["week"] == 0)].dropna(subset=["value"])
    for outcome in order_outcomes(baseline["outcome"].unique()):
        rows_o = baseline[baseline["outcome"] == outcome]
        by_arm = {arm: rows_o.loc[rows_o["arm"] == arm, "value"].to_numpy(float) for arm in arms}
        rows.append(summarise_continuous(str(outcome), by_arm, outcome_label(str(outcome))))
    return rows
