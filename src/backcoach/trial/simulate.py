"""Simulated trial data shaped like the paper (sample sizes and Tables 1 and 2).

Assumptions (each one is a choice of this simulator, not a fact from the paper):

* Sample: 19 + 19 randomised; 18 AI and 16 video complete (the per-protocol set). The 1 AI and
  3 video non-completers have baseline and week-2 (web) values only, and drop out at random.
* Outcome values are continuous (NRS, ODI, RMDQ and PCS are not rounded to whole points), and
  outcomes are independent of each other and of the covariates.
* Baseline ~ Normal(mean, SD) of Table 1 per arm. Where Table 1 gives median (IQR) (the three NRS),
  mean = (Q1 + median + Q3) / 3 and SD = IQR / 1.35 (SD floored at 0.5 points).
* Change at week w in arm a = mu[a, w] + beta * (baseline - mean[a]) + e[w], with mu and the
  change SDs of Table 2. One baseline slope ``beta`` per outcome (so the paper's model, with one
  baseline coefficient, is correct). ``e`` is Normal with SD chosen so that the change SD
  equals Table 2's, and an exchangeable correlation ``rho`` = 0.5 between weeks of one participant
  (the value the paper's sample-size calculation assumed for repeated measures).
* ``beta`` is chosen so that the population baseline-adjusted difference, raw difference
  minus beta x baseline difference, is as close as possible (least squares over weeks) to the
  paper's adjusted difference, with beta limited so that baseline explains at most 75% of the change
  variance. Where Table 1 gives only medians (the three NRS), the means are open: beta is fixed
  at the negative slope (regression to the mean) that explains 50% of the smallest change
  variance, and the arms' baseline means are set apart (around their midpoint) so that the
  paper's adjusted differences hold on average over the weeks. The resulting population ("true")
  adjusted difference of each row is in :attr:`SimulatedTrial.truth`; it differs from the paper's
  where one slope cannot fit every week (ODI, RMDQ at week 2) or the limit binds.
* Covariates: age, BMI Normal (Table 1 mean, SD), pain duration log-normal with Table 1 mean and
  SD, education whole years (as the NRS rule), sex with the paper's exact male counts in
  completers and a fair coin for non-completers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from backcoach.trial import paper
from backcoach.trial.outcomes import OUTCOMES

RHO = 0.5  # within-participant correlation of change residuals across weeks (assumed)
MAX_BASELINE_SHARE = 0.75  # largest share of change variance that baseline may explain
MEDIAN_ONLY_BASELINE_SHARE = 0.5  # share of change variance explained by baseline (NRS)
MIN_SD = 0.5  # SD floor when derived from a narrow IQR
WEB_WEEKS = (2, 8)  # visits done on the web (non-completers still answer week 2)


@dataclass(frozen=True)
class OutcomeParameters:
    """Population parameters of one outcome in the simulator."""

    outcome: str
    weeks: tuple[int, ...]
    baseline_mean: dict[str, float]
    baseline_sd: dict[str, float]
    change_mean: dict[tuple[str, int], float]
    change_sd: dict[tuple[str, int], float]
    beta: float

    def true_difference(self, week: int, reference: str = paper.REFERENCE_ARM) -> float:
        """Population baseline-adjusted difference (other arm minus reference) at ``week``."""
        other = next(a for a in paper.ARMS if a != reference)
        raw = self.change_mean[(other, week)] - self.change_mean[(reference, week)]
        return raw - self.beta * (self.baseline_mean[other] - self.baseline_mean[reference])


@dataclass(frozen=True)
class SimulatedTrial:
    """One simulated data set: long outcomes, covariates, and the true differences."""

    long: pd.DataFrame
    covariates: pd.DataFrame
    truth: dict[tuple[str, int], float]
    parameters: dict[str, OutcomeParameters]


def _mean_sd(summary: paper.Baseline) -> tuple[float, float]:
    if summary.is_median:
        return (summary.q1 + summary.centre + summary.q3) / 3, max((summary.q3 - summary.q1) / 1.35, MIN_SD)
    return summary.centre, summary.spread


def outcome_parameters(outcome: str) -> OutcomeParameters:
    """Derive the simulator's parameters of one outcome from the paper's tables."""
    weeks = OUTCOMES[outcome].follow_up_weeks
    rows = {w: paper.TABLE2[(outcome, w)] for w in weeks}
    mean = {a: _mean_sd(paper.TABLE1[outcome][a])[0] for a in paper.ARMS}
    sd = {a: _mean_sd(paper.TABLE1[outcome][a])[1] for a in paper.ARMS}
    change_mean = {("AI", w): r.ai_mean for w, r in rows.items()} | {("video", w): r.video_mean for w, r in rows.items()}
    change_sd = {("AI", w): r.ai_sd for w, r in rows.items()} | {("video", w): r.video_sd for w, r in rows.items()}
    # raw minus adjusted difference = beta * baseline difference, averaged over the weeks
    gap = float(np.mean([(r.ai_mean - r.video_mean) - r.difference for r in rows.values()]))
    ratio = min(change_sd[(a, w)] / sd[a] for a, w in change_sd)
    if any(paper.TABLE1[outcome][a].is_median for a in paper.ARMS):
        # means unknown: regression to the mean fixes beta, the baseline gap follows from it
        beta = -np.sqrt(MEDIAN_ONLY_BASELINE_SHARE) * ratio
        middle = (mean["AI"] + mean["video"]) / 2
        mean = {"AI": middle + gap / beta / 2, "video": middle - gap / beta / 2}
    else:
        diff = mean["AI"] - mean["video"]
        beta_max = np.sqrt(MAX_BASELINE_SHARE) * ratio
        beta = float(np.clip(gap / diff, -beta_max, beta_max)) if diff else 0.0
    return OutcomeParameters(outcome, weeks, mean, sd, change_mean, change_sd, float(beta))


def simulate_paper(seed: int, rho: float = RHO) -> SimulatedTrial:
    """Draw one trial data set shaped like the paper (see the module docstring for assumptions).

    Parameters
    ----------
    seed : int
        Seed of numpy's default generator; the same seed gives the same data.
    rho : float
        Within-participant correlation of change residuals across follow-up weeks.
    """
    if not -0.5 < rho < 1:
        raise ValueError(f"rho = {rho} must be in (-0.5, 1) for a positive definite correlation")
    rng = np.random.default_rng(seed)
    subjects: list[tuple[str, str, bool]] = []  # id, arm, completed
    for arm in paper.ARMS:
        for k in range(paper.RANDOMISED[arm]):
            subjects.append((f"{arm[0].upper()}{k + 1:02d}", arm, k < paper.PER_PROTOCOL[arm]))
    parameters = {o: outcome_parameters(o) for o in OUTCOMES}
    rows = []
    for outcome, p in parameters.items():
        weeks = p.weeks
        for subject, arm, completed in subjects:
            y0 = rng.normal(p.baseline_mean[arm], p.baseline_sd[arm])
            sds = np.array([np.sqrt(max(p.change_sd[(arm, w)] ** 2 - (p.beta * p.baseline_sd[arm]) ** 2, 0.0)) for w in weeks])
            corr = np.full((len(weeks), len(weeks)), rho) + (1 - rho) * np.eye(len(weeks))
            residual = rng.multivariate_normal(np.zeros(len(weeks)), corr * np.outer(sds, sds))
            rows.append((subject, arm, 0, outcome, y0))
            for w, e in zip(weeks, residual):
                change = p.change_mean[(arm, w)] + p.beta * (y0 - p.baseline_mean[arm]) + e
                if completed or (w == 2 and w in weeks):
                    rows.append((subject, arm, w, outcome, y0 + change))
    long = pd.DataFrame(rows, columns=["subject", "arm", "week", "outcome", "value"])
    truth = {(o, w): p.true_difference(w) for o, p in parameters.items() for w in p.weeks}
    return SimulatedTrial(long, _covariates(subjects, rng), truth, parameters)


def _covariates(subjects: list[tuple[str, str, bool]], rng: np.random.Generator) -> pd.DataFrame:
    table = []
    males = {arm: set(rng.choice(paper.PER_PROTOCOL[arm], paper.MALE[arm], replace=False)) for arm in paper.ARMS}
    for subject, arm, completed in subjects:
        k = int(subject[1:]) - 1
        age_mean, age_sd = _mean_sd(paper.TABLE1["age"][arm])
        bmi_mean, bmi_sd = _mean_sd(paper.TABLE1["bmi"][arm])
        edu_mean, edu_sd = _mean_sd(paper.TABLE1["education_years"][arm])
        dur = paper.TABLE1["pain_duration_months"][arm]
        sigma2 = np.log1p((dur.spread / dur.centre) ** 2)
        male = k in males[arm] if completed else bool(rng.random() < 0.5)
        table.append({
            "subject": subject,
            "age": round(float(np.clip(rng.normal(age_mean, age_sd), 18, 75)), 0),
            "sex": "male" if male else "female",
            "education_years": round(float(rng.normal(edu_mean, edu_sd)), 0),
            "bmi": round(float(rng.normal(bmi_mean, bmi_sd)), 1),
            "pain_duration_months": round(float(rng.lognormal(np.log(dur.centre) - sigma2 / 2, np.sqrt(sigma2))), 1),
        })
    return pd.DataFrame(table)
