"""Table 2 of simulated paper data next to the paper's own numbers.

The sampling-error yardstick of each row is the paper's standard error of the adjusted
difference, recovered from its 95% CI as (upper - lower) / (2 x 1.96). A row is "within sampling
error" when the estimate lies within 2 of those standard errors of the paper's value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from backcoach.trial import paper
from backcoach.trial.analysis import analyze
from backcoach.trial.outcomes import outcome_label
from backcoach.trial.simulate import simulate_paper

Z95 = 1.959964
WITHIN = 2.0  # paper standard errors


def compare_with_paper(seed: int, week_groups=None, se: str = "robust") -> pd.DataFrame:
    """One simulated data set, analysed per protocol, row by row against the paper's Table 2."""
    trial = simulate_paper(seed)
    result = analyze(trial.long, paper.REFERENCE_ARM, week_groups=week_groups, se=se)
    rows = []
    for row in result.table2:
        published = paper.TABLE2[(row.outcome, row.week)]
        paper_se = (published.ci_high - published.ci_low) / (2 * Z95)
        d = row.difference
        rows.append({
            "outcome": row.outcome, "week": row.week,
            "paper_ai": f"{published.ai_mean:.2f} ({published.ai_sd:.2f})",
            "sim_ai": f"{row.arms['AI']['mean_change']:.2f} ({row.arms['AI']['sd_change']:.2f})",
            "paper_video": f"{published.video_mean:.2f} ({published.video_sd:.2f})",
            "sim_video": f"{row.arms['video']['mean_change']:.2f} ({row.arms['video']['sd_change']:.2f})",
            "paper_difference": published.difference, "paper_ci_low": published.ci_low, "paper_ci_high": published.ci_high,
            "paper_p": published.p,
            "difference": d.estimate, "ci_low": d.ci_low, "ci_high": d.ci_high, "p": d.p, "method": d.method,
            "truth": trial.truth[(row.outcome, row.week)],
            "z_vs_paper": (d.estimate - published.difference) / paper_se,
        })
    return pd.DataFrame(rows)


def recovery_over_seeds(seeds: range, week_groups=None, se: str = "robust") -> pd.DataFrame:
    """Per row: mean estimate over seeds, the simulator's truth, the paper's value, CI coverage."""
    frames = [compare_with_paper(s, week_groups, se).assign(seed=s) for s in seeds]
    data = pd.concat(frames, ignore_index=True)
    data["covers_truth"] = (data["ci_low"] <= data["truth"]) & (data["truth"] <= data["ci_high"])
    data["within_paper_error"] = data["z_vs_paper"].abs() <= WITHIN
    summary = data.groupby(["outcome", "week"], sort=False).agg(
        paper=("paper_difference", "first"), truth=("truth", "first"), mean_estimate=("difference", "mean"),
        sd_estimate=("difference", "std"), coverage=("covers_truth", "mean"),
        within_paper_error=("within_paper_error", "mean"),
    ).reset_index()
    summary["mc_se"] = summary["sd_estimate"] / np.sqrt(len(seeds))
    return summary


def comparison_markdown(table: pd.DataFrame) -> str:
    """The per-seed comparison as a Markdown table."""
    lines = ["| Outcome | Week | AI paper | AI sim | Video paper | Video sim | Paper adjusted (95% CI) | "
             "Simulated adjusted (95% CI) | P paper | P sim | z vs paper |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        lines.append(
            f"| {outcome_label(r.outcome)} | {r.week} | {r.paper_ai} | {r.sim_ai} | {r.paper_video} | {r.sim_video} | "
            f"{r.paper_difference:.2f} ({r.paper_ci_low:.2f} to {r.paper_ci_high:.2f}) | "
            f"{r.difference:.2f} ({r.ci_low:.2f} to {r.ci_high:.2f}) | {r.paper_p} | {_p(r.p)} | {r.z_vs_paper:+.2f} |"
        )
    return "\n".join(lines)


def recovery_markdown(summary: pd.DataFrame) -> str:
    lines = ["| Outcome | Week | Paper | Simulator truth | Mean estimate (MC SE) | 95% CI coverage | Within 2 paper SE |",
             "|---|---|---|---|---|---|---|"]
    for r in summary.itertuples(index=False):
        lines.append(f"| {outcome_label(r.outcome)} | {r.week} | {r.paper:.2f} | {r.truth:.2f} | "
                     f"{r.mean_estimate:.3f} ({r.mc_se:.3f}) | {r.coverage:.0%} | {r.within_paper_error:.0%} |")
    return "\n".join(lines)


def _p(p: float) -> str:
    from backcoach.trial.analysis.render import format_p
    return format_p(p)
