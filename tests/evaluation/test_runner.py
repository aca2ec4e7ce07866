"""Running the engine over a recording, and judging recordings that lack some landmarks."""

from __future__ import annotations

import pytest

from backcoach.evaluation.runner import restrict_exercise, run_set
from backcoach.exercises import get_exercise
from backcoach.motion.synthetic.generate import generate
from backcoach.pose.skeleton import INDEX

ALL = set(range(33))


def test_full_skeleton_keeps_the_exercise_unchanged():
    squat = get_exercise("squat")
    restricted, dropped = restrict_exercise(squat, ALL)
    assert restricted is squat and dropped == []


def test_missing_heels_drop_heel_lift_and_its_rule_only():
    squat = get_exercise("squat")
    restricted, dropped = restrict_exercise(squat, ALL - {INDEX["left_heel"], INDEX["right_heel"]})
    assert dropped == ["heel_lift", "heels_lift"]
    assert "heel_lift" not in restricted.features
    assert [e.id for e in restricted.errors] == [e.id for e in squat.errors if e.id != "heels_lift"]


def test_missing_primary_landmarks_is_an_error():
    with pytest.raises(ValueError, match="squat: the primary feature .* needs landmarks this recording lacks"):
        restrict_exercise(get_exercise("squat"), set())


def test_run_set_counts_every_rep_past_the_prescription():
    recording = generate("squat", reps=3, noise_px=1.0, seed=5)
    run = run_set("squat", recording.sequence.frames(), reps_target=0)
    assert run.attempts == 3 and len(run.reps) == 3
    assert run.done is not None and run.done.counted == run.counted
    assert len(run.frame_t) == len(recording.sequence.t)
