"""Figures like the paper's Figures 3 (NRS) and 4 (secondary outcomes).

Each panel shows one outcome: the baseline mean and the mean change at each follow-up week, per
arm, as bars with SD error bars (the paper's figures show the same quantities).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from backcoach.trial.analysis.pipeline import TrialAnalysis  # noqa: E402
from backcoach.trial.outcomes import order_outcomes, outcome_figure, outcome_label  # noqa: E402

COLOURS = ("#1f77b4", "#ff7f0e")


def plot_figure(result: TrialAnalysis, figure: int, path: str | Path) -> Path | None:
    """Write the panels of one paper figure (3 or 4) to a PNG; None when it has no outcome."""
    outcomes = [o for o in order_outcomes(result.baseline["outcome"].unique()) if outcome_figure(o) == figure]
    outcomes = [o for o in outcomes if (result.changes["outcome"] == o).any()]
    if not outcomes:
        return None
    columns = min(4, len(outcomes))
    rows = int(np.ceil(len(outcomes) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.4 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes):
        _panel(ax, result, outcome)
    for ax in list(axes.flat)[len(outcomes):]:
        ax.set_visible(False)
    fig.suptitle("Figure %d. %s at baseline and change from baseline" % (
        figure, "NRS" if figure == 3 else "Secondary outcomes"))
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _panel(ax, result: TrialAnalysis, outcome: str) -> None:
    base = result.baseline[result.baseline["outcome"] == outcome].dropna(subset=["value"])
    changes = result.changes[result.changes["outcome"] == outcome]
    weeks = sorted(changes["week"].unique())
    labels = ["Baseline"] + [f"Δ week {w}" for w in weeks]
    width = 0.8 / len(result.arms)
    x = np.arange(len(labels))
    for i, arm in enumerate(result.arms):
        values = [base.loc[base["arm"] == arm, "value"]]
        values += [changes.loc[(changes["arm"] == arm) & (changes["week"] == w), "change"] for w in weeks]
        means = [v.mean() for v in values]
        sds = [v.std(ddof=1) if len(v) > 1 else 0.0 for v in values]
        ax.bar(x + (i - (len(result.arms) - 1) / 2) * width, means, width, yerr=sds, capsize=3,
               label=arm, color=COLOURS[i % len(COLOURS)])
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_title(outcome_label(outcome), fontsize=10)
    ax.legend(fontsize=8)


def write_figures(result: TrialAnalysis, directory: str | Path) -> list[Path]:
    """Write ``figure3_nrs.png`` and ``figure4_secondary.png`` where they have data."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = [
        plot_figure(result, 3, directory / "figure3_nrs.png"),
        plot_figure(result, 4, directory / "figure4_secondary.png"),
    ]
    return [p for p in written if p is not None]
