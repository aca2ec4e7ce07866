"""Compiling an exercise's features: structured kinds as expressions, sidedness, errors."""

from __future__ import annotations

import pytest

from backcoach.exercises.schema import Feature
from backcoach.exercises import ExerciseFileError, get_exercise, parse_exercise
from backcoach.motion.features import CompiledFeatures, feature_expression


@pytest.mark.parametrize(
    "feature, expected",
    [
        pytest.param(Feature(kind="angle", points=["a", "b", "c"]), "angle(a, b, c)", id="angle"),
        pytest.param(Feature(kind="incl_v", points=["p", "q"]), "incl_v(p, q)", id="incl_v"),
        pytest.param(Feature(kind="height", points=["p", "q"], over="leg"), "height(p, q) * torso / leg", id="height-over-leg"),
        pytest.param(Feature(kind="ratio", points=["a", "b", "c", "d"]), "ratio(a, b, c, d)", id="ratio-4"),
        pytest.param(Feature(kind="expr", expr="1 + 2"), "1 + 2", id="expr"),
    ],
)
def test_structured_kinds_are_expressions(feature, expected):
    assert feature_expression(feature) == expected


def test_sidedness_propagates_through_feature_names_only():
    squat = get_exercise("squat")
    data = squat.model_dump(by_alias=True)
    data["features"]["knee_doubled"] = {"kind": "expr", "expr": "knee * 2", "unit": "deg"}
    # "knee_gap" contains the text "knee" but is its own unsided feature.
    data["features"]["gap_again"] = {"kind": "expr", "expr": "knee_gap + 0", "unit": "ratio"}
    compiled = CompiledFeatures(parse_exercise(data, "test"))
    assert "knee_doubled" in compiled.sided
    assert "gap_again" not in compiled.sided


def test_self_reference_is_an_error():
    data = get_exercise("squat").model_dump(by_alias=True)
    data["features"]["loop"] = {"kind": "expr", "expr": "loop + 1", "unit": "deg"}
    with pytest.raises(ExerciseFileError, match=r"test: features\.loop: feature 'loop' refers to itself"):
        parse_exercise(data, "test")


def test_windowed_features_are_listed_per_side_for_the_engine():
    data = get_exercise("squat").model_dump(by_alias=True)
    data["features"]["knee_smooth"] = {"kind": "expr", "expr": "smooth(knee, 0.5)", "unit": "deg"}
    data["features"]["gap_range"] = {"kind": "expr", "expr": "amplitude(knee_gap, 2)", "unit": "ratio"}
    data["features"]["uses_smooth"] = {"kind": "expr", "expr": "knee_smooth + 1", "unit": "deg"}
    compiled = CompiledFeatures(parse_exercise(data, "test"))
    # A feature that only reads a windowed one needs no frames of its own.
    assert sorted(compiled.windowed, key=str) == [("gap_range", None), ("knee_smooth", "left"), ("knee_smooth", "right")]
