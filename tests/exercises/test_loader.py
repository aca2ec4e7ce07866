"""Loading exercise files: the library loads, and broken files name file, field and reason."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from backcoach.exercises import (
    ExerciseFileError,
    UnknownExerciseError,
    get_exercise,
    load_exercise,
    load_library,
)
from backcoach.paths import EXERCISES_DIR

SQUAT = EXERCISES_DIR / "squat.toml"


def write_variant(tmp_path: Path, old: str, new: str, name: str = "squat") -> Path:
    text = SQUAT.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in squat.toml"
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_library_loads_every_file():
    library = load_library()
    assert "squat" in library
    assert set(library) == {p.stem for p in EXERCISES_DIR.glob("*.toml")}


def test_get_exercise_returns_the_squat():
    squat = get_exercise("squat")
    assert squat.start_position == "standing"
    assert squat.views == ("side", "front")
    assert squat.phases.feature == "depth"


def test_get_exercise_unknown_id_lists_known_ids():
    with pytest.raises(UnknownExerciseError, match=r"unknown exercise 'jumping_jack'; known: .*squat"):
        get_exercise("jumping_jack")


@pytest.mark.parametrize(
    "old, new, message",
    [
        pytest.param('modality = "core"', 'modality = "yoga"', r"modality: Input should be 'core'", id="bad-modality"),
        pytest.param("tolerance = 0.1", "tolerance = 0", r"phases\.tolerance: Input should be greater than 0", id="zero-tolerance"),
        pytest.param('"{side}_hip", "{side}_knee", "{side}_ankle"', '"{side}_hip", "{side}_kneecap", "{side}_ankle"',
                     r"features\.knee: '\{side\}_kneecap' is not a landmark", id="unknown-landmark"),
        pytest.param('cue = "chest_up"', 'cue = "chin_up"', r"errors\[0\] \(trunk_too_far_forward\): cue 'chin_up' has no text", id="cue-without-text"),
        pytest.param('zh-Hans = "深蹲"', '', r"name\.zh-Hans: Field required", id="missing-translation"),
        pytest.param("good = 70", "good = 85", r"grade bands overlap", id="overlapping-grades"),
        pytest.param('source = "[E] brief §4.0 start position"', 'source = "brief"', r"standards\[2\]\.source: String should match", id="untagged-source"),
        pytest.param('feature = "depth"\nstart = 1.0', 'feature = "knees"\nstart = 1.0', r"phases\.feature 'knees' is not a feature", id="unknown-primary"),
        pytest.param("target = 0.6", "target = 0.6\nreturn_fraction = 0.5", r"return_fraction = 0\.5 must be lower than out_fraction", id="fractions-reversed"),
        pytest.param("target = 0.6", 'target = 0.6\nbegin_at_target = "sitting"\nmode = "hold"', r"begin_at_target needs the reps machine", id="begin-at-target-hold"),
        pytest.param("target = 0.6", 'target = 0.6\nbegin_at_target = "crouching"', r"phases\.begin_at_target: Input should be 'standing'", id="begin-at-target-posture"),
    ],
)
def test_broken_file_names_field_and_reason(tmp_path, old, new, message):
    path = write_variant(tmp_path, old, new)
    with pytest.raises(ExerciseFileError, match=message) as caught:
        load_exercise(path)
    assert str(path) in str(caught.value)


def test_bad_expression_names_feature_and_position(tmp_path):
    path = write_variant(
        tmp_path,
        'kind = "incl_v"\npoints = ["{side}_hip", "{side}_shoulder"]',
        'kind = "expr"\nexpr = "angel({side}_hip, {side}_knee, {side}_ankle)"',
    )
    with pytest.raises(ExerciseFileError, match=r"features\.trunk_lean: unknown function 'angel'.*\(at character 1\)"):
        load_exercise(path)


def test_bad_condition_names_error_and_position(tmp_path):
    path = write_variant(
        tmp_path,
        'when = { feature = "trunk_lean", above = 50 }',
        'condition = "trunk_lean > 50 and kneee < 100"',
    )
    with pytest.raises(ExerciseFileError, match=r"errors\[0\]\.condition \(trunk_too_far_forward\): 'kneee' is not a feature.*character 21"):
        load_exercise(path)


def test_invalid_toml_is_reported_with_line(tmp_path):
    path = write_variant(tmp_path, "tolerance = 0.1", "tolerance = = 0.1")
    with pytest.raises(ExerciseFileError, match=r"not valid TOML: .*line"):
        load_exercise(path)


def test_id_must_match_file_name(tmp_path):
    path = write_variant(tmp_path, 'id = "squat"', 'id = "squat"', name="deep_squat")
    with pytest.raises(ExerciseFileError, match=r"id = 'squat' differs from the file name 'deep_squat'"):
        load_exercise(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ExerciseFileError, match=r"cannot read the file"):
        load_exercise(tmp_path / "nothing.toml")


def test_every_library_file_is_valid_toml_with_matching_id():
    for path in EXERCISES_DIR.glob("*.toml"):
        assert tomllib.loads(path.read_text(encoding="utf-8"))["id"] == path.stem
