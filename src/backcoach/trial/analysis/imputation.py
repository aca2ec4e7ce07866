"""Multiple imputation for the intention-to-treat analysis (clinical brief §7.1 [E]).

Missing follow-up values are imputed under missing at random, outcome by outcome and arm by arm,
by sequential Bayesian linear regression in visit order: the value at week w is regressed on the
baseline and the values of the earlier follow-up weeks (observed or already imputed), and each
missing value is drawn from the posterior predictive distribution (coefficients and residual
variance drawn too, so the imputations are "proper"). This is exact for monotone dropout (the
trial's pattern) and an approximation for intermittent gaps, where a later observed value does
not inform an earlier missing one. Imputing within each arm keeps every arm-by-week interaction.

Each completed data set is analysed with the same models as the complete data, and the results
are pooled with Rubin's rules; the degrees of freedom follow Barnard and Rubin (1999), with
complete-data degrees of freedom n - p for ANCOVA and infinite for the GEE. Participants without
a baseline value are not imputed (the models adjust for baseline) and drop out of that outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from backcoach.trial.analysis.changes import change_scores, describe_changes
from backcoach.trial.analysis.models import CONFIDENCE, ArmDifference
from backcoach.trial.analysis.table2 import Table2Row, change_table

MIN_OBSERVED = 3  # observed values needed beyond the predictors to impute a visit


class ImputationError(ValueError):
    """Too few observed values to impute (the message names the outcome, arm and week)."""


@dataclass(frozen=True)
class Pooled:
    estimate: float
    se: float
    df: float  # inf for a normal reference distribution


def rubin_pool(estimates: Sequence[float], ses: Sequence[float], complete_df: float = np.inf) -> Pooled:
    """Pool m estimates and their standard errors with Rubin's rules (Barnard-Rubin df)."""
    q = np.asarray(estimates, float)
    u = np.asarray(ses, float) ** 2
    m = len(q)
    if m < 2:
        raise ValueError(f"Rubin's rules need at least 2 imputations, got {m}")
    within, between = u.mean(), q.var(ddof=1)
    total = within + (1 + 1 / m) * between
    if between == 0:
        return Pooled(float(q.mean()), float(np.sqrt(total)), complete_df)
    gamma = (1 + 1 / m) * between / total  # fraction of information missing
    df_m = (m - 1) / gamma**2
    if np.isfinite(complete_df):
        df_obs = (complete_df + 1) / (complete_df + 3) * complete_df * (1 - gamma)
        df = 1 / (1 / df_m + 1 / df_obs)
    else:
        df = df_m
    return Pooled(float(q.mean()), float(np.sqrt(total)), float(df))


def impute_once(long: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One completed copy of the long table (follow-up values imputed where missing)."""
    observed = long.dropna(subset=["value"])
    wide = observed.pivot_table(index=["outcome", "subject", "arm"], columns="week", values="value", aggfunc="first")
    rows = []
    for (outcome, arm), block in wide.groupby(level=["outcome", "arm"]):
        block = block.dropna(axis=1, how="all")
        if 0 not in block.columns:
            continue
        block = block[block[0].notna()].copy()
        weeks = sorted(w for w in block.columns if w > 0)
        for i, week in enumerate(weeks):
            predictors = [0] + weeks[:i]
            x = np.column_stack([np.ones(len(block))] + [block[w].to_numpy(float) for w in predictors])
            y = block[week].to_numpy(float)
            seen = ~np.isnan(y)
            if seen.all():
                continue
            if seen.sum() < x.shape[1] + MIN_OBSERVED:
                raise ImputationError(
                    f"outcome {outcome!r}, arm {arm!r}, week {week}: {int(seen.sum())} observed values are too "
                    f"few to impute {int((~seen).sum())} missing (need {x.shape[1] + MIN_OBSERVED})"
                )
            y[~seen] = _draw(x[seen], y[seen], x[~seen], rng)
            block[week] = y
        long_block = block.reset_index().melt(id_vars=["outcome", "subject", "arm"], var_name="week", value_name="value")
        rows.append(long_block)
    if not rows:
        return long.iloc[0:0].copy()
    completed = pd.concat(rows, ignore_index=True)
    completed["week"] = completed["week"].astype(int)
    return completed[["subject", "arm", "week", "outcome", "value"]].sort_values(["outcome", "subject", "week"]).reset_index(drop=True)


def _outcomes_with_gaps(long: pd.DataFrame) -> set[str]:
    """Outcomes where a participant with a baseline lacks a follow-up visit held by others."""
    observed = long.dropna(subset=["value"])
    gaps = set()
    for outcome, rows in observed.groupby("outcome"):
        with_baseline = set(rows.loc[rows["week"] == 0, "subject"])
        for week, at_week in rows[rows["week"] > 0].groupby("week"):
            if with_baseline - set(at_week["subject"]):
                gaps.add(str(outcome))
    return gaps


def _draw(x: np.ndarray, y: np.ndarray, x_new: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Posterior predictive draws of a normal linear model with a flat prior."""
    n, p = x.shape
    xtx_inv = np.linalg.pinv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residual = y - x @ beta
    sigma2 = float(residual @ residual) / rng.chisquare(n - p)
    beta_draw = rng.multivariate_normal(beta, sigma2 * xtx_inv)
    return x_new @ beta_draw + rng.normal(0.0, np.sqrt(sigma2), len(x_new))


def imputed_change_table(
    long: pd.DataFrame,
    arms: list[str],
    reference: str,
    imputations: int,
    seed: int,
    week_groups: Sequence[Sequence[int]] | None = None,
    se: str = "robust",
) -> list[Table2Row]:
    """Table 2 pooled over ``imputations`` completed data sets.

    The by-arm summaries (n, mean and SD of change) describe the *observed* data; the adjusted
    differences are pooled over the imputations. When nothing is missing every completed data set
    equals the data and the result equals :func:`~.table2.change_table`.
    """
    if imputations < 2:
        raise ImputationError(f"imputations = {imputations}: use at least 2 (20 or more is usual)")
    rng = np.random.default_rng(seed)
    observed = change_scores(long)
    plain = change_table(observed, arms, reference, week_groups, se)
    gaps = _outcomes_with_gaps(long)
    fits = [change_table(change_scores(impute_once(long, rng)), arms, reference, week_groups, se)
            for _ in range(imputations)]
    rows = []
    for k, first in enumerate(fits[0]):
        if first.outcome not in gaps:  # nothing to impute: the complete-data result stands
            row = plain[k]
            rows.append(replace(row, difference=replace(row.difference, method=f"{row.difference.method}, MI (m={imputations})")))
            continue
        estimates = [fit[k].difference.estimate for fit in fits]
        ses = [fit[k].difference.se for fit in fits]
        method = first.difference.method
        n = sum(first.arms[a]["n"] for a in arms)
        pooled = rubin_pool(estimates, ses, n - 3 if method == "ANCOVA" else np.inf)
        quantile = stats.t.ppf(0.5 + CONFIDENCE / 2, pooled.df)
        p = float(2 * stats.t.sf(abs(pooled.estimate / pooled.se), pooled.df))
        difference = ArmDifference(first.week, pooled.estimate, pooled.se, pooled.estimate - quantile * pooled.se,
                                   pooled.estimate + quantile * pooled.se, p, f"{method}, MI (m={imputations})")
        rows.append(Table2Row(first.outcome, first.week, describe_changes(observed, first.outcome, first.week, arms), difference))
    return rows
