import numpy as np
from typer.testing import CliRunner

from backcoach.cli.main import app
from backcoach.trial import paper
from backcoach.trial.reproduce import compare_with_paper, recovery_over_seeds


def test_simulated_estimates_fall_within_the_papers_sampling_error():
    # Stated tolerance: over seeds 0-9, at least 85% of (row, seed) estimates lie within 2 of the
    # paper's standard errors of the paper's adjusted difference (about 93% expected, see docs).
    z = np.concatenate([compare_with_paper(seed)["z_vs_paper"].to_numpy() for seed in range(10)])
    assert len(z) == 10 * len(paper.TABLE2)
    assert np.mean(np.abs(z) <= 2) >= 0.85


def test_recovery_summary_has_every_row_and_a_sensible_coverage():
    summary = recovery_over_seeds(range(5))
    assert len(summary) == len(paper.TABLE2)
    assert set(summary.columns) >= {"paper", "truth", "mean_estimate", "coverage", "within_paper_error", "mc_se"}


def test_reproduce_paper_command_prints_both_columns():
    result = CliRunner().invoke(app, ["trial", "reproduce-paper", "--seed", "2023"])
    assert result.exit_code == 0, result.output
    assert "| Most severe NRS | 4 | -3.00 (1.41) |" in result.output
    assert "-1.08 (-1.68 to -0.49)" in result.output
    assert "rows within 2 paper standard errors" in result.output


def test_documented_seed_2023_table_is_what_the_code_prints():
    from pathlib import Path

    from backcoach.trial.reproduce import comparison_markdown

    doc = (Path(__file__).parents[2] / "docs" / "paper-reproduction.md").read_text()
    assert comparison_markdown(compare_with_paper(2023)) in doc
