"""Figures, goals and the Markdown report."""

from __future__ import annotations

from backcoach.evaluation.report import DatasetResult, Figure, Goal, below_goal, command_for, render_markdown


def test_goal_direction():
    assert Goal(">=", 0.9).met(0.9) and not Goal(">=", 0.9).met(0.89)
    assert Goal("<=", 5).met(4.9) and not Goal("<=", 5).met(5.1)
    assert Goal(">=", 0.9).met(None) is None


def test_figure_key_names_dataset_exercise_error_condition_metric():
    f = Figure("synthetic", "error_f1", 0.5, 4, None, "squat", "heels_lift", "moderate")
    assert f.key == "synthetic/squat/heels_lift/moderate/error_f1"
    assert Figure("keraal", "rmse", 1.0, 1).key == "keraal/-/-/-/rmse"


def test_report_lists_figures_below_goal_with_their_command():
    low = Figure("ui_prmd", "count_mae", 0.5, 12, Goal("<=", 0.05, "published 0.06"), "squat", None, "m01", command_for("ui_prmd", False))
    ok = Figure("ui_prmd", "count_off_by_one_accuracy", 1.0, 12, Goal(">=", 0.97), "squat", None, "m01", command_for("ui_prmd", False))
    result = DatasetResult("ui_prmd", "UI-PRMD", figures=[low, ok], notes=["why it is low"])
    assert below_goal([result]) == [low]
    text = render_markdown([result], quick=False, generated="2026-01-01")
    summary = text.split("## UI-PRMD")[0]
    assert "| ui_prmd | squat |  | m01 | count_mae | 0.500 | <= 0.05 (published 0.06) | 12 |" in summary
    assert "count_off_by_one_accuracy" not in summary
    assert "`backcoach eval --dataset ui_prmd` |" in text and "why it is low" in text


def test_skipped_dataset_says_why():
    text = render_markdown([DatasetResult("keraal", "KERAAL", skipped="folder absent")], quick=True, generated="x")
    assert "Not measured: folder absent" in text and "`backcoach eval --quick`" in text


def test_synthetic_command_names_the_exercise():
    assert command_for("synthetic", True, "squat") == "backcoach eval --dataset synthetic --exercise squat --quick"
    assert command_for("keraal", False, "squat") == "backcoach eval --dataset keraal"
