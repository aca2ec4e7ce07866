"""Score parts and grades with hand-computed values."""

from __future__ import annotations

import pytest

from backcoach.exercises.schema import Grades
from backcoach.motion import scoring


@pytest.mark.parametrize(
    "standards, peak, expected",
    [
        pytest.param([(90.0, True, (80.0, 100.0))], 1.0, 1.0, id="met"),
        pytest.param([(105.0, False, (80.0, 100.0))], 1.0, 0.5, id="half-width-soft-zone"),
        pytest.param([(120.0, False, (80.0, 100.0))], 1.0, 0.0, id="far-outside"),
        pytest.param([(90.0, True, (80.0, 100.0)), (105.0, False, (80.0, 100.0))], 1.0, 0.75, id="mean"),
        pytest.param([(None, None, (80.0, 100.0))], 0.6, 0.6, id="unseen-falls-back-to-peak"),
        pytest.param([], 1.3, 1.0, id="no-standards-peak-capped"),
    ],
)
def test_range_part(standards, peak, expected):
    assert scoring.range_part(standards, peak) == pytest.approx(expected)


@pytest.mark.parametrize(
    "severities, expected",
    [([], 1.0), (["minor"], 0.75), (["critical", "minor"], 0.25), (["safety"], 0.0), (["critical"] * 3, 0.0)],
)
def test_form_part(severities, expected):
    assert scoring.form_part(severities) == pytest.approx(expected)


def test_tempo_part_is_product_of_capped_ratios():
    assert scoring.tempo_part(2.0, 2.0, 1.0, 1.0) == 1.0
    assert scoring.tempo_part(0.5, 2.0, 1.0, 1.0) == pytest.approx(0.5)
    assert scoring.tempo_part(0.5, 0.5, 1.0, 2.0) == pytest.approx(0.125)


def test_stability_and_score():
    assert scoring.stability_part(0.0) == 1.0
    assert scoring.stability_part(0.05) == pytest.approx(0.5)
    parts = {"range": 1.0, "form": 0.5, "tempo": 1.0, "stability": 0.0}
    weights = {"range": 40, "form": 35, "tempo": 15, "stability": 10}
    assert scoring.score(parts, weights) == pytest.approx(100 * (40 + 17.5 + 15) / 100)


@pytest.mark.parametrize(
    "value, expected",
    [(0.0, "qualified"), (69.9, "qualified"), (70.0, "good"), (85.0, "excellent"), (90.0, "super_excellent")],
)
def test_grade_bands(value, expected):
    assert scoring.grade(value, Grades()) == expected


def test_grade_below_qualified_is_none():
    assert scoring.grade(10.0, Grades(qualified=20)) is None
