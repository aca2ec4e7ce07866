"""The quick harness must not fall below the floors recorded in floors.toml."""

from __future__ import annotations

import pytest

from backcoach.evaluation import floors
from backcoach.evaluation.harness import run
from backcoach.evaluation.report import DatasetResult, Figure, Goal

REAL = ("ui_prmd", "keraal", "exercise_correction", "tfjs_squat")


@pytest.fixture(scope="module")
def recorded():
    return floors.load_floors()


def test_floors_cover_synthetic_and_real_sets(recorded):
    datasets = {key.split("/", 1)[0] for key in recorded}
    assert "synthetic" in datasets and datasets & set(REAL)


def test_quick_synthetic_harness_meets_its_floors(recorded):
    problems = floors.check(run(["synthetic"], quick=True), recorded)
    assert not problems, "\n".join(problems)


def test_quick_real_harness_meets_its_floors(recorded, shared_data):
    problems = floors.check(run(REAL, quick=True), recorded)
    assert not problems, "\n".join(problems)


def test_check_names_a_figure_below_its_floor_and_a_missing_one():
    result = DatasetResult("keraal", "K", figures=[
        Figure("keraal", "balanced_accuracy", 0.8, 20, Goal(">=", 0.9), "x", "error-1", "CTK"),
        Figure("keraal", "rmse_deg", 4.0, 20, Goal("<=", 5.0), None, None, "CTK"),
    ])  # fmt: skip
    recorded = {
        "keraal/x/error-1/CTK/balanced_accuracy": {"min": 0.85},
        "keraal/-/-/CTK/rmse_deg": {"max": 4.5},
        "keraal/-/-/RTK/rmse_deg": {"max": 4.5},
        "synthetic/squat/-/moderate/rep_count_exact": {"min": 1.0},  # not run: not checked
    }
    assert floors.check([result], recorded) == [
        "keraal/-/-/RTK/rmse_deg: figure missing (was floored at {'max': 4.5})",
        "keraal/x/error-1/CTK/balanced_accuracy: 0.8 fell below its floor 0.85",
    ]


def test_floors_sit_on_the_safe_side_of_the_figures():
    result = DatasetResult("x", "X", figures=[
        Figure("x", "f1", 0.95, 3, Goal(">=", 0.9)),
        Figure("x", "angle_mae_deg", 2.0, 3),
        Figure("x", "nothing", None, 0),
    ])  # fmt: skip
    assert floors.floors_from([result]) == {"x/-/-/-/f1": {"min": 0.94}, "x/-/-/-/angle_mae_deg": {"max": 2.21}}


def test_a_flagged_share_is_floored_down_on_correct_reps_and_up_on_incorrect_ones():
    result = DatasetResult("x", "X", figures=[
        Figure("x", "flagged_share", 0.2, 50, None, "squat", "too_fast", "m01, correct"),
        Figure("x", "flagged_share", 0.6, 50, None, "squat", "too_fast", "m01, incorrect"),
    ])  # fmt: skip
    assert floors.floors_from([result]) == {"x/squat/too_fast/m01, correct/flagged_share": {"max": 0.23},
                                            "x/squat/too_fast/m01, incorrect/flagged_share": {"min": 0.59}}
