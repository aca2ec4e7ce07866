"""Baseline-adjusted arm differences in change from baseline: GEE and ANCOVA.

Both models code the arm as an indicator of the *other* arm (reference arm = 0), so every
estimate is "other arm minus reference", adjusted for the outcome's baseline value.

* :func:`fit_gee` (two or more follow-up weeks): ``change ~ arm * week + baseline`` with week as a
  factor, Gaussian family, identity link, exchangeable working correlation within participant,
  robust (sandwich) covariance, as geepack's ``geeglm(..., corstr = "exchangeable")`` with its
  default ``std.err = "san.se"``. The arm difference at week *w* is the linear contrast
  ``arm + arm:week[w]`` (zero interaction at the reference week) with a Wald (normal) CI.
* :func:`fit_gee` with one week: the paper's week-8 model, ``change ~ arm + baseline``, one row per
  participant, so it is a linear model with a robust SE (independence working correlation).
* :func:`fit_ancova` (one follow-up week, clinic measures): ordinary least squares
  ``change ~ arm + baseline`` with a t-based CI, as R's ``lm`` and ``confint``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

CONFIDENCE = 0.95
# Standard errors of the GEE contrasts: the plain robust sandwich (the paper's, geepack's default)
# or the Mancl-DeRouen bias-reduced sandwich, which corrects its downward bias with few clusters.
GEE_SE = {"robust": ("robust", "GEE"), "bias-reduced": ("bias_reduced", "GEE (Mancl-DeRouen SE)")}


@dataclass(frozen=True)
class ArmDifference:
    """Adjusted mean difference (other arm minus reference) at one follow-up week."""

    week: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    method: str


class ModelError(ValueError):
    """A model cannot be fitted on the data given (the message says which outcome and why)."""


def _indicator(changes: pd.DataFrame, reference: str, outcome: str) -> np.ndarray:
    arms = sorted(changes["arm"].unique())
    if len(arms) != 2 or reference not in arms:
        raise ModelError(
            f"outcome {outcome!r}: need exactly two arms including the reference {reference!r}; "
            f"found {arms}"
        )
    return (changes["arm"] != reference).to_numpy(float)


def gee_design(changes: pd.DataFrame, reference: str, weeks: list[int], outcome: str) -> tuple[np.ndarray, list[str]]:
    """Design matrix of ``change ~ arm * factor(week) + baseline`` (reference week = first)."""
    arm = _indicator(changes, reference, outcome)
    columns = [np.ones(len(changes)), arm]
    names = ["const", "arm"]
    week = changes["week"].to_numpy()
    for w in weeks[1:]:
        columns.append((week == w).astype(float))
        names.append(f"week{w}")
    for w in weeks[1:]:
        columns.append(arm * (week == w))
        names.append(f"arm:week{w}")
    columns.append(changes["baseline"].to_numpy(float))
    names.append("baseline")
    return np.column_stack(columns), names


def fit_gee(changes: pd.DataFrame, reference: str, outcome: str = "outcome", se: str = "robust") -> list[ArmDifference]:
    """Fit the GEE of one outcome and return the arm difference at each of its weeks.

    Parameters
    ----------
    changes : DataFrame
        Change scores of one outcome (:func:`~backcoach.trial.analysis.changes.change_scores`),
        restricted to the weeks that this model covers.
    reference : str
        The reference arm.
    outcome : str
        Outcome id, for error messages.
    se : {"robust", "bias-reduced"}
        Covariance of the estimates (see ``GEE_SE``).
    """
    if se not in GEE_SE:
        raise ModelError(f"standard error {se!r}: expected one of {sorted(GEE_SE)}")
    data = changes.sort_values(["subject", "week"]).reset_index(drop=True)
    weeks = sorted(int(w) for w in data["week"].unique())
    exog, names = gee_design(data, reference, weeks, outcome)
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise ModelError(f"outcome {outcome!r}: the GEE design is rank deficient (too few data)")
    groups = pd.factorize(data["subject"])[0]
    cov_struct = sm.cov_struct.Exchangeable() if len(weeks) > 1 else sm.cov_struct.Independence()
    model = sm.GEE(
        data["change"].to_numpy(float), exog, groups=groups,
        family=sm.families.Gaussian(), cov_struct=cov_struct,
    )
    cov_type, method = GEE_SE[se]
    result = model.fit(cov_type=cov_type)
    params = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    if len(weeks) == 1:
        method = "GEE (single visit, robust SE)" if se == "robust" else "GEE (single visit, Mancl-DeRouen SE)"
    z = stats.norm.ppf(0.5 + CONFIDENCE / 2)
    out = []
    for w in weeks:
        contrast = np.zeros(len(names))
        contrast[names.index("arm")] = 1.0
        if w != weeks[0]:
            contrast[names.index(f"arm:week{w}")] = 1.0
        estimate = float(contrast @ params)
        error = float(np.sqrt(contrast @ cov @ contrast))
        if not error > 0:
            raise ModelError(f"outcome {outcome!r}, week {w}: standard error is zero (no variation left)")
        p = float(2 * stats.norm.sf(abs(estimate / error)))
        out.append(ArmDifference(w, estimate, error, estimate - z * error, estimate + z * error, p, method))
    return out


def fit_ancova(changes: pd.DataFrame, reference: str, outcome: str = "outcome") -> ArmDifference:
    """OLS ``change ~ arm + baseline`` at a single week, with a t-based CI for the arm term."""
    weeks = changes["week"].unique()
    if len(weeks) != 1:
        raise ModelError(f"outcome {outcome!r}: ANCOVA needs one follow-up week, got {sorted(weeks)}")
    arm = _indicator(changes, reference, outcome)
    exog = np.column_stack([np.ones(len(changes)), arm, changes["baseline"].to_numpy(float)])
    if len(changes) <= exog.shape[1] or np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise ModelError(f"outcome {outcome!r}: too few complete participants for ANCOVA")
    result = sm.OLS(changes["change"].to_numpy(float), exog).fit()
    if not result.bse[1] > 0:
        raise ModelError(f"outcome {outcome!r}: standard error is zero (no variation left)")
    low, high = result.conf_int(alpha=1 - CONFIDENCE)[1]
    return ArmDifference(
        int(weeks[0]), float(result.params[1]), float(result.bse[1]),
        float(low), float(high), float(result.pvalues[1]), "ANCOVA",
    )
