"""The 17 programme exercises and the nerve slider judged on synthetic recordings with known answers:
clean sets count every repetition without errors, and every injected error is found on its
repetition (and side)."""

from __future__ import annotations

import pytest

from backcoach.evaluation.runner import run_set
from backcoach.evaluation.synthetic import camera_side, match_reps
from backcoach.exercises import load_exercise
from backcoach.motion.synthetic.generate import generate
from backcoach.motion.synthetic.motions import MOTIONS_DIR, load_motion
from backcoach.paths import EXERCISES_DIR

PROGRAMME = (
    "abdominal_drawing_in", "side_plank", "front_plank", "knee_to_chest", "childs_pose", "hamstring_stretch",
    "piriformis_stretch", "hip_flexor_stretch", "lumbar_rotation_stretch", "prone_lying", "prone_on_elbows",
    "standing_extension", "flexion_in_lying", "flexion_in_sitting", "diaphragmatic_breathing",
    "breathing_with_bracing", "sit_to_stand", "nerve_slider",
)  # fmt: skip
MAX_HOLD_S = 3.0
NOISE_PX = 1.0
#: Cases where the reference motion disagrees with its exercise's standards; strict, so a fixed
#: motion shows up as XPASS. (exercise id, error id or None for the clean set) -> reason.
MOTION_ISSUES = {
}
#: Errors the generator produces but a side camera cannot see in its visibility model.
UNSEEN: dict[tuple[str, str], str] = {}


def _exercise(exercise_id):
    if not (MOTIONS_DIR / f"{exercise_id}.toml").is_file():
        pytest.skip(f"{exercise_id} has no reference motion yet")
    return load_exercise(EXERCISES_DIR / f"{exercise_id}.toml")


def _judge(exercise, reps, errors=None, view=None, side=None):
    hold = min(exercise.dosage.beginner.hold_s, MAX_HOLD_S)
    recording = generate(exercise.id, reps, errors=errors, hold_s=hold, noise_px=NOISE_PX, view=view, side=side,
                         camera_side=camera_side(exercise, side), seed=11,
                         occlusion=True)
    run = run_set(exercise, recording.sequence.frames(), hold_s=hold, side=side if exercise.sides == "per_side" else None)
    return recording, run


def _marks(exercise_id, error_id):
    reason = MOTION_ISSUES.get((exercise_id, error_id))
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


def _error_cases():
    for exercise_id in PROGRAMME:
        exercise = load_exercise(EXERCISES_DIR / f"{exercise_id}.toml")
        for rule in exercise.errors:
            yield pytest.param(exercise_id, rule.id, id=f"{exercise_id}-{rule.id}", marks=_marks(exercise_id, rule.id))


@pytest.mark.parametrize("exercise_id", [pytest.param(e, marks=_marks(e, None)) for e in PROGRAMME])
def test_clean_set_counts_every_rep_without_errors(exercise_id):
    exercise = _exercise(exercise_id)
    reps = 4 if exercise.sides == "alternating" else 3
    _, run = _judge(exercise, reps, side="left")
    assert [r.counted for r in run.reps] == [True] * reps, [r.reason for r in run.reps]
    assert [[e.id for e in r.errors] for r in run.reps] == [[]] * reps


@pytest.mark.parametrize("exercise_id, error_id", list(_error_cases()))
def test_injected_error_is_found_on_its_rep_and_side(exercise_id, error_id):
    exercise = _exercise(exercise_id)
    if error_id not in load_motion(exercise_id).errors:
        # Declared in the motion file's comments (e.g. a shrug: the body has no shoulder girdle).
        pytest.skip(f"the synthetic body cannot produce {error_id} of {exercise_id}")
    if (exercise_id, error_id) in UNSEEN:
        pytest.skip(UNSEEN[(exercise_id, error_id)])
    rule = next(r for r in exercise.errors if r.id == error_id)
    view = exercise.view if rule.views is None or exercise.view in rule.views else rule.views[0]
    side = "right" if exercise.sides == "per_side" else "left"
    recording, run = _judge(exercise, 3, errors={1: [error_id]}, view=view, side=side)
    matched = match_reps(recording, run)
    assert set(matched) == {0, 1, 2}, f"engine reps {[(r.t, r.reason) for r in run.reps]}"
    found = {i: [e for e in rep.errors if e.id == error_id] for i, rep in matched.items()}
    assert found[1], f"{error_id} not reported on rep 2: {[e.id for e in matched[1].errors]}"
    assert not found[0] and not found[2], "reported on a clean rep"
    truth_side = recording.truth.reps[1].errors[0][1]
    if exercise.sides != "bilateral" and rule.sides != "none" and truth_side is not None:
        # An error of the active side is reported without a side: it is the rep's side.
        assert {e.side or matched[1].side for e in found[1]} <= {truth_side, "both"}
